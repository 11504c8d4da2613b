"""Stories that grew since the reader last had them open: "+N new" in the library, the
``status:updated`` facet, and the Continue row opening the first new chapter.

The reader reads a work in progress in the app, quits; the file grows (as an update would
leave it); the reader starts the app again.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_app import open_row
from textual.widgets import Input, Static

from tui_reader.importers import load_story
from tui_reader.state import StateStore
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.widgets.library_table import CONTINUE_KEY, LibraryTable

SIZE = (100, 32)

SERIAL = "serial.md"
STEADY = "steady.md"
UNOPENED = "unopened.md"

LINES = [
    "The ferry left at dawn with nobody aboard but the cat.",
    "By noon the cat had taken the wheel and set a course for the islands.",
    "The harbourmaster wrote it all down and did not believe a word.",
    "On the fourth day a letter came back, written in very small paw prints.",
    "The fifth chapter was the one in which everyone went home for tea.",
]
"""One paragraph per chapter (chapter n is ``LINES[n - 1]``)."""


def write_story(folder: Path, name: str, title: str, chapters: int) -> Path:
    """Write a Markdown work in progress of ``chapters`` chapters (no planned total)."""
    body = "".join(f"# Chapter {n}: Day {n}\n\n{LINES[n - 1]}\n\n" for n in range(1, chapters + 1))
    path = folder / name
    text = f'+++\ntitle = "{title}"\nauthor = "Wren Tally"\n+++\n\n{body}'
    path.write_text(text, encoding="utf-8")
    os.utime(path, (1_700_000_000 + chapters, 1_700_000_000 + chapters))
    return path


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A serial of 3 chapters, a steady story of 2, and one the reader never opens."""
    folder = tmp_path / "library"
    folder.mkdir()
    write_story(folder, SERIAL, "The Cat Ferry", 3)
    write_story(folder, STEADY, "Steady Lamps", 2)
    write_story(folder, UNOPENED, "Unopened Tide", 1)
    return folder


def grow(library: Path) -> None:
    """The serial grows to 5 chapters, the unopened story to 2 (the steady one stays)."""
    write_story(library, SERIAL, "The Cat Ferry", 5)
    write_story(library, UNOPENED, "Unopened Tide", 2)


async def ready(app: TuiReaderApp, pilot) -> LibraryTable:  # type: ignore[no-untyped-def]
    """Wait for the scan; the library's table."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, LibraryScreen)
    return app.screen.query_one(LibraryTable)


def cells(table: LibraryTable, library: Path, name: str) -> list[str]:
    """What the story's row shows, cell by cell."""
    row = table.get_row_index(str(library / name))
    return [cell.plain for cell in table.get_row_at(row)]


def shown_titles(table: LibraryTable) -> list[str]:
    """The title cell of every row, top to bottom."""
    return [table.get_row_at(i)[0].plain for i in range(table.row_count)]


def summary_line(app: TuiReaderApp) -> str:
    """The library's summary line, as the reader sees it."""
    return str(app.screen.query_one("#library-summary", Static).render())


async def quit_app(pilot) -> None:  # type: ignore[no-untyped-def]
    """Press q (the place is saved)."""
    await pilot.press("q")
    await pilot.pause()


async def test_grown_story_shows_new_chapters_until_read(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(app, pilot)
        assert not any("new" in c for c in cells(table, library, SERIAL))
        await open_row(app, pilot, STEADY)
        await pilot.press("escape")
        await pilot.pause()
        await open_row(app, pilot, SERIAL)
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("right_square_bracket")  # into chapter 2
        await pilot.pause()
        assert app.screen.chapter_index == 1
        await quit_app(pilot)
    assert app.return_code == 0

    grow(library)

    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(app, pilot)
        serial = cells(table, library, SERIAL)
        assert serial[2].endswith("/5/5 +2 new")
        assert not any("new" in c for c in cells(table, library, STEADY))
        # never opened: nothing is "new" to this reader, though it grew too
        assert cells(table, library, UNOPENED)[2] == "0/2/2"
        # the place was in chapter 2, not at the end: Continue resumes there
        assert table.get_row_at(0)[2].plain == "Ch. 2 of 5"

        await pilot.press("slash")
        await pilot.press(*"status:updated")
        await pilot.pause()
        assert app.screen.query_one("#filter", Input).value == "status:updated"
        assert shown_titles(table) == ["The Cat Ferry"]
        await pilot.press("escape")  # clears the filter
        await pilot.pause()
        assert len(shown_titles(table)) == 4  # the Continue row and three stories

        await open_row(app, pilot, SERIAL)
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("right_square_bracket", "right_square_bracket")  # chapter 4
        await pilot.pause()
        assert app.screen.chapter_index == 3
        await pilot.press("escape")
        await pilot.pause()
        table = await ready(app, pilot)
        assert not any("new" in c for c in cells(table, library, SERIAL))
        await pilot.press("slash")
        await pilot.press(*"status:updated")
        await pilot.pause()
        assert shown_titles(table) == []
        await pilot.press("escape")
        await pilot.pause()
        await quit_app(pilot)

    # read since it grew: still nothing new in the next session
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(app, pilot)
        assert not any("new" in c for c in cells(table, library, SERIAL))
        await quit_app(pilot)


async def test_continue_opens_the_first_new_chapter_after_the_finished_last_one(
    library: Path, data_dir: Path
) -> None:
    story_id = load_story(library / SERIAL).story_id
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await open_row(app, pilot, SERIAL)
        await pilot.press("right_square_bracket", "right_square_bracket")  # chapter 3, its end
        await pilot.pause()
        assert app.screen.chapter_index == 2
        await quit_app(pilot)
    assert 2 in StateStore(data_dir).chapters_read(story_id)  # the old last chapter is finished

    grow(library)

    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(app, pilot)
        continue_row = [cell.plain for cell in table.get_row_at(0)]
        assert continue_row[0] == "▶ Continue: The Cat Ferry"
        assert continue_row[2] == "Ch. 4 (new)"
        assert cells(table, library, SERIAL)[2] == "3/5/5 +2 new"
        assert table.current_key() == CONTINUE_KEY
        assert summary_line(app) == "Enter opens chapter 4, the first new one."
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.chapter_index == 3
        await pilot.pause()
        assert LINES[3] in "\n".join(s.text for s in reader._compositor.render_strips())
        await pilot.press("escape")
        await pilot.pause()
        table = await ready(app, pilot)
        # opened since it grew: nothing new now, and Continue resumes the new place
        assert cells(table, library, SERIAL)[2] == "4/5/5"
        assert table.get_row_at(0)[2].plain == "Ch. 4 of 5"
        assert summary_line(app) == "Enter resumes where you left off."
        await quit_app(pilot)
