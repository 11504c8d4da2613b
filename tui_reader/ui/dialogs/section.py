"""A front or back matter section (title page, contents, licence) shown as plain text.

Reached from the chapter index. Sections are never chapters: they have no place, no read mark and
no gate; this screen simply lets a reader see every word the file holds.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui_reader.layout import PLAIN_SCENE_BREAK, SCENE_BREAK
from tui_reader.model import Section
from tui_reader.ui.bindings import bindings
from tui_reader.ui.plain import is_plain


def section_text(section: Section, *, plain: bool = False) -> Text:
    """The section's blocks as plain text (never markup), paragraphs apart, scene breaks as ⁂
    ("[scene break]" in plain mode)."""
    text = Text()
    for i, block in enumerate(section.blocks):
        if i:
            text.append("\n\n")
        if block.kind == "scene_break":
            text.append(PLAIN_SCENE_BREAK if plain else SCENE_BREAK, style="dim")
            continue
        text.append(block.text, style="bold" if block.kind == "heading" else "")
        if block.attribution:
            text.append(f"\n  — {block.attribution}", style="italic")
    return text


class SectionScreen(ModalScreen[None]):
    """One section, scrollable; escape (or q) goes back to the chapter index."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("section")
    """escape goes back."""

    CSS_PATH = "section.tcss"
    """A centred panel."""

    def __init__(self, label: str, section: Section) -> None:
        """Show ``section`` under a heading made of ``label`` ("Front matter") and its title."""
        super().__init__()
        self.label = label
        """The heading shown above the text."""
        self.section = section
        """The section shown."""

    def compose(self) -> ComposeResult:
        """The heading, the text and the footer."""
        heading = f"{self.label}: {self.section.title} · {self.section.words:,} words"
        yield Static(Text(heading), id="section-title")
        with VerticalScroll(id="section-body"):
            yield Static(section_text(self.section, plain=is_plain(self)), id="section-text")
        yield Footer()

    def on_mount(self) -> None:
        """Focus the text so the arrow keys scroll it."""
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        """Back to the chapter index."""
        self.dismiss(None)
