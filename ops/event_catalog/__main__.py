import sys

from ops.event_catalog.cli import main

sys.exit(main())
