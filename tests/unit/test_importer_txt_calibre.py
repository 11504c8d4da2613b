"""Plain text a reader made with Calibre (``ebook-convert book.html book.txt``): its notes.

The HTML is written here; Calibre is run as a program at test time (the test skips when it is
missing) and its ``.txt`` read back as an archive dump.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.calibre import convert_html
from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.model import Story
from tui_reader.text import count_words

OPENING_NOTE = "Written on the night ferry, so forgive the salt."
ONE = (
    "The ferry left Harrow Quay an hour late, its horn sounding twice over the flat water.",
    "Odile counted the cars below deck and found one more than the ticket clerk had sold.",
)
TWO_BEFORE = (
    "The stranger's car was a green van with its windows painted over from the inside.",
    "When the ferry rolled, something in the back of it rolled too, heavily, and then was still.",
)
MID_NOTE = "The ferry route here is made up. Please don't plan a crossing by it!"
TWO_AFTER = (
    "She took the purser's torch from its hook and went down the iron stairs to the car deck,"
    " where the air smelled of diesel and wet rope.",
    "The van's back doors were not locked.",
)
THREE = ("By morning the van was gone, and the ticket clerk swore it had never been there.",)
CLOSING_NOTE = "Last chapter next week, thank you for reading."


def _book_html() -> str:
    """Three chapters as ``<h2>``: chapter 1 opens with a note, chapter 2 has one in the
    middle of its story, chapter 3 closes with one."""

    def paragraphs(texts: tuple[str, ...]) -> str:
        return "".join(f"<p>{t}</p>\n" for t in texts)

    def note(text: str) -> str:
        return f'<div class="authors-note"><p><strong>Author\'s Note:</strong> {text}</p></div>\n'

    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"/><title>The Night Ferry</title>'
        "</head><body>\n<h1>The Night Ferry</h1>\n"
        f"<h2>Chapter One: Harrow Quay</h2>\n{note(OPENING_NOTE)}{paragraphs(ONE)}"
        f"<h2>Chapter Two: The Green Van</h2>\n{paragraphs(TWO_BEFORE)}{note(MID_NOTE)}"
        f"{paragraphs(TWO_AFTER)}"
        f"<h2>Chapter Three: Morning</h2>\n{paragraphs(THREE)}{note(CLOSING_NOTE)}"
        "</body></html>\n"
    )


@pytest.fixture(scope="module")
def ferry_txt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book converted by Calibre to plain text."""
    return convert_html(_book_html(), tmp_path_factory.mktemp("calibre-txt"), "book.txt")


@pytest.fixture
def ferry(ferry_txt: Path) -> Story:
    """The converted book, read."""
    return load_story(ferry_txt)


def test_story_after_a_mid_chapter_note_stays_story_text(ferry: Story, ferry_txt: Path) -> None:
    """The note in the middle of chapter 2 stays where it is, one paragraph of the chapter;
    the story after it is story text (shown, counted and searched), not folded into a note."""
    assert ferry.source.format == "archive-txt"
    two = ferry.chapters[1]
    assert two.title == "The Green Van"
    assert two.notes_before == [] and two.notes_after == []
    paragraphs = [b.text for b in two.blocks if b.kind == "paragraph"]
    assert paragraphs == [*TWO_BEFORE, f"Author's Note: {MID_NOTE}", *TWO_AFTER]
    assert two.words == count_words(" ".join(paragraphs))
    assert audit(ferry, ferry_txt, ferry_txt.read_bytes()).passed


def test_notes_opening_and_closing_a_chapter_stay_notes(ferry: Story) -> None:
    """A note opening a chapter and one closing a chapter are still folded notes."""
    one, _, three = ferry.chapters
    assert one.notes_before == [OPENING_NOTE]
    assert [b.text for b in one.blocks] == list(ONE)
    assert three.notes_after == [CLOSING_NOTE]
    assert [b.text for b in three.blocks] == list(THREE)
