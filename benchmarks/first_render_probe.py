"""Run a program under valgrind until its first frame is rendered, marking where it got to.

``python -m benchmarks.first_render_probe -m tui_reader FILE`` (or ``... PATH.py``) runs the
module or script as ``python -m``/``python PATH`` would, with two marks for callgrind's
``--dump-before``: ``getpgrp()`` when Textual's ``App.run`` is called (everything before it is
the program's imports and preparation) and ``getppid()`` right after the first full render of a
screen whose class is named by ``PROBE_SCREEN`` (any screen when it is empty), after which the
process ends at once. Each mark makes callgrind write the instructions counted since the last
one, so the case reads "to App.run" and "App.run to the first frame" from two dumps.

Not a benchmark case: the tool :mod:`benchmarks.case_instructions` runs.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import runpy
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

SCREEN_ENV = "PROBE_SCREEN"
"""The environment variable naming the screen class whose first full render ends the run."""


class _AfterTextual(importlib.abc.MetaPathFinder):
    """Installs the marks right after ``textual.app`` is imported, wherever the program does it
    (so the program imports Textual exactly as it would: same order, same garbage collector)."""

    def __init__(self, screen: str) -> None:
        """Marks for the first frame of ``screen`` (any screen when empty)."""
        self.screen = screen

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        """``textual.app``'s spec, its loader wrapped; None (not ours) for any other module."""
        if name != "textual.app":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        execute = loader.exec_module
        screen = self.screen

        def exec_module(module: ModuleType) -> None:
            """Run ``textual.app``, then install the marks."""
            execute(module)
            install(screen)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install(screen: str) -> None:
    """Patch Textual so the marks happen (its app and compositor modules are loaded by now)."""
    from textual._compositor import Compositor
    from textual._context import active_app
    from textual.app import App

    render = Compositor.render_full_update
    run = App.run

    def marked_render(self: Compositor, *args: object, **kwargs: object) -> object:
        """The full render; then, on the first frame of the awaited screen, the mark and exit."""
        update = render(self, *args, **kwargs)  # type: ignore[arg-type]
        shown = type(active_app.get().screen).__name__
        if not screen or shown == screen:
            os.getppid()  # (callgrind: --dump-before=getppid)
            sys.stdout.flush()
            os._exit(0)
        return update

    def marked_run(self: App[object], *args: object, **kwargs: object) -> object:
        """``App.run``, after the mark."""
        os.getpgrp()  # (callgrind: --dump-before=getpgrp)
        return run(self, *args, **kwargs)  # type: ignore[arg-type]

    Compositor.render_full_update = marked_render  # type: ignore[method-assign,assignment]
    App.run = marked_run  # type: ignore[method-assign,assignment]


def main(argv: list[str]) -> None:
    """Run ``-m MODULE ARGS`` or ``SCRIPT ARGS`` with the marks installed."""
    sys.meta_path.insert(0, _AfterTextual(os.environ.get(SCREEN_ENV, "")))
    if argv[:1] == ["-m"]:
        sys.argv = [argv[1], *argv[2:]]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = list(argv)
        runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
