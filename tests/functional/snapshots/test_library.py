"""The library: empty, with stories, with a reader's progress, filtered, hidden stories, a broken
file, plain mode — at 80x24, and with stories at 160x50."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tui_reader.state import Position, StateStore
from tui_reader.ui.widgets.library_table import LibraryTable

from .support import LARGE, NORMAL, app_for, keys, read_some, seed

VIOLENCE = "Graphic Depictions Of Violence"
"""The warning The Ninth Bell carries."""


def progress(library: Path) -> Any:
    """A reader who is in chapter 2 of A Quiet Orchard and finished Harbour Lights' chapters."""

    def change(store: StateStore) -> None:
        read_some(store, library / "a-quiet-orchard.md", [0], Position(1, 0, 0), "reading")
        read_some(store, library / "harbour-lights.md", [0, 1], Position(1, 0, 0), "on hold")

    return change


async def on_broken_row(pilot: Any) -> None:
    """Put the cursor on the row of the file that cannot be read."""
    table = pilot.app.screen.query_one(LibraryTable)
    key = next(k for k in table.rows_by_key if k.endswith("broken-file.md"))
    table.move_cursor(row=table.get_row_index(key))


def test_library_empty(snap_compare: Any, tmp_path: Path, data_dir: Path) -> None:
    empty = tmp_path / "library"
    empty.mkdir()
    assert snap_compare(app_for(empty, data_dir), terminal_size=NORMAL, run_before=keys())


def test_library_with_stories(snap_compare: Any, library: Path, data_dir: Path) -> None:
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=keys())


def test_library_with_stories_large(snap_compare: Any, library: Path, data_dir: Path) -> None:
    assert snap_compare(app_for(library, data_dir), terminal_size=LARGE, run_before=keys())


def test_library_with_progress(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """The Continue row, chapters read, statuses and the last-read date."""
    seed(data_dir, progress(library))
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=keys())


def test_library_with_progress_large(snap_compare: Any, library: Path, data_dir: Path) -> None:
    seed(data_dir, progress(library))
    assert snap_compare(app_for(library, data_dir), terminal_size=LARGE, run_before=keys())


def test_library_filtered(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """``/`` then ``rating:T``: the two Teen stories are left."""
    run = keys("slash", "r", "a", "t", "i", "n", "g", "colon", "T")
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=run)


def test_library_hidden_stories(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """The reader hides stories warned of violence: The Ninth Bell is not listed."""
    seed(data_dir, lambda store: store.set_pref("hidden_warnings", [VIOLENCE]))
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=keys())


def test_library_hidden_stories_revealed(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """``h`` shows the hidden stories again."""
    seed(data_dir, lambda store: store.set_pref("hidden_warnings", [VIOLENCE]))
    run = keys("h")
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=run)


def test_library_broken_file_row(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """The cursor on the file that cannot be read: its reason below the table."""
    run = keys(before=on_broken_row)
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=run)


def test_library_plain(snap_compare: Any, library: Path, data_dir: Path, config: Path) -> None:
    """Plain mode: no box-drawing, the warning column in words."""
    config.write_text("plain = true\n", encoding="utf-8")
    seed(data_dir, progress(library))
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=keys())
