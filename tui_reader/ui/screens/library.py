"""The library screen: every story in the folder, a "Continue reading" row, sort and filter.

Scanning runs in a worker thread (the library's index cache makes a warm scan cheap) and never
blocks input; a progress bar shows while it runs, once it has run for
:data:`PROGRESS_DELAY` (a quick scan never flashes it).
"""

from __future__ import annotations

import gc
import operator
from operator import attrgetter
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, ProgressBar, Static

from tui_reader.library import Library, LibraryEntry
from tui_reader.library_query import (
    MUTE_LABELS,
    LibraryRow,
    mute_choices,
    mute_index,
    muted_by,
    prepare_filter,
    query_rows,
)
from tui_reader.paths import display_path, display_text
from tui_reader.state import Mute, StateStore, mute_key
from tui_reader.text import collapse_whitespace
from tui_reader.ui import lazy
from tui_reader.ui.bindings import bindings
from tui_reader.ui.dialogs.mute import MuteChoice, MuteDialog
from tui_reader.ui.dialogs.status import StatusDialog
from tui_reader.ui.messages import OpenStory
from tui_reader.ui.widgets.footer_slot import FooterSlot
from tui_reader.ui.widgets.library_table import COLUMNS, CONTINUE_KEY, LibraryTable

FREEZE_FROM = 2000
"""Entries from which a finished scan's objects are frozen out of the garbage collector."""

PROGRESS_DELAY = 0.3
"""Seconds a scan runs before its progress bar shows: a scan of a few milliseconds (a warm
index, a handful of new files) never flashes the bar on and off."""

FILTER_PLACEHOLDER = "Filter: words, or rating:M warning:death tag:x fandom:x status:reading"
"""What the empty filter input says."""


class _FixedSize:
    """A Static whose size its content never changes (the CSS fixes it): an update redraws
    it without a layout pass of the whole screen."""

    def __init__(self, widget: Static) -> None:
        """Wrap ``widget``."""
        self.widget = widget
        """The Static shown."""

    def update(self, content: Text | str) -> None:
        """Show ``content`` (no layout: the size stays)."""
        self.widget.update(content, layout=False)


