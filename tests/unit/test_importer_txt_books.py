"""Plain-text books: Project Gutenberg ``.txt`` files and hard-wrapped books with headings.

The files are built in the producers' shapes by tests/fixtures/text_books.py (BOM, CRLF,
``CHAPTER I.`` with the title on the next line, hard wraps, Gutenberg header and licence).
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from tests.fixtures.text_books import (
    Book,
    gutenberg_txt,
    make_book,
    plain_book_txt,
)
from tests.unit.test_cli import run
from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.importers._txt_common import Layout
from tui_reader.importers.text_dump import Resume, index_streamed
from tui_reader.model import Story


def _read(tmp_path: Path, data: bytes, name: str = "book.txt") -> Story:
    """Write ``data`` and read it back; the audit of every built book passes too."""
    path = tmp_path / name
    path.write_bytes(data)
    story = load_story(path)
    result = audit(story, path, data)
    assert result.unaccounted <= 0.01, result.to_dict()
    return story


def _assert_chapters(story: Story, book: Book) -> None:
    """Chapters numbered and titled as the book, paragraphs unwrapped, verse and breaks kept."""
    assert [(c.number, c.title) for c in story.chapters] == [
        (n, c.title) for n, c in enumerate(book.chapters, start=1)
    ]
    for chapter, expected in zip(story.chapters, book.blocks, strict=True):
        assert [(b.kind, b.text) for b in chapter.blocks] == expected


@pytest.mark.parametrize("old_style", [False, True], ids=["current", "older"])
def test_gutenberg_txt(tmp_path: Path, old_style: bool) -> None:
    book = make_book(4)
    story = _read(tmp_path, gutenberg_txt(book, old_style=old_style))
    assert story.source.format == "gutenberg-txt"
    assert (story.title, story.author, story.language) == (book.title, book.author, "English")
    _assert_chapters(story, book)
    titles = [s.title for s in story.front_matter]
    assert titles == ["Project Gutenberg header", "Title page", "Contents"]
    header = "\n".join(b.text for b in story.front_matter[0].blocks)
    assert header.startswith(
        "The Project Gutenberg eBook of The Salt Road".replace(
            "eBook", "EBook" if old_style else "eBook"
        )
    )
    assert header.endswith(
        "*** START OF T"
        + ("HIS" if old_style else "HE")
        + " PROJECT GUTENBERG EBOOK THE SALT ROAD ***"
    )
    assert "This ebook may be read, copied and shared by anyone, anywhere, at no cost" in header
    assert "Release date: March 3, 2021 [eBook #99999]\nMost recently updated" in header
    contents = [b.text for b in story.front_matter[2].blocks]
    romans = ("I", "II", "III", "IV")
    pairs = zip(romans, book.chapters, strict=True)
    assert contents == [f"CHAPTER {r}. {c.title}" for r, c in pairs]
    assert [s.title for s in story.back_matter] == ["Project Gutenberg licence"]
    licence = "\n".join(b.text for b in story.back_matter[0].blocks)
    assert "END OF TH" in licence and "Section 2. About the volunteers" in licence
    if old_style:
        assert licence.startswith("End of the Project Gutenberg EBook of The Salt Road")
    every = " ".join(b.text for c in story.chapters for b in c.blocks)
    assert "Gutenberg" not in every and "CONTENTS" not in every and "licence" not in every


def test_gutenberg_lf_without_bom_and_many_chapters(tmp_path: Path) -> None:
    book = make_book(12)
    story = _read(tmp_path, gutenberg_txt(book, bom=False, crlf=False, width=66))
    assert story.title == "The Salt Road"
    _assert_chapters(story, book)


@pytest.mark.parametrize("title_gap", [False, True], ids=["next-line", "after-blank"])
def test_gutenberg_titles_in_capitals_with_a_full_stop(tmp_path: Path, title_gap: bool) -> None:
    """``CHAPTER I.`` then ``THE TOLL HOUSE.`` (on the next line or after a blank one)."""
    book = make_book(6, upper_titles=True)
    story = _read(tmp_path, gutenberg_txt(book, title_gap=title_gap))
    assert story.chapters[0].title == "THE TOLL HOUSE."
    _assert_chapters(story, book)


@pytest.mark.parametrize("width", [64, 72, 76])
def test_plain_book(tmp_path: Path, width: int) -> None:
    book = make_book(5)
    story = _read(tmp_path, plain_book_txt(book, width=width))
    assert story.source.format == "book-txt"
    assert story.author == book.author
    assert story.title == book.title.upper()
    _assert_chapters(story, book)
    assert [s.title for s in story.front_matter] == ["Title page", "Contents"]
    assert story.front_matter[1].blocks[0].text == "Chapter One The Toll House"


def test_title_with_its_by_line_on_the_next_line(tmp_path: Path) -> None:
    """A title page whose "By Author" line is right under the title gives both."""
    book = make_book(4)
    data = plain_book_txt(book).decode("utf-8").replace("\n\nBy ", "\nBy ", 1)
    story = _read(tmp_path, data.encode("utf-8"))
    assert story.source.format == "book-txt"
    assert (story.title, story.author) == (book.title.upper(), book.author)
    _assert_chapters(story, book)


SHORT_BOOK = (
    (
        "The Frost",
        "The snow had been falling since noon, and by dusk the lane to the mill was a white "
        "trench between the hedges and the ditches were full to the brim.",
        "Hester heard the knock while she was banking the fire for the night, three slow "
        "raps like someone counting.",
    ),
    (
        "The Listening",
        '"Who is it?" she called.',
        'The knocking stopped. Then, very faintly, through the oak of the door: "Only the '
        'winter. May I come in?"',
    ),
    (
        "The Door",
        "In the morning the visitor was still there, sitting by the cold hearth with her "
        "hands folded in her lap, and the fire had not been lit.",
        "The bark of the old pear tree opened like a book.",
    ),
)
"""A short book: per chapter its title and its paragraphs."""


def _short_book_txt(width: int) -> str:
    """:data:`SHORT_BOOK` hard-wrapped at ``width``, ``CHAPTER I.`` over each title."""
    parts = ["THE WINTER DOOR", "by Ilse Marrow"]
    for n, (title, *paragraphs) in enumerate(SHORT_BOOK):
        parts.append(f"\nCHAPTER {'I' * (n + 1)}.\n{title}")
        parts.extend(textwrap.fill(p, width) for p in paragraphs)
    return "\n\n".join(parts) + "\n"


@pytest.mark.parametrize("width", [60, 65, 72])
def test_short_wrapped_book_is_joined_into_paragraphs(tmp_path: Path, width: int) -> None:
    """A short hard-wrapped book, whose heading lines are many beside its few wrapped lines, is
    a book: its paragraphs are joined, not shown with the file's line breaks."""
    data = _short_book_txt(width).encode("utf-8")
    story = _read(tmp_path, data)
    assert story.source.format == "book-txt"
    assert (story.title, story.author) == ("THE WINTER DOOR", "Ilse Marrow")
    assert [c.title for c in story.chapters] == [title for title, *_ in SHORT_BOOK]
    for chapter, (_, *paragraphs) in zip(story.chapters, SHORT_BOOK, strict=True):
        assert [b.text for b in chapter.blocks] == paragraphs


