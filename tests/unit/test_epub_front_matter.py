"""A book's title page and the text before its first chapter are front matter, not chapter 1.

The books are made at test time by the real producers (pandoc, Calibre's ``ebook-convert``,
ebooklib) from text written here. What a reader sees is checked: the chapter list as
``inspect`` prints it (front matter first, then the chapters numbered from 1), the front
matter's text kept whole, and the first-chapter-first read agreeing with the whole read.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from tests.fixtures.calibre import EBOOK_CONVERT, convert_html
from tests.fixtures.epub_producers import PANDOC, ebooklib_epub, has_ebooklib, pandoc_epub
from tui_reader.audit import audit
from tui_reader.importers import load_first_chapter, load_story
from tui_reader.inspect import outline
from tui_reader.model import Story

needs_pandoc = pytest.mark.skipif(PANDOC is None, reason="pandoc is not installed")
needs_calibre = pytest.mark.skipif(EBOOK_CONVERT is None, reason="calibre is not installed")


def _listing(story: Story) -> list[tuple[str, str]]:
    """The chapter list ``inspect`` prints (front matter, chapters, back matter) as (number or
    "-", title) rows: ``   1  One  12 words`` → ("1", "One")."""
    lines = outline(story)
    rows = [_ROW.match(line) for line in lines[lines.index("") + 1 :]]
    assert all(rows), lines
    return [(m.group(1), m.group(2)) for m in rows if m is not None]


_ROW = re.compile(r"^\s*(\S+)  (.+?)  \d+ words")


def _first_agrees(path: Path, story: Story) -> None:
    """The first-chapter-first read has the same front matter and chapter 1 as the whole read."""
    first = load_first_chapter(path)
    assert first is not None
    assert [(s.title, s.blocks) for s in first.front_matter] == [
        (s.title, s.blocks) for s in story.front_matter
    ]
    assert (first.chapters[0].number, first.chapters[0].title) == (1, story.chapters[0].title)
    assert first.chapters[0].blocks == story.chapters[0].blocks


# --- pandoc: its title page, whatever it lists ----------------------------------------------

LETTERS = """---
title: Letters
author: [Ada Quill, R. M. Fenwick]
lang: en
---

# One

The first letter came folded in three, smelling of tar and wet rope.

# Two

