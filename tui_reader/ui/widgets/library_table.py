"""The library's table: one row per story, a "Continue reading" row on top, sortable columns.

Every cell is a ``rich.text.Text`` built from plain strings, so a story title such as
``[bold]x[/]`` shows literally. :meth:`LibraryTable.show` takes the rows in the order the
screen asks for (sorting and filtering are :mod:`tui_reader.library_query`'s, not DataTable's).

The table is a DataTable that draws, measures and moves its cursor as DataTable does, but holds
no rows of its own: its row bookkeeping is a view (:class:`_Rows`) over the list it was shown,
and a row's cells are made only when the row is drawn or asked for. Showing 10,000 rows (a
filter keystroke) costs a pass over cached column widths, not 10,000 DataTable rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from operator import attrgetter, itemgetter
from typing import Any, ClassVar, cast, overload

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._segment_tools import line_crop
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable
from textual.widgets._data_table import ColumnKey, Row, RowKey

from tui_reader.library_query import STATUS_LABELS, LibraryRow
from tui_reader.paths import display_text
from tui_reader.text import collapse_whitespace, relative_date
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

LINES_KEPT = 2000
"""Body lines :meth:`LibraryTable._render_line` keeps before it starts over."""

SCROLLBAR_WIDTH = 2
"""Cells kept for the table's vertical scrollbar (none in plain mode)."""

MIN_CUT = 4
"""Narrowest a title or author is cut to (one character and an ellipsis, or more)."""


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


class _Rows:
    """The rows a :class:`LibraryTable` shows, in the shapes DataTable keeps its own in.

    DataTable reads its rows through ``_row_locations`` (key <-> index), ``rows`` (key -> Row),
    ``_data`` (key -> cells), ``ordered_rows`` and ``_y_offsets``; one object answers all five
    from a list of row keys, every row one line high, cells made on demand by ``make_cells``.
    """

    def __init__(
        self,
        keys: list[str],
        columns: list[ColumnKey],
        make_cells: Callable[[int], list[Text]],
        span: range | None = None,
    ) -> None:
        """Rows keyed ``keys`` (in order), cells by ``make_cells(index)`` under ``columns``."""
        self.keys = keys
        """Every row key, in order."""
        self.index: dict[str, int] = {}
        if span is None:
            self.index = dict(zip(keys, range(len(keys)), strict=True))
        """Row key -> index (looked up by a RowKey or a str alike: RowKey hashes as its str)."""
        self.columns = columns
        """The column keys, left to right."""
        self.make_cells = make_cells
        """Makes the cells of the row at an index."""
        self.span = range(len(keys)) if span is None else span
        """The indexes this view covers (a slice of ``ordered_rows`` is a narrower view)."""
        self.made: dict[int, dict[ColumnKey, Text]] = {}
        """Cells made so far, by row index."""

    # --- as _row_locations (TwoWayDict[RowKey, int]) ---

    def get(self, key: object, default: Any = None) -> Any:
        """The index of a row key (as ``_row_locations``) or its cells (as ``_data``)."""
        return self.index.get(key, default)  # type: ignore[call-overload]

    def get_key(self, index: int) -> RowKey | None:
        """The row key at an index, None outside the table."""
        if 0 <= index < len(self.keys):
            return RowKey(self.keys[index])
        return None

    def __contains__(self, key: object) -> bool:
        """True for the key (RowKey or str) of a shown row."""
        try:
            return key in self.index
        except TypeError:
            return False

    def __len__(self) -> int:
        """How many rows (or, as a view, how many in the view)."""
        return len(self.span)

    def __iter__(self) -> Iterator[Any]:
        """The rows of this view (as ``ordered_rows``)."""
        for i in self.span:
            yield Row(RowKey(self.keys[i]), 1)

    def clear(self) -> None:
        """DataTable.clear() empties its structures; the table then shows a new list."""
        self.keys, self.index, self.span, self.made = [], {}, range(0), {}

    # --- as rows (dict[RowKey, Row]) and _data (dict[RowKey, dict[ColumnKey, cell]]) ---

    def keys_(self) -> Iterator[RowKey]:
        """Every row key."""
        return (RowKey(key) for key in self.keys)

    def cells_at(self, index: int) -> dict[ColumnKey, Text]:
        """The cells of the row at ``index`` by column key, made on first use."""
        cells = self.made.get(index)
        if cells is None:
            cells = self.made[index] = dict(zip(self.columns, self.make_cells(index), strict=False))
        return cells

    # --- as ordered_rows (list[Row]) and _y_offsets (list[tuple[RowKey, int]]) ---

    @overload
    def __getitem__(self, item: int) -> Any: ...
    @overload
    def __getitem__(self, item: slice) -> _Rows: ...
    def __getitem__(self, item: int | slice) -> Any:
        """A Row (``ordered_rows[i]``) or a narrower view (``ordered_rows[a:b]``)."""
        if isinstance(item, slice):
            return _Rows(self.keys, self.columns, self.make_cells, self.span[item])
        return Row(RowKey(self.keys[self.span[item]]), 1)


