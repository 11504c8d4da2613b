"""A small dialog asking for an optional note when adding a bookmark."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from tui_reader.reading import Anchor, ReadingSession
from tui_reader.ui.bindings import bindings


class BookmarkNoteDialog(ModalScreen[str | None]):
    """Shows the paragraph's snippet and asks for a note: enter saves, escape cancels."""

    CSS_PATH = "bookmark_note.tcss"
    """A centred box."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("bookmark_note")
    """escape cancels."""

    def __init__(self, snippet: str) -> None:
        """Ask for a note for a bookmark at the paragraph starting ``snippet``."""
        super().__init__()
        self.snippet = snippet
        """The start of the bookmarked paragraph (story text, shown plain)."""

    @classmethod
    def ask(cls, screen: Screen[Any], session: ReadingSession, anchor: Anchor) -> None:
        """Bookmark the paragraph at ``anchor`` with the note asked over ``screen``; says
        "Bookmarked." once it is on disk, or that it could not be saved."""
        pos = session.position(anchor)
        snippet = session.snippet(pos)
        notify = screen.app.notify  # (the screen may be closed by the time it is saved)

        def told(error: str | None) -> None:
            """Say whether the bookmark reached the disk."""
            if error is None:
                notify("Bookmarked.", timeout=2)
            else:
                notify(
                    f"Bookmark kept for this session only: it could not be saved ({error}).",
                    severity="warning",
                    timeout=8,
                )

        def saved(note: str | None) -> None:
            """Add the bookmark unless cancelled."""
            if note is not None:
                session.add_bookmark(pos, note, snippet)
                session.store.when_saved(told)

        screen.app.push_screen(cls(snippet), saved)

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
