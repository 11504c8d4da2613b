"""A page turn repaints only what changed beside the text: the lines of the scrollbar its thumb
moved over, the header's line with the time left.

The reading column's scrollbar draws what Textual's draws: two scrolling containers side by
side hold the same text, one with Textual's own :class:`~textual.scrollbar.ScrollBar`, one
with :class:`QuickScrollBar`; at every position, hovered and grabbed, the two bars' lines are
the same cells in the same styles. (The header's lines are held to the screens' snapshots.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.geometry import Region
from textual.pilot import Pilot
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from tests.functional.test_reader import SIZE, ReaderApp, make_story
from tui_reader.state import StateStore
from tui_reader.ui.widgets.chapter_view import ChapterView
from tui_reader.ui.widgets.reader_header import ReaderHeader
from tui_reader.ui.widgets.scrollbar import QuickScrollBar, quick_vertical_scrollbar

TEXT = "\n".join(f"line {n}" for n in range(300))
"""Tall content: a thumb a few cells high, moving by fractions of a cell."""


class QuickScroll(VerticalScroll):
    """A scrolling container with the quick bar."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The quick bar."""
        return quick_vertical_scrollbar(self)


class Both(App[None]):
    """Textual's bar on the left, the quick one on the right."""

    CSS = "VerticalScroll { width: 1fr; scrollbar-size-vertical: 2; }"

    def compose(self) -> ComposeResult:
        """Two scrolling panes of the same text."""
        with Horizontal():
            with VerticalScroll(id="textual"):
                yield Static(TEXT)
            with QuickScroll(id="quick"):
                yield Static(TEXT)


def cells(bar: ScrollBar) -> list[list[Segment]]:
    """The bar's lines as Textual's styles cache gives them to the compositor."""
    width, height = bar.size
    return [list(strip) for strip in bar.render_lines(Region(0, 0, width, height))]


async def test_the_quick_bar_draws_what_textuals_bar_draws() -> None:
    app = Both()
    async with app.run_test(size=(60, 23)) as pilot:
        await pilot.pause()
        textual_pane = app.query_one("#textual", VerticalScroll)
        quick_pane = app.query_one("#quick", QuickScroll)
        ours = quick_pane.vertical_scrollbar
        assert isinstance(ours, QuickScrollBar)
        assert type(textual_pane.vertical_scrollbar) is ScrollBar
        compared = 0
        for y in (0, 1, 2, 3, 7, 50, 51, 140, 277, 278, 300):
            for pane in (textual_pane, quick_pane):
                pane.scroll_to(y=y, animate=False, immediate=True)
            await pilot.pause()
            assert ours.position == textual_pane.vertical_scrollbar.position
            assert cells(ours) == cells(textual_pane.vertical_scrollbar), f"at {y}"
            compared += 1
        for state in ("mouse_over", "grabbed"):
            for pane in (textual_pane, quick_pane):
                bar = pane.vertical_scrollbar
                if state == "grabbed":
                    bar.grabbed = bar.region.offset
                else:
                    bar.mouse_over = True
            await pilot.pause()
            assert cells(ours) == cells(textual_pane.vertical_scrollbar), state
            compared += 1
        assert compared == 13


@asynccontextmanager
async def reading(tmp_path: Path) -> AsyncIterator[tuple[ReaderApp, Pilot[None]]]:
    """The reading screen on a long story, its first frame painted."""
    app = ReaderApp(make_story(paragraphs=300), StateStore(tmp_path / "state"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        yield app, pilot


def lines_drawn(widget: Widget) -> list[int]:
    """The lines ``widget`` draws from now on (its ``render_line`` calls), as they come."""
    drawn: list[int] = []
    real = widget.render_line

    def counted(y: int) -> Strip:
        drawn.append(y)
        return real(y)

    widget.render_line = counted  # type: ignore[method-assign]
    return drawn


async def page_down(pilot: Pilot[None]) -> None:
    """One page turn, its frame painted."""
    await pilot.press("pagedown")
    await pilot.pause()


async def test_a_page_turn_repaints_only_the_bars_changed_lines(tmp_path: Path) -> None:
    async with reading(tmp_path) as (app, pilot):
        view = app.screen.query_one(ChapterView)
        bar = view.vertical_scrollbar
        assert isinstance(bar, QuickScrollBar) and bar.display
        drawn = lines_drawn(bar)
        await page_down(pilot)
        assert 0 < len(drawn) < bar.size.height // 2  # the thumb's ends moved, not the bar
        assert view.top_line > 0


async def test_a_page_turn_repaints_the_headers_changed_line_only(tmp_path: Path) -> None:
    async with reading(tmp_path) as (app, pilot):
        header = app.screen.query_one(ReaderHeader)
        before = [line.text for line in header.render_lines(header.region.reset_offset)]
        drawn = lines_drawn(header)
        await page_down(pilot)
        after = [line.text for line in header.render_lines(header.region.reset_offset)]
        assert after[0] == before[0] and after[1] != before[1]  # the time left changed
        assert "left in chapter" in after[1]
        assert drawn and set(drawn) == {1}
