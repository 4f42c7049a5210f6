import sys

from ops.failover.cli import main

sys.exit(main())