class _RowMap:
    """``rows`` or ``_data`` of a :class:`LibraryTable`: a mapping by row key over
    :class:`_Rows`."""

    def __init__(self, rows: _Rows, cells: bool) -> None:
        """Map row keys to Row objects, or (``cells``) to the row's cells."""
        self.table_rows = rows
        """The shown rows."""
        self.cells = cells
        """True for ``_data`` (cells), False for ``rows`` (Row objects)."""

    def _value(self, index: int) -> Any:
        """The value for the row at ``index``."""
        if self.cells:
            return self.table_rows.cells_at(index)
        return Row(RowKey(self.table_rows.keys[index]), 1)

    def __getitem__(self, key: object) -> Any:
        """The value for a row key (KeyError when not shown)."""
        index = self.table_rows.get(key)
        if index is None:
            raise KeyError(key)
        return self._value(index)

    def get(self, key: object, default: Any = None) -> Any:
        """The value for a row key, or ``default``."""
        index = self.table_rows.get(key)
        return default if index is None else self._value(index)

    def __contains__(self, key: object) -> bool:
        """True for a shown row's key."""
        return key in self.table_rows

    def __len__(self) -> int:
        """How many rows."""
        return len(self.table_rows.keys)

    def __iter__(self) -> Iterator[RowKey]:
        """Every row key."""
        return self.table_rows.keys_()

    def keys(self) -> Iterator[RowKey]:
        """Every row key."""
        return self.table_rows.keys_()

    def values(self) -> Iterator[Any]:
        """Every value, in order."""
        return (self._value(i) for i in range(len(self.table_rows.keys)))

    def items(self) -> Iterator[tuple[RowKey, Any]]:
        """Every (key, value), in order."""
        return ((RowKey(k), self._value(i)) for i, k in enumerate(self.table_rows.keys))

    def clear(self) -> None:
        """Emptied by DataTable.clear()."""
        self.table_rows.clear()


class _Measure:
    """What fitting the columns needs to know of one row, kept between shows."""

    __slots__ = (
        "author",
        "author_len",
        "key",
        "minute",
        "others",
        "row",
        "stamp",
        "title",
        "title_len",
    )

    def __init__(self, table: LibraryTable, row: LibraryRow, stamp: tuple[Any, ...]) -> None:
        """Measure ``row`` as ``table`` shows it now."""
        entry = row.entry
        self.row = row
        """The row (kept so that its id is not reused while this is cached)."""
        self.key = str(entry.path)
        """The row's key: its file's path."""
        self.stamp = stamp
        """What the measures depend on besides the row (plain mode, status column, theme)."""
        self.minute = 0
        """The minute they were taken in (a "last read" date changes with time)."""
        if entry.error:
            self.title = collapse_whitespace(display_text(entry.title))
            self.author = collapse_whitespace(f"cannot open: {display_text(entry.error)}")
        else:
            self.title = collapse_whitespace(entry.title)
            self.author = collapse_whitespace(entry.author or "—")
        self.title_len = cell_len(self.title)
        """Cells of the whole title."""
        self.author_len = cell_len(self.author)
        """Cells of the whole author cell."""
        self.others = tuple(cell_len(cell.plain) for cell in table.cells(row)[2:])
        """Cells of every column after title and author."""


