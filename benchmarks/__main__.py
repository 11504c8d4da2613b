"""Entry point: ``python -m benchmarks [--quick] [--only NAME ...] [--out FILE]``."""

import sys

from benchmarks.harness import main

sys.exit(main())
