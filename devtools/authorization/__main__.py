import sys

from devtools.authorization.cli import main

sys.exit(main())
