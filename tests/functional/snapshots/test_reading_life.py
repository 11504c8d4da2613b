"""Bookmarks (``B``) and history (``H``), empty and with a reader's places."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tui_reader.importers import load_story
from tui_reader.state import Position, StateStore

from .support import LARGE, NORMAL, app_for, keys, read_some, seed


def reading(library: Path) -> Any:
    """Two stories read, two bookmarks (one with a note)."""

    def change(store: StateStore) -> None:
        read_some(store, library / "harbour-lights.md", [0], Position(1, 0, 0), "on hold")
        read_some(store, library / "a-quiet-orchard.md", [0], Position(1, 0, 0), "reading")
        orchard = load_story(library / "a-quiet-orchard.md")
        bell = load_story(library / "the-ninth-bell.md")
        store.add_bookmark(
            orchard.story_id,
            orchard.title,
            str(library / "a-quiet-orchard.md"),
            Position(0, 1, 0),
            note="the pear in the soup",
            snippet=orchard.chapters[0].blocks[1].text,
        )
        store.add_bookmark(
            bell.story_id,
            bell.title,
            str(library / "the-ninth-bell.md"),
            Position(0, 0, 0),
            snippet=bell.chapters[0].blocks[0].text,
        )

    return change


@pytest.mark.parametrize(
    ("key", "size"),
    [("B", NORMAL), ("B", LARGE), ("H", NORMAL)],
    ids=["bookmarks", "bookmarks-large", "history"],
)
def test_places(
    snap_compare: Any, library: Path, data_dir: Path, key: str, size: tuple[int, int]
) -> None:
    """Bookmarks (newest first, a note under one) or history (with statuses)."""
    seed(data_dir, reading(library))
    assert snap_compare(app_for(library, data_dir), terminal_size=size, run_before=keys(key))


@pytest.mark.parametrize("key", ["B", "H"], ids=["bookmarks", "history"])
def test_nothing_yet(snap_compare: Any, library: Path, data_dir: Path, key: str) -> None:
    """A reader who has read nothing: one line that says so."""
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=keys(key))
