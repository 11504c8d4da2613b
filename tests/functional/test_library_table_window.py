"""The library table with thousands of stories: only the rows on screen are drawn.

A filter keystroke shows its rows without making every row's cells (they are made when a row
is drawn), and every cell is drawn exactly as DataTable itself draws it.
"""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from textual.strip import Strip
from textual.widgets import DataTable

from tui_reader.library import LibraryEntry
from tui_reader.library_query import LibraryRow
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.widgets.library_table import LibraryTable

COUNT = 3000


def rows(folder: Path) -> list[LibraryRow]:
    """Many rows, some broken, some read, odd titles among them."""
    out = []
    for n in range(COUNT):
        path = folder / f"story-{n:04d}.md"
        if n % 97 == 5:
            entry = LibraryEntry.broken(path, f"cannot read [bold]{n}[/]")
        else:
            entry = LibraryEntry(
                path,
                f"Title {n} [red]x[/] 日本" if n % 10 == 0 else f"Title {n}",
                author=None if n % 7 == 0 else f"Author {n % 13}",
                rating=["Mature", "General Audiences", None][n % 3],
                chapters=n % 9 + 1,
                chapters_total=None if n % 4 else 12,
                words=n * 37,
                story_id=f"id{n}",
            )
        out.append(LibraryRow(entry, read=n % 3, last_read=None))
    return out


async def test_thousands_of_rows_make_cells_only_for_what_is_drawn(
    tmp_path: Path, data_dir: Path
) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    app = TuiReaderApp(folder, data_dir=data_dir)
    async with app.run_test(size=(120, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(LibraryTable)
        shown = rows(folder)
        table.fit_widths(120)
        table.show(shown, sort_column="title", reverse=False, continue_row=(shown[3], 1))
        await pilot.pause()
        assert table.row_count == COUNT + 1
        made = table._row_locations.made  # type: ignore[attr-defined]
        assert 0 < len(made) <= 40  # the rows on screen, not 3,000
        assert table.get_row_at(0)[0].plain.startswith("▶")
        assert table.get_row_at(2001)[0].plain == "Title 2000 [red]x[/] 日本"
        assert table.get_row_index(str(folder / "story-2999.md")) == COUNT

        # every kind of cell is drawn as DataTable draws it
        for row_index in [0, 1, 2, 6, 11, 2001, COUNT]:
            for column_index in range(len(table.columns)):
                width = table.ordered_columns[column_index].get_render_width(table)
                for cursor in (False, True):
                    for hover in (False, True):
                        base = table._get_row_style(row_index, table.rich_style)
                        table._cell_render_cache.clear()
                        ours = table._render_cell(
                            row_index, column_index, base, width, cursor, hover
                        )
                        table._cell_render_cache.clear()
                        theirs = DataTable._render_cell(
                            table, row_index, column_index, base, width, cursor, hover
                        )
                        assert list(Strip(ours[0]).simplify()) == list(
                            Strip(theirs[0]).simplify()
                        ), (row_index, column_index)

        # the cursor goes to the end, a page up and back to the top; the view follows it
        table.action_scroll_bottom()
        await pilot.pause()
        assert table.cursor_row == COUNT
        assert table.current_key() == str(folder / "story-2999.md")
        assert table.scroll_y >= COUNT - 30
        table.action_page_up()
        await pilot.pause()
        assert COUNT - 40 < table.cursor_row < COUNT
        table.action_scroll_top()
        await pilot.pause()
        assert table.cursor_row == 0
        assert table.scroll_y == 0
        assert isinstance(table.rich_style, Style)