def test_streamed_index_reads_a_short_wrapped_book_as_wrapped(tmp_path: Path) -> None:
    """The streamed index (lines held as widths) sees the same layout as the whole read: the
    short wrapped book is wrapped, so it is read whole (None), never streamed as a dump."""
    path = tmp_path / "book.txt"
    path.write_text(_short_book_txt(65), encoding="utf-8")
    stat = os.stat(path)
    prefix = Resume(Layout(None, False, 1), stat.st_size, stat.st_mtime_ns)
    assert index_streamed(path, prefix) is None


def test_wrapped_archive_dump_with_a_preamble_stays_an_archive_dump(tmp_path: Path) -> None:
    """A hard-wrapped dump whose preamble has metadata and notes keeps its summary and notes."""
    book = make_book(3)
    preamble = (
        "The Salt Road\n\nRating: General Audiences\n\n"
        "A/N: Thank you to everyone who read the first draft of this.\n\n"
    )
    body = plain_book_txt(book).decode("utf-8").split("CONTENTS", 1)[1]
    story = _read(tmp_path, (preamble + "CONTENTS" + body).encode("utf-8"))
    assert story.source.format == "archive-txt"
    assert story.rating == "General Audiences"
    assert story.notes[0].text.startswith("Thank you to everyone")
    assert len(story.chapters) == len(book.chapters)


def test_unwrapped_book_with_titles_under_the_headings(tmp_path: Path) -> None:
    """One line per paragraph, ``Chapter One`` with its title on the next line."""
    book = make_book(4)
    story = _read(tmp_path, plain_book_txt(book, width=0, title_gap=False))
    assert story.source.format == "archive-txt"
    assert [(c.number, c.title) for c in story.chapters] == [
        (n, c.title) for n, c in enumerate(book.chapters, start=1)
    ]
    for chapter, expected in zip(story.chapters, book.blocks, strict=True):
        paragraphs = [b.text for b in chapter.blocks if b.kind == "paragraph"]
        assert paragraphs == [text for kind, text in expected if kind == "paragraph"]


def test_inspect_shows_the_sections_and_audits(tmp_path: Path) -> None:
    """``inspect --json`` lists the Gutenberg sections; ``inspect --audit --json`` passes."""
    path = tmp_path / "salt-road.txt"
    path.write_bytes(gutenberg_txt(make_book(3)))
    shown = run("inspect", "--json", str(path))
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["front_matter"][0]["title"] == "Project Gutenberg header"
    assert [s["title"] for s in data["back_matter"]] == ["Project Gutenberg licence"]
    assert data["back_matter"][0]["words"] > 100
    checked = run("inspect", "--audit", "--json", str(path))
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["unaccounted"] <= 0.01
