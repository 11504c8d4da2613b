"""The chapter total of a FanFicFare book's first story (first chapter first), made at test time
by FanFicFare's program and its offline test adapter (tests/fixtures/fanficfare.py).

A complete story's title page gives no planned total ("Chapters: 4"): the whole import counts
the chapters it keeps. The first story counts them too, from the beginning of each later chapter
document, when it is certain the whole import keeps each; then the reader's "Chapter 1 of 4"
is there from the first frame. In any doubt (a story in progress, a later document whose
beginning shows no chapter text, a title page after chapter 1) the total is left unknown.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.fanficfare import STORIES, FanFicFare, TestStory, personal_ini
from tests.unit.test_first_chapter_ao3_fff import _spine
from tui_reader.importers import epub, load_first_chapter, load_story
from tui_reader.model import Story

COMPLETE_30 = dataclasses.replace(
    STORIES[1001],
    sid=1021,
    chapters=tuple((f"Chapter {i}: Part {i}", i, f"Part {i}") for i in range(1, 31)),
)
"""A complete story of thirty chapters."""

IN_PROGRESS_30 = dataclasses.replace(COMPLETE_30, sid=1022, status="In-Progress")
"""The same thirty chapters, in progress."""

MANY = dataclasses.replace(
    COMPLETE_30,
    sid=1023,
    chapters=tuple(
        (f"Chapter {i}: Part {i}", i, f"Part {i}") for i in range(1, epub.FFF_COUNT_MAX + 3)
    ),
)
"""A complete story of more chapters than the first story looks at."""

OWN = (COMPLETE_30, IN_PROGRESS_30, MANY)
"""The stories this module adds to the suite's."""

LOG_AT_END = """
[epub]
include_logpage:true
logpage_at_end:true
include_tocpage:true
"""
"""FanFicFare settings that put its update log after the chapters (and contents before)."""


def _book(fanficfare: FanFicFare, story: TestStory, extra: str = "") -> Path:
    """The EPUB FanFicFare writes for ``story``."""
    return fanficfare.make("epub", story.sid, personal_ini([*STORIES.values(), *OWN]) + extra)


def _both(path: Path) -> tuple[Story, Story]:
    """(first story, whole story) of the book at ``path``."""
    first = load_first_chapter(path)
    assert first is not None and len(first.chapters) == 1
    return first, load_story(path)


@pytest.mark.parametrize(
    ("story", "chapters"),
    [(STORIES[1003], 1), (STORIES[1001], 4), (COMPLETE_30, 30)],
    ids=["one", "four", "thirty"],
)
def test_a_complete_books_first_story_knows_its_chapter_total(
    fanficfare: FanFicFare, story: TestStory, chapters: int
) -> None:
    first, whole = _both(_book(fanficfare, story))
    assert len(whole.chapters) == chapters == whole.chapters_total
    assert first.chapters_total == chapters
    assert first.is_complete == (chapters == 1)  # (only chapter 1 read: complete when it is all)


def test_an_update_log_after_the_chapters_is_no_chapter(fanficfare: FanFicFare) -> None:
    """FanFicFare's ``logpage_at_end`` writes its update log after the last chapter: a small
    page, read whole, that the whole import keeps as back matter."""
    path = _book(fanficfare, STORIES[1001], LOG_AT_END)
    assert _spine(path)[-2:] == ["OEBPS/file0004.xhtml", "OEBPS/log_page.xhtml"]
    first, whole = _both(path)
    assert [s.title for s in whole.back_matter] == ["Update log"]
    assert first.chapters_total == whole.chapters_total == 4


@pytest.mark.parametrize("story", [STORIES[1002], IN_PROGRESS_30], ids=["four", "thirty"])
def test_a_book_in_progress_leaves_its_total_unknown(
    fanficfare: FanFicFare, story: TestStory
) -> None:
    first, whole = _both(_book(fanficfare, story))
    assert first.chapters_total is None is whole.chapters_total


def test_a_book_of_very_many_chapters_is_not_looked_through(fanficfare: FanFicFare) -> None:
    """Past :data:`epub.FFF_COUNT_MAX` later documents the first story does not look at them
    (each look costs instructions before the first frame): the whole import gives the total."""
    first, whole = _both(_book(fanficfare, MANY))
    assert first.chapters_total is None
    assert whole.chapters_total == len(whole.chapters) == epub.FFF_COUNT_MAX + 2


_FILLER = "<p>" + "&#160;" * 40 + "</p>\n"
"""A paragraph with no words: what the whole import counts as no chapter text."""

_LONG_NOTE = (
    '<div class="fff_chapter_notes fff_head_notes"><b>Author\'s Note:</b><br/>'
    + "A note that goes on. " * 300
    + "</div>\n"
)
"""A note before the chapter text, longer than the first story looks at."""


_SHORT_NOTE = (
    '<div class="fff_chapter_notes fff_head_notes"><b>Author\'s Note:</b><br/>Short.</div>\n'
)
"""A short note before the chapter text."""


