"""The chapter view: a Line-API widget that shows wrapped display lines in a centred column.

Only the visible lines are rendered (``render_line`` → ``Strip``), strips are cached, and the
*anchor* — (item index, character offset) of what is at the top — is the truth for the reading
position: it changes only when the reader scrolls, and after a resize the text is re-wrapped and
scrolled so the anchor is at the top again (never re-derived from the screen after a resize).
Story text becomes plain ``Segment`` objects; nothing is ever parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.dom import NoScreen
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from tui_reader.config import MAX_WIDTH, MIN_WIDTH
from tui_reader.layout import (
    Item,
    Line,
    line_for_anchor,
    line_keys,
    note_mode,
    single_cells,
    wrap_items,
)
from tui_reader.reading import Anchor
from tui_reader.ui.messages import AnchorChanged, NotesToggled, ReachedEnd, ReachedStart
from tui_reader.ui.plain import is_plain
from tui_reader.ui.widgets.scrollbar import quick_vertical_scrollbar

ROLES = (
    "body",
    "scene-break",
    "epigraph",
    "attribution",
    "heading",
    "title",
    "note-label",
    "note",
    "end",
    "blank",
)
"""Every line role; each but :data:`PLAIN_ROLES` has a component class ``chapter-view--<role>``."""

PLAIN_ROLES = frozenset({"body", "blank"})
"""Roles shown in the view's own style: no component class (each one is a style computation
every time the view is styled)."""


class ChapterView(ScrollView, can_focus=True, inherit_bindings=False):
    """Shows display items wrapped into a centred reading column, with an anchor at the top."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *(f"chapter-view--{role}" for role in ROLES if role not in PLAIN_ROLES),
        "chapter-view--match",
        "chapter-view--current-match",
    }
    """Styles for each line role and for search matches (themes apply through CSS)."""

    def __init__(
        self,
        *,
        reading_width: int = 72,
        note_mode: Callable[[str], str] | None = None,
        id: str | None = None,
    ) -> None:
        """An empty view; call :meth:`set_items` to show something."""
        super().__init__(id=id)
        self.reading_width = reading_width
        """Width of the reading column in cells (narrower when the terminal is)."""
        self._default_note_mode = note_mode
        """The note mode for keys without an override."""
        self.note_overrides: dict[str, str] = {}
        """Note modes changed in this view (key → folded/unfolded)."""
        self.items: list[Item] = []
        """The items shown."""
        self.lines: list[Line] = []
        """The wrapped lines for the current width."""
        self._keys: list[tuple[int, int]] = []
        """(item, offset) of each line, for anchor lookups."""
        self.reading_anchor = Anchor(0, 0)
        """What is at the top: the truth for the reading position."""
        self._wrapped_for: tuple[int, int] | None = None
        """(column width, view height) the lines were laid out for."""
        self._restoring = False
        """True while the view scrolls itself to the anchor (the anchor must not change)."""
        self.moves = 0
        """Anchor changes announced so far (each :class:`AnchorChanged` carries its number)."""
        self._cache: LRUCache[tuple[int, int, int], Strip] = LRUCache(1024)
        """Rendered strips keyed by (line, width, generation)."""
        self._generation = 0
        """Bumped whenever styles, highlights or lines change (invalidates the cache)."""
        self._highlights: dict[int, list[tuple[int, int, bool]]] = {}
        """Search matches per item: (start, end, is_current)."""
        self._styles: dict[str, Style] = {}
        """Rich styles per role ("" is the widget's own), cleared when styles change."""
        self._pending: Callable[[], None] | None = None
        """Something to do once the view has its real size (e.g. go to the last page)."""
        self._rendering: tuple[int, bool] | None = None
        """(available width, plain) while :meth:`render_lines` renders: read once for its
        lines, not for each."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The view's vertical scrollbar: a :class:`~tui_reader.ui.widgets.scrollbar.QuickScrollBar`
        (a page turn repaints the lines of the bar that changed, without a Rich render)."""
        return quick_vertical_scrollbar(self)

    # --- layout -----------------------------------------------------------------------------

    def note_mode(self, key: str) -> str:
        """How the note ``key`` is shown now."""
        default = self._default_note_mode(key) if self._default_note_mode else "folded"
        override = self.note_overrides.get(key)
        return note_mode(default, None if override is None else override == "folded")

    @property
    def available_width(self) -> int:
        """Cells available for text (the view's width without the scrollbar)."""
        return max(1, self.scrollable_content_region.width or self.size.width or 80)

    @property
    def plain(self) -> bool:
        """True in plain mode (the app's ``-plain`` class): text from column 0, states in words."""
        return is_plain(self)

    @property
    def column_width(self) -> int:
        """The reading column's width: the reading width, or the view's width minus margins."""
        return self._column_for(self.available_width, self.plain)

    def _column_for(self, available: int, plain: bool) -> int:
        """:attr:`column_width` for ``available`` cells (``plain``: plain mode, no margins)."""
        margin = 2 if available >= 40 and not plain else 0
        return max(8, min(self.reading_width, available - 2 * margin))

    @property
    def top_line(self) -> int:
        """Index of the line at the top of the view."""
        return round(self.scroll_y)

    @property
    def page_height(self) -> int:
        """Lines visible at once."""
        return max(1, self.scrollable_content_region.height or self.size.height or 1)

    def set_items(self, items: Sequence[Item], anchor: Anchor | None = None) -> None:
        """Show ``items`` with ``anchor`` at the top (the first line when None)."""
        self.items = list(items)
        self.reading_anchor = anchor or Anchor(0, 0)
        self._relayout()

    def _relayout(self) -> None:
        """Re-wrap for the current width and scroll so the anchor is at the top."""
        width = self.column_width
        self.lines = wrap_items(self.items, width, self.note_mode, plain=self.plain)
        self._keys = line_keys(self.lines)
        self._wrapped_for = (width, self.page_height)
        self._generation += 1
        self._cache.clear()
        self.virtual_size = Size(self.available_width, len(self.lines))
        self._scroll_to_anchor()
        self.refresh()
        if self._pending is not None and self.laid_out:
            pending, self._pending = self._pending, None
            pending()

    @property
    def laid_out(self) -> bool:
        """True once the view has its real size on screen."""
        return self.scrollable_content_region.height > 0

    def when_laid_out(self, action: Callable[[], None]) -> None:
        """Run ``action`` now if the view has its size, else right after the first layout."""
        if self.laid_out and self.lines:
            action()
        else:
            self._pending = action

    def _scroll_to_anchor(self) -> None:
        """Put the anchor's line at the top without changing the anchor."""
        target = line_for_anchor(self._keys, self.reading_anchor.item, self.reading_anchor.offset)
        self._restoring = True
        try:
            max_y = max(0, len(self.lines) - self.page_height)
            self.scroll_to(y=min(target, max_y), animate=False, force=True, immediate=True)
        finally:
            self._restoring = False

    def on_resize(self, event: events.Resize) -> None:
        """Re-wrap for the new size and restore the anchor."""
        if self.items and self._wrapped_for != (self.column_width, self.page_height):
            self._relayout()

    def relayout(self) -> None:
        """Lay the items out again (how notes show changed), keeping the anchor at the top."""
        if self.items:
            self._relayout()

    def set_width(self, width: int) -> None:
        """Change the reading width and keep the anchor at the top."""
        self.reading_width = max(MIN_WIDTH, min(MAX_WIDTH, width))
        if self.items:
            self._relayout()

    def notify_style_update(self) -> None:
        """Styles changed (theme): drop cached strips."""
        super().notify_style_update()
        self._generation += 1
        self._cache.clear()
        self._styles.clear()

    def _screen_shown(self) -> bool:
        """True once the view's screen was shown (it restyles every widget when first shown,
        after mounting them and giving the focus)."""
        try:
            return self.screen.stack_updates > 0
        except NoScreen:
            return False

    def watch_has_focus(self, _has_focus: bool) -> None:
        """Restyle for the focus change, unless the screen was never shown yet (it restyles
        every widget when first shown)."""
        if self._screen_shown():
            super().watch_has_focus(_has_focus)

    # --- anchor -----------------------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """The reader scrolled: move the anchor to the new top line (not while restoring)."""
        super().watch_scroll_y(old_value, new_value)
        if self._restoring or not self.lines:
            return
        if self._wrapped_for != (self.column_width, self.page_height):
            return  # a resize is under way: the anchor stays, the relayout restores it
        line = self.lines[min(self.top_line, len(self.lines) - 1)]
        anchor = Anchor(line.item, line.offset)
        if anchor != self.reading_anchor:
            self.reading_anchor = anchor
            self.announce()

    @property
    def last_visible_item(self) -> int:
        """Index of the item of the last line on screen."""
        if not self.lines:
            return 0
        bottom = min(len(self.lines) - 1, self.top_line + self.page_height - 1)
        return self.lines[bottom].item

    def announce(self) -> None:
        """Post the current anchor (after a scroll, or items set), numbered (:attr:`moves`)."""
        self.moves += 1
        self.post_message(
            AnchorChanged(self, self.reading_anchor, self.last_visible_item, self.moves)
        )

    def go_to(self, anchor: Anchor) -> None:
        """Put ``anchor`` at the top (the anchor is set exactly, then announced)."""
        self.reading_anchor = anchor
        self._scroll_to_anchor()
        self.announce()

    def go_to_line(self, line: int) -> None:
        """Scroll so ``line`` is at the top (clamped); the anchor follows."""
        max_y = max(0, len(self.lines) - self.page_height)
        self.scroll_to(y=max(0, min(line, max_y)), animate=False, force=True, immediate=True)

    # --- movement ---------------------------------------------------------------------------

    @property
    def max_top(self) -> int:
        """The largest top line."""
        return max(0, len(self.lines) - self.page_height)

    def scroll_lines(self, count: int) -> None:
        """Scroll by ``count`` lines."""
        self.go_to_line(self.top_line + count)

    def page(self, pages: float) -> None:
        """Scroll by ``pages`` screens (one line of overlap); signal the ends when past them."""
        top = self.top_line
        if pages > 0 and top >= self.max_top:
            self.post_message(ReachedEnd())
            return
        if pages < 0 and top <= 0:
            self.post_message(ReachedStart())
            return
        step = max(1, self.page_height - 1) if abs(pages) >= 1 else max(1, self.page_height // 2)
        self.go_to_line(top + (step if pages > 0 else -step))

    def to_start(self) -> None:
        """Go to the first line."""
        self.go_to_line(0)

    def to_end(self) -> None:
        """Go to the last screenful."""
        self.go_to_line(self.max_top)

    def _item_start_lines(self) -> list[int]:
        """The first line of each item that has lines."""
        starts: list[int] = []
        previous = -1
        for index, line in enumerate(self.lines):
            if line.item != previous:
                starts.append(index)
                previous = line.item
        return starts

    def next_paragraph(self) -> None:
        """Go to the start of the next item."""
        top = self.top_line
        item = self.lines[top].item if self.lines else 0
        for index in range(top + 1, len(self.lines)):
            if self.lines[index].item != item:
                self.go_to_line(index)
                return

    def previous_paragraph(self) -> None:
        """Go to the start of this item, or of the previous one when already there."""
        top = self.top_line
        starts = [s for s in self._item_start_lines() if s < top]
        if starts:
            self.go_to_line(starts[-1])

    def scroll_to_item(self, item: int, offset: int = 0) -> None:
        """Put the line showing ``offset`` of ``item`` at the top (as the reader's move)."""
        self.go_to(Anchor(item, offset))

    def line_of(self, item: int, offset: int = 0) -> int:
        """The index of the line showing ``offset`` of ``item``."""
        return line_for_anchor(self._keys, item, offset)

    # --- notes ------------------------------------------------------------------------------

    def visible_note_keys(self) -> list[str]:
        """Keys of the notes with a line on screen."""
        top = self.top_line
        keys: list[str] = []
        for line in self.lines[top : top + self.page_height]:
            key = self.items[line.item].note_key
            if key and line.role == "note-label" and key not in keys:
                keys.append(key)
        return keys

    def toggle_notes_on_screen(self) -> list[str]:
        """Unfold the notes on screen when any is folded, else fold them; return their keys."""
        keys = self.visible_note_keys()
        if not keys:
            return []
        fold = not any(self.note_mode(key) == "folded" for key in keys)
        self.set_notes(keys, fold)
        return keys

    def set_notes(self, keys: list[str], folded: bool) -> None:
        """Fold or unfold the notes ``keys``, keep the anchor, and announce it."""
        for key in keys:
            self.note_overrides[key] = "folded" if folded else "unfolded"
        self._relayout()
        self.post_message(NotesToggled(keys, folded))

    def on_click(self, event: events.Click) -> None:
        """Clicking a note's label folds or unfolds it."""
        index = self.top_line + event.y
        if 0 <= index < len(self.lines) and self.lines[index].role == "note-label":
            key = self.items[self.lines[index].item].note_key
            if key:
                self.set_notes([key], self.note_mode(key) != "folded")
                event.stop()

    # --- search highlights ------------------------------------------------------------------

    def set_highlights(
        self, matches: Sequence[tuple[int, int, int]], current: int | None = None
    ) -> None:
        """Highlight (item, start, end) spans; ``current`` indexes the current match."""
        highlights: dict[int, list[tuple[int, int, bool]]] = {}
        for index, (item, start, end) in enumerate(matches):
            highlights.setdefault(item, []).append((start, end, index == current))
        self._highlights = highlights
        self._generation += 1
        self._cache.clear()
        self.refresh()

    # --- rendering --------------------------------------------------------------------------

    def _style(self, role: str) -> Style:
        """The rich style of a role (cached until the styles change)."""
        style = self._styles.get(role)
        if style is None:
            if role == "":
                style = self.rich_style
            elif role in PLAIN_ROLES:
                style = Style()
            else:
                style = self.get_component_rich_style(f"chapter-view--{role}", partial=False)
            self._styles[role] = style
        return style

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render the lines of ``crop`` (the view's width and mode are read once for them)."""
        self._rendering = (self.available_width, self.plain)
        try:
            return super().render_lines(crop)
        finally:
            self._rendering = None

    def render_line(self, y: int) -> Strip:
        """Render the line at screen row ``y``."""
        index = self.top_line + y
        rendering = self._rendering
        width, plain = rendering or (self.available_width, self.plain)
        key = (index, width, self._generation)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        strip = self._render_strip(index, width, plain)
        self._cache[key] = strip
        return strip

    def _render_strip(self, index: int, width: int, plain: bool) -> Strip:
        """Build the strip for line ``index`` (``plain``: in plain mode)."""
        base = self._style("")
        if index >= len(self.lines):
            return Strip([Segment(" " * width, base)], width)
        line = self.lines[index]
        # (the column from ``width``: the view's region is not asked again)
        left = (0 if plain else max(0, (width - self._column_for(width, plain)) // 2)) + line.indent
        style = base + self._style(line.role)
        matched = line.role in ("body", "heading", "epigraph", "note")
        spans = self._highlights.get(line.item) if matched else None
        text = line.text
        # padded to the width in one go (as extend_cell_length then crop would make it); a text
        # of single-cell characters (most lines) is as many cells as characters
        cells = left + (len(text) if single_cells(text) and "\n" not in text else cell_len(text))
        if style is base and not spans and cells <= width:
            # all in the view's own style (body text, blank lines): one segment
            return Strip([Segment(f"{' ' * left}{text}{' ' * (width - cells)}", base)], width)
        segments = [Segment(" " * left, base)]
        if spans:
            segments.extend(self._highlighted(text, line.offset, style, spans))
        else:
            segments.append(Segment(text, style))
        if cells < width:
            segments.append(Segment(" " * (width - cells), base))
            return Strip(segments, width)
        if cells == width:
            return Strip(segments, width)
        return Strip(segments).crop(0, width)

    def _highlighted(
        self, text: str, offset: int, style: Style, spans: list[tuple[int, int, bool]]
    ) -> list[Segment]:
        """Segments of ``text`` (starting at ``offset`` of its item) with matches styled."""
        match = style + self._style("match")
        current = style + self._style("current-match")
        segments: list[Segment] = []
        pos = 0
        end_of_line = len(text)
        for start, end, is_current in spans:
            s = max(0, start - offset)
            e = min(end_of_line, end - offset)
            if e <= s or s >= end_of_line:
                continue
            if s > pos:
                segments.append(Segment(text[pos:s], style))
            segments.append(Segment(text[s:e], current if is_current else match))
            pos = e
        if pos < end_of_line:
            segments.append(Segment(text[pos:], style))
        return segments
