"""The blank bottom screen under a single story's warning (its own module: a Screen subclass
costs ~2 M instructions to define, and a story that opens on its text never needs this one)."""

from __future__ import annotations

from textual.screen import Screen


class StoryOnlyScreen(Screen[None]):
    """The blank bottom screen when one story file was opened and a warning comes first.

    The app quits when the story's reading screen is dismissed or its warning declined
    (:meth:`~tui_reader.ui.app.TuiReaderApp.story_closed`), so a reader never lands here.
    (Without a warning the reading screen itself is the bottom screen:
    :meth:`~tui_reader.ui.app.TuiReaderApp.get_default_screen`.)
    """
