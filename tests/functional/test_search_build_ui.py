"""The search screen builds a large index with worker processes from its thread worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_app import screen_text
from test_search_progress import indexed_files, write_stories

from tests.fixtures.pilot import settle
from tui_reader import search
from tui_reader.search import PARALLEL_MIN_FILES
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.search import SearchScreen


async def test_search_screen_indexes_a_large_library_and_finds_every_story(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside the app stderr has no file descriptor; the workers start all the same."""
    read_here: list[str] = []
    in_process = search._parse_all

    def parse_all(paths: list[str]) -> Iterator[tuple[str, search._Parsed]]:
        read_here.extend(paths)
        return in_process(paths)

    monkeypatch.setattr(search, "_parse_all", parse_all)
    monkeypatch.setattr(search, "build_workers", lambda: 2)
    library = tmp_path / "lib"
    count = PARALLEL_MIN_FILES + 4
    write_stories(library, count)
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("S")
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        for key in "lighthouse":
            await pilot.press(key)
        for _ in range(100):  # the index is built by a worker: wait for its results
            await pilot.pause(0.1)
            if "Tide 000" in screen_text(app) and not app.screen.indexing:
                break
        text = screen_text(app)
        assert "Tide 000" in text
        assert "The lighthouse keeper of story 0 lit the lamp." in text
    assert indexed_files(library, data_dir) == count
    assert read_here == []  # every story was read by a worker process
