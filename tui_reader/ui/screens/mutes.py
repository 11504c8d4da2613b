"""The reader's mutes (palette: "Muted authors and tags"): every muted author, fandom,
relationship and tag, how many stories of the library each leaves out, and a key to unmute.

The names come from story files: shown through :func:`~tui_reader.paths.display_text` as
:class:`rich.text.Text`, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_reader.library import LibraryEntry
from tui_reader.library_query import MUTE_LABELS, mute_counts
from tui_reader.paths import display_text
from tui_reader.state import Mute, StateStore
from tui_reader.text import relative_date
from tui_reader.ui.bindings import bindings
from tui_reader.ui.dialogs.mute import LABEL_WIDTH
from tui_reader.ui.widgets.footer import KeysFooter


def mute_prompt(mute: Mute, stories: int | None, now: float | None = None) -> Table:
    """The kind, then the name (plain text), how many stories it leaves out and when it was
    muted, wrapping in their own column."""
    text = Text()
    text.append(display_text(mute.value), style="bold")
    if stories is not None:
        text.append(f"  · {stories} {'story' if stories == 1 else 'stories'}")
    text.append(f"  · muted {relative_date(mute.when, now)}", style="dim")
    grid = Table.grid()
    grid.add_column(width=LABEL_WIDTH, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(MUTE_LABELS.get(mute.kind, mute.kind), style="dim"), text)
    return grid


class MutesScreen(Screen[None]):
    """Every mute of the reader's, by kind then name; the unmute key shows those stories again."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("mutes")

    CSS_PATH = "mutes.tcss"
    """Its layout and colours."""

    def __init__(self, store: StateStore, entries: Sequence[LibraryEntry] = ()) -> None:
        """List the mutes kept in ``store``; count their stories among ``entries``."""
        super().__init__()
        self.store = store
        """The reader's state."""
        self.entries = [e for e in entries if not e.error]
        """The library's stories (empty outside a library: no counts shown)."""
        self.items: list[Mute] = []
        """The mutes listed, in order."""
        self.counts: dict[str, int] | None = None
        """How many stories each mute leaves out, by its key (counted once, when first listed)."""

    def compose(self) -> ComposeResult:
        """A title, what muting does, the list and the footer."""
        yield Static(Text("Muted authors and tags"), id="mutes-title")
        yield Static(
            Text(
                "Their stories are left out of the library and search; h in the library "
                "shows them. Mute from the library with m on a story.",
                style="dim",
            ),
            id="mutes-hint",
        )
        yield OptionList(id="mutes-list")
        yield KeysFooter()

    def on_mount(self) -> None:
        """Fill the list."""
        self.refresh_list()
        self.query_one(OptionList).focus()

    def refresh_list(self, keep: int = 0) -> None:
        """Re-read the mutes and keep the cursor near ``keep``."""
        self.items = self.store.mutes()
        listing = self.query_one(OptionList)
        listing.clear_options()
        if not self.items:
            empty = Text("Nothing muted: press m on a story in the library.")
            listing.add_option(Option(empty, disabled=True))
            return
        if self.counts is None and self.entries:
            self.counts = mute_counts(self.entries, self.items)
        counts = self.counts or {}
        listing.add_options(
            [Option(mute_prompt(m, counts.get(m.key)), id=m.key) for m in self.items]
        )
        listing.highlighted = min(keep, len(self.items) - 1)

    def action_unmute(self) -> None:
        """Unmute the highlighted author, fandom, relationship or tag."""
        index = self.query_one(OptionList).highlighted
        if index is None or not self.items or index >= len(self.items):
            return
        mute = self.items[index]
        self.store.unmute(mute.kind, mute.value)
        self.refresh_list(max(0, min(index, len(self.items) - 2)))
        label = MUTE_LABELS.get(mute.kind, mute.kind)
        self.notify(f"{label} {mute.value} unmuted", timeout=2)

    def action_close(self) -> None:
        """Back to where the reader was."""
        self.dismiss(None)
