"""The help screen (``?``): every key of the library and of the reader, read from their bindings.

The tables are built from the screens' ``BINDINGS`` (and the app's), so they stay in step with
what the keys really do: keys bound to the same action share a line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.keys import format_key
from textual.screen import Screen
from textual.widgets import Footer, Static

KEY_NAMES: dict[str, str] = {
    "space": "space",
    "enter": "enter",
    "escape": "esc",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "home": "Home",
    "end": "End",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "tab": "tab",
}
"""How some keys are written in the help (the rest use Textual's own display)."""


def key_label(key: str) -> str:
    """A key as a reader would write it: "]", "PgDn", "^p"."""
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    if key.startswith("ctrl+"):
        return "^" + format_key(key[5:])
    return format_key(key)


def describe(action: str) -> str:
    """A readable description from an action name: "scroll_down" → "Scroll down"."""
    name = action.split("(", 1)[0].replace("_", " ").strip()
    return name[:1].upper() + name[1:]


def key_rows(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    """(keys, description) per action, in the order first bound; same action shares a row."""
    order: list[str] = []
    keys: dict[str, list[str]] = {}
    text: dict[str, str] = {}
    for binding in Binding.make_bindings(bindings):
        action = binding.action
        if action not in keys:
            order.append(action)
            keys[action] = []
            text[action] = binding.tooltip or binding.description or describe(action)
        elif not text[action] and binding.description:
            text[action] = binding.description
        label = binding.key_display or key_label(binding.key)
        if label not in keys[action]:
            keys[action].append(label)
    return [(" ".join(keys[a]), text[a]) for a in order]


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


def help_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """(section title, rows) for the app, the library and the reader."""
    from tui_reader.ui.app import TuiReaderApp
    from tui_reader.ui.screens.library import LibraryScreen

    sections: list[tuple[str, list[tuple[str, str]]]] = [
        (
            "Everywhere",
            [
                *key_rows(b for b in TuiReaderApp.BINDINGS if _action(b) != "screenshot"),
                ("^p", "Command palette: open a story, go to a chapter, theme, settings"),
            ],
        ),
        ("Library", key_rows(LibraryScreen.BINDINGS)),
    ]
    reader = _reader_bindings()
    if reader:
        sections.append(("Reading", key_rows(reader)))
    sections.append(
        (
            "Warning screens",
            [("y enter", "Yes, continue"), ("n esc", "No, go back / stop here")],
        )
    )
    return sections


def _action(binding: BindingType) -> str:
    """The action of a binding given in any form."""
    return binding.action if isinstance(binding, Binding) else binding[1]


def _reader_bindings() -> list[BindingType]:
    """The reading screen's bindings (empty while it is not installed)."""
    try:
        from tui_reader.ui.screens.reader import ReaderScreen
    except ImportError:
        return []
    bindings: list[Any] = []
    for cls in reversed(ReaderScreen.__mro__):
        if cls.__module__.startswith("tui_reader."):
            bindings.extend(cls.__dict__.get("BINDINGS", []))
    for widget_cls in getattr(ReaderScreen, "HELP_WIDGETS", ()):
        bindings.extend(widget_cls.BINDINGS)
    return bindings


class HelpScreen(Screen[None]):
    """Every key, by screen; escape or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen #help-title { text-style: bold; color: $accent; padding: 0 2; height: 1; }
    HelpScreen #help-body { height: 1fr; }
    HelpScreen #help-body > Horizontal { height: auto; }
    HelpScreen .help-column { width: 1fr; height: auto; padding: 0 2; }
    HelpScreen .help-column > Static { margin-bottom: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
    ]
    """Close keys."""

    def compose(self) -> ComposeResult:
        """A scrolling column of key tables."""
        yield Static("tui-reader · keys  (escape closes)", id="help-title", markup=False)
        sections = help_sections()
        reading = [s for s in sections if s[0] == "Reading"]
        others = [s for s in sections if s[0] != "Reading"]
        with VerticalScroll(id="help-body"), Horizontal():
            with Vertical(classes="help-column"):
                for title, rows in others:
                    yield Static(key_table(title, rows))
            if reading:
                with Vertical(classes="help-column"):
                    for title, rows in reading:
                        yield Static(key_table(title, rows))
        yield Footer()

    def on_mount(self) -> None:
        """The keys scroll (arrows, page keys, home/end) when they do not fit."""
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        """Back to where help was opened."""
        self.dismiss()