class _Lines:
    """``_y_offsets`` over :class:`_Rows`: line ``y`` is row ``y``'s only line."""

    def __init__(self, rows: _Rows) -> None:
        """Lines of ``rows``."""
        self.rows = rows
        """The shown rows."""

    def __len__(self) -> int:
        """One line per row."""
        return len(self.rows.keys)

    def __getitem__(self, y: int) -> tuple[RowKey, int]:
        """(row key, 0) of line ``y`` (IndexError past the end, as a list)."""
        if not 0 <= y < len(self.rows.keys):
            raise IndexError(y)
        return RowKey(self.rows.keys[y]), 0

    def clear(self) -> None:
        """Nothing to clear: the lines follow the rows."""


_SIMPLE_JUSTIFY = frozenset({"default", "left", "right", "center"})
"""Justifications :func:`_plain_segments` lays out as Rich does."""


def _plain_segments(console: Any, cell: Text, inner: int, justify: str) -> list[Segment]:
    """A one-line Text without spans laid out in ``inner`` cells as ``Text.wrap`` (no wrap)
    and ``Text.render`` lay it out: right and centre strip trailing space and pad inside the
    text's style, left pads inside it, default leaves the rest to the cell's fill."""
    plain = cell.plain
    if justify in ("right", "center"):
        plain = plain.rstrip()
        used = cell_len(plain)
        left = inner - used if justify == "right" else (inner - used) // 2
        plain = " " * left + plain + " " * (inner - used - left)
    elif justify == "left":
        plain += " " * (inner - cell_len(plain))
    segments = []
    if plain:
        style = console.get_style(cell.style) if cell.style else None
        segments.append(Segment(plain, style))
    used = cell_len(plain)
    if used < inner:
        segments.append(Segment(" " * (inner - used)))
    return segments


def _cut_width(measures: list[_Measure], which: str, width: int, plain: bool) -> int:
    """The widest title (or author) cell once cut to ``width`` cells."""
    longest = max(map(attrgetter(f"{which}_len"), measures), default=0)
    if longest <= width:  # none is cut: the longest is the widest
        return longest
    widest = 0
    for measure in measures:
        length = measure.title_len if which == "title" else measure.author_len
        if length > width:
            text = measure.title if which == "title" else measure.author
            length = cell_len(_cut(text, width, plain))
        if length > widest:
            widest = length
            if widest >= width:
                break
    return widest


class _PassStyles:
    """A component's styles for one drawing pass: its Rich style worked out once, anything
    else asked of the styles themselves."""

    def __init__(self, styles: Any) -> None:
        """Wrap ``styles`` (a RenderStyles)."""
        self.styles = styles
        """The component's styles."""
        self.rich_style: Style = styles.rich_style
        """Its Rich style, as at the start of the pass."""

    def __getattr__(self, name: str) -> Any:
        """Anything else, from the styles."""
        return getattr(self.styles, name)