The second letter was only a pressed flower and a date.
"""


FULL_TITLE_BLOCK = """subtitle: Being the correspondence of two keepers of the northern lights
date: Winter, the year of the long fog
rights: Shared with friends; copy it out by hand if you like it.
"""
"""More of pandoc's title block: lines of several words, as a chapter's paragraphs are."""


@needs_pandoc
@pytest.mark.parametrize("epub2", [False, True], ids=["epub3", "epub2"])
def test_pandoc_title_page_with_two_authors_is_front_matter(tmp_path: Path, epub2: bool) -> None:
    """pandoc's title page (``epub:type="titlepage"``) listing two authors, one a line, is the
    front matter "Title page"; the book's two chapters are chapters 1 and 2.

    The page was chapter 1 ("1 Letters 5 words"): the title-page guess looked for the joined
    author "Ada Quill, R. M. Fenwick", which the page never writes.
    """
    path = pandoc_epub(LETTERS, tmp_path / "letters.epub", epub2=epub2)
    story = load_story(path)
    assert story.author == "Ada Quill, R. M. Fenwick"
    assert _listing(story) == [("-", "front matter: Title page"), ("1", "One"), ("2", "Two")]
    assert story.front_matter[0].words == 6
    assert [b.text for b in story.front_matter[0].blocks] == [
        "Letters",
        "Ada Quill",
        "R. M. Fenwick",
    ]
    assert audit(story, path, path.read_bytes()).unaccounted <= 0.01
    _first_agrees(path, story)


@needs_pandoc
@pytest.mark.parametrize("epub2", [False, True], ids=["epub3", "epub2"])
def test_pandoc_title_page_with_a_long_title_block_is_front_matter(
    tmp_path: Path, epub2: bool
) -> None:
    """pandoc's title page with a subtitle, a date and rights as well is front matter too: it
    is pandoc's title page (``epub:type="titlepage"``; in EPUB 2 its ``<h1 class="title">``),
    whatever it lists."""
    markdown = LETTERS.replace("lang: en\n", f"lang: en\n{FULL_TITLE_BLOCK}")
    path = pandoc_epub(markdown, tmp_path / "letters.epub", epub2=epub2)
    story = load_story(path)
    assert _listing(story) == [("-", "front matter: Title page"), ("1", "One"), ("2", "Two")]
    texts = [b.text for b in story.front_matter[0].blocks]
    assert texts[:2] == [
        "Letters",
        "Being the correspondence of two keepers of the northern lights",
    ]
    assert "Shared with friends; copy it out by hand if you like it." in texts
    assert audit(story, path, path.read_bytes()).unaccounted <= 0.01
    _first_agrees(path, story)


# --- Calibre: the text before the first chapter heading -------------------------------------

BOOK_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"/><title>The Salt Road</title>
<meta name="author" content="Corin Ashby"/></head>
<body>
<h1>The Salt Road</h1>
<p class="byline">by Corin Ashby</p>
<div class="note"><p><strong>Author's Note:</strong> Written for the winter exchange. Thanks to
everyone who read the early drafts and told me the mule deserved more lines.</p></div>
<h2>Chapter One: The Well at Harrow</h2>
<p>The caravan stopped at Harrow because the mule would not go on, and because the well was
the only sweet water for forty miles.</p>
<p>Tamsin drew the bucket up hand over hand and found a key at the bottom of it.</p>
<h2>Chapter Two: Brass and Vinegar</h2>
<p>The key fitted nothing in Harrow. The smith said it was older than the town.</p>
<p>By evening the key had turned green in her pocket, as brass does in vinegar.</p>
<h2>Chapter Three: The Locked Inn</h2>
<p>On the third night they reached an inn with every shutter barred and a lamp lit inside.</p>
<p>The key turned in its door as if it had been waiting for her all along.</p>
</body></html>
"""
"""An HTML book as a writer makes it: title, byline and a note, then ``<h2>`` chapters."""


@pytest.fixture(scope="module")
def calibre_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ebook-convert book.html book.epub`` with Calibre's defaults."""
    return convert_html(BOOK_HTML, tmp_path_factory.mktemp("calibre"), "book.epub")


@needs_calibre
def test_calibre_text_before_the_first_chapter_is_front_matter(calibre_book: Path) -> None:
    """Calibre splits the book at its chapter headings and its NCX names the three chapters
    only: the title, byline and author's note before the first ``<h2>`` are front matter,
    kept whole, and "Chapter One" is chapter 1 (the reader's header says "Chapter 1 of 3").

    They were chapter 1 ("The Salt Road", 33 words), and "Chapter One" was chapter 2.
    """
    with zipfile.ZipFile(calibre_book) as archive:  # (the shape this test is about)
        ncx = next(n for n in archive.namelist() if n.endswith(".ncx"))
        labels = re.findall(r"<text>([^<]*)</text>", archive.read(ncx).decode("utf-8"))
    assert labels[1:] == [
        "Chapter One: The Well at Harrow",
        "Chapter Two: Brass and Vinegar",
        "Chapter Three: The Locked Inn",
    ]
    story = load_story(calibre_book)
    assert _listing(story) == [
        ("-", "front matter: Title page"),
        ("1", "The Well at Harrow"),
        ("2", "Brass and Vinegar"),
        ("3", "The Locked Inn"),
    ]
    texts = [b.text for b in story.front_matter[0].blocks]
    assert texts[:2] == ["The Salt Road", "by Corin Ashby"]
    assert texts[2].startswith("Author's Note: Written for the winter exchange.")
    assert texts[2].endswith("the mule deserved more lines.")
    assert [c.number for c in story.chapters] == [1, 2, 3]
    assert story.chapters[0].blocks[0].text.startswith("The caravan stopped at Harrow")
    assert audit(story, calibre_book, calibre_book.read_bytes()).unaccounted <= 0.01
    _first_agrees(calibre_book, story)


