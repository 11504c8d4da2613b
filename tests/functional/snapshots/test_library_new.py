"""The library with a story that grew since the reader last had it open: "+2 new" in its row
and a Continue row that opens the first new chapter — at 80x24, in plain mode, and at 160x50."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tui_reader.importers import load_story
from tui_reader.state import Position, StateStore

from .support import LARGE, NORMAL, app_for, keys, read_some, seed


def grown(library: Path) -> Any:
    """A reader who finished chapter 1 of A Quiet Orchard when it had one chapter (it has 3
    now), and is in chapter 2 of Harbour Lights, which has not changed."""

    def change(store: StateStore) -> None:
        orchard = library / "a-quiet-orchard.md"
        read_some(store, orchard, [0], Position(0, 1, 0), "reading")
        store.mark_seen(load_story(orchard).story_id, 1)
        harbour = library / "harbour-lights.md"
        read_some(store, harbour, [0], Position(1, 0, 0), None)
        store.mark_seen(load_story(harbour).story_id, 2)

    return change


def test_library_new_chapters(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """The orchard's row says "+2 new"; Continue opens its chapter 2, "(new)"."""
    seed(data_dir, grown(library))
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=keys())


def test_library_new_chapters_plain(
    snap_compare: Any, library: Path, data_dir: Path, config: Path
) -> None:
    """Plain mode says it in the same words."""
    config.write_text("plain = true\n", encoding="utf-8")
    seed(data_dir, grown(library))
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=keys())


def test_library_new_chapters_large(snap_compare: Any, library: Path, data_dir: Path) -> None:
    seed(data_dir, grown(library))
    assert snap_compare(app_for(library, data_dir), terminal_size=LARGE, run_before=keys())


def test_library_updated_facet(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """``/`` then ``status:updated``: only the story with new chapters is left."""
    seed(data_dir, grown(library))
    run = keys("slash", *"status:updated")
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=run)
