import sys

from lintslim.cli import main

sys.exit(main())
