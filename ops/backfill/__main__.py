import sys

from ops.backfill.cli import main

sys.exit(main())
