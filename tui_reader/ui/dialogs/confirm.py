"""The confirm dialog, used twice: the story's warning before it opens, and the author's gate.

One modal class answering a bool (True to go on, False to go back), built by
:meth:`ConfirmDialog.warning` or :meth:`ConfirmDialog.at_gate`. Each use keeps its own binding
ids (``warning.*``, ``gate.*``) in a subclass that adds nothing but them: Textual's keymap
rebinds a key by dropping every binding of that key in a node's table, so one table holding both
uses would let remapping ``gate.continue`` take ``y`` from the warning too.

Every story-derived string is shown as plain text (``rich.text.Text``), never parsed as markup.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.scalar import Scalar
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

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


DIALOG_SHARE = 90
"""The most of the screen's height (per cent) the dialog takes (``max-height`` in confirm.tcss)."""

MIN_SCROLL_ROWS = 3
"""The fewest rows the scrolling part keeps on the smallest screens."""

BYLINE_AUTHORS = 3
"""Authors the warning names before "and N more" (FanFicFare's test story has twenty)."""


def byline(authors: str) -> str:
    """The authors as the warning names them: all of them, or the first few and how many more
    (the authors are one line joined with ", ", as the archives and FanFicFare write them)."""
    names = authors.split(", ")
    if len(names) <= BYLINE_AUTHORS + 1:
        return authors
    return f"{', '.join(names[:BYLINE_AUTHORS])} and {len(names) - BYLINE_AUTHORS} more"


ConfirmKind = Literal["warning", "gate"]
"""The two uses of the confirm dialog (also the prefix of their binding ids)."""


class ConfirmDialog(ModalScreen[bool]):
    """A modal question: a headline, what it is about, a focused "yes" button and a "no" button.

    Its CSS class is its kind (``-warning``, ``-gate``), which styles the two uses apart.
    """

    CSS_PATH = "confirm.tcss"
    """The two uses' layout and colours."""

    def __init__(self, kind: ConfirmKind, story: Story, gate: WarningGate | None = None) -> None:
        """Ask a ``kind`` question about ``story`` (at ``gate``, for a gate)."""
        super().__init__(classes=f"-{kind}")
        self.kind: ConfirmKind = kind
        """Which use this is: "warning" (before a story) or "gate" (before a chapter)."""
        self.story = story
        """The story about to open, or being read."""
        self.gate = gate
        """The author's stop point (a gate only)."""

    @classmethod
    def warning(cls, story: Story) -> ConfirmDialog:
        """The interstitial shown before a story with a rating, warnings or content notes."""
        return _WarningKeys("warning", story)

    @classmethod
    def at_gate(cls, story: Story, gate: WarningGate) -> ConfirmDialog:
        """The author's stop point: asks again before a chapter, with the author's reason."""
        return _GateKeys("gate", story, gate)

    def compose(self) -> ComposeResult:
        """The headline, what it is about, the two buttons, and the footer naming the keys."""
        with Vertical(id="dialog"):
            if self.gate is None:
                yield from self._warning()
            else:
                yield from self._gate(self.gate)
            with Horizontal(id="buttons"):
                if self.gate is None:
                    yield Button("Yes, continue", variant="warning", id="yes")
                    yield Button("No, go back", id="no")
                else:
                    yield Button("Continue", variant="primary", id="yes")
                    yield Button("Stop here", id="no")
        yield Footer()

    def _warning(self) -> ComposeResult:
        """The headline, the story's name and its warnings."""
        title = Text(self.story.title)
        if self.story.author:
            title.append(f" by {byline(self.story.author)}", style="not bold italic")
        yield Static(WARNING_HEADLINE, id="headline")
        yield Static(title, id="story")
        yield Static(WARNING_BODY, id="body")
        with VerticalScroll(id="details"):
            for line in warning_lines(self.story, plain=is_plain(self)):
                yield Static(line)

    def _gate(self, gate: WarningGate) -> ComposeResult:
        """The headline and the author's reason verbatim."""
        yield Static(
            f"The author suggests stopping before Chapter {gate.before_chapter}",
            id="headline",
            markup=False,
        )
        yield Static(Text("In the author's words:", style="bold"))
        with VerticalScroll(id="reason"):
            yield Static(Text(gate.reason))

    def on_mount(self) -> None:
        """Focus the "yes" button so enter continues."""
        self.query_one("#yes", Button).focus()
        self.call_after_refresh(self._fit)

    def on_resize(self, event: events.Resize) -> None:
        """Fit the scrolling part to the new height (after the new layout)."""
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """Let the scrolling part (the story and its warnings, or the author's reason) take only
        the rows the rest of the dialog leaves on screen, so the buttons always show: twenty
        authors or a long reason on a small terminal scroll instead of pushing them out."""
        dialog = self.query_one("#dialog")
        scroll = dialog.query_one(VerticalScroll)
        rest = sum(c.outer_size.height for c in dialog.children if c is not scroll)
        chrome = dialog.outer_size.height - dialog.size.height
        margins = scroll.styles.margin.top + scroll.styles.margin.bottom
        footer = sum(f.outer_size.height for f in self.query(Footer))
        room = (self.size.height - footer) * DIALOG_SHARE // 100
        fitted = max(MIN_SCROLL_ROWS, room - chrome - rest - margins)
        if scroll.styles.max_height != Scalar.from_number(fitted):
            scroll.styles.max_height = fitted

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Answer with the button pressed."""
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        """Answer from a key."""
        self.dismiss(answer)


class _WarningKeys(ConfirmDialog):
    """The confirm dialog with the warning's keys (``warning.*``)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("warning")
    """y/enter continue, n/escape go back (enter presses the focused button)."""


class _GateKeys(ConfirmDialog):
    """The confirm dialog with the gate's keys (``gate.*``)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("gate")
    """y/enter continue, n/escape stop."""
