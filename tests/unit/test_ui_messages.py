"""The UI's messages: a scroll burst is handled once, for where the reader is now."""

from __future__ import annotations

from textual.widget import Widget

from tui_reader.reading import Anchor
from tui_reader.ui.messages import AnchorChanged, NotesToggled


def test_a_newer_anchor_replaces_a_queued_one_of_the_same_view() -> None:
    view, other = Widget(), Widget()
    queued = AnchorChanged(view, Anchor(3, 0), 5)
    newer = AnchorChanged(view, Anchor(4, 10), 6)
    assert newer.can_replace(queued)
    assert not AnchorChanged(other, Anchor(4, 0), 6).can_replace(queued)
    assert not newer.can_replace(NotesToggled(["n1"], folded=True))


def test_notes_toggles_are_never_dropped() -> None:
    first = NotesToggled(["n1"], folded=True)
    assert not NotesToggled(["n1"], folded=False).can_replace(first)
