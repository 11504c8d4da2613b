"""The library's table: one row per story, a "Continue reading" row on top, sortable columns.

Every cell is a ``rich.text.Text`` built from plain strings, so a story title such as
``[bold]x[/]`` shows literally. Rows are rebuilt by :meth:`LibraryTable.show` in the order the
screen asks for (sorting and filtering are :mod:`tui_reader.library_query`'s, not DataTable's).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual.binding import BindingType
from textual.widgets import DataTable

from tui_reader.library_query import STATUS_LABELS, LibraryRow
from tui_reader.paths import display_text
from tui_reader.text import collapse_whitespace
from tui_reader.ui.bindings import binding
from tui_reader.ui.plain import is_plain

CONTINUE_KEY = "__continue__"
"""Row key of the "Continue reading" row."""

COLUMNS: tuple[tuple[str, str], ...] = (
    ("title", "Title"),
    ("author", "Author"),
    ("chapters", "Chapters"),
    ("words", "Words"),
    ("rating", "Rating"),
    ("warn", "⚠"),
    ("progress", "Read"),
    ("status", "Status"),
    ("last", "Last read"),
)
"""(key, label) of every column, left to right."""

PLAIN_COLUMN_LABELS: dict[str, str] = {"warn": "Warning"}
"""Column labels that are a glyph, in words for plain mode."""

RATING_BADGES: dict[str, str] = {
    "General Audiences": "G",
    "Teen And Up Audiences": "T",
    "Mature": "M",
    "Explicit": "E",
    "Not Rated": "NR",
}
"""The one- or two-letter badge of each AO3 rating."""

RATING_COLOURS: dict[str, str] = {
    "G": "success",
    "T": "primary",
    "M": "warning",
    "E": "error",
    "NR": "secondary",
}
"""The theme colour (a theme variable name) behind each badge."""

TITLE_WIDTH = 40
"""Longest title shown before it is cut with an ellipsis (less on narrow terminals)."""

AUTHOR_WIDTH = 22
"""Longest author shown (less on narrow terminals)."""

SCROLLBAR_WIDTH = 2
"""Cells kept for the table's vertical scrollbar (none in plain mode)."""

MIN_CUT = 4
"""Narrowest a title or author is cut to (one character and an ellipsis, or more)."""


def relative_date(when: float | None, now: float | None = None) -> str:
    """ "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", or the date."""
    if when is None:
        return ""
    now = time.time() if now is None else now
    seconds = max(0.0, now - when)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    if days == 1:
        return "yesterday"
    if days < 30:
        return f"{days} days ago"
    return time.strftime("%Y-%m-%d", time.localtime(when))


def _cut(text: str, width: int, plain: bool = False) -> str:
    """``text`` cut to ``width`` cells (wide characters count two) with an ellipsis ("...")."""
    text = collapse_whitespace(text)
    if cell_len(text) <= width:
        return text
    ellipsis = "..." if plain else "…"
    return set_cell_size(text, max(1, width - len(ellipsis))).rstrip() + ellipsis


PLAIN_WORDS: dict[str, str] = {
    "⚠": "[warning]",
    "▶ Continue: ": "[continue] ",
    " ▲": " (asc)",
    " ▼": " (desc)",
}
"""The glyphs the table draws and the words plain mode writes instead."""


