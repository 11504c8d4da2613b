"""Hosting the reader over ssh (asyncssh), one child process per session."""

import warnings

# cryptography 51 deprecates DSA and asyncssh names the DSA types at import: a warning about a
# library's internals, not the host's keys (DSA keys are never made here), so an administrator
# is not shown it on every start.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"asyncssh(\.|$)")
