import sys

from ops.dlq.cli import main

sys.exit(main())
