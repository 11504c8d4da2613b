"""The app opens stories through the story index cache: a first open writes the entry after the
story shows, a reopen reads it instead of importing the file, and shows the same text."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_app import QUIET, SIZE, open_row, screen_text
from test_app_stories import make_library

from tui_reader.importers import markdown as markdown_importer
from tui_reader.story_cache import entry_path, open_story
from tui_reader.ui import app as app_module
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.reader import ReaderScreen


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """The in-test library folder."""
    return make_library(tmp_path)


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Write entries as soon as the story shows."""
    monkeypatch.setattr(app_module, "CACHE_FILL_DELAY", 0.01)


async def wait_for_entry(app: TuiReaderApp, pilot, entry: Path) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until the cache entry is written (bounded by pauses, not by a clock)."""
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause(0.02)
        if entry.is_file():
            return


async def test_a_library_story_is_cached_and_reopened_from_the_entry(
    library: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []
    real = markdown_importer.load

    def spy(path: Path, data: bytes):  # type: ignore[no-untyped-def]
        calls.append(path)
        return real(path, data)

    monkeypatch.setattr(markdown_importer, "load", spy)
    entry = entry_path(library / QUIET, data_dir)
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, QUIET)
        assert isinstance(app.screen, ReaderScreen)
        first = screen_text(app)
        await wait_for_entry(app, pilot, entry)
        assert entry.is_file()
        opened = len(calls)
        await pilot.press("escape")
        await pilot.pause()
        await open_row(app, pilot, QUIET)
        assert isinstance(app.screen, ReaderScreen)
        assert len(calls) == opened  # read from the entry, not imported again
        assert screen_text(app) == first
        assert "The pear tree had leaned over the wall" in first


async def test_a_single_story_writes_its_entry_once_shown(library: Path, data_dir: Path) -> None:
    path = library / QUIET
    story, fill = open_story(path, data_dir)
    assert fill is not None
    app = TuiReaderApp(path, data_dir=data_dir, story=story, cache_fill=fill)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        await wait_for_entry(app, pilot, entry_path(path, data_dir))
    _, again = open_story(path, data_dir)
    assert again is None  # a hit
