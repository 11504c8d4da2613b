"""The benchmark suite: ``python -m benchmarks``."""

# The host's package applies its warning filter for cryptography's DSA deprecation when
# imported; imported here so the ssh case's own asyncssh clients print none into the table.
import tui_reader.ssh  # noqa: F401
