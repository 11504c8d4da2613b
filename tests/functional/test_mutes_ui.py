"""Lasting mutes in the app: ``m`` on a library row mutes the story's author or a tag, the row
leaves, ``h`` shows it again, the mute outlives the session, search leaves it out, and the
review screen (palette: "Muted authors and tags") unmutes."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from test_app import open_row, screen_text
from textual.widgets import OptionList

from tests.fixtures.pilot import library_titles, settle, type_text
from tui_reader.state import StateStore
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.dialogs.mute import MuteDialog
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.screens.mutes import MutesScreen
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.screens.search import SearchScreen
from tui_reader.ui.widgets.library_table import LibraryTable

SIZE = (100, 32)
QUIET = "a-quiet-orchard.md"
BRACKETS = "brackets.md"


async def to_row(app: TuiReaderApp, pilot, name: str) -> None:  # type: ignore[no-untyped-def]
    """Put the library's cursor on the story file ``name``."""
    table = app.screen.query_one(LibraryTable)
    path = next(p for p in table.rows_by_key if p.endswith(name))
    table.move_cursor(row=table.get_row_index(path))
    await pilot.pause()


def plain(prompt: object) -> str:
    """An option's prompt as text: a Text's own, or each Text cell of a grid apart by spaces
    (every piece built as Text: never parsed as markup)."""
    if isinstance(prompt, Text):
        return prompt.plain
    assert isinstance(prompt, Table)
    cells = [cell for column in prompt.columns for cell in column.cells]
    assert all(isinstance(cell, Text) for cell in cells)
    return " ".join(c.plain.strip() for c in cells if isinstance(c, Text) and c.plain.strip())


def options(app: TuiReaderApp) -> list[str]:
    """The option list on the screen in front, one string per option."""
    listing = app.screen.query_one(OptionList)
    return [plain(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_mute_an_author_reveal_relaunch_and_unmute(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await to_row(app, pilot, QUIET)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MuteDialog)
        assert [line.split(maxsplit=1) for line in options(app)] == [
            ["Author", "Mirren Aske"],
            ["Fandom", "Original Work"],
            ["Tag", "Gardening"],
            ["Tag", "Neighbours"],
        ]
        await pilot.press("enter")  # the author
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert "A Quiet Orchard" not in library_titles(app)
        assert "1 muted (h shows them)" in screen_text(app)
        await pilot.press("h")
        await pilot.pause()
        assert "A Quiet Orchard" in library_titles(app)
        await to_row(app, pilot, QUIET)
        assert "Muted (author Mirren Aske)." in screen_text(app)
        await pilot.press("q")
    assert [m.value for m in StateStore(data_dir).mutes()] == ["Mirren Aske"]

    again = TuiReaderApp(library, data_dir=data_dir)
    async with again.run_test(size=SIZE) as pilot:
        await settle(again, pilot)
        assert "A Quiet Orchard" not in library_titles(again)
        assert "1 muted" in screen_text(again)
        await pilot.press("ctrl+p")
        await type_text(pilot, "Muted authors")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(again, pilot)
        assert isinstance(again.screen, MutesScreen)
        (line,) = options(again)
        assert line.split("  · ")[:2] == ["Author Mirren Aske", "1 story"]
        await pilot.press("x")
        await pilot.pause()
        assert options(again) == ["Nothing muted: press m on a story in the library."]
        await pilot.press("escape")
        await settle(again, pilot)
        assert isinstance(again.screen, LibraryScreen)
        assert "A Quiet Orchard" in library_titles(again)
        assert "muted" not in screen_text(again)
    assert StateStore(data_dir).mutes() == []


async def test_enter_on_a_muted_name_unmutes_it(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    app.store.mute("tag", "gardening")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "A Quiet Orchard" not in library_titles(app)
        await pilot.press("h")
        await to_row(app, pilot, QUIET)
        await pilot.press("m")
        await pilot.pause()
        shown = options(app)
        assert shown[2] == "● Tag Gardening"
        assert not shown[0].startswith("●")
        await pilot.press("down", "down", "enter")
        await settle(app, pilot)
        await pilot.press("h")
        await pilot.pause()
        assert "A Quiet Orchard" in library_titles(app)
    assert StateStore(data_dir).mutes() == []


async def test_markup_like_names_are_shown_literally(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await to_row(app, pilot, BRACKETS)
        await pilot.press("m")
        await pilot.pause()
        assert options(app)[0].split(maxsplit=1) == ["Author", "[red]Nobody[/red]"]
        assert "[red]Nobody[/red]" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert "[bold]Loud[/] and $var" not in library_titles(app)
        app.screen.show_mutes()  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert "[red]Nobody[/red]" in screen_text(app)
    assert [m.value for m in StateStore(data_dir).mutes()] == ["[red]Nobody[/red]"]


async def test_palette_mutes_the_highlighted_story(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await to_row(app, pilot, QUIET)
        await pilot.press("ctrl+p")
        await type_text(pilot, "Mute author")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MuteDialog)
        assert "A Quiet Orchard" in screen_text(app)
        await pilot.press("down", "enter")  # the fandom
        await settle(app, pilot)
        # both stories of "Original Work" leave
        assert [t for t in library_titles(app) if t in ("A Quiet Orchard", "The Ninth Bell")] == []
        assert "2 muted" in screen_text(app)
    assert [(m.kind, m.value) for m in StateStore(data_dir).mutes()] == [
        ("fandom", "Original Work")
    ]


async def test_the_reader_palette_mutes_the_story_being_read(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "A Quiet Orchard" in library_titles(app)
        await open_row(app, pilot, QUIET)
        await settle(app, pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        await pilot.press("ctrl+p")
        await type_text(pilot, "Mute author")
        await pilot.pause(0.3)
        assert "Mute this story's author" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MuteDialog)
        assert options(app)[0] == "Author Mirren Aske"
        await pilot.press("enter")  # the author
        await settle(app, pilot)
        assert app.screen is reader  # still reading
        (said,) = [n.message for n in app._notifications if "Mirren" in n.message]
        assert said.startswith("Author Mirren Aske muted (its stories leave the library")
        await pilot.press("escape")  # back to the library: the story has left
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert "A Quiet Orchard" not in library_titles(app)
        assert "1 muted (h shows them)" in screen_text(app)
    assert [(m.kind, m.value) for m in StateStore(data_dir).mutes()] == [("author", "Mirren Aske")]


async def test_search_leaves_muted_stories_out_unless_shown(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    app.store.mute("author", "Mirren Aske")

    async def search(word: str) -> list[str]:
        await pilot.press("ctrl+f")
        for key in word:
            await pilot.press(key)
        await settle(app, pilot)
        await pilot.pause(0.2)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        found = [h.title for h in screen.hits]
        await pilot.press("escape")
        await settle(app, pilot)
        return found

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert await search("church") == []
        await pilot.press("h")  # muted stories shown in the library: and in search
        await pilot.pause()
        assert await search("church") == ["A Quiet Orchard"]
