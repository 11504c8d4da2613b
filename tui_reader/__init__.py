"""tui-reader: a terminal reader for fan fiction and web fiction."""

__version__ = "0.1.0"
