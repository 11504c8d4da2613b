"""The chapter index: every chapter with read marks, the current one, gates and word counts.

Front matter (title page, contents, licence) is listed above the chapters and back matter below
them; choosing one shows it in a :class:`SectionScreen` and comes back here.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tui_reader.model import Section, Story
from tui_reader.reading import ReadingSession
from tui_reader.ui.bindings import bindings
from tui_reader.ui.dialogs.section import SectionScreen
from tui_reader.ui.plain import is_plain


def index_line(
    story: Story, index: int, *, read: bool, current: bool, gated: bool, plain: bool = False
) -> Text:
    """One row: "✓ ▸ ⚠ Chapter 3: Title · 2,345 words" (plain text, never markup).

    In plain mode the states are words: "[read] [current] [warning] Chapter 3: ...".
    """
    chapter = story.chapters[index]
    text = Text(no_wrap=True, overflow="ellipsis")
    if plain:
        for state, word in ((read, "[read] "), (current, "[current] "), (gated, "[warning] ")):
            if state:
                text.append(word, style="bold")
    else:
        text.append("✓ " if read else "  ", style="green")
        text.append("▸ " if current else "  ", style="bold")
        text.append("⚠ " if gated else "  ", style="yellow")
    text.append(chapter.display_title, style="bold" if current else "")
    text.append(f"  · {chapter.words:,} words", style="dim")
    return text


def section_line(kind: str, section: Section) -> Text:
    """One row for a front or back matter section: "      Front matter: Contents · 80 words"."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("      ")
    text.append(f"{kind}: {section.title}", style="italic")
    text.append(f"  · {section.words:,} words", style="dim")
    return text


class ChapterIndexScreen(ModalScreen[int | None]):
    """A list of chapters: enter jumps to one (its index), escape goes back (None)."""

    CSS_PATH = "chapter_index.tcss"
    """A centred list."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("index")
    """escape goes back."""

    def __init__(self, story: Story, *, read: set[int], current: int, gated: set[int]) -> None:
        """List ``story``'s chapters; ``read``/``gated`` are chapter indexes."""
        super().__init__()
        self.story = story
        """The story."""
        self.read = read
        """Indexes of chapters read."""
        self.current = current
        """Index of the chapter being read."""
        self.gated = gated
        """Indexes of chapters behind an author's gate."""

    @classmethod
    def of(cls, session: ReadingSession) -> ChapterIndexScreen:
        """The index of the story read in ``session``, with its read marks, place and gates."""
        read = set(session.read)
        return cls(
            session.story, read=read, current=session.chapter, gated=session.gated_chapters()
        )

    def compose(self) -> ComposeResult:
        """The title and the list."""
        total = self.story.chapters_total
        present = len(self.story.chapters)
        count = f"{present} chapters" + (f" of {total}" if total and total > present else "")
        legend = "" if is_plain(self) else "  (✓ read, ▸ current, ⚠ author's warning)"
        title = Text(f"Chapters · {count}{legend}")
        yield Static(title, id="index-title")
        front = [
            Option(section_line("Front matter", s), id=f"front-{i}")
            for i, s in enumerate(self.story.front_matter)
        ]
        chapters = [
            Option(
                index_line(
                    self.story,
                    i,
                    read=i in self.read,
                    current=i == self.current,
                    gated=i in self.gated,
                    plain=is_plain(self),
                ),
                id=f"chapter-{i}",
            )
            for i in range(present)
        ]
        back = [
            Option(section_line("Back matter", s), id=f"back-{i}")
            for i, s in enumerate(self.story.back_matter)
        ]
        yield OptionList(*front, *chapters, *back, id="chapter-list")
        yield Footer()

    def on_mount(self) -> None:
        """Highlight the current chapter."""
        options = self.query_one(OptionList)
        options.highlighted = len(self.story.front_matter) + self.current
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Jump to the chosen chapter, or show the chosen section and stay here."""
        event.stop()
        kind, _, number = (event.option.id or "").partition("-")
        index = int(number)
        if kind == "chapter":
            self.dismiss(index)
        elif kind == "front":
            self.app.push_screen(SectionScreen("Front matter", self.story.front_matter[index]))
        else:
            self.app.push_screen(SectionScreen("Back matter", self.story.back_matter[index]))

    def action_close(self) -> None:
        """Back without jumping."""
        self.dismiss(None)
