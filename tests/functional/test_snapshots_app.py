"""Snapshots (SVG) of the library, the warning screen and help at 100x32, from in-test stories."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_app_stories import make_library

from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.widgets.library_table import LibraryTable

SIZE = (100, 32)


@pytest.fixture
def app(tmp_path: Path, data_dir: Path) -> TuiReaderApp:
    """The app on the in-test library, with an empty data dir."""
    return TuiReaderApp(make_library(tmp_path), data_dir=data_dir)


async def scanned(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until the library is listed."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_library_screen(snap_compare, app: TuiReaderApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=scanned)


def test_warning_screen(snap_compare, app: TuiReaderApp) -> None:  # type: ignore[no-untyped-def]
    async def open_bell(pilot) -> None:  # type: ignore[no-untyped-def]
        await scanned(pilot)
        table = pilot.app.screen.query_one(LibraryTable)
        key = next(k for k in table.rows_by_key if k.endswith("the-ninth-bell.md"))
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=open_bell)


def test_help_screen(snap_compare, app: TuiReaderApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, press=["question_mark"], run_before=scanned)
