"""Plain mode's layout: states in words, nothing centred, no box-drawing or block characters."""

from __future__ import annotations

import re

from test_layout import make_story

from tui_reader.layout import chapter_items, wrap_items
from tui_reader.model import Block

BOX = re.compile("[\u2500-\u259f]")
"""Box-drawing and block characters."""


def lines_of(plain: bool, note_mode: str) -> list[tuple[str, str, int]]:
    """(role, text, indent) of chapter 1 of the sample story, a drawn scene break in it."""
    story = make_story()
    story.chapters[0].blocks[1] = Block("scene_break", "───── ✦ ─────")
    items = chapter_items(story, 0)
    return [
        (line.role, line.text, line.indent)
        for line in wrap_items(items, 60, lambda key: note_mode, plain=plain)
    ]


def test_plain_notes_say_their_state_in_words() -> None:
    folded = [text for role, text, _ in lines_of(True, "folded") if role == "note-label"]
    assert folded and all(t.startswith("[note folded] ") for t in folded), folded
    assert folded[0] == "[note folded] Author's note · 2 words"
    unfolded = [text for role, text, _ in lines_of(True, "unfolded") if role == "note-label"]
    assert unfolded and all(t.startswith("[note unfolded] ") for t in unfolded), unfolded
    fancy = [text for role, text, _ in lines_of(False, "folded") if role == "note-label"]
    assert all(t.startswith("▶ ") for t in fancy)


def test_plain_scene_breaks_are_words_and_nothing_is_centred() -> None:
    plain = lines_of(True, "unfolded")
    assert ("scene-break", "[scene break]", 0) in plain
    assert all(not BOX.search(text) for _, text, _ in plain)
    assert all(indent == 0 for role, _, indent in plain if role in ("title", "end", "scene-break"))
    fancy = lines_of(False, "unfolded")
    assert any(BOX.search(text) for role, text, _ in fancy if role == "scene-break")
    assert all(indent > 0 for role, _, indent in fancy if role in ("title", "scene-break"))