# --- ebooklib: the guide's and the landmarks' title page; what stays a chapter -------------

NEEDS_EBOOKLIB = "ebooklib is not installed"

CHAPTER_ONE = "<h1>Chapter 1</h1><p>The tide went out and did not come back for a week.</p>"
CHAPTER_TWO = "<h1>Chapter 2</h1><p>On the eighth day the gulls returned, and then the water.</p>"
TITLE_PAGE = (
    "<h1>Low Water</h1><p>Ada Quill</p>"
    "<p>A short story about a tide that forgot its way home, told in two parts.</p>"
)
"""A title page the guesses take for text: its blurb is a paragraph of several words."""


@pytest.mark.parametrize(
    ("where", "kind"),
    [("guide", "title-page"), ("landmarks", "titlepage")],
)
def test_title_page_named_by_the_guide_or_landmarks_is_front_matter(
    tmp_path: Path, where: str, kind: str
) -> None:
    """A page the OPF's guide (EPUB 2) or the nav's landmarks (EPUB 3) call the title page is
    front matter, though the contents list it under the book's title and it has a blurb."""
    if not has_ebooklib():
        pytest.skip(NEEDS_EBOOKLIB)
    path = ebooklib_epub(
        tmp_path / f"{where}.epub",
        title="Low Water",
        author="Ada Quill",
        files=[
            ("title.xhtml", "Low Water", TITLE_PAGE),
            ("c1.xhtml", "Chapter 1", CHAPTER_ONE),
            ("c2.xhtml", "Chapter 2", CHAPTER_TWO),
        ],
        toc=[("Low Water", "title.xhtml"), ("Chapter 1", "c1.xhtml"), ("Chapter 2", "c2.xhtml")],
        nav=where == "landmarks",
        guide=[(kind, "title.xhtml")],
        opf_guide=where == "guide",
    )
    story = load_story(path)
    assert [s.title for s in story.front_matter] == ["Title page"]
    assert [b.text for b in story.front_matter[0].blocks][:2] == ["Low Water", "Ada Quill"]
    assert [(c.number, c.title) for c in story.chapters] == [(1, None), (2, None)]
    _first_agrees(path, story)


LONG_OPENING = "<p>" + " ".join(["The tide went out again, and the town waited."] * 130) + "</p>"
"""An opening without a heading, longer than any title page or note (1,170 words)."""


@pytest.mark.parametrize(
    ("opening", "toc", "first", "numbers"),
    [
        (
            "<h1>Prologue</h1><p>Before the tide there was the moon.</p>",
            ["1", "2"],
            "Prologue",
            [1, 2, 3],
        ),
        ("<p>Before the tide there was the moon.</p>", ["2", "3"], None, [1, 2, 3]),
        (LONG_OPENING, ["1", "2"], None, [1, 2, 3]),
    ],
    ids=["headed-like-a-chapter", "contents-start-at-chapter-2", "long"],
)
def test_an_opening_the_contents_leave_out_stays_a_chapter(
    tmp_path: Path, opening: str, toc: list[str], first: str | None, numbers: list[int]
) -> None:
    """The text before the contents' first target stays chapter 1 when it is a chapter the
    contents left out: headed "Prologue", before contents that start at "Chapter 2", or too
    long for front matter."""
    if not has_ebooklib():
        pytest.skip(NEEDS_EBOOKLIB)
    path = ebooklib_epub(
        tmp_path / "opening.epub",
        title="Low Water",
        author="Ada Quill",
        files=[
            ("open.xhtml", "Opening", opening),
            ("c1.xhtml", "One", CHAPTER_ONE.replace("Chapter 1", f"Chapter {toc[0]}")),
            ("c2.xhtml", "Two", CHAPTER_TWO.replace("Chapter 2", f"Chapter {toc[1]}")),
        ],
        toc=[(f"Chapter {toc[0]}", "c1.xhtml"), (f"Chapter {toc[1]}", "c2.xhtml")],
        nav=False,
    )
    story = load_story(path)
    assert not story.front_matter
    assert [c.number for c in story.chapters] == numbers
    assert story.chapters[0].title == first
