"""The floor for first-frame timings: an empty Textual app that shows one fixed word.

Run as ``python benchmarks/floor_app.py``; the first-frame case waits for :data:`WORD`.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

WORD = "Floorboard"
"""The word the app shows."""


class FloorApp(App[None]):
    """Nothing but one word: the least a Textual app can put on screen."""

    def compose(self) -> ComposeResult:
        """One Static with :data:`WORD`."""
        yield Static(WORD)


if __name__ == "__main__":
    FloorApp().run()
