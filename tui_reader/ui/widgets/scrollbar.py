"""The reading column's scrollbar: Textual's bar, drawn without a Rich render on every move.

Textual's :class:`~textual.scrollbar.ScrollBar` draws itself as a Rich renderable: each time the
position changes (every page turn) the whole bar goes through a Rich console render and is split
into lines again, some 2 ms for a 29-line bar, more than the chapter's own text costs to draw.
:class:`QuickScrollBar` asks the same renderer for the same segments (its
:meth:`~textual.scrollbar.ScrollBarRender.render_bar`, with the style Textual's ``render`` picks
for the bar's state) and makes one line of each, as Textual's render would, keeping a line per
distinct segment: a bar is a track, a thumb and at most two end glyphs. What the reader sees is
the same, cell for cell (a test draws both at many positions).

When only the thumb moved, only the lines that changed are marked for a repaint (a page turn
moves a thumb's ends: two to four lines, not the bar's height).
"""

from __future__ import annotations

from typing import Self

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.dom import NoScreen
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget

from tui_reader.ui.widgets.repaint import repaint_changed

_BACK = Color.parse("#555555")
"""The track colour when the style names none (as Textual's renderer)."""

_BAR = Color.parse("bright_magenta")
"""The thumb colour when the style names none (as Textual's renderer)."""

_KEPT = 64
"""Distinct lines kept before the store starts again (a theme change, hover and grab make new
ones; a bar in one state needs at most four)."""


class QuickScrollBar(ScrollBar):
    """A vertical scrollbar whose lines are made from the renderer's segments directly."""

    def __init__(self, *, thickness: int = 1, name: str | None = None) -> None:
        """A vertical bar ``thickness`` cells wide."""
        super().__init__(vertical=True, name=name, thickness=thickness)
        self._key: tuple[object, ...] | None = None
        self._lines: list[Strip] = []
        self._made: dict[tuple[Segment, Style], Strip] = {}

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """As Textual's refresh; a plain repaint after the thumb moved marks only the lines
        that changed (none: nothing to repaint)."""
        if regions or layout or recompose or not repaint or not self.is_mounted:
            return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
        before, key = self._lines, self._key
        try:
            self._prepare()
        except NoScreen:  # (leaving its screen: Textual's refresh, as it would)
            self._key = None
        if self._key is None or key is None or _look(self._key) != _look(key):
            return super().refresh()  # a new size or style: every line
        repaint_changed(self, before, self._lines)
        return self

    def render_lines(self, crop: Region) -> list[Strip]:
        """The bar's lines for ``crop``: its segments worked out once per state, then Textual's
        styles applied as for any widget."""
        self._prepare()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of the bar (Textual's own render where this bar has not prepared one)."""
        if self._key is None or not 0 <= y < len(self._lines):
            return super().render_line(y)
        return self._lines[y]

    def _prepare(self) -> None:
        """Work out the bar's lines when its size, position or style changed."""
        bar = self.render()
        width, height = self.size
        if not isinstance(bar, ScrollBarRender) or not bar.vertical or not width or not height:
            self._key = None  # (drawn by Textual's own render)
            return
        base = self.visual_style.rich_style
        key = (width, height, bar.virtual_size, bar.window_size, bar.position, bar.style, base)
        if key == self._key:
            return
        style = bar.style if isinstance(bar.style, Style) else Style.parse(str(bar.style))
        segments = bar.render_bar(
            size=height,
            virtual_size=bar.virtual_size,
            window_size=bar.window_size,
            position=bar.position,
            thickness=width,
            vertical=True,
            back_color=style.bgcolor or _BACK,
            bar_color=style.color or _BAR,
        ).segments
        if len(self._made) > _KEPT:
            self._made.clear()
        self._lines = [self._line(segment, base) for segment in segments[:height]]
        self._key = key

    def _line(self, segment: Segment, base: Style) -> Strip:
        """One line of the bar: ``segment`` over the widget's own style (as Textual's render
        applies it), the same Strip for the same segment."""
        line = self._made.get((segment, base))
        if line is None:
            text, style, _ = segment
            line = self._made[segment, base] = Strip([Segment(text, base + style)])
        return line


def _look(key: tuple[object, ...]) -> tuple[object, ...]:
    """What in a bar's key is not the thumb: its size and styles (each line may change)."""
    width, height, _virtual, _window, _position, style, base = key
    return width, height, style, base


def quick_vertical_scrollbar(widget: Widget) -> ScrollBar:
    """``widget``'s vertical scrollbar as a :class:`QuickScrollBar`: for a widget's
    ``vertical_scrollbar`` property (created when first asked for and hidden until the layout
    shows it, as Textual creates its own)."""
    if widget._vertical_scrollbar is None:
        bar = QuickScrollBar(name="vertical", thickness=widget.scrollbar_size_vertical)
        bar.display = False
        widget._vertical_scrollbar = bar
        widget.app._start_widget(widget, bar)
    return widget._vertical_scrollbar
