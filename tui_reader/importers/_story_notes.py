"""Free-text warnings for HTML and EPUB stories: authors' notes read for warnings and gates."""

from __future__ import annotations

from tui_reader.importers.warnings import analyse_notes, merge_warnings
from tui_reader.model import Story


def note_texts(story: Story) -> list[str]:
    """Every author's text that may carry warnings: story notes, summary, chapter notes."""
    texts = [note.text for note in story.notes]
    if story.summary:
        texts.append(story.summary)
    for chapter in story.chapters:
        texts.extend(chapter.notes_before)
        texts.extend(chapter.notes_after)
    return texts


def apply_free_text(story: Story) -> None:
    """Merge warnings, content notes and gates found in the author's notes into ``story``."""
    texts = note_texts(story)
    if not texts:
        return
    found, content_notes, gates = analyse_notes(texts)
    story.warnings = merge_warnings(story.warnings, found)
    story.content_notes.extend(n for n in content_notes if n not in story.content_notes)
    for gate in gates:
        if story.gate_before(gate.before_chapter) is None:
            story.warning_gates.append(gate)
    story.warning_gates.sort(key=lambda g: g.before_chapter)
