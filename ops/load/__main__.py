import sys

from ops.load.cli import main

sys.exit(main())
