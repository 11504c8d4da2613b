"""The warm host imports, before it forks, every module a session uses; and fills its holes.

A module a session imports itself is objects in its own pages, and every import writes to the
shared import caches: the warm host imports them first (:data:`tui_reader.ssh.warm.WARM_MODULES`,
:data:`~tui_reader.ssh.warm.WARM_PACKAGES`). Here a session is forked from a warm host on a
real PTY, as ``serve-ssh`` does, shows the library, opens a story and quits; then no module of
the app, Textual or Rich may have been imported in the session that the warm host did not have.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import textwrap
import types
from pathlib import Path

from textual.color import Color

from tui_reader.ssh import warm

STORY = """+++
title = "Harbour Lights"
author = "someone"
+++

# The Quay

The tide came in over the stones.

# The Bell

The bell rang twice.
"""

SESSION = textwrap.dedent(
    """
    import gc, json, os, pty, select, sys, time
    from pathlib import Path

    from tui_reader.ssh import warm
    from tui_reader.ssh.config import child_env, reader_args
    from tui_reader.ssh.pty_child import set_winsize

    root = Path(sys.argv[1])
    gc.disable()
    warm.preload()
    host = set(sys.modules)
    pid, fd = pty.fork()
    if pid == 0:
        set_winsize(0, 100, 32)
        status = 1
        try:
            args = reader_args(root / "library", root / "data", "r1", guest=False)
            status = warm.run_session(args, child_env("xterm-256color", root / "data"), str(root))
        finally:
            (root / "new.json").write_text(json.dumps(sorted(set(sys.modules) - host)))
            os._exit(status & 0xFF)
    seen = bytearray()

    def until(text, limit=30.0):
        end = time.monotonic() + limit
        while text not in seen and time.monotonic() < end:
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    seen.extend(os.read(fd, 65536))
                except OSError:
                    return False
        return text in seen

    ok = until(b"Harbour Lights")
    del seen[:]
    os.write(fd, b"\\r")
    ok = ok and until(b"tide came in")
    until(b"\\x00", 2.0)  # what the reading screen loads once idle (dialogs, updates)
    for key in (b"q", b"q"):
        os.write(fd, key)
        until(b"\\x00", 1.0)
    end = time.monotonic() + 20
    while time.monotonic() < end and os.waitpid(pid, os.WNOHANG) == (0, 0):
        until(b"\\x00", 0.2)
    else:
        if time.monotonic() >= end:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    print(json.dumps({"opened": ok}))
    """
)


def test_a_session_imports_nothing_of_the_app_the_warm_host_had_not(tmp_path: Path) -> None:
    """After the library and a story, the session's new modules are none of the app's."""
    (tmp_path / "library").mkdir()
    (tmp_path / "library" / "harbour.md").write_text(STORY, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", SESSION, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"opened": True}
    new = json.loads((tmp_path / "new.json").read_text())
    ours = [name for name in new if name.split(".")[0] in ("tui_reader", "textual", "rich")]
    assert ours == []


def test_filling_takes_the_free_blocks_of_the_pools_in_use() -> None:
    """After :func:`fill_free_blocks` the pools in use have (almost) no free block left."""
    warm.fill_free_blocks()
    free = warm.free_blocks()
    assert free  # the allocator's statistics were read
    left = sum(count for size, count in free.items() if size >= 48)
    pools = len(free)
    assert left <= pools * 64  # what the filling itself freed since, at most


def test_filling_the_c_heap_takes_chunks() -> None:
    """:func:`fill_free_chunks` takes the C heap's small free chunks (glibc), else nothing."""
    taken = warm.fill_free_chunks()
    assert taken >= 0
    if sys.platform.startswith("linux"):
        assert taken > 0


def test_an_lru_caches_entries_are_read_least_recently_used_first() -> None:
    """:func:`lru_entries` gives each entry's arguments, positional and by keyword, oldest
    use first: what :func:`compact_lru_caches` calls again to rebuild a cache."""

    @functools.lru_cache(maxsize=8)
    def joined(a: object, b: object = 1) -> tuple[object, object]:
        """Its arguments."""
        return (a, b)

    joined(1)
    joined("x")
    joined((2, 3))
    joined(2, b=5)
    joined(1)  # (a hit: now the most recent)
    assert warm.lru_entries(joined) == [
        (("x",), {}),
        (((2, 3),), {}),
        ((2,), {"b": 5}),
        ((1,), {}),
    ]


def test_compacting_keeps_every_cached_answer() -> None:
    """After :func:`compact_lru_caches` a cache of the app's libraries holds the same
    entries, in the same order of use, with equal answers (made anew)."""
    names = ["red", "#102030", "rgb(1,2,3)", "blue"]
    for name in names:
        Color.parse(name)
    Color.parse("red")
    before = warm.lru_entries(Color.parse)
    answers = {args: Color.parse(*args) for args, _ in before}
    assert warm.compact_lru_caches() >= 1
    assert warm.lru_entries(Color.parse) == before
    hits = Color.parse.cache_info().hits
    assert all(Color.parse(*args) == answer for args, answer in answers.items())
    assert Color.parse.cache_info().hits == hits + len(answers)  # all answered from the cache


def test_the_probe_session_sees_the_code_a_real_session_runs() -> None:
    """:func:`session_calls` forks a session on a pseudo-terminal and notes what it runs: the
    terminal driver and the state file's code, which the headless rehearsal never runs."""
    names = warm.session_calls()
    files = {file for file, _, _ in names}
    assert any(file.endswith("textual/drivers/linux_driver.py") for file in files)
    assert any(file.endswith("tui_reader/state/store.py") for file in files)
    assert [code.co_qualname for code in warm.codes_named(names[:50])]  # found here too


PACKED = '''
import weakref

def plain(x, *, y=2):
    """Doubles."""
    return x * y

def shared(x):
    return x + 1

def watched(x):
    return x - 1

class Holder:
    def method(self):
        return super().__repr__() and plain(3)

    @staticmethod
    def static():
        return 7

KEPT = [shared]
WATCH = weakref.ref(watched)
'''


def test_packing_replaces_only_the_functions_nothing_else_holds() -> None:
    """:func:`pack_functions` gives a module's or class's function, that nothing else refers
    to, a copy that behaves the same; one held elsewhere (a list, a weak reference, a static
    method) is left as it is."""
    module = types.ModuleType("packed_for_test")
    sys.modules[module.__name__] = module
    try:
        exec(compile(PACKED, "packed_for_test.py", "exec"), vars(module))
        plain, shared, watched = module.plain, module.shared, module.watched  # (locals only)
        method = vars(module.Holder)["method"]
        static = vars(module.Holder)["static"].__func__
        codes = dict.fromkeys(f.__code__ for f in (plain, shared, watched, method, static))
        assert warm.pack_functions(codes) == 2
        assert module.plain is not plain
        assert module.plain(4) == 8 and module.plain(4, y=3) == 12
        assert module.plain.__doc__ == "Doubles." and module.plain.__qualname__ == "plain"
        assert vars(module.Holder)["method"] is not method
        assert module.Holder().method() == 6  # (super() and globals still work)
        assert module.shared is shared and module.KEPT[0] is shared
        assert module.watched is watched and module.WATCH() is watched
        assert module.Holder.static() == 7
    finally:
        del sys.modules[module.__name__]