class LibraryTable(DataTable[Text]):
    """The library as a row-cursor table; rows keyed by the story file's path."""

    BINDINGS: ClassVar[list[BindingType]] = [
        binding("library.open", "select_cursor"),
        binding("library.first_story", "scroll_top"),
        binding("library.last_story", "scroll_bottom"),
    ]
    """Enter opens the highlighted story (shown in the footer); g/home and G/end go to the
    first and last story (the table's own home/end would scroll sideways)."""

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
        self._shown: list[LibraryRow] = []
        """The rows shown, in order (the continue row not included)."""
        self._continue: tuple[LibraryRow, int] | None = None
        """The continue row shown on top, if any."""
        self._measures: dict[int, _Measure] = {}
        """Each row's measures by ``id(row)``, reused while the row and the stamp are the same."""
        self._most = 0
        """The most rows shown at once (the measures kept are bounded by it)."""
        self._pass_styles: dict[str, _PassStyles] | None = None
        """Component styles of the drawing pass under way (None between passes)."""
        self._pass_style: Style | None = None
        """The table's Rich style during a drawing pass (None between passes)."""
        self._pass_look: tuple[Any, ...] | None = None
        """What every body line of a drawing pass depends on besides its row (see
        :meth:`_render_line`)."""
        self._pass_cell: tuple[Any, ...] | None = None
        """What every cell of a drawing pass draws with (console, options, cursor settings)."""
        self._others_top: tuple[int, ...] | None = None
        """The widest cell of each column after title and author over every measure taken
        since the measures were last emptied (at least the widest of any rows shown)."""
        self._measured: tuple[tuple[Any, ...], int] | None = None
        """(stamp, minute) of the measures kept in ``_measures``."""
        self._line_strips: dict[tuple[Any, ...], tuple[object, Strip]] = {}
        """Body lines drawn, kept across shows (see :meth:`_render_line`): (row, line)."""

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
        """Replace the table's contents with ``rows`` (already filtered and ordered).

        Only the widths are worked out here (from measures cached per row); cells are made
        when a row is drawn.
        """
        cursor_key = self.current_key()
        self.clear(columns=True)
        self.zebra_stripes = not self.plain
        labels = [
            self.label(key, label, key == sort_column, reverse)
            for key, label in self.columns_shown()
        ]
        self._shown = list(rows)
        self._continue = continue_row
        measures = self._measure_all(self._shown)
        widest = self._widest_others(measures, len(labels) - 2)
        others = [
            max(cell_len(label.plain), w) for label, w in zip(labels[2:], widest, strict=True)
        ]
        continue_cells = self.continue_cells(*continue_row) if continue_row else None
        if continue_cells is not None:
            others = [
                max(width, cell_len(cell.plain))
                for width, cell in zip(others, continue_cells[2:], strict=True)
            ]
        for _ in range(4):  # fit title and author in what the other columns leave
            if not self.fit_width:
                break
            lead = cell_len(self.continue_lead()) if continue_row is not None else 0
            fitted = self._share(self.fit_width - sum(w + 2 for w in others), labels, lead)
            if fitted == (self.title_width, self.author_width):
                break
            self.title_width, self.author_width = fitted
        if continue_row is not None:
            continue_cells = self.continue_cells(*continue_row)
        widths = [
            max(
                cell_len(labels[0].plain),
                _cut_width(measures, "title", self.title_width, self.plain),
                cell_len(continue_cells[0].plain) if continue_cells else 0,
            ),
            max(
                cell_len(labels[1].plain),
                _cut_width(measures, "author", self.author_width, self.plain),
                cell_len(continue_cells[1].plain) if continue_cells else 0,
            ),
            *others,
        ]
        for (key, _), text, width in zip(self.columns_shown(), labels, widths, strict=True):
            column_key = self.add_column(text, key=key)
            self.columns[column_key].content_width = width
        keys = list(map(attrgetter("key"), measures))
        self.rows_by_key = dict(zip(keys, self._shown, strict=True))
        if continue_row is not None:
            keys.insert(0, CONTINUE_KEY)
        table_rows = _Rows(keys, [c.key for c in self.ordered_columns], self._cells_at)
        self._row_locations = table_rows  # type: ignore[assignment]
        self.rows = _RowMap(table_rows, cells=False)  # type: ignore[assignment]
        self._data = _RowMap(table_rows, cells=True)  # type: ignore[assignment]
        self._update_count += 1
        self.refresh()  # the table's own size is the screen's to set: no layout needed
        self._require_update_dimensions = False
        self._set_scrollable_size()
        if keys and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()  # as DataTable does when its first row arrives
        if cursor_key is not None and cursor_key in self.rows_by_key:
            self.move_cursor(row=self.get_row_index(cursor_key))

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw the lines in ``crop``, the table's own and its components' styles worked out
        once for the whole pass (DataTable asks for them again on every line)."""
        self._pass_styles = {}
        self._pass_style = None
        try:
            self._pass_style = self.rich_style
            return super().render_lines(crop)
        finally:
            self._pass_styles = None
            self._pass_style = None
            self._pass_cell = None
            self._pass_look = None

    @property
    def rich_style(self) -> Style:
        """The table's Rich style (during a drawing pass, the one worked out at its start)."""
        style: Style | None = getattr(self, "_pass_style", None)  # None before __init__ ends
        return super().rich_style if style is None else style

    def get_component_styles(self, *names: str) -> Any:
        """A component's styles; during a drawing pass, one object per component whose Rich
        style is worked out once (the CSS cannot change while the table draws)."""
        memo = getattr(self, "_pass_styles", None)  # None before __init__ ends
        if memo is None or len(names) != 1:
            return super().get_component_styles(*names)
        known = memo.get(names[0])
        if known is None:
            known = memo[names[0]] = _PassStyles(super().get_component_styles(*names))
        return known

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """A line of the table; a body row's line is kept across :meth:`show` calls.

        DataTable forgets every line when its rows are replaced; a filter keystroke replaces
        them all, though most rows on screen are often the same rows in the same places (the
        top matches of "lant" are those of "lan"). A row's line depends on the row, its place,
        whether the cursor or the mouse is on it, the column widths and the table's look, and
        is kept under all of those.
        """
        rows = self._row_locations
        index = y - (self.header_height if self.show_header else 0)
        if (
            not isinstance(rows, _Rows)
            or not 0 <= index < len(rows.keys)
            or self.cursor_type != "row"
            or self.fixed_columns
            or self.fixed_rows
            or self._labelled_row_exists
        ):
            return super()._render_line(y, x1, x2, base_style)
        source: object
        if self._continue is not None:
            source = self._continue if index == 0 else self._shown[index - 1]
        else:
            source = self._shown[index]
        look = self._pass_look
        if look is None or look[0] != (x1, x2, base_style):  # once a drawing pass
            look = (
                (x1, x2, base_style),
                self.size.width,
                self.cursor_coordinate.row,
                self.hover_coordinate.row,
                self.show_cursor,
                self._show_hover_cursor,
                self._pseudo_class_state,
                self.zebra_stripes,
                self.title_width,
                self.author_width,
                self.plain,
                self.with_status,
                self.app.theme,
                int(time.time() // 60),  # a "last read" date changes with the minute
                tuple(column.get_render_width(self) for column in self.ordered_columns),
            )
            if self._pass_styles is not None:
                self._pass_look = look
        key = (id(source), y, look[2] == index, look[3] == index, look[0], look[1], look[4:])
        known = self._line_strips.get(key)
        if known is not None and known[0] is source:
            return known[1]
        strip = self._body_line(index, x1, x2, base_style, look[2] == index, look[3] == index)
        if len(self._line_strips) >= LINES_KEPT:
            self._line_strips.clear()
        self._line_strips[key] = (source, strip)
        return strip

    def _body_line(
        self, index: int, x1: int, x2: int, base_style: Style, cursor: bool, hover: bool
    ) -> Strip:
        """The line of body row ``index`` (one line high, no fixed columns or row labels, a
        row cursor), cropped to ``x1``..``x2``: what DataTable's ``_render_line`` makes of
        ``_render_line_in_row``, without its caches (the line is kept by the caller)."""
        row_style = self._get_row_style(index, base_style)
        segments: list[Segment] = []
        table_width = self._row_label_column_width
        render_cell = self._render_cell
        for column_index, column in enumerate(self.ordered_columns):
            width = column.get_render_width(self)
            table_width += width
            segments.extend(render_cell(index, column_index, row_style, width, cursor, hover)[0])
        extend_style, _ = self._get_styles_to_render_cell(
            False,
            False,
            False,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            False,
            False,
        )
        extend_style = row_style + extend_style
        extend_style += Style.from_meta({"row": index, "column": 0, "out_of_bounds": True})
        width = self.size.width
        segments.append(Segment(" " * max(0, width - table_width), extend_style))
        cropped = line_crop(segments, x1, x2, width)
        return Strip(cropped).adjust_cell_length(width, base_style).simplify()

    def _cells_at(self, index: int) -> list[Text]:
        """The cells of the row shown at ``index`` (the continue row first, when shown)."""
        if self._continue is not None:
            if index == 0:
                return self.continue_cells(*self._continue)
            index -= 1
        return self.cells(self._shown[index])

    def _set_scrollable_size(self) -> None:
        """The scrollable size of the rows shown, set now (not when idle, as DataTable does).

        As ``_update_dimensions`` works it out (every row one line), but set as Textual sets a
        scrolling widget's size when no layout is asked for: the scrollbars follow, and a
        layout pass comes only when one appears or goes (the table's own size is the screen's
        to set, whatever it shows).
        """
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        size = Size(width + self._row_label_column_width, self._total_row_height + header)
        if size != self.virtual_size:
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)

    def _widest_others(self, measures: list[_Measure], count: int) -> list[int]:
        """The widest cell of each of the first ``count`` columns after title and author over
        ``measures`` (0 with none).

        The widest over every row measured is known (:meth:`_measure_all`); a column's widest
        among these rows is usually that, and found in the first few rows, so 10,000 rows
        are not all read.
        """
        others = list(map(attrgetter("others"), measures))
        top = self._others_top
        out = []
        for k in range(count):
            if not others:
                out.append(0)
                continue
            if top is not None and k < len(top):
                want = top[k]
                if any(o[k] == want for o in others):  # stops at the first that has it
                    out.append(want)
                    continue
            out.append(max(map(itemgetter(k), others)))
        return out

    def _measure_all(self, rows: list[LibraryRow]) -> list[_Measure]:
        """Every row's measures, from the cache when the row and the stamp are unchanged.

        A measure kept holds its row, so no other row can have its ``id`` while it is kept; the
        cache is emptied when the stamp changes, and rows read before are measured again when
        the minute changes ("5 min ago"), so a measure found by ``id`` is the row's own.
        """
        stamp = (self.plain, self.with_status, self.app.theme)
        minute = int(time.time() // 60)  # "5 min ago" changes: rows read before are re-measured
        cache = self._measures
        if self._measured != (stamp, minute):
            if self._measured is not None and self._measured[0] == stamp:
                cache = {k: m for k, m in cache.items() if m.row.last_read is None}
            else:
                cache = {}
                self._others_top = None
            self._measures = cache
            self._measured = (stamp, minute)
        out: list[_Measure | None] = list(map(cache.get, map(id, rows)))
        if None in out:  # rows not measured yet
            for i, known in enumerate(out):
                if known is None:
                    row = rows[i]
                    known = cache[id(row)] = _Measure(self, row, stamp)
                    known.minute = minute
                    out[i] = known
                    top = self._others_top
                    self._others_top = (
                        known.others
                        if top is None or len(top) != len(known.others)
                        else tuple(map(max, top, known.others))
                    )
        measures = cast("list[_Measure]", out)
        self._most = max(self._most, len(rows))
        if len(cache) > 2 * self._most + 1000:  # rows made again (a reload): drop the old
            self._measures = dict(zip(map(id, rows), measures, strict=True))
        return measures

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> Any:
        """A body cell's line, built straight from its one line of text.

        The same segments DataTable's own rendering (``Padding`` in ``Styled`` through the
        console) gives a cell of one line that fits, without the console's machinery: a filter
        keystroke redraws every visible row. Anything else is DataTable's.
        """
        rows = self._row_locations
        if row_index < 0 or column_index < 0 or not isinstance(rows, _Rows):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        column_key = self._column_locations.get_key(column_index)
        if row_index >= len(rows.keys) or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        # no cache of cells drawn: the lines they make are kept (:meth:`_render_line`)
        cell = rows.cells_at(row_index).get(column_key)
        lines = self._fast_cell(cell, row_index, column_index, base_style, width, cursor, hover)
        if lines is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        return lines

    def _fast_cell(
        self,
        cell: object,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool,
        hover: bool,
    ) -> list[list[Segment]] | None:
        """The segments of a one-line Text cell that fits ``width``; None for anything else."""
        pad = self.cell_padding
        inner = width - 2 * pad
        if not isinstance(cell, Text) or inner < 0 or "\n" in cell.plain or "\t" in cell.plain:
            return None
        if cell_len(cell.plain) > inner:
            return None
        known = self._pass_cell
        if known is None:  # worked out once a drawing pass (or each time outside one)
            known = (
                self.app.console,
                self.app.console_options,
                self.show_cursor,
                self._show_hover_cursor,
                self.cursor_foreground_priority == "css",
                self.cursor_background_priority == "css",
            )
            if self._pass_styles is not None:
                self._pass_cell = known
        console, options, show_cursor, show_hover, fg_css, bg_css = known
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, show_cursor, show_hover, fg_css, bg_css
        )
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index})
        pre_style += component_style
        justify = cell.justify or options.justify or "default"
        if not cell.spans and justify in _SIMPLE_JUSTIFY:
            line = [Segment(" " * pad), *_plain_segments(console, cell, inner, justify)]
            line.append(Segment(" " * pad))
            return [list(Segment.apply_style(line, style=pre_style, post_style=post_style))]
        wrapped = cell.wrap(
            console,
            inner,
            justify=cell.justify or options.justify or "default",
            overflow=cell.overflow or options.overflow or "fold",
            tab_size=(console.tab_size if cell.tab_size is None else cell.tab_size) or 8,
            no_wrap=True,
        )
        if len(wrapped) != 1:
            return None
        segments = list(Text("\n").join(wrapped).render(console, end=""))
        used = sum(segment.cell_length for segment in segments)
        if used > inner:
            return None
        line = [Segment(" " * pad), *segments]
        if used < inner:
            line.append(Segment(" " * (inner - used)))
        line.append(Segment(" " * pad))
        return [list(Segment.apply_style(line, style=pre_style, post_style=post_style))]

    # --- DataTable's row bookkeeping, over the shown list ---------------------------------

    @property
    def ordered_rows(self) -> Any:
        """The rows in order (a view; DataTable slices and iterates it)."""
        rows = self._row_locations
        if isinstance(rows, _Rows):
            return rows
        return super().ordered_rows

    @property
    def _y_offsets(self) -> Any:
        """(row key, line in row) of every line: every row is one line."""
        rows = self._row_locations
        if isinstance(rows, _Rows):
            return _Lines(rows)
        return DataTable._y_offsets.fget(self)  # type: ignore[attr-defined]

    def _get_row_region(self, row_index: int) -> Region:
        """The region of a row (every row is one line high)."""
        if not self.is_valid_row_index(row_index):
            return Region(0, 0, 0, 0)
        row_width = (
            sum(column.get_render_width(self) for column in self.columns.values())
            + self._row_label_column_width
        )
        y = row_index + (self.header_height if self.show_header else 0)
        return Region(0, y, max(self.size.width, row_width), 1)

    def _get_cell_region(self, coordinate: Any) -> Region:
        """The region of a cell (every row is one line high)."""
        if not self.is_valid_coordinate(coordinate):
            return Region(0, 0, 0, 0)
        row_index, column_index = coordinate
        columns = self.ordered_columns
        x = sum(c.get_render_width(self) for c in columns[:column_index])
        x += self._row_label_column_width
        y = row_index + (self.header_height if self.show_header else 0)
        return Region(x, y, columns[column_index].get_render_width(self), 1)

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
