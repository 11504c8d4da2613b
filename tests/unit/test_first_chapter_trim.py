"""A dump's or an EPUB's first chapter is read without loading ``ctypes``; its pages go back to
the system when the whole import begins.

:func:`~tui_reader.importers.load_first_chapter` streams a prefix of a long archive dump, or
reads an EPUB's first documents, before the first frame: it no longer trims there (``ctypes``
cost about 7 M instructions before the first frame), and
:func:`~tui_reader.importers.load_story`, run once the first frame is up, trims first.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import tui_reader.importers as importers
from benchmarks.generate import make_story
from tests.conftest import REPO
from tui_reader import memory


def _long_dump(tmp_path: Path) -> Path:
    """A generated dump larger than :data:`importers.TRIM_BYTES`."""
    path = make_story(tmp_path, 60_000, "dump").path
    assert path.stat().st_size >= importers.TRIM_BYTES
    return path


@pytest.mark.parametrize(("kind", "chapters"), [("dump", 12), ("epub", 12)])
def test_a_first_chapter_loads_no_ctypes_and_the_whole_import_trims(
    tmp_path: Path, kind: str, chapters: int
) -> None:
    """In a fresh interpreter: the first chapter is read and shown without ``ctypes``; the
    whole import that follows gives the freed pages back (and so loads it)."""
    path = _long_dump(tmp_path) if kind == "dump" else make_story(tmp_path, 60_000, "epub").path
    script = (
        "import json, sys\n"
        "from tui_reader.importers import load_first_chapter, load_story\n"
        "first = load_first_chapter(sys.argv[1])\n"
        "blocks = len(first.chapters[0].blocks)\n"
        "before = 'ctypes' in sys.modules\n"
        "whole = load_story(sys.argv[1])\n"
        "print(json.dumps([blocks, before, 'ctypes' in sys.modules, len(whole.chapters)]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    blocks, before, after, found = json.loads(result.stdout)
    assert blocks > 0 and found == chapters
    assert (before, after) == (False, True)


def test_the_trim_owed_is_made_once_when_the_whole_import_begins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No trim during the first chapter's read; one when the whole import begins (before it
    allocates) and one after it, as for any long file; none owed afterwards."""
    path = _long_dump(tmp_path)
    made: list[str] = []
    monkeypatch.setattr(importers, "trim", lambda: made.append("trim") or True)
    monkeypatch.setattr(importers, "_TRIM_OWED", [])
    first = importers.load_first_chapter(path)
    assert first is not None and first.chapters[0].title
    assert made == []
    importers.load_story(path)
    assert made == ["trim", "trim"]
    importers.load_story(path)
    assert made == ["trim"] * 3  # (nothing owed now: only the usual trim after a long file)
    assert importers._TRIM_OWED == []


def test_an_epubs_first_chapter_owes_its_trim_to_the_whole_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An EPUB's first chapter (its whole file read) gives its pages back when the whole
    import begins, as a dump's does; its reading trims nothing on the way."""
    path = make_story(tmp_path, 300_000, "epub").path
    assert path.stat().st_size >= importers.TRIM_BYTES
    made: list[str] = []
    monkeypatch.setattr(importers, "trim", lambda: made.append("trim") or True)
    monkeypatch.setattr(memory, "trim", lambda: made.append("pacer") or True)
    monkeypatch.setattr(importers, "_TRIM_OWED", [])
    first = importers.load_first_chapter(path)
    assert first is not None and first.chapters[0].title
    assert made == []
    assert importers._TRIM_OWED == [True]
    importers.load_story(path)
    assert made[:1] == ["trim"] and made[-1:] == ["trim"]
    assert importers._TRIM_OWED == []
