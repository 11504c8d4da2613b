"""Warnings an author writes in their own words: read once, for every format, after import.

:func:`apply_free_text` is called by :func:`tui_reader.importers.load_story` on the story any
importer returns; no importer runs the detection itself. Two rules:

- **Warnings and content notes** (archive warnings named in free text, the author's warning
  sentences) come only from what a reader sees *before starting*: the summary, the story notes
  before the text, and chapter 1's summary and notes before. A sentence in a later chapter's
  note is not shown on the opening warning screen: it would be a spoiler, and it is rarely a
  warning.
- **Stop points** ("consider chapter 7 the last one you read", "stop after chapter 7") make a
  gate wherever the author wrote them: any story note, summary or chapter note.

The native Markdown format is read as written: its front matter states warnings, content notes
and gates explicitly, so nothing is inferred for it.
"""

from __future__ import annotations

from tui_reader.importers.warnings import analyse_notes, merge_warnings, stop_points
from tui_reader.model import Story, WarningGate

DECLARED_FORMATS = frozenset({"markdown"})
"""Formats whose warnings are declared, never inferred from the text."""


def opening_texts(story: Story) -> list[str]:
    """The author's words a reader sees before starting: summary, story notes before the text,
    chapter 1's summary and notes before."""
    texts: list[str] = []
    if story.summary:
        texts.append(story.summary)
    texts.extend(note.text for note in story.notes if note.position == "before")
    if story.chapters:
        first = story.chapters[0]
        if first.summary:
            texts.append(first.summary)
        texts.extend(first.notes_before)
    return texts


def all_note_texts(story: Story) -> list[str]:
    """Every author's text that may hold a stop point: summaries, story and chapter notes."""
    texts = [note.text for note in story.notes]
    if story.summary:
        texts.append(story.summary)
    for chapter in story.chapters:
        if chapter.summary:
            texts.append(chapter.summary)
        texts.extend(chapter.notes_before)
        texts.extend(chapter.notes_after)
    return texts


def apply_free_text(story: Story) -> None:
    """Merge the warnings, content notes and stop-point gates the author wrote into ``story``."""
    if story.source.format in DECLARED_FORMATS:
        return
    found, sentences, _ = analyse_notes(opening_texts(story))
    story.warnings = merge_warnings(story.warnings, found)
    story.content_notes.extend(s for s in sentences if s not in story.content_notes)
    gates: dict[int, WarningGate] = {}
    for text in all_note_texts(story):
        for gate in stop_points(text):
            gates.setdefault(gate.before_chapter, gate)
    for number in sorted(gates):
        if story.gate_before(number) is None:
            story.warning_gates.append(gates[number])
    story.warning_gates.sort(key=lambda g: g.before_chapter)
