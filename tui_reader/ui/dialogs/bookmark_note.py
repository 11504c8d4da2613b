"""A small dialog asking for an optional note when adding a bookmark."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui_reader.ui.bindings import bindings


class BookmarkNoteDialog(ModalScreen[str | None]):
    """Shows the paragraph's snippet and asks for a note: enter saves, escape cancels."""

    CSS_PATH = "bookmark_note.tcss"
    """Its layout and colours."""
    """A centred box."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("bookmark_note")
    """escape cancels."""

    def __init__(self, snippet: str) -> None:
        """Ask for a note for a bookmark at the paragraph starting ``snippet``."""
        super().__init__()
        self.snippet = snippet
        """The start of the bookmarked paragraph (story text, shown plain)."""

    def compose(self) -> ComposeResult:
        """Title, snippet, the note field."""
        with Vertical(id="dialog"):
            yield Static("Bookmark this place", id="bookmark-title", markup=False)
            yield Static(Text(self.snippet), id="bookmark-snippet")
            yield Input(placeholder="Note (optional) — enter saves, escape cancels", id="note")

    def on_mount(self) -> None:
        """Focus the note field."""
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Save with the note typed (possibly empty)."""
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        """Close without a bookmark."""
        self.dismiss(None)
