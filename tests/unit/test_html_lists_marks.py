"""Meaning carried by markup that plain text would lose: list numbers, struck-through words,
footnote references.

The model keeps no inline styling, so these are written into the text: an ``<ol>``'s items get
their numbers ("1. "), a ``<ul>``'s a bullet ("• "), struck text its "~~" marks ("I ~~hate~~
love him" keeps its sense), and a footnote reference its number in brackets ("letters.[1]")
without the note's link back ("↩"). The books are made at test time by pandoc from Markdown
written here (pandoc writes ``<del>``, ``<ol>``, ``<ul>`` and its footnotes with
``role="doc-noteref"``/``"doc-backlink"``), as EPUB 3 and EPUB 2.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.fixtures.epub_producers import PANDOC
from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.importers._html_blocks import blocks_from_html

pytestmark = pytest.mark.skipif(PANDOC is None, reason="pandoc is not installed")

SOURCE = """---
title: The Recipe Box
author: Ines Marlow
---

# Letters

I ~~hate~~ love him, she wrote, and crossed nothing else out.

What the recipe card said:

1. Warm the milk.
2. Fold in the flour.
3. Wait for the kettle.

What she packed:

- a torch
- the second key

She kept the letters.[^1] Then she slept.

[^1]: The letters were in the blue tin.
"""


@pytest.fixture(scope="module", params=["epub3", "epub2"])
def book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pandoc's EPUB of :data:`SOURCE`."""
    folder = tmp_path_factory.mktemp("lists")
    md = folder / "recipe.md"
    md.write_text(SOURCE, encoding="utf-8")
    out = folder / f"recipe-{request.param}.epub"
    assert PANDOC is not None
    subprocess.run(
        [PANDOC, "-t", request.param, "-o", str(out), str(md)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


def _paragraphs(path: Path) -> list[str]:
    """The texts of the book's blocks, in order."""
    story = load_story(path)
    return [b.text for c in story.chapters for b in c.blocks if b.text]


def test_struck_words_keep_their_marks(book: Path) -> None:
    assert "I ~~hate~~ love him, she wrote, and crossed nothing else out." in _paragraphs(book)


def test_list_items_keep_their_numbers_and_bullets(book: Path) -> None:
    texts = _paragraphs(book)
    steps = ["1. Warm the milk.", "2. Fold in the flour.", "3. Wait for the kettle."]
    at = texts.index(steps[0])
    assert texts[at : at + 3] == steps
    assert "• a torch" in texts and "• the second key" in texts


def test_a_footnote_reference_is_its_number_and_the_note_has_no_link_back(book: Path) -> None:
    texts = _paragraphs(book)
    assert "She kept the letters.[1] Then she slept." in texts
    note = next(t for t in texts if "blue tin" in t)
    assert note == "1. The letters were in the blue tin."
    assert not any("↩" in t for t in texts)


def test_the_book_is_accounted_for(book: Path) -> None:
    story = load_story(book)
    assert audit(story, book, book.read_bytes()).passed


def test_list_numbering_from_the_markup() -> None:
    """``start`` and ``value`` as HTML gives them; a list inside an item numbers on its own."""
    html = (
        '<ol start="4"><li>Four</li><li>Five<ol><li>Inner</li></ol></li>'
        '<li value="9">Nine</li><li>Ten</li></ol><li>Loose</li>'
        "<p>Not <s> </s>struck, <strike>two <b>words</b></strike>.</p>"
    )
    assert [b.text for b in blocks_from_html(html)] == [
        "4. Four",
        "5. Five",
        "1. Inner",
        "9. Nine",
        "10. Ten",
        "• Loose",
        "Not struck, ~~two words~~.",
    ]
