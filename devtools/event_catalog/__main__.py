import sys

from devtools.event_catalog.cli import main

sys.exit(main())
