import sys

from ops.orders.cli import main

sys.exit(main())
