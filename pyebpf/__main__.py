"""``python -m pyebpf``: the pyebpf command line."""

import sys

from pyebpf.cli import main

sys.exit(main())
