"""The baseline for first-frame timings: Textual's own Markdown widget showing a chapter.

Run as ``python benchmarks/markdown_baseline.py CHAPTER.md``: the file's text goes into one
``Markdown`` widget in a scrolling container, the way a simple Textual reader would show it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown


class MarkdownBaseline(App[None]):
    """A chapter in Textual's Markdown widget."""

    def __init__(self, text: str) -> None:
        """Keep the chapter's Markdown text."""
        super().__init__()
        self.text = text
        """The chapter as Markdown."""

    def compose(self) -> ComposeResult:
        """A scrolling container holding the Markdown widget."""
        with VerticalScroll():
            yield Markdown(self.text)


if __name__ == "__main__":
    MarkdownBaseline(Path(sys.argv[1]).read_text(encoding="utf-8")).run()
