"""Every bookmark across the library (``B``): jump to one, edit its note, delete it."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_reader.state import Bookmark, StateStore
from tui_reader.text import collapse_whitespace, relative_date, shorten
from tui_reader.ui.bindings import bindings
from tui_reader.ui.dialogs.bookmark_note import BookmarkNoteDialog
from tui_reader.ui.widgets.footer import KeysFooter


def bookmark_prompt(bookmark: Bookmark, now: float | None = None) -> Group:
    """The story, chapter and age on one line; the note and the snippet below, indented by two
    cells also where they wrap (plain text)."""
    head = Text()
    head.append(bookmark.story_title or "Untitled", style="bold")
    head.append(f"  Chapter {bookmark.chapter + 1}, paragraph {bookmark.paragraph + 1}")
    head.append(f"  · {relative_date(bookmark.created, now)}", style="dim")
    lines: list[RenderableType] = [head]
    if bookmark.note:
        lines.append(Padding(Text(bookmark.note, style="italic"), (0, 0, 0, 2)))
    if bookmark.snippet:
        snippet = shorten(collapse_whitespace(bookmark.snippet), 160)
        lines.append(Padding(Text(snippet, style="dim"), (0, 0, 0, 2)))
    return Group(*lines)


class BookmarksScreen(Screen[Bookmark | None]):
    """Lists the reader's bookmarks, newest first; dismisses with the one to open."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("bookmarks")

    CSS_PATH = "bookmarks.tcss"
    """Its layout and colours."""

    def __init__(self, store: StateStore) -> None:
        """List the bookmarks kept in ``store``."""
        super().__init__()
        self.store = store
        """The reader's state."""
        self.items: list[Bookmark] = []
        """The bookmarks listed, in order."""

    def compose(self) -> ComposeResult:
        """A title, the list and the footer."""
        yield Static("Bookmarks", id="bookmarks-title")
        yield OptionList(id="bookmarks-list")
        yield KeysFooter()

    def on_mount(self) -> None:
        """Fill the list."""
        self.refresh_list()
        self.query_one(OptionList).focus()

    def refresh_list(self, keep: int = 0) -> None:
        """Re-read the bookmarks and keep the cursor near ``keep``."""
        self.items = self.store.bookmarks()
        listing = self.query_one(OptionList)
        listing.clear_options()
        if not self.items:
            empty = Text("No bookmarks yet: press m while reading.")
            listing.add_option(Option(empty, disabled=True))
            return
        listing.add_options([Option(bookmark_prompt(b), id=b.id) for b in self.items])
        listing.highlighted = min(keep, len(self.items) - 1)

    def _current(self) -> Bookmark | None:
        """The bookmark under the cursor."""
        index = self.query_one(OptionList).highlighted
        if index is None or not self.items or index >= len(self.items):
            return None
        return self.items[index]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Open the chosen bookmark."""
        for bookmark in self.items:
            if bookmark.id == event.option.id:
                self.dismiss(bookmark)
                return

    def action_edit(self) -> None:
        """Edit the note of the bookmark under the cursor."""
        bookmark = self._current()
        if bookmark is None:
            return
        index = self.items.index(bookmark)

        def done(note: str | None) -> None:
            """Save the new note unless cancelled."""
            if note is not None:
                self.store.update_bookmark(bookmark.id, note)
                self.refresh_list(index)

        self.app.push_screen(BookmarkNoteDialog(bookmark.note), done)

    def action_delete(self) -> None:
        """Delete the bookmark under the cursor."""
        bookmark = self._current()
        if bookmark is None:
            return
        index = self.items.index(bookmark)
        self.store.delete_bookmark(bookmark.id)
        self.refresh_list(max(0, index - 1) if index >= len(self.items) - 1 else index)
        self.notify(f"Bookmark in {bookmark.story_title} deleted")

    def action_close(self) -> None:
        """Back without opening anything."""
        self.dismiss(None)
