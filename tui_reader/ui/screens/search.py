"""The library-wide search screen (``ctrl+f`` or ``S``): ranked paragraphs, enter opens one.

The FTS5 index is brought up to date in a worker thread with a progress bar (escape stops it
before the next file is stored; what was indexed is kept and the next search goes on); queries
run as the reader types (each in its own worker, newest wins) and work on whatever is indexed so
far. The
screen keeps one :class:`SearchIndex` for both (it is thread-safe), so an index that had to live
in memory (a read-only or full data dir) is the one searched; what goes wrong is said on the
status line and never ends the session. Snippets are story text: shown as plain
:class:`rich.text.Text` with the matches styled.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tui_reader.paths import display_text
from tui_reader.search import SearchHit, SearchIndex, build_query
from tui_reader.text import collapse_whitespace
from tui_reader.ui.bindings import bindings
from tui_reader.ui.widgets.footer import KeysFooter


def hit_prompt(hit: SearchHit) -> Text:
    """Two lines for a result: the story and chapter, then the snippet with matches styled."""
    text = Text()
    text.append(display_text(hit.title), style="bold")
    text.append(f"  {display_text(hit.chapter_title)}, paragraph {hit.paragraph + 1}", style="dim")
    text.append("\n")
    plain = hit.plain_snippet()
    snippet = Text(collapse_whitespace(plain) if "\n" not in plain else plain.replace("\n", " "))
    for start, end in hit.highlights():
        snippet.stylize("bold reverse", start, end)
    text.append_text(snippet)
    return text


class SearchScreen(Screen[SearchHit | None]):
    """Search every story in the library; dismisses with the chosen hit (or None)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("search")

    CSS_PATH = "search.tcss"
    """Its layout and colours."""

    def __init__(
        self,
        library: Path,
        data_dir: Path,
        hide_warnings: frozenset[str],
        *,
        hide_stories: frozenset[str] = frozenset(),
        hide_files: frozenset[str] = frozenset(),
    ) -> None:
        """Search ``library``, keeping the index under ``data_dir``."""
        super().__init__()
        self.library = library
        """The library folder searched."""
        self.data_dir = data_dir
        """Where the index cache lives."""
        self.hide_warnings = hide_warnings
        """Stories carrying any of these warnings are left out of the results."""
        self.hide_stories = hide_stories
        """Ids of the stories the reader's mutes leave out of the results."""
        self.hide_files = hide_files
        """Files left out of the results: the other files of a story the library lists from
        its newest (:func:`~tui_reader.search.other_files`), so a story is found once."""
        self.hits: list[SearchHit] = []
        """The results now listed."""
        self.indexing = True
        """True while the index is being brought up to date."""
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()
        self._closed = False

    def compose(self) -> ComposeResult:
        """The query box, the indexing progress, the results."""
        with Vertical(id="search-box"):
            yield Input(
                placeholder='Search every story: words, "a phrase", pref*',
                id="search-input",
            )
            yield ProgressBar(id="search-progress", show_eta=False)
            yield Static("", id="search-status", markup=False)
        yield OptionList(id="search-results")
        yield KeysFooter()

    def on_mount(self) -> None:
        """Start indexing and put the cursor in the query box."""
        self.query_one("#search-input", Input).focus()
        self.update_index()

    def index(self) -> SearchIndex:
        """The screen's index, opened on first use (from a worker thread)."""
        with self._index_lock:
            if self._index is None:
                self._index = SearchIndex(self.library, self.data_dir)
            return self._index

    def on_unmount(self) -> None:
        """Close the index once no worker uses it."""
        with self._index_lock:
            self._closed = True
            if self._index is not None and not self.indexing:
                self._index.close()

    @work(thread=True, group="search-index")
    def update_index(self) -> None:
        """Bring the index up to date, reporting progress; a failure is said, not raised."""
        import sqlite3  # (in this worker: the index module loads SQLite when it opens one)

        problem = None
        try:
            index = self.index()
            worker = get_current_worker()
            index.update(
                lambda done, total: self.app.call_from_thread(self._progress, done, total),
                stop=lambda: worker.is_cancelled or self._closed,
            )
            problem = index.problem
        except (OSError, sqlite3.Error) as exc:
            problem = display_text(f"The library could not be indexed ({exc}).")
        with self._index_lock:
            self.indexing = False
            closed = self._closed
            if closed and self._index is not None:
                self._index.close()
        if not closed:
            self.app.call_from_thread(self._indexed, problem)

    def _progress(self, done: int, total: int) -> None:
        """Show indexing progress."""
        if self._closed:
            return
        bar = self.query_one("#search-progress", ProgressBar)
        bar.update(total=total, progress=done)
        self._status(f"Indexing the library: {done} of {total} files")

    def _indexed(self, problem: str | None = None) -> None:
        """Indexing finished: hide the bar, say what went wrong, re-run the query."""
        if problem:
            self.notify(problem, severity="warning", timeout=8)
        self.query_one("#search-progress", ProgressBar).display = False
        value = self.query_one("#search-input", Input).value
        if build_query(value):
            self.run_query(value)
        else:
            self._status("Type to search; enter on a result opens the story there.")

    def _status(self, message: str) -> None:
        """Set the line under the query box."""
        self.query_one("#search-status", Static).update(Text(display_text(message)))

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search as the reader types."""
        if build_query(event.value):
            self.run_query(event.value)
        else:
            self._show([], event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the query box moves to the results."""
        self.action_focus_results()

    @work(thread=True, exclusive=True, group="search-query")
    def run_query(self, query: str) -> None:
        """Run one query in a worker; the newest query wins."""
        import sqlite3  # (in this worker, as in update_index)

        try:
            hits = self.index().search(
                query,
                limit=50,
                hide_warnings=self.hide_warnings,
                hide_stories=self.hide_stories,
                hide_files=self.hide_files,
            )
        except (OSError, sqlite3.Error):
            hits = []  # the indexing worker says what is wrong
        if not get_current_worker().is_cancelled and not self._closed:
            self.app.call_from_thread(self._show, hits, query)

    def _show(self, hits: list[SearchHit], query: str) -> None:
        """List ``hits``."""
        self.hits = hits
        results = self.query_one("#search-results", OptionList)
        results.clear_options()
        results.add_options([Option(hit_prompt(hit), id=str(i)) for i, hit in enumerate(hits)])
        if not query.strip():
            self._status("Type to search; enter on a result opens the story there.")
        elif hits:
            more = " (still indexing)" if self.indexing else ""
            self._status(f"{len(hits)} matching paragraphs for {query}{more}")
        else:
            more = " yet (still indexing)" if self.indexing else ""
            self._status(f"No matches for {query}{more}")

    def action_focus_results(self) -> None:
        """Move the cursor to the results."""
        results = self.query_one("#search-results", OptionList)
        if self.hits:
            results.focus()
            if results.highlighted is None:
                results.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Open the chosen result."""
        index = int(event.option.id or 0)
        if 0 <= index < len(self.hits):
            self.dismiss(self.hits[index])

    def action_close(self) -> None:
        """Back without choosing; an index build still running stores no further file.

        (Leaving the screen unmounts it, which marks it closed and cancels its workers; the
        build's ``stop`` sees either.)
        """
        self.dismiss(None)
