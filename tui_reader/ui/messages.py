"""Messages the UI posts between its parts: workers to screens, widgets and screens to the app."""

from __future__ import annotations

from textual.message import Message

from tui_reader.library import LibraryEntry
from tui_reader.reading import Target


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
