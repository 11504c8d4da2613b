"""Setting the C allocator up for a long import (:func:`tui_reader.memory.tune`).

``tune`` is called before an EPUB is parsed whole. Where the C library is glibc it makes every
thread allocate from one heap (the whole-book thread reuses what the first chapter's parse
freed); elsewhere it changes nothing. It runs once, is harmless to call again, and an EPUB
imports the same after it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO, STORIES
from tests.fixtures.html_builders import chapters, generic_epub3
from tui_reader import memory
from tui_reader.importers import epub, load_first_chapter, load_story

GLIBC = memory._malloc_trim() is not None
"""The C library here has ``malloc_trim`` (and ``mallopt``): glibc."""

_ARENAS = textwrap.dedent(
    """
    import ctypes, sys, threading
    from tui_reader import memory
    if sys.argv[1] == "tune":
        print(memory.tune(), memory.tune())
    def work():
        blobs = [bytearray(4000 + i) for i in range(200)]
        del blobs
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    sys.stdout.flush()
    ctypes.CDLL(None).malloc_stats()
    """
)
"""A thread allocates, then glibc lists its heaps ("Arena N:") on stderr."""


def _arenas(mode: str) -> tuple[str, int]:
    """What the script printed, and how many heaps glibc listed, with or without ``tune``."""
    done = subprocess.run(
        [sys.executable, "-c", _ARENAS, mode],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip(), done.stderr.count("Arena ")


@pytest.mark.skipif(not GLIBC, reason="glibc only (malloc_trim, mallopt, malloc_stats)")
def test_after_tune_a_thread_allocates_from_the_one_heap() -> None:
    """Without ``tune`` a thread that allocates gets a heap of its own; after it, it does not
    (and ``tune`` says so each time it is asked)."""
    printed, tuned = _arenas("tune")
    assert printed == "True True"
    assert tuned == 1
    _, plain = _arenas("plain")
    assert plain == 2


def test_tune_runs_once_and_says_the_same_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """The allocator is set once: later calls change nothing and give the first answer."""
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(memory, "_TUNED", [])

    def mallopt(param: int, value: int) -> int:
        """Record the call; 1 (glibc's "done")."""
        calls.append((param, value))
        return 1

    monkeypatch.setattr(memory, "_MALLOPT", [mallopt])
    monkeypatch.setattr(memory, "_TRIM", [lambda pad: 1])
    first = memory.tune()
    assert calls == [(-8, memory.ARENA_MAX), (-3, memory.MMAP_THRESHOLD)]
    assert first is True
    assert memory.tune() is first
    assert len(calls) == 2


def test_without_mallopt_tune_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A C library without ``malloc_trim``/``mallopt`` (macOS, musl): False, and no call."""
    monkeypatch.setattr(memory, "_TUNED", [])
    monkeypatch.setattr(memory, "_MALLOPT", [None])
    monkeypatch.setattr(memory, "_TRIM", [None])
    assert memory.tune() is False
    assert memory.trim() is False


def test_an_epub_reads_the_same_after_tune(tmp_path: Path) -> None:
    """Tuning changes how memory is handed out, never what is read: the stories (whole and
    first chapter first) are the ones read before it."""
    books = [generic_epub3(tmp_path / "g3.epub", chapters(4)), *sorted(STORIES.glob("*.epub"))]
    before = [(load_story(p).to_dict(), _first(p)) for p in books]
    assert memory.tune() is GLIBC
    after = [(load_story(p).to_dict(), _first(p)) for p in books]
    assert after == before


def _first(path: Path) -> dict[str, object] | None:
    """The first-chapter-first story as a dict (None when the book is not read that way)."""
    story = load_first_chapter(path)
    return story.to_dict() if story is not None else None


def test_the_epub_importer_tunes_before_it_parses_a_book_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole import tunes before parsing; the first chapter's read, before the first frame,
    does not (``ctypes`` would load for it: the whole import, in its worker, tunes)."""
    path = generic_epub3(tmp_path / "g3.epub", chapters(3))
    order: list[str] = []
    parse = epub.parse_html
    monkeypatch.setattr(epub, "tune", lambda: order.append("tune") or True)
    monkeypatch.setattr(epub, "parse_html", lambda src: order.append("parse") or parse(src))
    epub.load_first(path, path.read_bytes())
    assert "tune" not in order and "parse" in order
    order.clear()
    epub.load_file(path)
    assert order[0] == "tune" and "parse" in order
