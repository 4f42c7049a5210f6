import sys

from devtools.cost.cli import main

sys.exit(main())
