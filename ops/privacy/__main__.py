import sys

from ops.privacy.cli import main

sys.exit(main())
