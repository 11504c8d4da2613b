"""Opening a story that carries warnings: the warning screen, and the gate before a chapter
the author asks readers to stop at (also in plain mode)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tui_reader.ui.widgets.library_table import LibraryTable

from .support import LARGE, NORMAL, app_for, keys


async def open_bell(pilot: Any) -> None:
    """Open The Ninth Bell (Mature, violence, a stop point before chapter 2) from the library."""
    table = pilot.app.screen.query_one(LibraryTable)
    key = next(k for k in table.rows_by_key if k.endswith("the-ninth-bell.md"))
    table.move_cursor(row=table.get_row_index(key))
    await pilot.press("enter")


def test_warning_screen(snap_compare: Any, library: Path, data_dir: Path) -> None:
    run = keys(before=open_bell)
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=run)


def test_warning_screen_large(snap_compare: Any, library: Path, data_dir: Path) -> None:
    run = keys(before=open_bell)
    assert snap_compare(app_for(library, data_dir), terminal_size=LARGE, run_before=run)


def test_warning_screen_plain(
    snap_compare: Any, library: Path, data_dir: Path, config: Path
) -> None:
    config.write_text("plain = true\n", encoding="utf-8")
    run = keys(before=open_bell)
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=run)


def test_gate_screen(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """Past the warning (``y``), the next chapter (``]``) stops at the author's stop point."""
    run = keys("y", "right_square_bracket", before=open_bell)
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=run)
