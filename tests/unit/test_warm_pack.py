"""The warm host packs the code a session runs together, and parses a session's arguments with
the parser it built once.

:func:`tui_reader.ssh.warm.pack_code` gives each function that ran in the rehearsal a copy of
its code (nested code too), so the copies lie together in memory; the functions must behave
exactly as before. :func:`~tui_reader.ssh.warm.session_args` must read a session's arguments
as the command line's own parser does.
"""

from __future__ import annotations

import gc
import types
from pathlib import Path

from tui_reader.cli import build_parser
from tui_reader.ssh import warm
from tui_reader.ssh.config import reader_args


def outer(n: int) -> list[int]:
    """A function with a nested function and a comprehension (both nested code objects)."""

    def twice(x: int) -> int:
        """Double ``x``."""
        return 2 * x

    return [twice(i) for i in range(n)]


def never_called() -> str:
    """A function the work below does not call."""
    return "untouched"


def test_calls_in_sees_the_code_called_in_the_order_first_called() -> None:
    called = warm.calls_in(lambda: outer(3))
    names = [code.co_name for code in called]
    assert names.index("outer") < names.index("<listcomp>") < names.index("twice")
    assert never_called.__code__ not in called
    assert isinstance(next(iter(called)), types.CodeType)


def test_packed_functions_get_copies_of_their_code_and_behave_the_same() -> None:
    before, before_never = outer.__code__, never_called.__code__
    called = warm.calls_in(lambda: outer(3))
    gc.collect()
    assert warm.pack_code(called) >= 1
    assert outer.__code__ is not before and outer.__code__ == before  # a copy, equal
    nested = [c for c in outer.__code__.co_consts if isinstance(c, types.CodeType)]
    originals = [c for c in before.co_consts if isinstance(c, types.CodeType)]
    assert {c.co_name for c in nested} == {"twice", "<listcomp>"}
    assert all(a is not b for a, b in zip(nested, originals, strict=True))  # copied too
    assert never_called.__code__ is before_never
    assert outer(4) == [0, 2, 4, 6] and never_called() == "untouched"


def test_session_args_read_as_the_command_lines_parser_does(tmp_path: Path) -> None:
    for guest in (False, True):
        argv = reader_args(tmp_path / "library", tmp_path / "data", "r-1", guest=guest)
        assert vars(warm.session_args(argv)) == vars(build_parser().parse_args(argv))
    assert warm.session_args(argv) is not warm.session_args(argv)  # a namespace each time
