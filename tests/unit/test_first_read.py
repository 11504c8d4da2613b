"""A story's first read by a helper process (:mod:`tui_reader.first_read`): the helper's story is
exactly the one read here, the helper is reaped, a cache hit starts none, a helper that fails is
replaced by a read here, and a dump's whole import still streams after a first read made in
another process. The helper really runs: these tests run the real thing, on files made by
pandoc and by the benchmark's generator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.generate import make_story
from tests.fixtures.epub_producers import pandoc_epub
from tests.fixtures.text_books import make_book, plain_book_txt
from tui_reader import first_read, importers
from tui_reader.importers import load_first_chapter, load_story, text_dump
from tui_reader.model import Story
from tui_reader.story_cache import open_story

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

MARKDOWN = """---
title: The Lamplighter's Year
author: Wren Hollis
---

# Spring

The lamps along the quay were lit one by one, and the harbour answered with its own small
lights. Ysolde counted them under her breath.

# Summer

In summer the lamps were lit late, and the lamplighter slept through the long blue evenings.

# Autumn

By autumn the wind had learned the lamplighter's round and went ahead of him, snuffing.
"""
"""A three-chapter story for pandoc."""


def _shape(story: Story) -> list[object]:
    """What a reader sees of a first-chapter story: its fields and every chapter's blocks."""
    return [story.to_dict(), [[b.to_dict() for b in c.blocks] for c in story.chapters]]


def _reaped(pid: int) -> bool:
    """True when ``pid`` is no child of this process any more (reaped)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.fixture
def pandoc_book(tmp_path: Path) -> Path:
    """A three-chapter EPUB written by pandoc."""
    pytest.importorskip("ebooklib")  # (the marker of the test extras; pandoc is checked below)
    from tests.fixtures.epub_producers import PANDOC

    if PANDOC is None:
        pytest.skip("pandoc is not installed")
    return pandoc_epub(MARKDOWN, tmp_path / "lamplighter.epub")


@pytest.mark.parametrize("kind", ["pandoc", "generated-epub", "generated-dump"])
def test_the_helpers_first_chapter_is_the_one_read_here(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The story sent back by the helper equals the in-process first-chapter read, field for
    field and block for block, and the helper has been waited for."""
    if kind == "pandoc":
        book = request.getfixturevalue("pandoc_book")
    else:
        fmt = "epub" if kind == "generated-epub" else "dump"
        book = make_story(tmp_path / "stories", 20_000, fmt).path
    read = first_read.start(book, tmp_path / "data")
    assert read.cached is None
    assert read.forked
    pid = read._pid
    story = read.first()
    assert not read.forked
    assert _reaped(pid)
    here = load_first_chapter(book)
    assert story is not None and here is not None
    assert _shape(story) == _shape(here)
    assert story.chapters[0].loaded  # (its blocks came parsed: no loader crossed the pipe)


def test_a_cache_hit_starts_no_helper(tmp_path: Path) -> None:
    """A story with a fresh cache entry is taken from it: no helper, no first read."""
    book = make_story(tmp_path / "stories", 20_000, "epub").path
    data = tmp_path / "data"
    story, fill = open_story(book, data)
    assert fill is not None
    fill()
    read = first_read.start(book, data)
    assert not read.forked
    assert read.cached is not None
    assert [c.title for c in read.cached.chapters] == [c.title for c in story.chapters]


def test_a_format_without_a_first_reader_starts_no_helper(tmp_path: Path) -> None:
    """A Markdown story is read whole before the first frame, as before: no helper starts."""
    book = tmp_path / "story.md"
    book.write_text("# One\n\nA line of story.\n\n# Two\n\nAnother line.\n", encoding="utf-8")
    read = first_read.start(book, tmp_path / "data")
    assert not read.forked
    assert read.first() is None


def test_a_book_the_first_reader_declines_comes_back_as_none(tmp_path: Path) -> None:
    """A plain-text book (no archive headings: read whole) gives no first chapter in the
    helper, as here; the parent takes that answer and does not read the file again."""
    book = tmp_path / "salt-road.txt"
    book.write_bytes(plain_book_txt(make_book(4)))
    assert load_first_chapter(book) is None
    read = first_read.start(book, tmp_path / "data")
    assert read.forked
    assert read.first() is None


