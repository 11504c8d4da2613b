"""The reader's search field: opens with the last search, enter searches, escape closes."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input

from tui_reader.ui.messages import SearchClosed, SearchRequested


class SearchField(Input):
    """A one-line search field, hidden until opened.

    It posts :class:`SearchRequested` and :class:`SearchClosed`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As :class:`~textual.widgets.Input`, hidden until opened."""
        super().__init__(*args, **kwargs)
        self.display = False

    def open(self, text: str) -> None:
        """Show the field holding ``text`` and take the focus."""
        self.display = True
        self.value = text
        self.focus()

    def close(self) -> bool:
        """Hide the field; True when it was shown."""
        if not self.display:
            return False
        self.display = False
        self.post_message(SearchClosed())
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: close and search."""
        event.stop()
        self.close()
        self.post_message(SearchRequested(event.value))

    def on_key(self, event: events.Key) -> None:
        """Escape closes the field."""
        if event.key == "escape":
            event.stop()
            self.close()
