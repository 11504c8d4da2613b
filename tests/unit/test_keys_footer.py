"""The footer shows the keys in force from a screen's first frame, and follows them.

:class:`tui_reader.ui.widgets.footer.KeysFooter` is Textual's footer made cheaper to mount:
it must show the same keys, and change when the keys in force change (focus moves to a widget
with keys of its own), without remounting keys that look the same.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Input, Static

from tui_reader.ui.widgets.footer import FixedFooterKey, KeysFooter


class Box(Static, can_focus=True):
    """A focusable widget with a key of its own that looks like the app's."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("o", "box_open", "Open", tooltip="box")]

    def action_box_open(self) -> None:
        """Nothing."""


class Keys(App[None]):
    """A screen with a footer, a box and an input (the input has keys of its own)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("o", "open", "Open", tooltip="app"),
    ]

    def __init__(self, footer: type[Footer]) -> None:
        """The app with ``footer``."""
        super().__init__()
        self.footer = footer

    def compose(self) -> ComposeResult:
        """Box, input, footer."""
        yield Box("box", id="box")
        yield Input(id="input")
        yield self.footer()

    def action_open(self) -> None:
        """Nothing."""


def footer_text(app: App[None]) -> str:
    """The footer's line as shown."""
    return app.screen._compositor.render_strips()[-1].text


async def test_the_footer_shows_what_textuals_footer_shows() -> None:
    shown = []
    for footer in (Footer, KeysFooter):
        app = Keys(footer)
        async with app.run_test(size=(80, 6)) as pilot:
            await pilot.pause()
            app.query_one("#box").focus()
            await pilot.pause()
            await pilot.pause()
            shown.append(footer_text(app))
    assert "q Quit" in shown[1] and "o Open" in shown[1] and "palette" in shown[1]
    assert shown[0] == shown[1]


async def test_keys_that_look_the_same_are_kept_and_take_the_new_action() -> None:
    app = Keys(KeysFooter)
    async with app.run_test(size=(80, 6)) as pilot:
        await pilot.pause()
        keys = list(app.query(FixedFooterKey))
        app.query_one("#box").focus()
        await pilot.pause()
        await pilot.pause()
        assert list(app.query(FixedFooterKey)) == keys  # not remounted
        opened = [k for k in keys if k.key == "o"]
        assert [k.action for k in opened] == ["box_open"]
        assert [str(k.tooltip) for k in opened] == ["box"]


async def test_the_footer_follows_the_keys_in_force_as_textuals_does() -> None:
    shown = []
    for footer in (Footer, KeysFooter):
        app = Keys(footer)
        async with app.run_test(size=(80, 6)) as pilot:
            await pilot.pause()
            app.query_one("#box").focus()
            await pilot.pause()
            await pilot.pause()
            before = footer_text(app)
            app.query_one("#input").focus()  # typing keys: the app's letters are not in force
            await pilot.pause()
            await pilot.pause()
            shown.append((before, footer_text(app)))
    assert "o Open" in shown[1][0] and "o Open" not in shown[1][1]
    assert shown[0] == shown[1]
