"""The warning screens: the story's interstitial before it opens, and the author's chapter gate.

Both are modal and answer a bool: True to go on, False to go back. Every story-derived string is
shown as plain text (``rich.text.Text``), never parsed as markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui_reader.model import NO_WARNINGS, Story, WarningGate
from tui_reader.ui.bindings import bindings
from tui_reader.ui.plain import is_plain

WARNING_HEADLINE = "This story may hold content some readers would rather not see."
"""The interstitial's first line."""

WARNING_BODY = (
    "The author marked it as below. If you go on, you are saying you are willing to read "
    "such content."
)
"""The interstitial's explanation under the headline."""


def _line(label: str, value: str, style: str = "") -> Text:
    """One "Label: value" line; the value is plain text (never markup)."""
    line = Text()
    line.append(f"{label}: ", style="bold")
    line.append(value, style=style)
    return line


def warning_lines(story: Story, *, plain: bool = False) -> list[Text]:
    """What the interstitial lists: rating, archive warnings, the site's other warnings (verbatim),
    the author's own sentences (bulleted with "-" in plain mode)."""
    bullet = "  - " if plain else "  • "
    rating = story.rating or "Not given"
    if story.rating and story.rating_level and story.rating_level != story.rating:
        rating = f"{story.rating} (read as {story.rating_level})"
    lines: list[Text] = [_line("Rating", rating)]
    warnings = [w for w in story.warnings if w != NO_WARNINGS]
    if warnings:
        lines.append(Text("Archive warnings:", style="bold"))
        lines.extend(Text(f"{bullet}{w}") for w in warnings)
    archive = {w.casefold() for w in story.warnings}
    others = [w for w in story.site_warnings if w.casefold() not in archive]
    if others:
        lines.append(Text("The site's warnings:", style="bold"))
        lines.extend(Text(f"{bullet}{w}") for w in others)
    if story.content_notes:
        lines.append(Text("The author's warnings:", style="bold"))
        lines.extend(Text(f"  “{note}”") for note in story.content_notes)
    return lines


class _YesNoScreen(ModalScreen[bool]):
    """A modal question with a "yes" button (focused: enter continues) and a "no" button."""

    def on_mount(self) -> None:
        """Focus the "yes" button so enter continues."""
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Answer with the button pressed."""
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        """Answer from a key."""
        self.dismiss(answer)


class WarningScreen(_YesNoScreen):
    """The interstitial shown before a story with a rating, warnings or content notes."""

    DEFAULT_CSS = """
    WarningScreen { align: center middle; }
    WarningScreen > #dialog {
        width: 76; max-width: 95%; height: auto; max-height: 90%;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    WarningScreen #headline { text-style: bold; color: $warning; margin-bottom: 1; }
    WarningScreen #story { text-style: bold; }
    WarningScreen #details { height: auto; max-height: 16; margin: 1 0; }
    WarningScreen #buttons { height: auto; align-horizontal: center; }
    WarningScreen Button { margin: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("warning")
    """y/enter continue, n/escape go back (enter presses the focused button)."""

    def __init__(self, story: Story) -> None:
        """Warn about ``story``."""
        super().__init__()
        self.story = story
        """The story about to open."""

    def compose(self) -> ComposeResult:
        """The headline, the story's name, its warnings, and the two buttons."""
        title = Text(self.story.title)
        if self.story.author:
            title.append(f" by {self.story.author}", style="not bold italic")
        with Vertical(id="dialog"):
            yield Static(WARNING_HEADLINE, id="headline")
            yield Static(title, id="story")
            yield Static(WARNING_BODY, id="body")
            with VerticalScroll(id="details"):
                for line in warning_lines(self.story, plain=is_plain(self)):
                    yield Static(line)
            with Horizontal(id="buttons"):
                yield Button("Yes, continue", variant="warning", id="yes")
                yield Button("No, go back", id="no")


class GateScreen(_YesNoScreen):
    """The author's stop point: asks again before a chapter, with the author's reason."""

    DEFAULT_CSS = """
    GateScreen { align: center middle; }
    GateScreen > #dialog {
        width: 72; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    GateScreen #headline { text-style: bold; color: $accent; margin-bottom: 1; }
    GateScreen #reason { margin-bottom: 1; height: auto; max-height: 14; }
    GateScreen #buttons { height: auto; align-horizontal: center; }
    GateScreen Button { margin: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("gate")
    """y/enter continue, n/escape stop."""

    def __init__(self, story: Story, gate: WarningGate) -> None:
        """Ask before ``gate.before_chapter`` of ``story``."""
        super().__init__()
        self.story = story
        """The story being read."""
        self.gate = gate
        """The author's stop point."""

    def compose(self) -> ComposeResult:
        """The headline, the author's reason verbatim, and the two buttons."""
        with Vertical(id="dialog"):
            yield Static(
                f"The author suggests stopping before Chapter {self.gate.before_chapter}",
                id="headline",
                markup=False,
            )
            yield Static(Text("In the author's words:", style="bold"))
            with VerticalScroll(id="reason"):
                yield Static(Text(self.gate.reason))
            with Horizontal(id="buttons"):
                yield Button("Continue", variant="primary", id="yes")
                yield Button("Stop here", id="no")