class LibraryTable(DataTable[Text]):
    """The library as a row-cursor table; rows keyed by the story file's path."""

    BINDINGS: ClassVar[list[BindingType]] = [binding("library.open", "select_cursor")]
    """Enter opens the highlighted story (shown in the footer)."""

    def __init__(self, **kwargs: Any) -> None:
        """A row-cursor table with zebra stripes."""
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.rows_by_key: dict[str, LibraryRow] = {}
        """The shown rows by row key (the file's path)."""
        self.title_width = TITLE_WIDTH
        """Cells for the title column at the current width."""
        self.author_width = AUTHOR_WIDTH
        """Cells for the author column at the current width."""
        self.with_status = False
        """True when the status column is shown (some story has a reading status)."""
        self.fit_width = 0
        """The width the columns are fitted to (0: not yet known, titles at their widest)."""

    def fit_widths(self, width: int, with_status: bool | None = None) -> bool:
        """Note the ``width`` to fit; True when the title and author widths changed.

        The widths are worked out from the cells themselves when the rows are shown
        (:meth:`show`); this estimate (every other column at its label's width) only
        tells a resize that the rows need showing again.
        """
        if with_status is not None:
            self.with_status = with_status
        self.fit_width = width
        labels = [self.label(key, label, key == "title") for key, label in self.columns_shown()]
        other = sum(cell_len(text.plain) + 2 for text in labels[2:])
        return self._share(width - other, labels) != (self.title_width, self.author_width)

    def _share(self, room: int, labels: Sequence[Text], lead: int = 0) -> tuple[int, int]:
        """Title and author widths that fit ``room`` cells (their padding and a scrollbar
        included), never narrower than their labels (nor the continue row's ``lead``)."""
        spare = room - 2 * 2 - (0 if self.plain else SCROLLBAR_WIDTH)
        title_min, author_min = (max(MIN_CUT, cell_len(t.plain)) for t in labels[:2])
        title_min = max(title_min, lead + MIN_CUT)
        author = max(author_min, min(AUTHOR_WIDTH, spare * 2 // 5))
        title = max(title_min, min(TITLE_WIDTH, spare - author))
        return title, author

    @property
    def plain(self) -> bool:
        """True in plain mode: states in words, no zebra stripes."""
        return is_plain(self)

    def glyph(self, mark: str) -> str:
        """``mark``, or its words in plain mode."""
        return PLAIN_WORDS.get(mark, mark) if self.plain else mark

    def cut(self, text: str, width: int) -> str:
        """``text`` cut to ``width`` cells (see :func:`_cut`)."""
        return _cut(text, width, self.plain)

    def theme_style(self, name: str) -> str:
        """The current theme's colour called ``name`` (falls back to the plain name)."""
        value = self.app.theme_variables.get(name)
        return str(value) if value else "default"

    def badge(self, rating: str | None) -> Text:
        """The rating badge in its theme colour."""
        letter = RATING_BADGES.get(rating or "", "")
        if not letter:
            return Text("")
        colour = self.theme_style(RATING_COLOURS[letter])
        background = self.theme_style("background")
        return Text(
            f" {letter} ", style=Style.parse(f"bold {background} on {colour}"), justify="center"
        )

    def cells(self, row: LibraryRow) -> list[Text]:
        """The row's cells, all plain text."""
        entry = row.entry
        if entry.error:
            dim = Style(dim=True, italic=True)
            return [
                Text(self.cut(display_text(entry.title), self.title_width), style=dim),
                Text(
                    self.cut(f"cannot open: {display_text(entry.error)}", self.author_width),
                    style=dim,
                ),
                *(Text("") for _ in self.columns_shown()[2:]),
            ]
        warn = self.warn_cell(entry.needs_warning)
        return [
            Text(self.cut(entry.title, self.title_width)),
            Text(self.cut(entry.author or "—", self.author_width)),
            Text(row.chapters_text, justify="right"),
            Text(f"{entry.words:,}", justify="right"),
            self.badge(entry.rating_level),
            warn,
            Text(f"{round(row.progress * 100)}%" if row.read else "", justify="right"),
            *self.status_cell(row),
            Text(relative_date(row.last_read)),
        ]

    def warn_cell(self, needs_warning: bool) -> Text:
        """The warning column's cell: ⚠ (or "[warning]") when the story carries warnings."""
        if not needs_warning:
            return Text("")
        return Text(self.glyph("⚠"), style=self.theme_style("warning"))

    def columns_shown(self) -> tuple[tuple[str, str], ...]:
        """The columns in use: the status column only when some story has a status."""
        if self.with_status:
            return COLUMNS
        return tuple(c for c in COLUMNS if c[0] != "status")

    def status_cell(self, row: LibraryRow) -> list[Text]:
        """The status cell, or nothing when the column is not shown."""
        if not self.with_status:
            return []
        return [Text(STATUS_LABELS.get(row.status or "", ""), style="italic")]

    def continue_cells(self, row: LibraryRow, chapter: int) -> list[Text]:
        """The "Continue reading" row: the story and chapter to resume."""
        accent = Style.parse(f"bold {self.theme_style('accent')}")
        lead = self.continue_lead()
        title = Text(lead, style=accent)
        title.append(
            self.cut(row.entry.title, max(MIN_CUT, self.title_width - cell_len(lead))), style="bold"
        )
        chapters = Text(row.continue_text(chapter), justify="right")
        return [
            title,
            Text(self.cut(row.entry.author or "—", self.author_width)),
            chapters,
            Text(""),
            self.badge(row.entry.rating_level),
            self.warn_cell(row.entry.needs_warning),
            Text(f"{round(row.progress * 100)}%" if row.read else "", justify="right"),
            *self.status_cell(row),
            Text(relative_date(row.last_read)),
        ]

    def show(
        self,
        rows: Sequence[LibraryRow],
        *,
        sort_column: str,
        reverse: bool,
        continue_row: tuple[LibraryRow, int] | None = None,
    ) -> None:
        """Replace the table's contents with ``rows`` (already filtered and ordered)."""
        cursor_key = self.current_key()
        self.clear(columns=True)
        self.zebra_stripes = not self.plain
        labels = [
            self.label(key, label, key == sort_column, reverse)
            for key, label in self.columns_shown()
        ]
        for _ in range(4):  # measure the other columns, fit title and author in what is left
            table: list[tuple[str, list[Text]]] = []
            if continue_row is not None:
                table.append((CONTINUE_KEY, self.continue_cells(*continue_row)))
            table += [(str(row.entry.path), self.cells(row)) for row in rows]
            if not self.fit_width:
                break
            other = sum(
                max([cell_len(label.plain), *(cell_len(cells[i].plain) for _, cells in table)]) + 2
                for i, label in enumerate(labels)
                if i >= 2
            )
            lead = cell_len(self.continue_lead()) if continue_row is not None else 0
            fitted = self._share(self.fit_width - other, labels, lead)
            if fitted == (self.title_width, self.author_width):
                break
            self.title_width, self.author_width = fitted
        for (key, _), text in zip(self.columns_shown(), labels, strict=True):
            self.add_column(text, key=key)
        self.rows_by_key = {
            row_key: row
            for row_key, row in zip(
                (key for key, _ in table if key != CONTINUE_KEY), rows, strict=True
            )
        }
        for key, cells in table:
            self.add_row(*cells, key=key)
        if cursor_key is not None and cursor_key in self.rows_by_key:
            self.move_cursor(row=self.get_row_index(cursor_key))

    def continue_lead(self) -> str:
        """What starts the continue row's title: "▶ Continue: ", just "▶ " when the title
        column is narrower than 24 cells ("[continue] " in plain mode)."""
        if self.plain or self.title_width >= 24:
            return self.glyph("▶ Continue: ")
        return "▶ "

    def label(self, key: str, label: str, sorted_by: bool, reverse: bool = True) -> Text:
        """A column's label as shown: in words in plain mode, with the sort mark."""
        text = Text(PLAIN_COLUMN_LABELS.get(key, label) if self.plain else label)
        if sorted_by:
            text.append(self.glyph(" ▼" if reverse else " ▲"))
        return text

    def current_key(self) -> str | None:
        """The row key under the cursor, if any."""
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # the cursor may be outside a freshly cleared table
            return None
        return key.value
