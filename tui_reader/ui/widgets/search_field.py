"""The reader's search field: opens with the last search, enter searches, escape closes."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input


class SearchField(Input):
    """A one-line search field, hidden until opened; it posts :class:`SearchField.Search`."""

    class Search(Message):
        """The reader asked to search for ``query``."""

        def __init__(self, query: str) -> None:
            """What to search for."""
            super().__init__()
            self.query = query
            """The text typed."""

    class Closed(Message):
        """The field was closed (the reading view takes the focus back)."""

    def on_mount(self) -> None:
        """Hidden until opened."""
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
        self.post_message(self.Closed())
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: close and search."""
        event.stop()
        self.close()
        self.post_message(self.Search(event.value))

    def on_key(self, event: events.Key) -> None:
        """Escape closes the field."""
        if event.key == "escape":
            event.stop()
            self.close()
