"""Free-text warnings for HTML and EPUB stories: authors' notes read for warnings and gates.

Uses ``tui_reader.importers.warnings.analyse_notes(texts) -> (warnings, content_notes, gates)``
when it is present; without it the labelled metadata alone decides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tui_reader.importers import warnings as _warnings
from tui_reader.model import ARCHIVE_WARNINGS, Story, WarningGate

_Analyse = Callable[[Sequence[str]], tuple[Sequence[str], Sequence[str], Sequence[Any]]]


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
    analyse: _Analyse | None = getattr(_warnings, "analyse_notes", None)
    if analyse is None:
        return
    texts = note_texts(story)
    if not texts:
        return
    found, content_notes, gates = analyse(texts)
    merged = set(story.warnings) | set(found)
    story.warnings = [w for w in ARCHIVE_WARNINGS if w in merged]
    story.content_notes.extend(n for n in content_notes if n not in story.content_notes)
    for gate in gates:
        if isinstance(gate, WarningGate) and story.gate_before(gate.before_chapter) is None:
            story.warning_gates.append(gate)