class LibraryScreen(Screen[None]):
    """The list of stories; enter opens the highlighted one."""

    # No CSS_PATH: as the app's default screen it would never be loaded; the app loads
    # library.tcss itself (TuiReaderApp.CSS_PATH).

    BINDINGS: ClassVar[list[BindingType]] = bindings("library")
    """The library's own keys (q, ? and the palette are the app's)."""

    def __init__(self, library: Library, store: StateStore) -> None:
        """Show the stories of ``library`` with the reader's state in ``store``."""
        super().__init__()
        self.library = library
        """The folder's stories."""
        self.store = store
        """The reader's state (progress, statuses, the hidden warnings)."""
        self.entries: list[LibraryEntry] = []
        """Every entry of the last scan."""
        self.sort_column = "title"
        """The column rows are sorted by."""
        self.sort_reverse = False
        """True for descending order."""
        self.filter_text = ""
        """The fuzzy filter in force ("" for none)."""
        self.rows: list[LibraryRow] = []
        """One row per entry with the reader's state, as of the last :meth:`reload_rows`."""
        self.continue_row: tuple[LibraryRow, int] | None = None
        """The story (and chapter) the "Continue" row resumes, as of the last reload."""
        self.scanned = False
        """True once the first scan has finished."""
        self.show_hidden = False
        """True to list stories carrying warnings the reader chose to hide."""
        self.hidden_count = 0
        """How many stories the last refresh left out for their warnings."""
        self.filtered_count: int | None = None
        """How many stories the filter in force lets through (None without a filter)."""
        self.mutes: list[Mute] = []
        """The reader's mutes, as of the last :meth:`reload_rows` (or mute from here)."""
        self.muted_count = 0
        """How many stories the last refresh left out for the reader's mutes."""
        self._good_count: tuple[list[LibraryEntry], int] | None = None
        """(entries, how many of them open) as the title line last counted them."""
        self._title_shown = ""
        """The title line as last shown."""
        self._summary_of: tuple[tuple[object, ...], tuple[object, ...]] | None = None
        """What the summary line last showed: (row key, row, scanned, show hidden), and the
        entries, mutes and library it was made from."""
        self._progress_timer: Timer | None = None
        """Shows the progress bar once a running scan reaches :data:`PROGRESS_DELAY`."""

    def compose(self) -> ComposeResult:
        """Title line, progress bar, table, the highlighted story's summary (and, once asked
        for, the filter input under the title)."""
        yield Static(Text(f"Library · {display_text(self.library.root.name)}"), id="library-title")
        # the filter input is mounted when first wanted (filter_box): not part of the first frame
        bar = ProgressBar(id="scan-progress", show_eta=False)
        bar.display = False  # shown only once a scan has run a while (scan_started)
        yield bar
        yield LibraryTable(id="library-table")
        yield Static("", id="library-summary")
        yield FooterSlot()  # (the footer, once the first frame is painted)

    def on_mount(self) -> None:
        """Start scanning; the table takes focus at once."""
        self.query_one(LibraryTable).focus()
        self.scan()

    # --- scanning -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="scan")
    def scan(self) -> None:
        """Scan the folder in a thread, reporting progress, then show the entries."""
        bar = self.query_one("#scan-progress", ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        def known(entries: list[LibraryEntry]) -> None:
            self.app.call_from_thread(self.set_entries, entries, False)

        self.app.call_from_thread(self.scan_started)
        read = [item.path for item in self.store.history(limit=1000)]
        entries = self.library.scan(progress, known, first=read)
        self.store.adopt_ids(self.library.id_changes)  # state kept under old ids (issue 15)
        self.app.call_from_thread(self.set_entries, entries)

    def set_entries(self, entries: list[LibraryEntry], finished: bool = True) -> None:
        """Show a finished scan; or, while a scan still reads new files (``finished`` False),
        the stories it already knows (cached, or read before), the progress bar kept."""
        if not finished and (self.scanned or not entries):
            return  # a rescan: the last full list stays until the new one is ready
        if not self.query(LibraryTable):
            return  # the app is closing: the screen's widgets are gone before the scan ended
        self.entries = entries
        self.scanned = finished
        if finished:
            self.scan_finished()
        self.reload_rows()
        if finished and len(entries) >= FREEZE_FROM:
            # thousands of entries, rows and their cached keys live as long as the library: a
            # full collection walking them all would stall a filter keystroke (~0.1 s), so
            # they leave the collector's care (garbage first: it is never collected after)
            gc.collect()
            gc.freeze()

    def scan_started(self) -> None:
        """A scan has begun: its progress bar shows if it still runs after
        :data:`PROGRESS_DELAY` (on the event loop; no disk I/O)."""
        if self._progress_timer is not None:
            self._progress_timer.stop()
        self._progress_timer = self.set_timer(PROGRESS_DELAY, self.show_scan_progress)

    def show_scan_progress(self) -> None:
        """The scan has run a while: show how far it is."""
        self._progress_timer = None
        self.query_one("#scan-progress", ProgressBar).display = True

    def scan_finished(self) -> None:
        """The scan is over: the bar goes (or never shows)."""
        if self._progress_timer is not None:
            self._progress_timer.stop()
            self._progress_timer = None
        self.query_one("#scan-progress", ProgressBar).display = False

    def action_down(self) -> None:
        """Move the cursor down a row."""
        self.query_one(LibraryTable).action_cursor_down()

    def action_up(self) -> None:
        """Move the cursor up a row."""
        self.query_one(LibraryTable).action_cursor_up()

    def action_first(self) -> None:
        """Move the cursor to the first row."""
        self.query_one(LibraryTable).action_scroll_top()

    def action_last(self) -> None:
        """Move the cursor to the last row."""
        self.query_one(LibraryTable).action_scroll_bottom()

    def action_rescan(self) -> None:
        """Scan the folder again."""
        self.scan()

    def action_toggle_hidden(self) -> None:
        """Show or hide stories carrying the warnings the reader chose to hide."""
        self.show_hidden = not self.show_hidden
        self.refresh_rows()
        shown = "shown" if self.show_hidden else "hidden"
        if self.mutes:
            self.notify(f"Muted stories and stories with hidden warnings are {shown}.", timeout=2)
        else:
            self.notify(f"Stories with hidden warnings are {shown}.", timeout=2)

    def action_status(self) -> None:
        """Set the reading status of the highlighted story."""
        table = self.query_one(LibraryTable)
        key = table.current_key()
        if key == CONTINUE_KEY:
            target = self.continue_target(list(table.rows_by_key.values()))
            row = target[0] if target else None
        else:
            row = table.rows_by_key.get(key or "")
        if row is None or row.entry.error or not row.entry.story_id:
            return
        story_id = row.entry.story_id
        store = self.store

        def chosen(status: str | None) -> None:
            """Keep the choice and show it."""
            if status is not None:
                store.set_status(story_id, status or None)
                self.reload_rows()

        self.app.push_screen(StatusDialog(row.entry.title, store.status(story_id)), chosen)

    def action_mute(self) -> None:
        """Mute (or unmute) the highlighted story's author, a fandom, a relationship or a tag."""
        row = self.highlighted_row()
        if row is None or row.entry.error:
            return
        keys = frozenset(m.key for m in self.mutes)
        dialog = MuteDialog(row.entry.title, mute_choices(row.entry), keys)
        self.app.push_screen(dialog, self.mute_chosen)

    def mute_chosen(self, choice: MuteChoice | None) -> None:
        """Mute the chosen name (unmute it when it was muted); the library follows at once."""
        if choice is None:
            return
        kind, name = choice
        label = MUTE_LABELS.get(kind, kind)
        if any(m.key == mute_key(kind, name) for m in self.mutes):
            self.store.unmute(kind, name)
            self.notify(f"{label} {name} unmuted", timeout=3)
        else:
            self.store.mute(kind, name)
            hint = "" if self.show_hidden else " (h shows muted stories)"
            self.notify(f"{label} {name} muted{hint}", timeout=3)
        self.mutes = self.store.mutes()
        self.refresh_rows()

    def highlighted_row(self) -> LibraryRow | None:
        """The row under the cursor (the Continue row's story), or None."""
        table = self.query_one(LibraryTable)
        key = table.current_key()
        if key == CONTINUE_KEY:
            target = self.continue_target(list(table.rows_by_key.values()))
            return target[0] if target else None
        return table.rows_by_key.get(key or "")

    def show_mutes(self) -> None:
        """The review screen of every mute; back here, the library follows what was unmuted."""
        self.app.push_screen(lazy.name(lazy.MUTES, "MutesScreen")(self.store, self.entries))

    def muted_story_ids(self) -> frozenset[str]:
        """Ids of the stories the reader's mutes leave out (none while ``h`` shows them)."""
        if self.show_hidden or not self.mutes:
            return frozenset()
        index = mute_index(self.mutes)
        return frozenset(
            e.story_id for e in self.entries if e.story_id and muted_by(e, index) is not None
        )

    # --- rows -------------------------------------------------------------------------------

    def reload_rows(self) -> None:
        """Re-read the reader's state for every entry (after a scan, a story, a status change).

        Filtering and sorting reuse these rows, so a keystroke in the filter reads no state.
        """
        store = self.store
        last_read: dict[str, float] = {}
        for item in reversed(store.history(limit=1000)):
            last_read[item.story_id] = item.when
        statuses = store.statuses()
        seen = store.seen()
        rows = []
        for entry in self.entries:
            read = 0
            seen_count = seen.get(entry.story_id or "")
            seen_finished = False
            if entry.story_id and not entry.error:
                chapters = store.chapters_read(entry.story_id)
                read = len({c for c in chapters if c < entry.chapters})
                seen_finished = seen_count is not None and seen_count - 1 in chapters
            rows.append(
                LibraryRow(
                    entry,
                    read=read,
                    last_read=last_read.get(entry.story_id or ""),
                    status=statuses.get(entry.story_id or ""),
                    seen=seen_count,
                    seen_finished=seen_finished,
                )
            )
        self.rows = rows
        self.mutes = store.mutes()
        self.continue_row = self.continue_target(rows)
        self.refresh_rows()

    def continue_target(self, rows: list[LibraryRow]) -> tuple[LibraryRow, int] | None:
        """The most recent history entry that is a story in this library, and its chapter (the
        first new one when the reader had finished the old last chapter and more came since)."""
        by_id = {r.entry.story_id: r for r in rows if r.entry.story_id and not r.entry.error}
        for item in self.store.history(limit=50):
            if item.story_id in by_id:
                row = by_id[item.story_id]
                return row, row.resume_chapter(item.chapter)
        return None

    def refresh_rows(self) -> None:
        """Rebuild the table from the rows, the filter and the sort order."""
        result = query_rows(
            self.rows,
            self.filter_text,
            sort_column=self.sort_column,
            reverse=self.sort_reverse,
            hidden_warnings=self.store.prefs().hidden_warnings,
            mutes=self.mutes,
            show_hidden=self.show_hidden,
        )
        ordered, self.hidden_count, self.muted_count = result.rows, result.hidden, result.muted
        self.filtered_count = len(ordered) if self.filter_text else None
        continue_row = None
        if not self.filter_text and self.continue_row and self.continue_row[0] in ordered:
            continue_row = self.continue_row
        table = self.query_one(LibraryTable)
        with_status = any(map(attrgetter("status"), ordered))
        table.fit_widths(self.size.width or self.app.size.width, with_status)
        table.show(
            ordered,
            sort_column=self.sort_column,
            reverse=self.sort_reverse,
            continue_row=continue_row,
        )
        self.update_title()
        self.update_summary()

    def update_title(self) -> None:
        """The title line: folder, counts, and how many stories are hidden."""
        if not self.scanned:
            return
        counted = self._good_count
        if counted is None or counted[0] is not self.entries:  # counted once per list
            counted = self._good_count = (self.entries, sum(1 for e in self.entries if not e.error))
        good = counted[1]
        title = f"Library · {display_text(self.library.root.name)} · {good} stories"
        if good != len(self.entries):
            title += f" · {len(self.entries) - good} cannot be opened"
        if self.filtered_count is not None:
            title += f" · {self.filtered_count} shown by the filter"
        if self.hidden_count and self.muted_count:
            title += f" · {self.hidden_count} hidden, {self.muted_count} muted (h shows them)"
        elif self.hidden_count:
            title += f" · {self.hidden_count} hidden by your warning choices (h shows them)"
        elif self.muted_count:
            title += f" · {self.muted_count} muted (h shows them)"
        elif self.show_hidden and self.mutes:
            title += " · muted stories shown (h hides them)"
        if title != self._title_shown:  # the same line again costs no redraw
            self._title_shown = title
            self.query_one("#library-title", Static).update(Text(title), layout=False)

    def on_resize(self) -> None:
        """Titles and authors get the room there is."""
        if self.scanned and self.query_one(LibraryTable).fit_widths(self.size.width):
            self.refresh_rows()

    def on_screen_resume(self) -> None:
        """Coming back from a story: progress and "continue" may have changed."""
        if self.scanned:
            self.reload_rows()

    # --- summary line -----------------------------------------------------------------------

    def update_summary(self) -> None:
        """Show the highlighted story's summary, or why it cannot be opened."""
        summary = _FixedSize(self.query_one("#library-summary", Static))
        table = self.query_one(LibraryTable)
        key = table.current_key()
        shown = (key, table.rows_by_key.get(key or ""), self.scanned, self.show_hidden)
        refs = (self.entries, self.mutes, self.library)
        last = self._summary_of
        if last is not None and last[0] == shown and all(map(operator.is_, refs, last[1])):
            return  # the same story as shown: nothing to redraw
        self._summary_of = (shown, refs)
        if not self.entries and self.scanned:
            summary.update(Text("No stories in this folder."))
            return
        if key == CONTINUE_KEY:
            target = self.continue_row
            if target is not None and target[0].new_chapters and target[1] == target[0].seen:
                summary.update(Text(f"Enter opens chapter {target[1] + 1}, the first new one."))
            else:
                summary.update(Text("Enter resumes where you left off."))
            return
        row = table.rows_by_key.get(key or "")
        if row is None:
            summary.update("")
            return
        entry = row.entry
        if entry.error:
            name = display_path(entry.path, self.library.root)
            summary.update(Text(f"{name}: {display_text(entry.error)}", style="dim"))
            return
        text = Text()
        why = muted_by(entry, mute_index(self.mutes)) if self.show_hidden else None
        if why is not None:
            text.append(f"Muted ({display_text(why)}).", style="bold")
            text.append("  ")
        if entry.fandoms:
            text.append(", ".join(entry.fandoms), style="bold")
            text.append("  ")
        if entry.also:  # other files of this story: the newest one is listed
            others = ", ".join(display_path(p, self.library.root) for p in entry.also)
            text.append(f"Also in: {others}", style="dim")
            text.append("  ")
        text.append(collapse_whitespace(entry.summary or "No summary."))
        summary.update(text)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Follow the cursor with the summary line."""
        self.update_summary()

    # --- opening ----------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        """Enter (or a click) on a row opens it."""
        event.stop()
        self.open_key(event.row_key.value)

    def action_open(self) -> None:
        """Open the highlighted story."""
        self.open_key(self.query_one(LibraryTable).current_key())

    def open_key(self, key: str | None) -> None:
        """Open the story of a row key (the continue row resumes its chapter)."""
        if key is None:
            return
        if key == CONTINUE_KEY:
            target = self.continue_target(list(self.query_one(LibraryTable).rows_by_key.values()))
            if target is not None:
                self.post_message(OpenStory(target[0].entry, chapter=target[1]))
            return
        row = self.query_one(LibraryTable).rows_by_key.get(key)
        if row is not None:
            self.post_message(OpenStory(row.entry))

    # --- sorting ----------------------------------------------------------------------------

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        """A click on a header sorts by it (again: reverses)."""
        column = str(event.column_key.value)
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, False
        self.refresh_rows()

    def action_sort_next(self) -> None:
        """Sort by the next column."""
        keys = [k for k, _ in self.query_one(LibraryTable).columns_shown()]
        if self.sort_column not in keys:
            self.sort_column = keys[-1]
        self.sort_column = keys[(keys.index(self.sort_column) + 1) % len(keys)]
        self.sort_reverse = False
        self.refresh_rows()
        self.notify(f"Sorted by {dict(COLUMNS)[self.sort_column]}", timeout=1.5)

    def action_sort_reverse(self) -> None:
        """Reverse the order."""
        self.sort_reverse = not self.sort_reverse
        self.refresh_rows()

    # --- filtering --------------------------------------------------------------------------

    def filter_box(self) -> Input | None:
        """The filter input, None before it was first shown."""
        boxes = self.query("#filter")
        return boxes.first(Input) if boxes else None

    def action_filter(self) -> None:
        """Show and focus the filter input (mounted under the title the first time); the
        stories' match keys are listed now, so the first letter typed only ranks them."""
        prepare_filter(self.rows)
        box = self.filter_box()
        if box is None:
            box = Input(placeholder=FILTER_PLACEHOLDER, id="filter")
            self.mount(box, after="#library-title")
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        """Filter as the reader types."""
        self.filter_text = event.value.strip()
        self.refresh_rows()
        table = self.query_one(LibraryTable)
        if table.row_count:
            table.move_cursor(row=0)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter goes to the (filtered) table."""
        self.query_one(LibraryTable).focus()

    def action_clear_filter(self) -> None:
        """Escape: clear and hide the filter (or go back when there is none)."""
        box = self.filter_box()
        if box is not None and (box.display or self.filter_text):
            box.value = ""
            box.display = False
            self.filter_text = ""
            self.refresh_rows()
            self.query_one(LibraryTable).focus()
