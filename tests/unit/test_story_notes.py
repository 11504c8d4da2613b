"""Free-text warnings come only from what a reader sees before starting; stop points from anywhere.

The opening warning screen shows the author's warning sentences and the archive warnings named
in their words. Those are read from the summary, the story notes and chapter 1's notes before
the text, never from a later chapter's notes (a chapter-13 end note is a spoiler, not a warning).
A stop point ("stop after chapter 12") still makes a gate wherever the author wrote it.
"""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.ao3_download import Chapter, Work, write_ao3_html
from tests.fixtures.html_builders import LINES
from tui_reader.importers import load_story
from tui_reader.model import Story

OPENING = "Heads up: THERE IS CHARACTER DEATH IN THIS STORY."
"""A warning sentence in the story notes: shown before reading."""
FIRST_CHAPTER = "Content warning: self-harm is mentioned in passing."
"""A warning sentence in chapter 1's notes before the text: shown before reading."""
LATE_BEFORE = "Trigger warning: torture in this chapter."
"""A warning-like sentence in chapter 5's notes: not on the opening screen."""
LATE_END = (
    "I cried writing the character death. Sorry for the graphic violence and the gore, "
    "it was always going to end this way."
)
"""Warning-like sentences in chapter 13's END note: a spoiler, never on the opening screen."""
STOP = "If you want the gentle ending, stop after chapter 12."
"""A stop point in chapter 11's end note: a gate before chapter 13."""


def _note(number: int, *, end: bool) -> str | None:
    """The note a chapter of the test story carries before (``end`` False) or after its text."""
    if not end:
        return {1: FIRST_CHAPTER, 5: LATE_BEFORE}.get(number)
    return {11: STOP, 13: LATE_END}.get(number)


def _archive_dump(path: Path) -> Path:
    """A hand-written archive page dump of a 13-chapter story with notes in those places."""
    parts = ["The Lamp Ledger", "Total Chapters: 13", "A keeper keeps a ledger of the lamp."]
    parts.append(f"Author's Note: {OPENING}")
    for number in range(1, 14):
        parts.append(f"Chapter {number}: Night {number}")
        if before := _note(number, end=False):
            parts.append(f"A/N: {before}")
        parts += [LINES[number % len(LINES)], LINES[(number + 1) % len(LINES)]]
        if after := _note(number, end=True):
            parts.append(f"A/N: {after}")
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


def _ao3_download(path: Path) -> Path:
    """The same story as an AO3-layout HTML download (chapter notes and end notes labelled)."""
    specs = [
        Chapter(
            title=f"Night {number}",
            notes=_note(number, end=False),
            end_notes=_note(number, end=True),
            paragraphs=[LINES[number % len(LINES)], LINES[(number + 1) % len(LINES)]],
        )
        for number in range(1, 14)
    ]
    work = Work(
        title="The Lamp Ledger",
        authors=["quietharbour"],
        summary="A keeper keeps a ledger of the lamp.",
        notes=OPENING,
        expected_chapters=13,
        warnings=["Creator Chose Not To Use Archive Warnings"],
        chapters=specs,
    )
    return write_ao3_html(work, path)


def _check(story: Story) -> None:
    """The opening screen shows the opening warnings only; the late stop point makes a gate."""
    assert len(story.chapters) == 13
    assert story.chapters[12].notes_after == [LATE_END]  # the note is kept, just not a warning
    assert story.content_notes == [OPENING, FIRST_CHAPTER]
    assert "Major Character Death" in story.warnings  # named in the story notes
    assert "Graphic Depictions Of Violence" not in story.warnings  # only in chapter 13's note
    assert [(g.before_chapter, g.reason) for g in story.warning_gates] == [(13, STOP)]


def test_archive_dump_late_end_note_is_no_warning(tmp_path: Path) -> None:
    _check(load_story(_archive_dump(tmp_path / "ledger.txt")))


def test_ao3_html_late_end_note_is_no_warning(tmp_path: Path) -> None:
    _check(load_story(_ao3_download(tmp_path / "ledger.html")))


def test_markdown_warnings_are_declared_not_inferred(tmp_path: Path) -> None:
    """Our own format states its warnings in front matter; its notes are not read for more."""
    path = tmp_path / "ledger.md"
    path.write_text(
        '+++\ntitle = "The Lamp Ledger"\nnotes_before = ["' + OPENING + '"]\n+++\n'
        "# Night 1\n\n" + LINES[0] + "\n\n::: end-note\n" + STOP + "\n:::\n",
        encoding="utf-8",
    )
    story = load_story(path)
    assert (story.warnings, story.content_notes, story.warning_gates) == ([], [], [])
