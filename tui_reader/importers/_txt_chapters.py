"""Building chapters from text units: notes and word count now, blocks on first read."""

from __future__ import annotations

import re
from collections.abc import Callable

from tui_reader.importers._txt_common import Layout, Unit, repair_artifacts, unit_text
from tui_reader.importers.grammar import (
    is_scene_break,
    note_label,
    split_epigraph,
    strip_note_label,
)
from tui_reader.model import Block, Chapter
from tui_reader.text import count_words, lazy_pattern

NOTE_TAIL = 4
"""How many units at a chapter's end are searched for an end note."""

_CLOSERS = {"(": ")", "[": "]"}
"""The bracket closing a note that opens with a bracket ("[A/N: …]")."""

_MARKDOWN_HEADING = lazy_pattern(r"^(?P<hashes>#{1,6})\s+(?P<text>\S.*?)\s*#*\s*$")
"""A heading as html2text writes it ("### Chapter title from site")."""


class ChapterText:
    """The lines of one text file and how they are laid out, shared by its chapters."""

    def __init__(
        self,
        lines: list[str],
        layout: Layout,
        *,
        gap_breaks: bool,
        markdown_headings: bool = False,
        break_gap: int | None = None,
    ) -> None:
        """Keep the file's lines; ``gap_breaks``: a wider blank gap than usual is a scene break;
        ``break_gap``: a gap of at least this many blank lines is one (when ``gap_breaks`` is
        off); ``markdown_headings``: a one-line ``### Heading`` paragraph is a heading."""
        self.lines = lines
        """Every line of the file (sanitised)."""
        self.layout = layout
        """Wrapping and paragraph spacing."""
        self.gap_breaks = gap_breaks
        """True when more blank lines than usual mark a scene break (archive dumps)."""
        self.markdown_headings = markdown_headings
        """True when ``### Heading`` lines are headings (FanFicFare's html2text output)."""
        self.break_gap = break_gap
        """Blank lines in a row that always make a scene break, or None."""
        self.boilerplate_words = 0
        """Words read as furniture in the chapters built so far, for word accounting: the
        scene-break marker lines ("* * *" is three), ``###`` of headings and note labels."""

    def text(self, unit: Unit) -> str:
        """One unit's paragraph text, wrapped lines joined and artifacts repaired."""
        return repair_artifacts(unit_text(self.lines, unit, self.layout.wrap_width))

    def is_break(self, unit: Unit) -> bool:
        """True when a unit is a scene-break marker line."""
        return unit.end - unit.start == 1 and is_scene_break(self.lines[unit.start])

    def heading(self, unit: Unit) -> re.Match[str] | None:
        """The ``### Heading`` match of a one-line unit, when such lines are headings."""
        if not self.markdown_headings or unit.end - unit.start != 1:
            return None
        line = self.lines[unit.start]
        return _MARKDOWN_HEADING.match(line.strip()) if line.lstrip()[:1] == "#" else None

    def strip_label(self, text: str) -> str:
        """A note's text without its label; the label's words are counted as boilerplate."""
        stripped = strip_note_label(text)
        self.boilerplate_words += max(0, count_words(text) - count_words(stripped))
        return stripped

    def is_note(self, unit: Unit) -> bool:
        """True when a unit starts with a note label."""
        return note_label(self.lines[unit.start].lstrip()) is not None

    def notes_at_start(self, units: list[Unit]) -> tuple[list[str], int]:
        """Labelled notes opening a chapter, and how many units they use.

        Each note is its labelled paragraph (or, when the label stands alone on its line, the
        paragraph after it): what follows may as well be story text, so it stays story text.
        """
        notes: list[str] = []
        i = 0
        while i < len(units) and self.is_note(units[i]):
            text = self.strip_label(self.text(units[i]))
            i += 1
            if not text and i < len(units) and not self.is_note(units[i]):
                text = self.text(units[i])
                i += 1
            if text:
                notes.append(text)
        return notes, i

    def notes_at_end(self, units: list[Unit]) -> tuple[list[str], int]:
        """Labelled notes closing a chapter, and the index where they begin.

        A note is its labelled paragraph; a bracketed one ("[A/N: …") runs on to the paragraph
        that closes the bracket; a stand-alone label ("Notes:" alone) heads the rest of the
        chapter. Only notes that nothing but notes and scene breaks follow close a chapter: a
        note with story text after it stays where the author put it, a paragraph of the text
        (as the HTML and EPUB importers keep it), and the story after it stays story text.
        """
        begin = len(units)
        for j in range(max(0, len(units) - NOTE_TAIL), len(units)):
            if self.is_note(units[j]) and self._only_notes(units[j:]):
                begin = j
                break
        notes: list[str] = []
        i = begin
        while i < len(units):
            if self.is_break(units[i]):
                i += 1
                continue
            end = self._note_end(units, i) or len(units)
            texts = [self.text(unit) for unit in units[i:end] if not self.is_break(unit)]
            closer = _CLOSERS.get(texts[0].lstrip()[:1])
            texts[0] = self.strip_label(texts[0])
            if closer is not None and len(texts) > 1 and texts[-1].rstrip().endswith(closer):
                texts[-1] = texts[-1].rstrip()[:-1].rstrip()
            notes.append("\n\n".join(text for text in texts if text))
            i = end
        return [n for n in notes if n], begin

    def _note_end(self, units: list[Unit], i: int) -> int | None:
        """Where the note opening at ``units[i]`` ends (the index after it): its labelled
        paragraph; for a bracketed one ("[A/N: …") the paragraph that closes the bracket (None
        when none does: what follows is story text); for a label alone on its line, the next
        labelled note or the chapter's end."""
        text = self.text(units[i])
        if not strip_note_label(text):
            later = range(i + 1, len(units))
            return next((j for j in later if self.is_note(units[j])), len(units))
        closer = _CLOSERS.get(text.lstrip()[:1])
        if closer is None or text.rstrip().endswith(closer):
            return i + 1  # (a bracket closed in its own paragraph: the label strips both)
        for j in range(i + 1, len(units)):
            if self.text(units[j]).rstrip().endswith(closer):
                return j + 1
        return None

    def _only_notes(self, units: list[Unit]) -> bool:
        """True when ``units`` (the first labelled) are notes and scene breaks only, each note
        reaching as far as :meth:`_note_end` says."""
        i = 0
        while i < len(units):
            if self.is_break(units[i]):
                i += 1
                continue
            end = self._note_end(units, i) if self.is_note(units[i]) else None
            if end is None:
                return False
            i = end
        return True

    def words(self, units: list[Unit]) -> int:
        """Words in the body units (markers excluded)."""
        if not units:
            return 0
        body = "\n".join(self.lines[units[0].start : units[-1].end])
        markers = sum(len(self.lines[u.start].split()) for u in units if self.is_break(u))
        if self.markdown_headings:
            for unit in units:
                if (m := self.heading(unit)) is not None:
                    markers += count_words(self.lines[unit.start]) - count_words(m.group("text"))
        self.boilerplate_words += markers
        return max(0, count_words(repair_artifacts(body)) - markers)

    def blocks(self, units: list[Unit], lead: list[Block]) -> list[Block]:
        """Parse body units into blocks: paragraphs, scene breaks and an opening epigraph."""
        blocks: list[Block] = list(lead)
        paragraphs: list[tuple[int, str]] = []
        pending = False
        normal = self.layout.normal_gap
        for idx, unit in enumerate(units):
            if idx and self.gap_breaks and unit.gap > normal:
                pending = True
            if idx and self.break_gap is not None and unit.gap >= self.break_gap:
                pending = True
            if self.is_break(unit):
                pending = True
                continue
            heading = self.heading(unit)
            if heading is not None:
                pending = False
                blocks.append(Block("heading", heading.group("text")))
                continue
            text = self.text(unit)
            if not text:
                continue
            if pending and len(blocks) > len(lead):
                blocks.append(Block("scene_break", ""))
            pending = False
            paragraphs.append((len(blocks), text))
            blocks.append(Block("paragraph", text))
        return _with_epigraph(blocks, paragraphs, len(lead))

    def chapter(
        self,
        number: int,
        title: str | None,
        units: list[Unit],
        lead: list[Block] | None = None,
    ) -> Chapter:
        """A chapter from its body units: notes and words now, blocks when first read."""
        notes_before, first = self.notes_at_start(units)
        rest = units[first:]
        notes_after, end = self.notes_at_end(rest)
        body = rest[:end]
        while body and self.is_break(body[0]):
            body = body[1:]
        while body and self.is_break(body[-1]):
            body = body[:-1]
        heads = list(lead or [])
        return Chapter.lazy(
            number=number,
            title=title,
            words=self.words(body),
            loader=self.loader(body, heads),
            notes_before=notes_before,
            notes_after=notes_after,
        )

    def loader(self, body: list[Unit], heads: list[Block]) -> Callable[[], list[Block]]:
        """The function that parses a chapter's blocks when first read."""
        return lambda: self.blocks(body, heads)


def _with_epigraph(
    blocks: list[Block], paragraphs: list[tuple[int, str]], lead: int
) -> list[Block]:
    """Turn the opening quote and attribution of a chapter into one epigraph block."""
    if not paragraphs or paragraphs[0][0] != lead:
        return blocks
    first = paragraphs[0][1]
    second = paragraphs[1][1] if len(paragraphs) > 1 and paragraphs[1][0] == lead + 1 else None
    found = split_epigraph(first, second)
    if found is None:
        return blocks
    block, used = found
    return [*blocks[:lead], block, *blocks[lead + used :]]
