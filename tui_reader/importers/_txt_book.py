"""Plain-text books: Project Gutenberg ``.txt`` files and other hard-wrapped books.

A Gutenberg file is cut at its markers: everything up to ``*** START OF THE PROJECT GUTENBERG
EBOOK … ***`` is the Gutenberg header (its ``Title:``/``Author:``/``Language:`` lines are read),
everything from ``*** END OF …`` (or the older ``End of the Project Gutenberg EBook of …`` line)
is the licence; both are kept as sections, never chapters. Between them, as in any plain book,
what stands before the first chapter (title page, contents list) is front matter, and each chapter
starts at a heading (``CHAPTER I.``, ``Chapter One``, ``Part 2``...), with its title on the same
line, on the next line, or alone after one blank line. Hard-wrapped lines are joined into
paragraphs; short lines (verse, letters) keep their breaks.
"""

from __future__ import annotations

import re
from pathlib import Path

from tui_reader.importers._txt_chapters import ChapterText
from tui_reader.importers._txt_common import Layout, Unit, detect_layout, split_units
from tui_reader.importers._txt_header import Header, label_line
from tui_reader.importers.grammar import Heading, note_label, parse_heading
from tui_reader.model import Block, Chapter, Section
from tui_reader.text import lazy_pattern

_PG_START = lazy_pattern(
    r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK\b.*?\*{3}$", re.IGNORECASE
)
_PG_END = lazy_pattern(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK\b", re.IGNORECASE)
_PG_END_OLD = lazy_pattern(r"^End of (?:the )?Project Gutenberg'?s? E-?Book\b", re.IGNORECASE)
_CONTENTS = frozenset({"contents", "table of contents", "list of chapters"})
_BY_LINE = lazy_pattern(r"^by\s+(?P<author>\S.{0,80})$", re.IGNORECASE)
_SENTENCE_END = (".", "!", "?", '"', "”", "’", ",", ";")
_SCAN = 400
"""Lines at the start of a file searched for Gutenberg's start marker."""

GUTENBERG_HEADER = "Project Gutenberg header"
"""Title of the section holding Gutenberg's header."""
GUTENBERG_LICENCE = "Project Gutenberg licence"
"""Title of the section holding Gutenberg's end marker and licence."""


def gutenberg_start(lines: list[str]) -> int | None:
    """The index of Gutenberg's ``*** START OF …`` line near the top, or None."""
    for i, line in enumerate(lines[:_SCAN]):
        if line.startswith("***") and _PG_START.match(line.strip()):
            return i
    return None


def looks_like_book(lines: list[str], units: list[Unit], layout: Layout) -> bool:
    """True for a hard-wrapped book whose chapters start at headings: not an archive dump,
    whose preamble has ``Label: value`` lines or author's notes."""
    if layout.wrap_width is None:
        return False
    heads = _chapter_heads(lines, units, len(units))
    if len(heads) < 2:
        return False
    for unit in units[: heads[0][0]]:  # an archive preamble: labelled metadata or notes
        first = lines[unit.start].strip()
        if label_line(first) is not None or note_label(first) is not None:
            return False
    return True


def parse(path: Path, lines: list[str]) -> tuple[Header, list[str], list[Chapter]]:
    """Parse a plain-text book into header (with its sections), no notes, and chapters."""
    header = Header()
    start, end = 0, len(lines)
    pg = gutenberg_start(lines)
    if pg is not None:
        start = pg + 1
        end = _gutenberg_end(lines, start)
    units = split_units(lines, start, end)
    text = ChapterText(lines, detect_layout(lines, units), gap_breaks=False)
    if pg is not None:
        _gutenberg_labels(lines[:pg], header)
        header.story.front_matter.append(_section(GUTENBERG_HEADER, text, 0, start))
        if end < len(lines):
            header.story.back_matter.append(_section(GUTENBERG_LICENCE, text, end, len(lines)))
    heads = _chapter_heads(lines, units, len(units))
    first = heads[0][0] if heads else len(units)
    _front_matter(text, units[:first], header)
    chapters: list[Chapter] = []
    previous = 0
    lead: list[Block] = []
    for k, (index, heading, used) in enumerate(heads):
        stop = heads[k + 1][0] if k + 1 < len(heads) else len(units)
        body = units[index + used : stop]
        if heading.label:
            header.story.account("boilerplate", heading.label)
        if not body and k + 1 < len(heads):
            lead.append(Block("heading", _heading_text(text, units[index : index + used])))
            if heading.title:
                header.story.account("boilerplate", heading.title)
            continue
        number = heading.number if heading.number and heading.number > previous else previous + 1
        previous = number
        chapters.append(text.chapter(number, heading.title, body, lead))
        lead = []
    if not chapters:
        chapters.append(text.chapter(1, None, units[first:]))
    header.story.account("boilerplate", text.boilerplate_words)
    return header, [], chapters


def _gutenberg_end(lines: list[str], start: int) -> int:
    """The index where Gutenberg's end matter begins (the end marker or the older end line)."""
    end = len(lines)
    for i in range(len(lines) - 1, start - 1, -1):
        stripped = lines[i].strip()
        if stripped.startswith("***") and _PG_END.match(stripped):
            end = i
            break
    for i in range(end - 1, max(start, end - 12) - 1, -1):
        stripped = lines[i].strip()
        if stripped and _PG_END_OLD.match(stripped):
            return i
        if stripped:
            break
    return end


def _gutenberg_labels(lines: list[str], header: Header) -> None:
    """Title, author and language from Gutenberg's header lines (whose words are counted in
    the header's section, so they are read into a scratch header and not accounted again)."""
    scratch = Header()
    for line in lines:
        pair = label_line(line)
        if pair is not None and pair[0] in ("title", "author", "language"):
            scratch.apply(*pair)
    header.title, header.author = scratch.title, scratch.author
    header.story.language = scratch.story.language


def _section(title: str, text: ChapterText, start: int, end: int) -> Section:
    """A section of lines ``start:end``, one paragraph per unit, unwrapped like the book."""
    units = split_units(text.lines, start, end)
    return Section(title, [Block("paragraph", t) for u in units if (t := text.text(u))])


def title_line(line: str, *, beside: bool = False) -> bool:
    """True when a line can be a chapter's title: short, not a heading, and (alone after a
    blank line; ``beside``: on the heading's next line, where any short line is the title) not
    a sentence: it ends without punctuation, or with a full stop after capitalised words
    ("THE FROST.", "The Toll House.")."""
    text = line.strip()
    if not text or len(text) > (100 if beside else 80) or parse_heading(text) is not None:
        return False
    if beside:
        return True
    if text[0].islower() or (text.endswith(_SENTENCE_END) and not text.endswith(".")):
        return False
    if text.endswith("."):
        words = [w for w in text.split() if len(w) > 3 or w == text.split()[0]]
        return bool(words) and all(w[0].isupper() or not w[0].isalpha() for w in words)
    return True


def _chapter_heads(
    lines: list[str], units: list[Unit], stop: int
) -> list[tuple[int, Heading, int]]:
    """(unit index, heading with its title, units used) of every chapter heading.

    A heading is a unit whose first line is a heading; a title may follow on the unit's second
    line or, alone, in the next unit. A heading counts only when story text or another heading
    of a larger division follows it: the entries of a contents list do not.
    """
    found: list[tuple[int, Heading, int]] = []
    i = 0
    while i < stop:
        unit = units[i]
        size = unit.end - unit.start
        first = lines[unit.start]
        heading = parse_heading(first) if size <= 2 and len(first) <= 130 else None
        if heading is None:
            i += 1
            continue
        used = 1
        if heading.title is None and heading.number is not None:
            if size == 2 and title_line(lines[unit.start + 1], beside=True):
                title = lines[unit.start + 1].strip()
                heading = Heading(heading.number, title, heading.label, heading.kind)
            elif size == 1 and i + 2 < stop and _single(units[i + 1]):
                line = lines[units[i + 1].start]
                if title_line(line) and not _is_heading_unit(lines, units[i + 2]):
                    heading = Heading(heading.number, line.strip(), heading.label, heading.kind)
                    used = 2
        elif size == 2:
            i += 1
            continue
        after = i + used
        if after < stop and _is_heading_unit(lines, units[after]) and heading.kind == "chapter":
            i += 1  # a contents entry
            continue
        found.append((i, heading, used))
        i = after
    return found


def _single(unit: Unit) -> bool:
    """True for a one-line unit."""
    return unit.end - unit.start == 1


def _is_heading_unit(lines: list[str], unit: Unit) -> bool:
    """True when a unit starts with a heading line."""
    return unit.end - unit.start <= 2 and parse_heading(lines[unit.start]) is not None


def _heading_text(text: ChapterText, units: list[Unit]) -> str:
    """A heading's lines as one line ("PART ONE: The Coast")."""
    return " ".join(text.text(u).replace("\n", " ") for u in units)


def _front_matter(text: ChapterText, units: list[Unit], header: Header) -> None:
    """The book's own title page and contents list, as front matter sections."""
    if not units:
        return
    title_page: list[Block] = []
    contents: list[Block] = []
    target = title_page
    for k, unit in enumerate(units):
        paragraph = text.text(unit)
        if not paragraph:
            continue
        key = paragraph.strip().strip(".:").strip().casefold()
        if key in _CONTENTS:
            target = contents
            continue
        if target is contents:
            lines = (text.text(Unit(j, j + 1, 0)) for j in range(unit.start, unit.end))
            contents.extend(Block("paragraph", line) for line in lines if line)
            continue
        if target is title_page and k == 0 and header.title is None:
            _title_and_by(text, unit, header)
        if target is title_page and unit.end - unit.start == 1:
            if header.title is None and k == 0 and title_line(paragraph):
                header.title = paragraph.strip()
            elif header.author is None and (m := _BY_LINE.match(paragraph.strip())):
                header.author = m.group("author").strip()
        target.append(Block("paragraph", paragraph))
    if title_page:
        header.story.front_matter.append(Section("Title page", title_page))
    if contents:
        header.story.front_matter.append(Section("Contents", contents))
        header.story.account("boilerplate", "Contents")


def _title_and_by(text: ChapterText, unit: Unit, header: Header) -> None:
    """Title and author from a title page's first unit when it is a title with its by-line on
    the next line ("THE SALT ROAD" / "By Ann Example")."""
    if unit.end - unit.start != 2:
        return
    title, by = (text.lines[j].strip() for j in range(unit.start, unit.end))
    author = by_author(by)
    if author is not None and title_line(title):
        header.title = title
        header.author = header.author or author


def by_author(line: str) -> str | None:
    """The author of a by-line right under a title ("By Ann Example"): a few words, not the
    end of a sentence (a wrapped paragraph's last line may start with "by" too); else None."""
    m = _BY_LINE.match(line.strip())
    if m is None:
        return None
    author = m.group("author").strip()
    return None if len(author.split()) > 8 or author.endswith(_SENTENCE_END) else author
