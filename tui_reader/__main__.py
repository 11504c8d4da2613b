"""Entry point for ``python -m tui_reader`` and the ``tui-reader`` command."""

import gc
import importlib
import sys

CLI = "tui_reader.cli"
"""The command line's module, imported by :func:`run` once the collector is paused."""


def run() -> int:
    """Run the command line, the garbage collector paused while it is imported.

    Start-up makes many objects and frees almost none: the collections its imports would
    trigger only delay the first frame (some 8 M instructions for the command line's own
    imports). :func:`tui_reader.cli.main` resumes the collector for every command, and the
    reader's start-up keeps it paused until its first frame (``_run_reader``).
    """
    gc.disable()
    status: int = importlib.import_module(CLI).main()
    return status


if __name__ == "__main__":
    sys.exit(run())
