import sys

from ops.cost.cli import main

sys.exit(main())
