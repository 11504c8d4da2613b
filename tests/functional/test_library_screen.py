"""The library screen: listing, broken files, fuzzy filter, sorting, continue row, plain text."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import Input, Static

from tui_reader.importers import load_story
from tui_reader.library import LibraryEntry
from tui_reader.library_query import STATUS_LABELS, rank, subsequence_score
from tui_reader.model import Story
from tui_reader.state import Position, StateStore
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.widgets.library_table import CONTINUE_KEY, LibraryTable, relative_date

SIZE = (100, 32)


def titles(table: LibraryTable) -> list[str]:
    """The title cell of every row, as the reader sees it."""
    return [table.get_row_at(i)[0].plain for i in range(table.row_count)]


async def ready(app: TuiReaderApp, pilot) -> LibraryTable:  # type: ignore[no-untyped-def]
    """Wait for the scan to finish; the library's table."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, LibraryScreen)
    return app.screen.query_one(LibraryTable)


async def test_lists_every_story_and_the_broken_file_greyed(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(app, pilot)
        shown = titles(table)
        # by title, articles and leading punctuation ignored; broken files last
        assert shown == [
            "[bold]Loud[/] and $var",
            "Harbour Lights",
            "The Ninth Bell",
            "A Quiet Orchard",
            "broken-file.md",
        ]
        broken = table.get_row_at(4)
        assert broken[1].plain.startswith("cannot open:")
        assert broken[0].style and "dim" in str(broken[0].style)
        bell = table.get_row_at(2)
        assert bell[5].plain == "⚠"  # needs a warning
        assert bell[4].plain.strip() == "M"
        assert table.get_row_at(3)[5].plain == ""
        harbour = table.get_row_at(1)
        assert harbour[2].plain == "0/2/10"  # read/available/total
        assert harbour[3].plain == "31"  # 16 + 15 words


async def test_markup_like_title_is_literal(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(app, pilot)
        row = table.get_row_at(0)
        assert isinstance(row[0], Text) and row[0].plain == "[bold]Loud[/] and $var"
        assert row[0].spans == []
        assert row[1].plain == "[red]Nobody[/red]"
        shown = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert "[bold]Loud[/] and $var" in shown
        assert "[red]Nobody[/red]" in shown


async def test_broken_file_reason_on_open(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(app, pilot)
        table.move_cursor(row=4)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        messages = [n.message for n in app._notifications]
        assert any("TOML" in m or "front matter" in m for m in messages), messages


async def test_fuzzy_filter_and_escape_clears(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(app, pilot)
        await pilot.press("slash")
        box = app.screen.query_one("#filter", Input)
        assert box.has_focus
        await pilot.press(*"hrblt")  # subsequence of "Harbour Lights"
        assert titles(table) == ["Harbour Lights"]
        await pilot.pause()
        heading = str(app.screen.query_one("#library-title", Static).render())
        assert heading.endswith("4 stories · 1 cannot be opened · 1 shown by the filter"), heading
        box.value = ""
        await pilot.press(*"bells")  # a tag of The Ninth Bell
        await pilot.pause()
        assert titles(table)[0] == "The Ninth Bell"
        await pilot.press("escape")
        await pilot.pause()
        assert not box.display
        assert len(titles(table)) == 5
        heading = str(app.screen.query_one("#library-title", Static).render())
        assert heading.endswith("4 stories · 1 cannot be opened"), heading
        assert table.has_focus


async def test_sort_cycles_and_reverses(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(app, pilot)
        await pilot.press("o")  # author: Bea, Mirren, Odile, [red]Nobody
        assert titles(table)[:4] == [
            "Harbour Lights",
            "A Quiet Orchard",
            "The Ninth Bell",
            "[bold]Loud[/] and $var",
        ]
        await pilot.press("o", "o")  # words
        by_words = titles(table)
        words = [int(table.get_row_at(i)[3].plain.replace(",", "")) for i in range(4)]
        assert words == sorted(words)
        await pilot.press("O")
        assert titles(table)[:4] == list(reversed(by_words[:4]))
        assert titles(table)[-1] == "broken-file.md"  # broken files stay last
        assert "▼" in table.ordered_columns[3].label.plain


async def test_first_and_last_story_keys(library: Path, data_dir: Path) -> None:
    """g/home and G/end go to the first and last story (home and end scrolled sideways)."""
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(app, pilot)
        last = table.row_count - 1
        for down, up in (("end", "home"), ("G", "g")):
            await pilot.press(down)
            assert table.cursor_row == last, down
            await pilot.press(up)
            assert table.cursor_row == 0, up


async def test_click_header_sorts(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(app, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        region = table.region
        x = sum(c.get_render_width(table) for c in table.ordered_columns[:4]) + 2
        await pilot.click(LibraryTable, offset=(x, 0))
        await pilot.pause()
        assert screen.sort_column == "rating"
        assert titles(table)[0] in ("A Quiet Orchard",)
        assert region.width > 0


def reading_harbour_lights(library: Path, data_dir: Path) -> tuple[Story, StateStore]:
    """The reader's place saved in Harbour Lights' chapter 2 (the continue row's story)."""
    harbour = load_story(library / "harbour-lights.md")
    store = StateStore(data_dir, "local")
    store.save_position(
        harbour.story_id,
        Position(1, 0),
        title=harbour.title,
        path=str(library / "harbour-lights.md"),
        write_now=True,
    )
    return harbour, store


async def test_continue_row_from_history(library: Path, data_dir: Path) -> None:
    harbour, store = reading_harbour_lights(library, data_dir)
    store.mark_chapter_read(harbour.story_id, 0)
    store.flush()
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(app, pilot)
        assert table.get_row_at(0)[0].plain == "▶ Continue: Harbour Lights"
        assert table.get_row_at(0)[2].plain == "Ch. 2 of 2"
        assert table.get_row_at(0)[7].plain == "just now"
        assert table.current_key() == CONTINUE_KEY  # enter resumes at once
        key = str(library / "harbour-lights.md")
        assert table.rows_by_key[key].chapters_text == "1/2/10"
        assert table.get_row_at(table.get_row_index(key))[6].plain == "50%"
        await pilot.press("slash", "q")  # filtering hides the continue row
        assert CONTINUE_KEY not in [
            table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)
        ]


def test_subsequence_scores_rank_closer_matches_higher() -> None:
    assert subsequence_score("orc", "A Quiet Orchard") > subsequence_score("orc", "Orange Cake")
    assert subsequence_score("xyz", "A Quiet Orchard") == 0
    assert subsequence_score("qo", "A Quiet Orchard") > 0
    a = LibraryEntry(Path("a"), "Lanterns", author="Ann", tags=["Flood"])
    b = LibraryEntry(Path("b"), "Flood Season", author="Bo")
    assert rank("flood", [a, b]) == [b, a]  # title beats tag
    assert rank("zz", [a, b]) == []
    assert rank("", [a, b]) == [a, b]


def test_relative_dates() -> None:
    now = 1_000_000.0
    assert relative_date(now - 5, now) == "just now"
    assert relative_date(now - 600, now) == "10 min ago"
    assert relative_date(now - 7200, now) == "2 h ago"
    assert relative_date(now - 86400 * 1.5, now) == "yesterday"
    assert relative_date(now - 86400 * 4, now) == "4 days ago"
    assert relative_date(None, now) == ""


async def test_library_styles_apply(library: Path, data_dir: Path) -> None:
    """library.tcss reaches the library (Textual never loads a default screen's CSS_PATH)."""
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        screen = app.screen
        title = screen.query_one("#library-title")
        assert title.styles.height is not None and title.styles.height.value == 1
        assert title.styles.text_style.bold
        assert title.region.height == 1
        summary = screen.query_one("#library-summary")
        assert summary.styles.border_top[0] == "solid"
        assert summary.region.height == 3
        await pilot.press("slash")  # the filter input is made when first wanted
        assert screen.query_one("#filter").styles.margin.left == 1


async def test_every_column_fits_80_columns(library: Path, data_dir: Path) -> None:
    """With the status column and the continue row, every column is on screen at 80 cells;
    titles and authors are cut with an ellipsis instead."""
    harbour, store = reading_harbour_lights(library, data_dir)
    store.set_status(harbour.story_id, "reading")
    store.flush()
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await ready(app, pilot)
        labels = [column.label.plain for column in table.ordered_columns]
        assert labels[-2:] == ["Status", "Last read"]
        widths = sum(column.get_render_width(table) for column in table.ordered_columns)
        assert widths <= table.scrollable_content_region.width
        shown = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
        assert any(title.endswith("…") for title in shown)
        assert table.get_row_at(0)[7].plain == STATUS_LABELS["reading"]
        assert table.get_row_at(0)[8].plain == "just now"


async def test_a_filter_matching_nothing_leaves_an_empty_table(
    library: Path, data_dir: Path
) -> None:
    """Fitting the columns with no rows at all (only the labels to measure) works."""
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await ready(app, pilot)
        await pilot.press("slash", *"zzzzqx")
        await pilot.pause()
        assert table.row_count == 0
        assert table.ordered_columns[0].label.plain.startswith("Title")
