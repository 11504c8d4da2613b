"""Every message the UI posts between its parts: widgets and workers to screens, screens to the app.

Children post, their screen (or the app) routes: no part reaches into another. A scroll burst
posts :class:`AnchorChanged` per line; a newer one replaces one still queued (``can_replace``), so
the screen saves the place and updates the header once per burst, for where the reader is now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message
from textual.widget import Widget

from tui_reader.reading import Anchor, Target

if TYPE_CHECKING:  # (only the library screen posts it: the library is not imported to start)
    from tui_reader.library import LibraryEntry


class ChapterReady(Message):
    """The chapter bodies a move waited for are parsed (posted from a worker thread)."""

    def __init__(self, target: Target) -> None:
        """The move that waited."""
        super().__init__()
        self.target = target
        """Where the reader was going."""


class NotesPreferenceChanged(Message):
    """The reader changed how author's notes show by default (folded, unfolded, hidden)."""

    def __init__(self, mode: str) -> None:
        """The new default."""
        super().__init__()
        self.mode = mode
        """folded, unfolded or hidden."""


class SearchReady(Message):
    """Every chapter is parsed: the search can run (posted from a worker thread)."""

    def __init__(self, query: str) -> None:
        """The search that waited."""
        super().__init__()
        self.query = query
        """What the reader searched for."""


class OpenStory(Message):
    """Open a library entry (the app runs the open flow: warning, then the reader)."""

    def __init__(self, entry: LibraryEntry, *, chapter: int | None = None) -> None:
        """Open ``entry`` (at the start of ``chapter`` when given)."""
        super().__init__()
        self.entry = entry
        """The story to open."""
        self.chapter = chapter
        """The chapter to open at (None: the saved place)."""


class AnchorChanged(Message):
    """The reader scrolled: the anchor (what is at the top of the view) changed."""

    def __init__(self, view: Widget, anchor: Anchor, last_item: int, move: int = 0) -> None:
        """Record the new anchor, the last item visible on screen and the move's number."""
        super().__init__()
        self.view = view
        """The view that scrolled."""
        self.anchor = anchor
        """The new anchor."""
        self.last_item = last_item
        """Index of the last item with a line on screen."""
        self.move = move
        """The view's count of anchor changes when this one was posted (a screen that already
        followed the view this far, or further, has nothing left to do for it)."""

    def can_replace(self, message: Message) -> bool:
        """A newer place of the same view replaces one not yet handled (a scroll burst)."""
        return isinstance(message, AnchorChanged) and message.view is self.view


class ReachedEnd(Message):
    """The reader paged past the end of the view's items."""


class ReachedStart(Message):
    """The reader paged back past the view's first line."""


class NotesToggled(Message):
    """Author's notes were folded or unfolded on screen."""

    def __init__(self, keys: list[str], folded: bool) -> None:
        """Record which notes and the new state."""
        super().__init__()
        self.keys = keys
        """The note keys toggled."""
        self.folded = folded
        """True when they are now folded."""


class SearchRequested(Message):
    """The reader asked the search field to search the story."""

    def __init__(self, query: str) -> None:
        """The words searched for."""
        super().__init__()
        self.query = query
        """What the reader typed."""


class SearchClosed(Message):
    """The search field closed (the reading view takes the focus back)."""
