"""The reader's header: story title, chapter count, chapter title, words and time left."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from tui_reader.reading import HeaderInfo

__all__ = ["HeaderInfo", "ReaderHeader", "chapter_count", "format_minutes"]


def format_minutes(minutes: float) -> str:
    """ "5 min", "2 h 05 min", "< 1 min"."""
    whole = round(minutes)
    if whole < 1:
        return "< 1 min"
    if whole < 60:
        return f"{whole} min"
    return f"{whole // 60} h {whole % 60:02d} min"


def chapter_count(info: HeaderInfo) -> str:
    """ "Chapter 3 of 20 · 5 available", or "Chapter 3 of 5"."""
    total = info.chapters_total
    if total is None or total <= info.chapters_present:
        return f"Chapter {info.chapter_number} of {info.chapters_present}"
    return f"Chapter {info.chapter_number} of {total} · {info.chapters_present} available"


class ReaderHeader(Widget):
    """Two lines above the text: where the reader is and how long is left.

    A fixed-height widget that only repaints (never asks for a new layout) when it changes, so
    a page turn stays cheap.
    """

    """A two-line panel."""

    def __init__(self, *, id: str | None = None) -> None:
        """An empty header."""
        super().__init__(id=id)
        self._text = Text()
        """What is shown."""
        self._info: HeaderInfo | None = None
        """The info shown last."""

    def render(self) -> Text:
        """The two lines."""
        return self._text

    def show(self, info: HeaderInfo) -> None:
        """Show ``info`` (plain text: the titles are story text, never markup)."""
        if info == self._info:
            return
        self._info = info
        top = Text(no_wrap=True, overflow="ellipsis")
        top.append(info.story_title, style="bold")
        top.append("  ·  ")
        top.append(chapter_count(info))
        if info.whole_work:
            top.append("  ·  whole work", style="italic")
        bottom = Text(no_wrap=True, overflow="ellipsis")
        bottom.append(info.chapter_title, style="italic")
        bottom.append(f"  ·  {info.chapter_words:,} words")
        bottom.append(f"  ·  {format_minutes(info.minutes_chapter)} left in chapter")
        bottom.append(f"  ·  {format_minutes(info.minutes_story)} left in story")
        self._text = Text("\n").join([top, bottom])
        self.refresh()
