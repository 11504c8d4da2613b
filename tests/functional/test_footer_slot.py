"""The footer after the first frame: a light slot in the first frame, the keys one frame later.

The reading screen and the library compose a :class:`FooterSlot` (one blank row in the
footer's colours) instead of the footer, whose keys Textual shows only once the screen's
bindings are refreshed anyway; once the first frame is painted the slot mounts the real footer
in its place. A reader sees the same screen, the keys a frame after the text as before.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.color import Color
from textual.geometry import Region
from textual.widgets._footer import FooterKey

from tests.functional.test_reader import SIZE, ReaderApp, make_story, screen_text
from tui_reader.state import StateStore
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.widgets.chapter_view import ChapterView
from tui_reader.ui.widgets.footer import KeysFooter
from tui_reader.ui.widgets.footer_slot import FooterSlot


def test_the_reading_screen_composes_a_slot_not_the_footer(tmp_path: Path) -> None:
    story = make_story()
    screen = ReaderScreen(story, StateStore(tmp_path / "state"), path=Path("lamp.md"))
    composed = [type(widget) for widget in screen.compose()]
    assert composed[-1] is FooterSlot
    assert KeysFooter not in composed


def test_starting_the_reader_does_not_import_the_footer() -> None:
    code = (
        "import sys, tui_reader.ui.app, tui_reader.ui.screens.library; "
        "print('tui_reader.ui.widgets.footer' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert shown.strip() == "False"


async def test_the_keys_arrive_in_the_slots_place(tmp_path: Path) -> None:
    app = ReaderApp(make_story(), StateStore(tmp_path / "state"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert not screen.query(FooterSlot)
        footer = screen.query_one(KeysFooter)
        shown = [(key.key_display, key.description) for key in footer.query(FooterKey)]
        assert ("/", "Search") in shown
        assert footer.region.y == SIZE[1] - 1 and footer.region.height == 1
        view = screen.query_one(ChapterView)
        # the text keeps every row above the footer: the header's two, then the view
        assert view.region.bottom == SIZE[1] - 1
        assert any(row.strip() for row in screen_text(app))
        await pilot.press("slash")
        await pilot.pause()
        field = screen.query_one("#search")
        assert field.region.bottom <= footer.region.y  # the search field sits above the keys


class _StayingSlot(FooterSlot):
    """A slot that never swaps in the footer: what the first frame shows."""

    async def swap(self) -> None:
        """Stay."""


class _SlotApp(App[None]):
    """Only a slot (that stays)."""

    def compose(self) -> ComposeResult:
        """The slot."""
        yield _StayingSlot()


async def test_the_slot_is_a_blank_row_in_the_footer_colours() -> None:
    """No text in the slot's row (not even its class name), in the footer's background."""
    app = _SlotApp()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        slot = app.screen.query_one(_StayingSlot)
        assert slot.region == Region(0, 5, 40, 1)
        (row,) = slot.render_lines(Region(0, 0, 40, 1))
        assert row.text == " " * 40
        footer = app.theme_variables["footer-background"]
        assert {segment.style.bgcolor for segment in row} == {Color.parse(footer).rich_color}


class _OvertakenSlot(FooterSlot):
    """A slot whose footer is taken away while the slot leaves: a screen closed or an app
    ending right after its first frame."""

    async def remove(self) -> None:  # type: ignore[override]
        """Leave, the footer just mounted gone first."""
        await self.screen.query_one(KeysFooter).remove()
        await super().remove()


class _OvertakenApp(App[None]):
    """Only a slot that is overtaken."""

    def compose(self) -> ComposeResult:
        """The slot."""
        yield _OvertakenSlot()


async def test_a_footer_gone_before_the_swap_ends_is_left_alone() -> None:
    """The swap finishes quietly when its footer left meanwhile (no ``NoScreen`` error)."""
    app = _OvertakenApp()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert not app.screen.query(FooterSlot) and not app.screen.query(KeysFooter)
    assert app.return_code in (None, 0)
