"""The reading-status picker (``s``): reading, plan to read, on hold, finished, dropped."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_reader.reading import ReadingSession
from tui_reader.state import STATUSES
from tui_reader.ui.bindings import bindings
from tui_reader.ui.plain import is_plain

CLEAR = ""
"""What the dialog answers for "no status"."""


class StatusDialog(ModalScreen[str | None]):
    """Pick a reading status for a story; answers the status, :data:`CLEAR`, or None (cancel)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("status")

    CSS_PATH = "status.tcss"
    """Its layout and colours."""

    def __init__(
        self,
        title: str,
        current: str | None,
        *,
        suggest: str | None = None,
        heading: str | None = None,
    ) -> None:
        """Ask for the status of the story called ``title`` (now ``current``).

        ``suggest`` is highlighted instead of the current status; ``heading`` is a line above.
        """
        super().__init__()
        self.story_title = title
        """The story's title (plain text)."""
        self.current = current
        """Its status now."""
        self.suggest = suggest
        """The status to highlight first (None: the current one)."""
        self.heading = heading
        """An extra line above the title ("You reached the end.")."""

    @classmethod
    def ask(cls, screen: Screen[Any], session: ReadingSession, *, offer: bool = False) -> None:
        """Ask the status of the story read in ``session`` over ``screen`` and keep the answer.

        ``offer``: the reader reached the end, so "finished" is highlighted under a heading.
        """

        def chosen(status: str | None) -> None:
            """Keep the choice."""
            if status is not None:
                session.set_status(status)
                screen.notify(f"Status: {status or 'none'}", timeout=2)

        suggest, heading = ("finished", "You reached the end.") if offer else (None, None)
        dialog = cls(session.story.title, session.status, suggest=suggest, heading=heading)
        screen.app.push_screen(dialog, chosen)

    def compose(self) -> ComposeResult:
        """The story's title and the choices."""
        with Vertical():
            if self.heading:
                yield Static(Text(self.heading, style="bold"))
            yield Static(Text(f"Reading status of {self.story_title}", style="bold"))
            mark, blank = ("[current] ", "") if is_plain(self) else ("● ", "  ")
            options = [
                Option(Text((mark if s == self.current else blank) + s.capitalize()), id=s)
                for s in STATUSES
            ]
            no_status = (mark if self.current is None else blank) + "No status"
            options.append(Option(Text(no_status), id="-"))
            yield OptionList(*options)

    def on_mount(self) -> None:
        """Highlight the current status."""
        choices = self.query_one(OptionList)
        ids = [*STATUSES, "-"]
        wanted = self.suggest or self.current or STATUSES[0]
        choices.highlighted = ids.index(wanted) if wanted in ids else len(ids) - 1
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Answer the chosen status."""
        self.dismiss(CLEAR if event.option.id == "-" else event.option.id)

    def action_cancel(self) -> None:
        """Answer None: nothing changes."""
        self.dismiss(None)
