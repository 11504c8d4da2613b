"""Plain-text books: Project Gutenberg ``.txt`` files and hard-wrapped books with headings.

The files are built in the producers' shapes by tests/fixtures/text_books.py (BOM, CRLF,
``CHAPTER I.`` with the title on the next line, hard wraps, Gutenberg header and licence).
"""

from __future__ import annotations

import json
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