@pytest.mark.parametrize("failure", ["crash", "not a story", "stuck"])
def test_a_helper_that_fails_is_replaced_by_a_read_here(
    failure: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The helper ends without sending a story (it crashed, sent something that is no story, or
    is stuck and gets ended after the limit): the parent reads the first chapter itself and the
    reader sees the same story."""
    book = make_story(tmp_path / "stories", 20_000, "epub").path
    parent = os.getpid()
    real = importers.load_first_chapter

    def fails_in_the_helper(path: Path) -> object:
        if os.getpid() != parent:
            if failure == "crash":
                os._exit(9)  # (nothing written)
            if failure == "stuck":
                time.sleep(120)
            return "a story?"
        return real(path)

    monkeypatch.setattr(importers, "load_first_chapter", fails_in_the_helper)
    monkeypatch.setattr(first_read, "HELPER_LIMIT", 1.0)
    read = first_read.start(book, tmp_path / "data")
    assert read.forked
    pid = read._pid
    story = read.first()
    assert _reaped(pid)
    here = real(book)
    assert story is not None and here is not None
    assert _shape(story) == _shape(here)


@pytest.mark.parametrize("platform", ["no fork", "one processor"])
def test_without_fork_or_a_second_processor_the_first_chapter_is_read_here(
    platform: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the platform cannot fork (Windows), or there is one processor to run on (the
    helper's work would only be added to the app's), the first chapter is read here."""
    book = make_story(tmp_path / "stories", 20_000, "dump").path
    if platform == "no fork":
        monkeypatch.delattr(os, "fork")
    else:
        monkeypatch.setattr(first_read, "processors", lambda: 1)
    read = first_read.start(book, tmp_path / "data")
    assert not read.forked
    story = read.first()
    assert (
        story is not None and story.chapters[0].title == load_first_chapter(book).chapters[0].title
    )  # type: ignore[union-attr]


def test_a_dump_read_first_by_the_helper_still_streams_its_whole_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dump's prefix layout comes back with the story: the parent's whole import streams
    the file under it, as after its own first read, and gives the same story as a plain import."""
    book = make_story(tmp_path / "stories", 20_000, "dump").path
    text_dump._RESUME.clear()
    streamed: list[object] = []
    real = text_dump._load_streamed

    def spy(path: Path, resume: text_dump.Resume) -> Story | None:
        streamed.append(resume)
        return real(path, resume)

    monkeypatch.setattr(text_dump, "_load_streamed", spy)
    read = first_read.start(book, tmp_path / "data")
    assert read.forked
    first = read.first()
    assert first is not None
    assert not text_dump._RESUME  # (nothing was read here)
    whole = load_story(book)
    assert len(streamed) == 1
    assert not importers._HANDOFF
    plain = load_story(book)  # (no handoff now: the ordinary whole import)
    assert len(streamed) == 1
    assert [(c.title, c.words) for c in whole.chapters] == [
        (c.title, c.words) for c in plain.chapters
    ]
    assert whole.chapters[0].blocks == first.chapters[0].blocks


def test_the_parent_loads_no_parser_for_a_first_open(tmp_path: Path) -> None:
    """The point of the helper: the process that shows the story never loads the EPUB
    importer, its zip, XML and HTML parsers for the first chapter (they load later, in the
    whole-story worker), yet holds the first chapter."""
    book = make_story(tmp_path / "stories", 20_000, "epub").path
    script = (
        "import json, sys; from pathlib import Path; from tui_reader import first_read\n"
        f"read = first_read.start(Path({str(book)!r}), Path({str(tmp_path / 'data')!r}))\n"
        "story = read.first()\n"
        "print(json.dumps([read.forked, story.chapters[0].title, len(story.chapters[0].blocks),"
        " sorted(m for m in ('tui_reader.importers.epub', 'zipfile', 'selectolax.lexbor',"
        " 'defusedxml.ElementTree') if m in sys.modules)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    forked, title, blocks, loaded = json.loads(out.stdout)
    assert forked is False  # (taken)
    assert title == load_first_chapter(book).chapters[0].title  # type: ignore[union-attr]
    assert blocks > 10
    assert loaded == []
    assert out.stderr == ""
