"""First chapter first: ``load_first_chapter`` reads an EPUB up to its second chapter, and what it
gives is exactly what the whole import gives for the metadata, the front matter and chapter 1.
Other formats give None."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import make_story
from tests.conftest import STORIES
from tests.fixtures.epub_builders import gutenberg_epub, gutenberg_old_epub, pg_chapters
from tests.fixtures.epub_producers import PANDOC, pandoc_epub
from tests.fixtures.html_builders import ao3_epub, fff_epub, generic_epub2, generic_epub3
from tui_reader.importers import load_first_chapter, load_story

WHOLE_ONLY = ("chapters", "words", "back_matter", "warning_gates")
"""What only the whole import knows."""

PANDOC_BOOK = """---
title: The Salt Road
author: Ines Varga
---

# The Well

Water came up cold and tasting of iron.

# The Gate

Nobody had locked it in years.
"""


def _pandoc(path: Path) -> Path:
    if PANDOC is None:
        pytest.skip("pandoc is not installed")
    return pandoc_epub(PANDOC_BOOK, path)


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "sample": lambda path: STORIES / "a-small-orchard-on-the-moon.epub",
    "epub2": lambda path: generic_epub2(path),
    "epub3": lambda path: generic_epub3(path),
    "gutenberg": lambda path: gutenberg_epub(path, pg_chapters(5)),
    "gutenberg-old": lambda path: gutenberg_old_epub(path, pg_chapters(4)),
    "generated": lambda path: make_story(path.parent, 12_000, "epub").path,
    "pandoc": _pandoc,
}


def _without(story: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in story.items() if k not in WHOLE_ONLY}


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_the_first_chapter_is_the_whole_imports_first(
    build: Callable[[Path], Path], tmp_path: Path
) -> None:
    path = build(tmp_path / "book.epub")
    whole = load_story(path)
    first = load_first_chapter(path)
    assert first is not None
    assert len(first.chapters) == 1
    assert first.chapters[0].to_dict() == whole.chapters[0].to_dict()
    assert _without(first.to_dict()) == _without(whole.to_dict())
    assert first.story_id == whole.story_id


def test_a_long_book_is_read_only_to_its_second_chapter(tmp_path: Path) -> None:
    path = make_story(tmp_path, 60_000, "epub").path
    first = load_first_chapter(path)
    assert first is not None
    assert [c.number for c in first.chapters] == [1]
    assert len(load_story(path).chapters) == 12


@pytest.mark.parametrize("build", [ao3_epub, fff_epub], ids=["ao3", "fanficfare"])
def test_ao3_and_fanficfare_shaped_books_give_the_whole_imports_first_chapter(
    build: Callable[[Path], Path], tmp_path: Path
) -> None:
    """(Books the real producers make: tests/unit/test_first_chapter_ao3_fff.py.)"""
    path = build(tmp_path / "book.epub")
    whole = load_story(path)
    first = load_first_chapter(path)
    assert first is not None and len(first.chapters) == 1 < len(whole.chapters)
    assert first.chapters[0].to_dict() == whole.chapters[0].to_dict()
    apart = ("notes", "chapters_total")  # (end notes and a counted total: the whole's)
    assert {k: v for k, v in _without(first.to_dict()).items() if k not in apart} == {
        k: v for k, v in _without(whole.to_dict()).items() if k not in apart
    }
    assert first.notes == [n for n in whole.notes if n.position == "before"]


@pytest.mark.parametrize("name", ["the-ferry-at-morrow.md", "salt-and-cinder.md"])
def test_other_formats_give_none(name: str) -> None:
    assert load_first_chapter(STORIES / name) is None


def test_a_broken_file_gives_none(tmp_path: Path) -> None:
    path = tmp_path / "broken.epub"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert load_first_chapter(path) is None
    assert load_first_chapter(tmp_path / "missing.epub") is None
    assert load_first_chapter(tmp_path) is None


def test_a_first_chapter_read_decompresses_only_what_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The book's documents are not all streamed before its first chapter shows: only those
    read up to the second chapter (the whole import streams them all, as the bomb check)."""
    from tui_reader.importers import epub

    path = make_story(tmp_path, 60_000, "epub").path
    streamed: list[str] = []
    real_stream = epub._Book._stream_capped

    def counted(book: Any, name: str, real: str, sink: Any) -> None:
        """Record which member is decompressed."""
        streamed.append(real)
        real_stream(book, name, real, sink)

    monkeypatch.setattr(epub._Book, "_stream_capped", counted)
    first = load_first_chapter(path)
    assert first is not None and len(first.chapters) == 1
    documents = {name for name in streamed if name.endswith((".xhtml", ".html"))}
    assert 1 <= len(documents) <= 4  # (the contents and the first chapters, of 13)
    streamed.clear()
    assert len(load_story(path).chapters) == 12
    assert len({name for name in streamed if name.endswith((".xhtml", ".html"))}) >= 12


def test_a_book_declared_past_its_cap_is_refused_before_its_first_chapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_reader.importers import epub

    path = make_story(tmp_path, 60_000, "epub").path
    monkeypatch.setattr(epub, "MAX_TOTAL_BYTES", 20_000)  # (each document is under it)
    with pytest.raises(ValueError, match="too large"):
        epub.load_first(path, path.read_bytes())
    assert load_first_chapter(path) is None  # (the whole import then says why)
    with pytest.raises(Exception, match="too large"):
        load_story(path)


def _rewritten(path: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """The EPUB at ``path`` written again with each member's bytes passed through ``change``."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in members:
            zf.writestr(info, change(info.filename, data))
    return path


def test_a_preface_written_in_capitals_is_still_found(tmp_path: Path) -> None:
    """AO3's preface with its ``<DL>`` in capitals (and no publisher to give the book away):
    still an AO3 book, its first chapter read as AO3's."""

    def change(name: str, data: bytes) -> bytes:
        if name.endswith(".opf"):
            return data.replace(b"Archive of Our Own", b"A Press")
        return data.replace(b"<dl", b"<DL").replace(b"</dl>", b"</DL>")

    path = _rewritten(ao3_epub(tmp_path / "book.epub"), change)
    with zipfile.ZipFile(path) as zf:
        preface = zf.read("OEBPS/preface.xhtml")
    assert b"<DL" in preface and b"<dl" not in preface
    first = load_first_chapter(path)
    whole = load_story(path)
    assert whole.source.format == "ao3-epub"
    assert first is not None and first.source.format == "ao3-epub"
    assert first.chapters[0].to_dict() == whole.chapters[0].to_dict()


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_the_first_chapter_comes_parsed_from_its_opening_read(
    build: Callable[[Path], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its blocks, read at once for the first frame, are the whole import's, made from the
    trees its opening parsed: the chapter arrives parsed, and its loader (which would open the
    zip and parse its documents a second time) never runs."""
    from tui_reader.importers import epub

    path = build(tmp_path / "book.epub")
    whole = load_story(path).chapters[0].blocks
    first = load_first_chapter(path)
    assert first is not None
    read: list[object] = []

    def counted(loader: Any, known: dict[str, str]) -> Any:
        """Record that the chapter's loader runs."""
        read.append(loader)
        return []

    monkeypatch.setattr(epub._PiecesBody, "read", counted)
    chapter = first.chapters[0]
    assert chapter.loaded
    assert chapter.blocks == whole
    assert chapter.read_blocks() == whole
    assert read == []
