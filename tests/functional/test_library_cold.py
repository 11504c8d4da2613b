"""A cold library scan: the stories already known show at once, the bar says how far it is.

The scan is held up (each new file's import waits on an event the test sets), so what the
reader sees while it runs is looked at before it ends: the cached stories and the story read
before are listed, the progress bar (shown once the scan has run a moment) gives a partial
count; once released, every story is listed and the bar goes away.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import ProgressBar

from tui_reader.importers import load_story
from tui_reader.library import Library, LibraryEntry
from tui_reader.state import Position, StateStore
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.widgets.library_table import LibraryTable

SIZE = (100, 30)


def write_story(folder: Path, name: str, title: str) -> Path:
    """A small Markdown story called ``title``."""
    path = folder / f"{name}.md"
    path.write_text(f'+++\ntitle = "{title}"\n+++\n\n# One\n\nA few words.\n', encoding="utf-8")
    return path


def titles(table: LibraryTable) -> list[str]:
    """The title cell of every row, as the reader sees it (the continue row left out)."""
    return [
        table.get_row_at(i)[0].plain
        for i in range(table.row_count)
        if not table.get_row_at(i)[0].plain.startswith("▶")
    ]


async def test_known_stories_show_while_a_cold_scan_runs(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    for name in ("Alder", "Birch", "Cedar"):
        write_story(folder, name.lower(), name)
    Library(folder, data_dir).scan()  # these three are in the index cache now
    read = write_story(folder, "damson", "Damson")
    story = load_story(read)
    store = StateStore(data_dir, "local")
    store.save_position(
        story.story_id, Position(0, 0), title=story.title, path=str(read), write_now=True
    )
    store.close()
    for name in ("Elm", "Fir", "Gorse"):
        write_story(folder, name.lower(), name)

    release = threading.Event()
    waiting = threading.Event()
    real_import = Library._import

    def slow_import(path: Path) -> LibraryEntry:
        """New files the reader has not read wait for the test."""
        if path.name != "damson.md":
            waiting.set()
            release.wait(timeout=60)
        return real_import(path)

    monkeypatch.setattr(Library, "_import", staticmethod(slow_import))
    app = TuiReaderApp(folder, data_dir=data_dir)
    try:
        async with app.run_test(size=SIZE) as pilot:
            table = app.screen.query_one(LibraryTable)
            bar = app.screen.query_one("#scan-progress", ProgressBar)
            for _ in range(500):  # until the scan is held up, the known rows and the bar shown
                await pilot.pause(0.02)
                if waiting.is_set() and titles(table) and bar.display:
                    break
            assert isinstance(app.screen, LibraryScreen)
            # the cached stories and the one read before, while three files wait
            assert sorted(titles(table)) == ["Alder", "Birch", "Cedar", "Damson"]
            assert bar.display
            assert bar.total == 7
            assert bar.progress == 4
            assert not app.screen.scanned

            release.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            names = ["Alder", "Birch", "Cedar", "Damson", "Elm", "Fir", "Gorse"]
            assert titles(table) == names
            assert not bar.display
            assert app.screen.scanned
    finally:
        release.set()
