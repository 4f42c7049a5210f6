import sys

from orders_cli.main import main

sys.exit(main())
