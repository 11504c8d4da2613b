"""The library's progress bar shows only for a scan that takes a while, never as a flash.

A scan of a few files (or from a warm index) ends in milliseconds: the bar must never be put
on screen for it. A scan that is held up (its imports wait on an event the test sets) shows
the bar once it has run for :data:`~tui_reader.ui.screens.library.PROGRESS_DELAY`, and the bar
goes when the scan ends. Every value the bar's ``display`` is set to is recorded, so a bar
shown and hidden between two frames is still caught.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import ProgressBar

from tui_reader.library import Library, LibraryEntry
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.widgets.library_table import LibraryTable

SIZE = (100, 30)


def write_stories(folder: Path, names: list[str]) -> None:
    """A small Markdown story per name."""
    folder.mkdir(exist_ok=True)
    for name in names:
        text = f'+++\ntitle = "{name}"\n+++\n\n# One\n\nA few words.\n'
        (folder / f"{name.lower()}.md").write_text(text, encoding="utf-8")


def record_bar(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every value a progress bar's ``display`` is set to, in order (read as usual)."""
    shown: list[bool] = []
    real = ProgressBar.display

    def set_display(bar: ProgressBar, value: object) -> None:
        """Record, then set as Textual does."""
        if bar.id == "scan-progress":
            shown.append(bool(value))
        real.fset(bar, value)  # type: ignore[attr-defined]

    monkeypatch.setattr(ProgressBar, "display", property(real.fget, set_display))
    return shown


async def settle(pilot: object, app: TuiReaderApp) -> None:
    """Until the library screen has finished its scan."""
    for _ in range(500):
        await pilot.pause(0.02)  # type: ignore[attr-defined]
        if isinstance(app.screen, LibraryScreen) and app.screen.scanned:
            return
    raise AssertionError("the scan did not finish")


@pytest.mark.parametrize("warm", [False, True])
async def test_a_quick_scan_never_shows_the_bar(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, warm: bool
) -> None:
    folder = tmp_path / "library"
    write_stories(folder, ["Alder", "Birch", "Cedar"])
    if warm:
        Library(folder, data_dir).scan()
    shown = record_bar(monkeypatch)
    app = TuiReaderApp(folder, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.pause(0.5)  # past the delay: a bar still due would show by now
        bar = app.screen.query_one("#scan-progress", ProgressBar)
        table = app.screen.query_one(LibraryTable)
        assert table.row_count == 3
        assert not bar.display
        assert True not in shown
        app.screen.action_rescan()  # a rescan of the warm index: no flash either
        await app.workers.wait_for_complete()
        await pilot.pause(0.5)
        assert not bar.display
        assert True not in shown


async def test_a_slow_scan_shows_the_bar_until_it_ends(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "library"
    write_stories(folder, ["Alder", "Birch"])
    release = threading.Event()
    real_import = Library._import

    def held_import(path: Path) -> LibraryEntry:
        """Every file waits for the test."""
        release.wait(timeout=60)
        return real_import(path)

    monkeypatch.setattr(Library, "_import", staticmethod(held_import))
    shown = record_bar(monkeypatch)
    app = TuiReaderApp(folder, data_dir=data_dir)
    try:
        async with app.run_test(size=SIZE) as pilot:
            bar = app.screen.query_one("#scan-progress", ProgressBar)
            for _ in range(500):
                await pilot.pause(0.02)
                if bar.display:
                    break
            assert bar.display
            assert isinstance(app.screen, LibraryScreen)
            assert not app.screen.scanned
            assert bar.total == 2
            release.set()
            await settle(pilot, app)
            await pilot.pause()
            assert not bar.display
            assert shown[-2:] == [True, False]
            assert app.screen.query_one(LibraryTable).row_count == 2
    finally:
        release.set()
