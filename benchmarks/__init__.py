"""The benchmark suite: ``python -m benchmarks``."""

import warnings

# The host's own filter (tui_reader/ssh/__init__.py), here for the ssh case's clients, which
# import asyncssh themselves: cryptography 51 deprecates DSA and asyncssh names the DSA types
# at import, six warnings that would otherwise land in the middle of the run's table.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"asyncssh(\.|$)")
