"""The help screen (``?``): every key of the library, the warning screens and the reader.

The tables come from the binding table (:mod:`tui_reader.keys`) the screens' bindings are built
from, with the reader's remapped keys (the app's keymap) in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui_reader.keys import CLOSE_STORY_HELP, SCREENS, keys_label, screen_specs
from tui_reader.ui.bindings import bindings
from tui_reader.ui.widgets.footer import KeysFooter

HELP_SCREENS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("app", ("app",)),
    ("library", ("library",)),
    ("warning", ("warning",)),
    ("gate", ("gate",)),
    ("reader", ("reader",)),
)
"""The help's sections: a title's screen and the screens whose keys it lists."""

HIDDEN_IDS = frozenset({"app.screenshot"})
"""Bindings help leaves out."""

READER_BACK = "reader.back"
"""The reading screen's back key: it closes the story when no library is behind it."""


def key_rows(
    screens: Iterable[str],
    keymap: Mapping[str, str],
    *,
    plain: bool = False,
    story_alone: bool = False,
) -> list[tuple[str, str]]:
    """(keys in force, what they do) for each binding of ``screens``, the ``keymap`` applied;
    with ``story_alone`` (one story file opened, no library) the reader's back key closes the
    story."""
    rows: list[tuple[str, str]] = []
    for screen in screens:
        for spec in screen_specs(screen):
            if spec.id not in HIDDEN_IDS:
                keys = keymap.get(spec.id) or spec.keys
                does = CLOSE_STORY_HELP if story_alone and spec.id == READER_BACK else spec.help
                rows.append((keys_label(keys, plain=plain), does))
    return rows


def help_sections(
    keymap: Mapping[str, str] | None = None, *, plain: bool = False, story_alone: bool = False
) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section title, rows) for the app, the library, the warning screens and the reader
    (``story_alone``: one story file opened, so the reader's back key closes it)."""
    keymap = keymap or {}
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for title_screen, screens in HELP_SCREENS:
        rows = key_rows(screens, keymap, plain=plain, story_alone=story_alone)
        if title_screen == "app":
            palette = "Command palette: open a story, go to a chapter, theme, settings"
            rows.append(("ctrl+p" if plain else "^p", palette))
        if title_screen in ("warning", "gate"):
            rows.append(("enter", "Press the focused button"))
        sections.append((SCREENS[title_screen], rows))
    return sections


def key_table(title: str, rows: Iterable[tuple[str, str]]) -> Table:
    """A two-column table of keys and what they do (all plain text)."""
    table = Table(
        title=title,
        title_justify="left",
        title_style="bold underline",
        box=None,
        expand=True,
        show_header=False,
        padding=(0, 1, 0, 0),
    )
    table.add_column("Key", style="bold", no_wrap=True, min_width=11)
    table.add_column("Does", ratio=1)
    for keys, does in rows:
        table.add_row(Text(keys), Text(does))
    return table


class HelpScreen(Screen[None]):
    """Every key, by screen; escape or ? closes it."""

    CSS_PATH = "help.tcss"
    """Its layout and colours."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("help")
    """Close keys."""

    def __init__(
        self,
        keymap: Mapping[str, str] | None = None,
        *,
        plain: bool = False,
        story_alone: bool = False,
    ) -> None:
        """Help with ``keymap`` (binding id → keys) in force; key names in words when ``plain``;
        ``story_alone`` when one story file was opened (no library: escape closes the story)."""
        super().__init__()
        self.keymap = dict(keymap or {})
        """The remapped keys."""
        self.plain = plain
        """True in plain mode."""
        self.story_alone = story_alone
        """True when no library is behind the reading screen (its back key closes the story)."""

    def compose(self) -> ComposeResult:
        """A scrolling column of key tables."""
        close_keys = self.keymap.get("help.close") or screen_specs("help")[0].keys
        close = keys_label(close_keys, plain=self.plain)
        yield Static(f"tui-reader · keys  ({close} closes)", id="help-title", markup=False)
        sections = help_sections(self.keymap, plain=self.plain, story_alone=self.story_alone)
        reading = [s for s in sections if s[0] == SCREENS["reader"]]
        others = [s for s in sections if s[0] != SCREENS["reader"]]
        with VerticalScroll(id="help-body"), Horizontal():
            with Vertical(classes="help-column"):
                for title, rows in others:
                    yield Static(key_table(title, rows))
            if reading:
                with Vertical(classes="help-column"):
                    for title, rows in reading:
                        yield Static(key_table(title, rows))
        yield KeysFooter()

    def on_mount(self) -> None:
        """The keys scroll (arrows, page keys, home/end) when they do not fit."""
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        """Back to where help was opened."""
        self.dismiss()
