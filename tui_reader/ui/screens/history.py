"""Recently read stories (``H``): when, and which chapter; enter resumes one."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_reader.state import HistoryEntry, StateStore
from tui_reader.text import relative_date
from tui_reader.ui.bindings import bindings
from tui_reader.ui.widgets.footer import KeysFooter


def history_prompt(entry: HistoryEntry, status: str | None, now: float | None = None) -> Text:
    """The story (plain text), its chapter, how long ago, and its status."""
    text = Text()
    text.append(entry.title or "Untitled", style="bold")
    text.append(f"  Chapter {entry.chapter + 1}")
    text.append(f"  · {relative_date(entry.when, now)}", style="dim")
    if status:
        text.append(f"  · {status}", style="italic")
    return text


class HistoryScreen(Screen[HistoryEntry | None]):
    """The reader's history, most recent first; dismisses with the story to resume."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("history")

    CSS_PATH = "history.tcss"
    """Its layout and colours."""

    def __init__(self, store: StateStore) -> None:
        """List the history kept in ``store``."""
        super().__init__()
        self.store = store
        """The reader's state."""
        self.entries: list[HistoryEntry] = store.history(limit=100)
        """The stories listed, most recent first."""

    def compose(self) -> ComposeResult:
        """A title, the list and the footer."""
        yield Static("Recently read", id="history-title")
        statuses = self.store.statuses()
        options = [
            Option(history_prompt(e, statuses.get(e.story_id)), id=str(i))
            for i, e in enumerate(self.entries)
        ]
        if not options:
            options = [Option(Text("Nothing read yet."), disabled=True)]
        yield OptionList(*options)
        yield KeysFooter()

    def on_mount(self) -> None:
        """The cursor on the most recent story."""
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Resume the chosen story."""
        self.dismiss(self.entries[int(event.option.id or 0)])

    def action_close(self) -> None:
        """Back without opening anything."""
        self.dismiss(None)
