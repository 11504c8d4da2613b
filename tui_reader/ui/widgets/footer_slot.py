"""Where a screen's footer goes until the first frame is on screen.

Textual's footer shows no key until the screen's bindings are first refreshed, after the screen
has mounted, so the first frame of a screen has an empty footer row whatever is mounted there.
A screen on the first frame's path (the reading screen, the library) composes a
:class:`FooterSlot` instead: one blank row in the footer's colours, whose module is light. Once
that frame is painted, the slot mounts the real footer (:class:`~tui_reader.ui.widgets.footer.
KeysFooter`, imported then) in its place and leaves. The keys show a frame later than the text,
as they did; the footer's import and mount are no longer part of the first frame.
"""

from __future__ import annotations

from textual.widget import Widget

from tui_reader.ui import lazy


class FooterSlot(Widget):
    """One blank footer row; replaced by the real footer after the first paint."""

    BLANK = True
    """Drawn as blank rows in its style (its background), with no content to render: a plain
    widget would render its class name ("FooterSlot") as its content."""

    DEFAULT_CSS = """
    FooterSlot {
        dock: bottom;
        height: 1;
        background: $footer-background;
    }
    """

    def on_mount(self) -> None:
        """Swap in the footer once the screen has painted (the frame after this mount)."""
        self.call_after_refresh(self.swap)

    async def swap(self) -> None:
        """Mount the footer where this slot is, then leave (a no-op once gone).

        The screen may close, or the app end, while the footer mounts (a reader quitting at
        once): a footer no longer attached then is left alone."""
        if not self.is_attached:
            return
        footer = lazy.name(lazy.FOOTER, "KeysFooter")()
        await self.screen.mount(footer, after=self)
        await self.remove()
        if footer.is_attached:
            # the screen's bindings were refreshed before the footer listened: show them now
            footer.bindings_changed(footer.screen)
