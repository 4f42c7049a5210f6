import sys

from ops.authorization.cli import main

sys.exit(main())
