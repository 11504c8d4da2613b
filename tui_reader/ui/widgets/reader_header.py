"""The reader's header: story title, chapter count, chapter title, words and time left."""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from tui_reader.reading import HeaderInfo
from tui_reader.text import shorten
from tui_reader.ui.widgets.repaint import repaint_changed

__all__ = ["HeaderInfo", "ReaderHeader", "chapter_count", "format_minutes"]


def format_minutes(minutes: float) -> str:
    """ "5 min", "2 h 05 min", "< 1 min"."""
    whole = round(minutes)
    if whole < 1:
        return "< 1 min"
    if whole < 60:
        return f"{whole} min"
    return f"{whole // 60} h {whole % 60:02d} min"


def chapter_count(info: HeaderInfo, *, indexing: bool = False) -> str:
    """ "Chapter 3 of 20 · 5 available", or "Chapter 3 of 5".

    ``indexing``: only the chapters up to this one are read yet (first chapter first), so how
    many the file holds is not known: "Chapter 1", or "Chapter 1 of 20" when the story says
    how many are planned.
    """
    total = info.chapters_total
    if indexing:
        return f"Chapter {info.chapter_number}" + (f" of {total}" if total else "")
    if total is None or total <= info.chapters_present:
        return f"Chapter {info.chapter_number} of {info.chapters_present}"
    return f"Chapter {info.chapter_number} of {total} · {info.chapters_present} available"


MIN_TITLE_CELLS = 16
"""The fewest cells a shortened chapter title keeps beside the time left in the chapter (on a
narrower line the title comes first and the rest is cut)."""


def fit_line(line: Text, width: int) -> Text:
    """``line`` in ``width`` cells: cut at a word and ended with "…" when it is wider."""
    if width <= 0 or line.cell_len <= width:
        return line
    for limit in range(min(width, len(line.plain)), 0, -1):
        shown = shorten(line.plain, limit)
        if cell_len(shown) <= width:
            break
    cut = line[: len(shown) - 1]
    cut.append("…")
    return cut


class ReaderHeader(Widget):
    """Two lines above the text: where the reader is and how long is left.

    A fixed-height widget that only repaints (never asks for a new layout) when it changes, so
    a page turn stays cheap.
    """

    """A two-line panel."""

    def __init__(self, *, id: str | None = None) -> None:
        """An empty header."""
        super().__init__(id=id)
        self._info: HeaderInfo | None = None
        """The info shown last."""
        self._indexing = False
        """True while the story is still being read past the chapter shown (its chapter count
        and time left are not known yet)."""
        self._lines: tuple[tuple[object, ...], list[Strip]] | None = None
        """(what they show, the width, the style; the two lines) as last drawn."""

    def render(self) -> Text:
        """The two lines as text, fitted to the width (see :meth:`fit`): what the header shows
        (it draws them line by line: :meth:`render_line`)."""
        return self.fit(self.size.width) if self._info is not None else Text()

    def render_line(self, y: int) -> Strip:
        """Line ``y``: the two lines fitted to the width (see :meth:`fit`), drawn from the
        text's own segments over the header's style (no Rich console render: a page turn
        changes the time left, and only the line that shows it is drawn again)."""
        lines = self._drawn()
        if 0 <= y < len(lines):
            return lines[y]
        return Strip.blank(self.size.width, self.visual_style.rich_style)

    def _drawn(self) -> list[Strip]:
        """The lines for the info, width and style in force (drawn once for each)."""
        width = self.size.width
        base = self.visual_style.rich_style
        key = (self._info, self._indexing, width, base)
        if self._lines is not None and self._lines[0] == key:
            return self._lines[1]
        lines: list[Strip] = []
        if self._info is not None and width > 0:
            console = self.app.console
            for line in self.fit(width).split("\n"):
                segments = [Segment(t, base + s) for t, s, _ in line.render(console) if t]
                lines.append(Strip(segments).crop(0, width))
        self._lines = (key, lines)
        return lines

    def fit(self, width: int) -> Text:
        """The two lines in ``width`` cells.

        The second line drops its lower-priority parts whole (the time left in the story, then
        the chapter's words) rather than be cut; whatever still does not fit ends with "…".
        """
        info = self._info
        assert info is not None
        top = Text(no_wrap=True)
        top.append(info.story_title, style="bold")
        top.append("  ·  ")
        top.append(chapter_count(info, indexing=self._indexing))
        if info.whole_work:
            top.append("  ·  whole work", style="italic")
        words = f"{info.chapter_words:,} words"
        chapter_left = f"{format_minutes(info.minutes_chapter)} left in chapter"
        story_left = f"{format_minutes(info.minutes_story)} left in story"
        choices: list[list[str]] = [[words, chapter_left], [chapter_left]]
        if not self._indexing:  # (the story's time left is known once it is all read)
            choices.insert(0, [words, chapter_left, story_left])
        for parts in choices:  # the story's time left goes first, then the words
            bottom = Text(no_wrap=True)
            bottom.append(info.chapter_title, style="italic")
            for part in parts:
                bottom.append(f"  ·  {part}")
            if width <= 0 or bottom.cell_len <= width:
                break
        else:  # a long chapter title: shortened, so the time left in the chapter still shows
            rest = f"  ·  {chapter_left}"
            room = width - cell_len(rest)
            if room >= MIN_TITLE_CELLS:
                bottom = fit_line(Text(info.chapter_title, style="italic", no_wrap=True), room)
                bottom.append(rest)
        return Text("\n").join([fit_line(top, width), fit_line(bottom, width)])

    def show(self, info: HeaderInfo, *, indexing: bool = False) -> None:
        """Show ``info`` (plain text: the titles are story text, never markup); ``indexing``:
        the story is still being read past this chapter (no chapter count or time left yet)."""
        if info == self._info and indexing == self._indexing:
            return
        before = self._lines[1] if self._lines is not None else None
        self._info = info
        self._indexing = indexing
        if before is None or not self.is_mounted:
            self.refresh()
        else:  # (a line the move left as it was stays as it is on screen)
            repaint_changed(self, before, self._drawn())
