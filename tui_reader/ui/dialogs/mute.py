"""The mute menu (``m`` on a library row, or the palette): the story's author, fandoms,
relationships and tags; the one chosen is muted (or, when already muted, unmuted).

Every name comes from a story file: it passes :func:`~tui_reader.paths.display_text` and is
shown as :class:`rich.text.Text`, never parsed as markup.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_reader.library import LibraryEntry
from tui_reader.library_query import MUTE_LABELS, mute_choices
from tui_reader.paths import display_text
from tui_reader.state import StateStore, mute_key
from tui_reader.ui.bindings import bindings
from tui_reader.ui.plain import is_plain

MuteChoice = tuple[str, str]
"""``(kind, name)``: what to mute (or unmute), as :func:`~tui_reader.library_query.mute_choices`
lists it."""

LABEL_WIDTH = max(len(label) for label in MUTE_LABELS.values()) + 2
"""Cells the kind takes before the name."""


def choice_prompt(kind: str, name: str, muted: bool, *, plain: bool = False) -> Table:
    """One choice of the menu: a mark when muted, the kind, then the name (plain text), which
    wraps in its own column."""
    mark = "[muted] " if plain else "● "
    grid = Table.grid()
    grid.add_column(width=len(mark), no_wrap=True)
    grid.add_column(width=LABEL_WIDTH, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(
        Text(mark if muted else "", style="bold"),
        Text(MUTE_LABELS.get(kind, kind), style="dim"),
        Text(display_text(name)),
    )
    return grid


class MuteDialog(ModalScreen[MuteChoice | None]):
    """Pick the author, fandom, relationship or tag to mute; answers ``(kind, name)`` or None."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("mute")

    CSS_PATH = "mute.tcss"
    """Its layout and colours."""

    def __init__(self, title: str, choices: list[MuteChoice], muted: frozenset[str]) -> None:
        """Offer ``choices`` of the story called ``title``; keys in ``muted``
        (:func:`~tui_reader.state.mute_key`) are marked as muted already."""
        super().__init__()
        self.story_title = title
        """The story's title (plain text)."""
        self.choices = choices
        """What can be muted, in order."""
        self.muted = muted
        """The keys of the reader's mutes."""

    @classmethod
    def ask(cls, screen: Screen[Any], store: StateStore, entry: LibraryEntry, hint: str) -> None:
        """Offer ``entry``'s author and tags over ``screen``; mute the one chosen in ``store``
        (unmute it when it was muted) and say so, with ``hint`` after a new mute."""
        muted = {m.key for m in store.mutes()}

        def chosen(choice: MuteChoice | None) -> None:
            """Keep the choice and say what it did."""
            if choice is None:
                return
            kind, name = choice
            label = MUTE_LABELS.get(kind, kind)
            if mute_key(kind, name) in muted:
                store.unmute(kind, name)
                screen.notify(f"{label} {name} unmuted", timeout=3)
            else:
                store.mute(kind, name)
                screen.notify(f"{label} {name} muted{hint}", timeout=4)

        dialog = cls(entry.title, mute_choices(entry), frozenset(muted))
        screen.app.push_screen(dialog, chosen)

    def compose(self) -> ComposeResult:
        """The story's title, what muting does, and the choices."""
        plain = is_plain(self)
        with Vertical():
            heading = Text("Mute stories by… ", style="bold")
            heading.append(display_text(self.story_title), style="bold italic")
            yield Static(heading, id="mute-heading")
            yield Static(
                Text(
                    "Muted stories leave the library and search (h shows them). "
                    "Enter on a muted one unmutes it.",
                    style="dim",
                ),
                id="mute-hint",
            )
            options = [
                Option(choice_prompt(k, v, mute_key(k, v) in self.muted, plain=plain), id=str(i))
                for i, (k, v) in enumerate(self.choices)
            ]
            if not options:
                nothing = Text("Nothing to mute: this story names no author, fandom or tag.")
                options = [Option(nothing, disabled=True)]
            yield OptionList(*options)

    def on_mount(self) -> None:
        """The cursor on the first choice."""
        choices = self.query_one(OptionList)
        if self.choices:
            choices.highlighted = 0
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Answer the chosen name."""
        index = int(event.option.id or 0)
        if 0 <= index < len(self.choices):
            self.dismiss(self.choices[index])

    def action_cancel(self) -> None:
        """Answer None: nothing changes."""
        self.dismiss(None)
