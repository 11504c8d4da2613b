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

    def __init__(
        self,
        story: Story,
        *,
        read: set[int],
        current: int,
        gated: set[int],
        reading_on: bool = False,
    ) -> None:
        """List ``story``'s chapters; ``read``/``gated`` are chapter indexes; ``reading_on``
        when ``story`` is its first chapter only and the rest is still being read."""
        super().__init__()
        self.story = story
        """The story."""
        self.read = read
        """Indexes of chapters read."""
        self.current = current
        """Index of the chapter being read."""
        self.gated = gated
        """Indexes of chapters behind an author's gate."""
        self.reading_on = reading_on
        """True while the rest of the story is being read (first chapter first): the title says
        so, and :meth:`show_session` fills the list in when the whole story arrives."""

    @classmethod
    def of(cls, session: ReadingSession, *, reading_on: bool = False) -> ChapterIndexScreen:
        """The index of the story read in ``session``, with its read marks, place and gates."""
        read = set(session.read)
        return cls(
            session.story,
            read=read,
            current=session.chapter,
            gated=session.gated_chapters(),
            reading_on=reading_on,
        )

    def title_text(self) -> Text:
        """ "Chapters · 12 chapters (legend)"; "of N" when the story has more to come; while
        the rest of the story is read, how many are listed so far."""
        total = self.story.chapters_total
        present = len(self.story.chapters)
        count = f"{present:,} chapter{'' if present == 1 else 's'}"
        if total and total > present:
            count += f" of {total:,}"
        if self.reading_on:
            count += " so far, reading the rest…" if not is_plain(self) else " so far (reading)"
        legend = "" if is_plain(self) else "  (✓ read, ▸ current, ⚠ author's warning)"
        return Text(f"Chapters · {count}{legend}")

    def compose(self) -> ComposeResult:
        """The title and the list."""
        yield Static(self.title_text(), id="index-title")
        yield OptionList(*self._options(), id="chapter-list")
        yield Footer()

    def _options(self) -> list[Option]:
        """The list's rows: front matter, the chapters, back matter."""
        present = len(self.story.chapters)
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
        return [*front, *chapters, *back]

    def on_mount(self) -> None:
        """Highlight the current chapter."""
        options = self.query_one(OptionList)
        options.highlighted = len(self.story.front_matter) + self.current
        options.focus()

    def show_session(self, session: ReadingSession) -> None:
        """The whole story arrived while this index showed its first chapter only: list every
        chapter now, the highlight kept on the row it was on."""
        options = self.query_one(OptionList)
        kept = options.highlighted_option.id if options.highlighted_option is not None else None
        self.story = session.story
        self.read = set(session.read)
        self.current = session.chapter
        self.gated = session.gated_chapters()
        self.reading_on = False
        self.query_one("#index-title", Static).update(self.title_text())
        rows = self._options()
        options.clear_options()
        options.add_options(rows)
        ids = [row.id for row in rows]
        at = ids.index(kept) if kept in ids else len(self.story.front_matter) + self.current
        options.highlighted = min(at, len(rows) - 1) if rows else None

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