def _body(body_class: str, title: str, inside: str) -> bytes:
    """A chapter document's body as FanFicFare writes it, holding ``inside`` after the heading."""
    heading = f'<h3 class="fff_chapter_title">{title}</h3>\n'
    return f'<body class="{body_class}">\n{heading}{inside}\n</body>'.encode()


EDITS: dict[str, tuple[bytes, int, int | None]] = {
    # chapter 3 is its heading alone: the whole import drops it, and the first story, which
    # reads so small a document whole, counts it out
    "empty-chapter": (_body("fff_chapter", "Chapter 4 &amp; 4.5", ""), 3, 3),
    # a long chapter whose first paragraph has words: certainly kept, from its beginning
    "long-chapter": (_body("fff_chapter", "Chapter 4 &amp; 4.5", "<p>Text.</p>" + _FILLER * 150),
                     4, 4),
    # a short note, then text: the note taken out, the text counts
    "short-note": (_body("fff_chapter", "Chapter 4 &amp; 4.5", _SHORT_NOTE + "<p>Text.</p>"
                         + _FILLER * 150), 4, 4),
    # chapter 3's text starts after more than the first story reads: kept, but not certainly
    "text-late": (_body("fff_chapter", "Chapter 4 &amp; 4.5", _FILLER * 150 + "<p>Late.</p>"), 4,
                  None),
    # no text at all, only empty paragraphs: dropped by the whole import
    "no-text-long": (_body("fff_chapter", "Chapter 4 &amp; 4.5", _FILLER * 150), 3, None),
    # a long note and no text: kept for its note, but the note fills what is read
    "long-note": (_body("fff_chapter", "Chapter 4 &amp; 4.5", _LONG_NOTE), 4, None),
    # a title page after chapter 1 (it would change the story's fields)
    "title-page": (_body("fff_titlepage", "T", "<b>Status:</b> In-Progress<br/>"), 3, None),
    # not FanFicFare's chapter body, and too long to be read whole
    "unclassed": (_body("other", "Chapter 4 &amp; 4.5", "<p>Text.</p>" + _FILLER * 150), 4, None),
}  # fmt: skip
"""Chapter 3 of the four-chapter complete book rewritten, by name: (its new body, chapters the
whole import keeps, the first story's total)."""


def _edited(source: Path, target: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    """Copy the EPUB ``source`` to ``target`` with ``member`` changed by ``change``."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            kind = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            data = change(data) if info.filename == member else data
            out.writestr(info.filename, data, compress_type=kind)
    return target


@pytest.mark.parametrize(("body", "kept", "total"), EDITS.values(), ids=EDITS.keys())
def test_a_later_chapter_is_counted_only_when_certain(
    fanficfare: FanFicFare, tmp_path: Path, body: bytes, kept: int, total: int | None
) -> None:
    source = _book(fanficfare, STORIES[1001])

    def rewrite(data: bytes) -> bytes:
        """The document with its body replaced."""
        new, count = re.subn(rb"<body.*</body>", lambda _: body, data, flags=re.DOTALL)
        assert count == 1
        return new

    path = _edited(source, tmp_path / "edited.epub", "OEBPS/file0003.xhtml", rewrite)
    first, whole = _both(path)
    assert len(whole.chapters) == kept
    assert first.chapters_total == total
    if total is not None:
        assert total == whole.chapters_total


def test_a_stored_book_is_counted_too(fanficfare: FanFicFare, tmp_path: Path) -> None:
    """Members stored without compression are looked at as well as deflated ones."""
    source = _book(fanficfare, STORIES[1001])
    stored = tmp_path / "stored.epub"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(stored, "w") as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info), compress_type=zipfile.ZIP_STORED)
    first, whole = _both(stored)
    assert first.chapters_total == whole.chapters_total == 4


def test_only_the_beginnings_of_later_chapters_are_decompressed(
    fanficfare: FanFicFare, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first story streams no later chapter whole (as before it counted them): each is
    looked at from its first bytes only, and none of them past :data:`epub.FFF_PEEK_BYTES`."""
    path = _book(fanficfare, COMPLETE_30)
    streamed: list[str] = []
    peeked: list[tuple[str, int]] = []
    real_stream, real_peek = epub._Book._stream_capped, epub._peek

    def counted(book: epub._Book, name: str, real: str, sink: object) -> None:
        """Record which member is streamed."""
        streamed.append(real)
        real_stream(book, name, real, sink)  # type: ignore[arg-type]

    def peek(book: epub._Book, name: str, size: int) -> tuple[bytes | None, bool]:
        """Record which member is looked at, and how far."""
        peeked.append((name, size))
        return real_peek(book, name, size)

    monkeypatch.setattr(epub._Book, "_stream_capped", counted)
    monkeypatch.setattr(epub, "_peek", peek)
    first = load_first_chapter(path)
    assert first is not None and first.chapters_total == 30
    chapters = [n for n in streamed if re.search(r"file\d+\.xhtml$", n)]
    assert chapters == ["OEBPS/file0001.xhtml", "OEBPS/file0002.xhtml"]  # (as before)
    assert {n for n, _ in peeked} == {f"OEBPS/file{i:04d}.xhtml" for i in range(2, 31)}
    assert max(size for _, size in peeked) <= epub.FFF_PEEK_BYTES
