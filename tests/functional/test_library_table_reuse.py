"""What the library table keeps between filter keystrokes never shows stale content.

A row's drawn line is kept across :meth:`LibraryTable.show` calls, and the widest cell of each
column is found from what earlier shows measured; after any sequence of shows the table's lines
and column widths are those a table showing only the current rows has.
"""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from tui_reader.library import LibraryEntry
from tui_reader.library_query import LibraryRow
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.widgets.library_table import LibraryTable


def rows(folder: Path, count: int) -> list[LibraryRow]:
    """Rows whose words and chapters cells differ in width (the widest ones few)."""
    out = []
    for n in range(count):
        entry = LibraryEntry(
            folder / f"story-{n:03d}.md",
            f"Title {n}",
            author=f"Author {n % 5}",
            chapters=12 if n == 7 else 3,
            chapters_total=12 if n == 7 else 3,
            words=1_234_567 if n == 7 else 100 + n,
            story_id=f"id{n}",
        )
        out.append(LibraryRow(entry, read=n % 2))
    return out


def expected_widths(table: LibraryTable, shown: list[LibraryRow]) -> list[int]:
    """Each column after title and author at its widest over ``shown`` and its label."""
    labels = [label for _key, label in table.columns_shown()][2:]
    cells = [table.cells(row)[2:] for row in shown]
    return [
        max([cell_len(label)] + [cell_len(c[i].plain) for c in cells])
        for i, label in enumerate(labels)
    ]


async def test_lines_and_widths_follow_the_rows_shown(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    app = TuiReaderApp(folder, data_dir=data_dir)
    async with app.run_test(size=(100, 20)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(LibraryTable)
        table.fit_widths(100)
        everything = rows(folder, 60)
        shows = [
            everything,
            everything[5:],  # the same rows one place up: every line moves
            [r for r in everything if r.entry.words < 1_000_000],  # the widest left out
            everything[::-1],
            everything[10:12],
            everything,
        ]
        for shown in shows:
            table.show(shown, sort_column="words", reverse=False)
            await pilot.pause()
            widths = [c.content_width for c in table.ordered_columns][2:]
            want = expected_widths(table, shown)
            # the sorted column's label carries its mark: compare the others exactly
            assert [w for i, w in enumerate(widths) if i != 1] == [
                w for i, w in enumerate(want) if i != 1
            ]
            assert widths[1] == max(want[1], cell_len("Words ▲"))
            height = table.size.height
            for hovering in (False, True):  # the mouse over the third row, or not
                table._show_hover_cursor = hovering
                table.hover_coordinate = Coordinate(2 if hovering else 0, 0)
                for y in range(1, min(height, len(shown) + 1)):
                    ours = table._render_line(y, 0, table.size.width, table.rich_style)
                    table._line_cache.clear()
                    table._row_render_cache.clear()
                    table._cell_render_cache.clear()
                    theirs = DataTable._render_line(table, y, 0, table.size.width, table.rich_style)
                    assert list(ours) == list(theirs), (y, hovering, shown[y - 1].entry.title)
            table._show_hover_cursor = False
            table.hover_coordinate = Coordinate(0, 0)
