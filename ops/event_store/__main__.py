import sys

from ops.event_store.cli import main

sys.exit(main())
