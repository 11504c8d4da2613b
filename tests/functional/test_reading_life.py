"""The reading life: search, statuses, bookmarks, history, filters, hidden warnings, pace."""

from __future__ import annotations

from pathlib import Path

from test_app import open_row, screen_text

from tests.fixtures.pilot import library_titles, settle, type_text
from tui_reader.importers import load_story
from tui_reader.state import Position
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.dialogs.status import StatusDialog
from tui_reader.ui.screens.bookmarks import BookmarksScreen
from tui_reader.ui.screens.history import HistoryScreen
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.screens.search import SearchScreen
from tui_reader.ui.widgets.library_table import LibraryTable

SIZE = (100, 32)
QUIET = "a-quiet-orchard.md"
BELL = "the-ninth-bell.md"


async def test_search_screen_finds_and_opens_the_paragraph(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("S")
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        await type_text(pilot, "church ladder")
        await settle(app, pilot)
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "A Quiet Orchard  Chapter 2: The Ladder, paragraph 1" in text
        assert "borrowed a ladder from the church" in text
        await pilot.press("enter")  # to the results
        await pilot.press("enter")  # open the first
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.story.title == "A Quiet Orchard"
        assert app.screen.position().chapter == 1
        assert "She borrowed a ladder from the church" in screen_text(app)


async def test_search_hides_stories_with_hidden_warnings(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    app.store.set_pref("hidden_warnings", ["Graphic Depictions Of Violence"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+f")
        for key in "bell":
            await pilot.press(key)
        await settle(app, pilot)
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert [h.title for h in screen.hits if h.title == "The Ninth Bell"] == []


async def test_status_from_the_library_shows_and_filters(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(LibraryTable)
        path = next(p for p in table.rows_by_key if p.endswith(QUIET))
        table.move_cursor(row=table.get_row_index(path))
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StatusDialog)
        await pilot.press("down", "down", "down", "enter")  # reading → plan → hold → finished
        await settle(app, pilot)
        quiet = load_story(library / QUIET)
        assert app.store.status(quiet.story_id) == "finished"
        assert "Status" in screen_text(app)
        assert "finished" in screen_text(app)
        await pilot.press("slash")
        for key in "status:fin":
            await pilot.press(key)
        await settle(app, pilot)
        assert library_titles(app) == ["A Quiet Orchard"]


async def test_facet_filters_by_rating_warning_fandom_and_tag(
    library: Path, data_dir: Path
) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        cases = {
            "rating:M": ["The Ninth Bell"],
            "warning:violence": ["The Ninth Bell"],
            "fandom:seaside": ["Harbour Lights"],
            'tag:"work in progress"': ["Harbour Lights"],
            "tag:gardening orchard": ["A Quiet Orchard"],
        }
        for query, expected in cases.items():
            screen.filter_text = query
            screen.refresh_rows()
            await pilot.pause()
            assert library_titles(app) == expected, query


async def test_hidden_warnings_leave_stories_out_until_shown(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    app.store.set_pref("hidden_warnings", ["Graphic Depictions Of Violence"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "The Ninth Bell" not in library_titles(app)
        assert "1 hidden by your warning choices" in screen_text(app)
        await pilot.press("h")
        await pilot.pause()
        assert "The Ninth Bell" in library_titles(app)


async def test_bookmarks_screen_lists_opens_edits_and_deletes(
    library: Path, data_dir: Path
) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    quiet = load_story(library / QUIET)
    bell = load_story(library / BELL)
    app.store.acknowledge(bell.story_id)
    app.store.add_bookmark(
        bell.story_id, bell.title, str(library / BELL), Position(0, 0, 0), note="the ninth"
    )
    app.store.add_bookmark(
        quiet.story_id,
        quiet.title,
        str(library / QUIET),
        Position(2, 0, 0),
        note="jam!",
        snippet="By autumn they were making jam",
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("B")
        await pilot.pause()
        assert isinstance(app.screen, BookmarksScreen)
        text = screen_text(app)
        assert "A Quiet Orchard  Chapter 3, paragraph 1" in text
        assert "jam!" in text
        assert text.index("A Quiet Orchard") < text.index("The Ninth Bell")  # newest first
        await pilot.press("e")
        await pilot.pause()
        dialog_input = app.screen.query_one("Input")
        dialog_input.value = "jam, finally"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert [b.note for b in app.store.bookmarks(quiet.story_id)] == ["jam, finally"]
        await pilot.press("down", "x")
        await pilot.pause()
        assert app.store.bookmarks(bell.story_id) == []
        await pilot.press("up", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.position().chapter == 2
        assert "By autumn they were making jam" in screen_text(app)


async def test_history_lists_recent_stories_and_resumes(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, QUIET)
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("H")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        assert "A Quiet Orchard  Chapter 2" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.position().chapter == 1


async def test_end_of_a_complete_story_offers_finished(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    quiet = load_story(library / QUIET)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, QUIET)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)  # arriving is not finishing
        await pilot.press("space")  # paging past the last page is
        await pilot.pause()
        assert isinstance(app.screen, StatusDialog)
        assert "You reached the end." in screen_text(app)
        await pilot.press("enter")  # "finished" is highlighted
        await pilot.pause()
        assert app.store.status(quiet.story_id) == "finished"


async def test_status_key_in_the_reader(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    quiet = load_story(library / QUIET)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, QUIET)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StatusDialog)
        await pilot.press("enter")  # the first: reading
        await pilot.pause()
        assert app.store.status(quiet.story_id) == "reading"


async def test_reading_pace_is_recorded_while_reading(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    quiet = load_story(library / QUIET)
    recorded: list[tuple[int, float]] = []
    async with app.run_test(size=SIZE) as pilot:
        app.store.record_pace = lambda words, seconds: recorded.append((words, seconds))  # type: ignore[method-assign]
        await open_row(app, pilot, QUIET)
        await pilot.press("right_square_bracket")
        await pilot.pause()
    assert recorded, "moving on a chapter records words read over time"
    words, seconds = recorded[-1]
    assert words == quiet.chapters[0].words
    assert seconds > 0


async def test_palette_command_hides_and_shows_a_warning(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "The Ninth Bell" in library_titles(app)
        await pilot.press("ctrl+p")
        await type_text(pilot, "Hide stories warned: Graphic")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.store.pref("hidden_warnings") == ["Graphic Depictions Of Violence"]
        assert "The Ninth Bell" not in library_titles(app)
        app.toggle_hidden_warning("Graphic Depictions Of Violence")
        await pilot.pause()
        assert "The Ninth Bell" in library_titles(app)


async def test_notifications_show_story_text_literally(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    app.store.add_bookmark("x", "[/] Broken [b]markup", str(library / QUIET), Position(0, 0, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("B")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause(0.2)
        shown = [(n.message, n.markup) for n in app._notifications]
        assert ("Bookmark in [/] Broken [b]markup deleted", False) in shown
        await pilot.press("escape")  # the toast rendered without a markup error
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_bookmarks_wrapped_snippet_keeps_its_indent(library: Path, data_dir: Path) -> None:
    """A snippet longer than the screen wraps under its indent, not at column 0."""
    app = TuiReaderApp(library, data_dir=data_dir)
    quiet = load_story(library / QUIET)
    words = "By autumn they were making jam in every pot the orchard house owned and more"
    app.store.add_bookmark(
        quiet.story_id, quiet.title, str(library / QUIET), Position(2, 0, 0), snippet=words
    )
    async with app.run_test(size=(50, 20)) as pilot:
        await settle(app, pilot)
        await pilot.press("B")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        first = next(i for i, line in enumerate(lines) if "By autumn" in line)
        column = lines[first].index("By autumn")
        following = lines[first + 1][column:]
        assert following.strip() and following[0] != " "  # starts under "By", not left of it
        assert not lines[first + 1][:column].strip("▊▌▎ ")
        assert "owned and more" in " ".join(line.strip() for line in lines[first : first + 3])
