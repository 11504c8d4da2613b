"""The small dialogs: the reading status (from the library, from the reader, and offered as
"finished" at the end of a complete story) and the bookmark's note."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .support import NORMAL, app_for, keys


def test_status_dialog(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """``s`` on the library's first story."""
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=keys("s"))


def test_status_dialog_in_reader(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """``s`` in the reader, after ``reading`` was chosen once: the current status marked."""
    app = app_for(library / "a-quiet-orchard.md", data_dir, story=True)
    run = keys("s", "enter", "s")
    assert snap_compare(app, terminal_size=NORMAL, run_before=run)


def test_bookmark_note_dialog(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """``m`` in the reader asks for the bookmark's note (a word typed)."""
    app = app_for(library / "a-quiet-orchard.md", data_dir, story=True)
    run = keys("m", "p", "e", "a", "r")
    assert snap_compare(app, terminal_size=NORMAL, run_before=run)


def test_finished_offer(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """Paging past the end of A Quiet Orchard (complete, 3/3) offers the status "finished"."""
    app = app_for(library / "a-quiet-orchard.md", data_dir, story=True)
    run = keys("right_square_bracket", "right_square_bracket", "space")
    assert snap_compare(app, terminal_size=NORMAL, run_before=run)
