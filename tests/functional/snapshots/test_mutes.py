"""Lasting mutes: the mute menu on a library row, the library with muted stories left out, and
the review screen of every mute."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tui_reader.state import StateStore

from .support import LARGE, NORMAL, app_for, keys, seed


def muted(store: StateStore) -> None:
    """An author and a tag muted (A Quiet Orchard and The Ninth Bell leave the library)."""
    store.mute("author", "Mirren Aske")
    store.mute("tag", "Bells")
    store.mute("relationship", "Nell/Tamsin")


def test_mute_menu(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """``m`` on the first row (a markup-like author and title, shown literally)."""
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=keys("m"))


def test_mute_menu_marks_what_is_muted(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """``h`` shows the muted stories; ``m`` on The Ninth Bell marks its muted tag."""
    seed(data_dir, muted)
    run = keys("h", "down", "down", "m")
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=run)


def test_library_with_mutes(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """Two stories muted: they leave, and the title line says so."""
    seed(data_dir, muted)
    assert snap_compare(app_for(library, data_dir), terminal_size=LARGE, run_before=keys())


def test_mutes_review(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """The review screen: every mute, how many stories each leaves out, when it was muted."""
    seed(data_dir, muted)

    async def review(pilot: Any) -> None:
        pilot.app.screen.show_mutes()

    run = keys(before=review)
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=run)
