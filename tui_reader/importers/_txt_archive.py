"""Archive page dumps (``.txt``): a preamble of title, metadata, summary and notes, then chapters.

The preamble is everything before the first chapter heading. Without any heading the whole
story is one untitled chapter, and the preamble ends where the author's note stops: at a wider
blank gap, a scene-break marker, or a repeat of the title.
"""

from __future__ import annotations

import itertools
import re
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from tui_reader.importers._txt_book import by_author, title_line
from tui_reader.importers._txt_chapters import ChapterText
from tui_reader.importers._txt_common import (
    Layout,
    Unit,
    detect_layout,
    explode_lines,
    split_units,
)
from tui_reader.importers._txt_header import Header, label_line
from tui_reader.importers._txt_source import LineSource, SourcedText
from tui_reader.importers.grammar import Heading, parse_heading
from tui_reader.memory import Pacer
from tui_reader.model import Block, Chapter
from tui_reader.text import lazy_pattern
from tui_reader.values import Value

_BY_LINE = lazy_pattern(r"^by\s+(?P<author>\S.{0,80})$", re.IGNORECASE)
_TITLE_END = (".", ",", ";", ":")
_SUMMARY_SCAN = 12
"""Without chapter headings, a note must start within this many paragraphs to count."""


def _by_line(line: str) -> re.Match[str] | None:
    """The by-line match of ``line`` ("by Author"), or None. A line not opening with "by" (in
    any case: no other character matches "b" or "y" under IGNORECASE) never compiles or runs
    the pattern."""
    return _BY_LINE.match(line) if line[:2].lower() == "by" else None


class Preamble(Value, fields=("header", "notes", "body_start")):
    """What stands before the story text."""

    __slots__ = ("body_start", "header", "notes")

    header: Header
    """Title, author, metadata lines, summary."""
    notes: list[str]
    """Story-level notes, labels stripped."""
    body_start: int
    """Index of the first unit of story text (for a dump without chapter headings)."""

    def __init__(
        self, header: Header | None = None, notes: list[str] | None = None, body_start: int = 0
    ) -> None:
        """A preamble; a header and notes not given are new and empty."""
        self.header = Header() if header is None else header
        self.notes = [] if notes is None else notes
        self.body_start = body_start


def parse(
    path: Path,
    lines: list[str],
    units: list[Unit] | None = None,
    layout: Layout | None = None,
    source: LineSource | None = None,
) -> tuple[Header, list[str], list[Chapter]]:
    """Parse an archive dump's lines into header, story notes and chapters (``units`` and
    ``layout``: the file's units and layout when the caller has worked them out already;
    ``source``: where the lines are in the file, so the chapters read them again rather than
    hold them)."""
    if units is None or layout is None:
        units = split_units(lines)
        layout = detect_layout(lines, units)
    if layout.line_paragraphs:
        units = explode_lines(units)
    text = (
        ChapterText(lines, layout, gap_breaks=True)
        if source is None
        else SourcedText(lines, layout, source)
    )
    heads = _headings(lines, units)
    first_head = heads[0][0] if heads else len(units)
    pre = _preamble(text, units[:first_head], layout, headed=bool(heads))
    chapters: list[Chapter] = []
    story = pre.header.story
    if not heads:
        body = _drop_title_repeat(text, units[pre.body_start :], pre.header)
        chapters.append(text.chapter(1, None, body))
        story.account("boilerplate", text.boilerplate_words)
        return pre.header, pre.notes, chapters
    previous = 0
    lead: list[Block] = []
    for k, (_, heading) in enumerate(heads):
        under = _body_at(text, units, heads, k, pre, lead)
        if under is None:
            continue
        previous = _number(heading, previous)
        chapters.append(text.chapter(previous, heading.title, under, lead))
        lead = []
    story.account("boilerplate", text.boilerplate_words)
    return pre.header, pre.notes, chapters


def _body_under(
    text: ChapterText,
    heading: Heading,
    unit: Unit,
    body: list[Unit],
    pre: Preamble,
    lead: list[Block],
    *,
    first: bool,
    last: bool,
) -> list[Unit] | None:
    """The units under ``heading`` (its ``unit``; ``body``: the units up to the next heading,
    ``first``/``last``: the file's first or last heading); None when it has nothing under it
    and another follows: it then leads the next chapter (kept in ``lead``). The heading's words
    are accounted as boilerplate either way."""
    story = pre.header.story
    if first:
        body = _drop_title_repeat(text, body, pre.header)
    story.account("boilerplate", heading.label)
    if not body and not last:
        lead.append(Block("heading", _heading_text(text, unit)))
        story.account("boilerplate", heading.title or "")
        return None
    return body


def _body_at(
    text: ChapterText,
    units: list[Unit],
    heads: list[tuple[int, Heading]],
    k: int,
    pre: Preamble,
    lead: list[Block],
) -> list[Unit] | None:
    """:func:`_body_under` for heading ``k`` of ``heads`` found in ``units`` (all the file's)."""
    index, heading = heads[k]
    end = heads[k + 1][0] if k + 1 < len(heads) else len(units)
    return _body_under(
        text, heading, units[index], units[index + 1 : end], pre, lead,
        first=k == 0, last=k + 1 == len(heads),
    )  # fmt: skip


def _number(heading: Heading, previous: int) -> int:
    """A chapter's number: its heading's when that goes up from ``previous``, else the next."""
    return heading.number if heading.number and heading.number > previous else previous + 1


class Incomplete(Exception):
    """Raised by :func:`parse_first` on some of a file's lines when they end before the first
    chapter does: read on (more of the file) and try again."""


def parse_first(
    path: Path,
    lines: list[str],
    units: list[Unit],
    layout: Layout,
    source: LineSource | None = None,
    *,
    complete: bool = True,
) -> tuple[Header, list[str], Chapter] | None:
    """The header, story notes and first chapter :func:`parse` gives, finding the headings only
    up to the one after the first chapter's (no later chapter is indexed); None for a dump
    without chapter headings (read it whole: its preamble's end is found by reading on).
    ``units`` and ``layout``: the file's, as :func:`parse` takes them. When ``lines`` are only
    the start of the file (not ``complete``: ``units``, the whole units in them), raises
    :class:`Incomplete` unless the first chapter ends at a heading found in them."""
    if layout.line_paragraphs:
        units = explode_lines(units)
    found = _iter_headings(lines, units)
    heads = list(itertools.islice(found, 2))
    if not heads:
        if not complete:
            raise Incomplete
        return None
    text = (
        ChapterText(lines, layout, gap_breaks=True)
        if source is None
        else SourcedText(lines, layout, source)
    )
    pre = _preamble(text, units[: heads[0][0]], layout, headed=True)
    story = pre.header.story
    lead: list[Block] = []
    k = 0
    while True:  # as parse's loop, up to the first chapter it makes
        if k + 1 == len(heads) and (after := next(found, None)) is not None:
            heads.append(after)
        if k + 1 == len(heads) and not complete:
            raise Incomplete  # (its body may go on past the lines read)
        heading = heads[k][1]
        body = _body_at(text, units, heads, k, pre, lead)
        if body is None:
            k += 1
            continue
        chapter = text.chapter(_number(heading, 0), heading.title, body, lead)
        story.account("boilerplate", text.boilerplate_words)
        return pre.header, pre.notes, chapter


class LineWindow:
    """Some of a file's lines, indexed as in the whole file (``lines[i]`` is line ``offset +
    i``): a stretch read again from the file (:class:`LineSource`) stands in for all its lines
    wherever only that stretch's units are looked at."""

    def __init__(self, lines: list[str], offset: int) -> None:
        """The lines read, the first being the file's line ``offset``."""
        self.lines = lines
        """The lines read."""
        self.offset = offset
        """The file's index of the first."""

    def __getitem__(self, index: int | slice) -> Any:
        """A line by its index in the file, or a stretch (a slice without a step)."""
        if isinstance(index, slice):
            start = 0 if index.start is None else index.start - self.offset
            stop = None if index.stop is None else index.stop - self.offset
            return self.lines[start:stop]
        return self.lines[index - self.offset]

    def __len__(self) -> int:
        """One past the last line's index in the file."""
        return self.offset + len(self.lines)


STREAM_UNITS = 64
"""How many units :func:`parse_streamed` reads again at a time when it looks for headings."""


def parse_streamed(
    source: LineSource, layout: Layout, packed: array[int]
) -> tuple[Header, list[str], list[Chapter]] | None:
    """:func:`parse` without all the file's lines: ``packed`` holds its units (start, end, gap;
    lines exploded when ``layout.line_paragraphs``), and the lines are read again from
    ``source`` a stretch at a time (first to find the headings, then a chapter at a time), so
    only one stretch is held. None when there is no heading (:func:`parse` then). Raises
    :class:`~tui_reader.model.ChapterUnreadable` when the file changed since it was indexed."""
    count = len(packed) // 3

    def units(first: int, end: int) -> list[Unit]:
        """Units ``first`` to ``end`` (exclusive)."""
        at = range(3 * first, 3 * end, 3)
        return [Unit(packed[i], packed[i + 1], packed[i + 2]) for i in at]

    pacer = Pacer()  # (the stretches read in the worker's thread: its freed pages go back)

    def window(some: list[Unit]) -> list[str]:
        """The lines of ``some`` (consecutive units), indexed as in the file."""
        if not some:
            return cast(list[str], LineWindow([], 0))
        first, end = some[0].start, some[-1].end
        pacer.add(source.starts[end] - source.starts[first] if end < len(source.starts) else 0)
        return cast(list[str], LineWindow(source.read(first, end), first))

    heads: list[tuple[int, Heading]] = []
    for at in range(0, count, STREAM_UNITS):
        some = units(at, min(count, at + STREAM_UNITS))
        heads.extend((at + i, heading) for i, heading in _iter_headings(window(some), some))
    if not heads:
        return None
    before = units(0, heads[0][0])
    text = SourcedText(window(before), layout, source)
    pre = _preamble(text, before, layout, headed=True)
    story = pre.header.story
    boilerplate = text.boilerplate_words
    chapters: list[Chapter] = []
    previous = 0
    lead: list[Block] = []
    for k, (index, heading) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else count
        stretch = units(index, end)
        text = SourcedText(window(stretch), layout, source)
        body = _body_under(
            text, heading, stretch[0], stretch[1:], pre, lead,
            first=k == 0, last=k + 1 == len(heads),
        )  # fmt: skip
        if body is not None:
            previous = _number(heading, previous)
            chapters.append(text.chapter(previous, heading.title, body, lead))
            lead = []
        boilerplate += text.boilerplate_words
    story.account("boilerplate", boilerplate)
    return pre.header, pre.notes, chapters


def _heading_text(text: ChapterText, unit: Unit) -> str:
    """A heading line's text."""
    return text.lines[unit.start].strip()


def _headings(lines: list[str], units: list[Unit]) -> list[tuple[int, Heading]]:
    """(unit index, heading) for every one-line unit that is a chapter heading, and every
    two-line unit of a heading without a title and its title ("CHAPTER I." / "The Toll House")."""
    return list(_iter_headings(lines, units))


def _iter_headings(lines: list[str], units: list[Unit]) -> Iterator[tuple[int, Heading]]:
    """:func:`_headings` one at a time, in order (the first chapter's reading stops early)."""
    for i, unit in enumerate(units):
        size = unit.end - unit.start
        if size > 2:
            continue
        line = lines[unit.start]
        if len(line) > 130:
            continue
        heading = parse_heading(line)
        if heading is None:
            continue
        if size == 2:
            second = lines[unit.start + 1]
            if heading.title is not None or heading.number is None:
                continue
            if not title_line(second, beside=True):
                continue
            heading = Heading(heading.number, second.strip(), heading.label, heading.kind)
        yield i, heading


def _is_title_line(text: ChapterText, unit: Unit) -> bool:
    """True when a unit looks like a title: one short line that is not a sentence."""
    if unit.end - unit.start != 1:
        return False
    line = text.lines[unit.start].strip()
    if not line or len(line) > 100 or len(line.split()) > 15 or line.endswith(_TITLE_END):
        return False
    if label_line(line) or text.is_note(unit) or parse_heading(line) or text.is_break(unit):
        return False
    return _by_line(line) is None


def _title_by(text: ChapterText, unit: Unit) -> tuple[str, str] | None:
    """The title and author of a two-line unit of a title and its by-line on the next line
    ("The Salt Road" / "by Petra Voss"), or None."""
    if unit.end - unit.start != 2:
        return None
    author = by_author(text.lines[unit.start + 1])
    if author is None or not _is_title_line(text, Unit(unit.start, unit.start + 1, unit.gap)):
        return None
    return text.lines[unit.start].strip(), author


def _preamble(text: ChapterText, units: list[Unit], layout: Layout, *, headed: bool) -> Preamble:
    """Read title, metadata, summary and story notes from the units before the story."""
    pre = Preamble()
    header = pre.header
    summary: list[str] = []
    note: list[str] | None = None
    notes: list[list[str]] = []
    end = len(units)
    i = 0
    if units and (len(units) > 1 or headed) and (pair := _title_by(text, units[0])):
        header.title, header.author = pair
        header.story.account("front_matter", header.title)
        header.story.account("boilerplate", "by")
        header.story.account("front_matter", header.author)
        i = 1
    elif units and _is_title_line(text, units[0]) and (len(units) > 1 or headed):
        header.title = text.lines[units[0].start].strip()
        header.story.account("front_matter", header.title)
        i = 1
    while i < len(units):
        unit = units[i]
        first_line = text.lines[unit.start].strip()
        if note is not None and not headed:
            repeat = header.title is not None and _same(first_line, header.title)
            if repeat or text.is_break(unit):
                end = i + 1
                break
            if unit.gap > layout.normal_gap:
                end = i
                break
        if _metadata(text, unit, header):
            i += 1
            continue
        if note is None and i <= 3 and (m := _by_line(first_line)) and unit.end - unit.start == 1:
            header.author = m.group("author").strip()
            header.story.account("boilerplate", "by")
            header.story.account("front_matter", header.author)
            i += 1
            continue
        if text.is_note(unit):
            note = [text.strip_label(text.text(unit))]
            notes.append(note)
        elif note is not None:
            note.append(text.text(unit))
        elif not headed and i > _SUMMARY_SCAN:
            break  # no note near the top: this is story text, not a preamble
        else:
            summary.append(text.text(unit))
        i += 1
    else:
        if not headed:
            # no heading and the notes never stopped: only the labelled paragraphs are notes
            end = _fallback_end(text, units, notes)
            if end == 0:
                summary = []
            notes = [n[:1] for n in notes]
    if not headed and not notes:
        summary = []
        end = _after_header(text, units, header)
    if summary and header.summary is None:
        header.summary = "\n\n".join(s for s in summary if s)
    pre.notes = ["\n\n".join(p for p in n if p) for n in notes]
    pre.notes = [n for n in pre.notes if n]
    pre.body_start = end
    return pre


def _fallback_end(text: ChapterText, units: list[Unit], notes: list[list[str]]) -> int:
    """Where the story starts when notes never ended: after the first labelled paragraph."""
    if not notes:
        return 0
    for i, unit in enumerate(units):
        if text.is_note(unit):
            return i + 1
    return 0


def _after_header(text: ChapterText, units: list[Unit], header: Header) -> int:
    """The first unit after the title, by-line and metadata lines."""
    i = 1 if header.title is not None else 0
    while i < len(units):
        unit = units[i]
        line = text.lines[unit.start].strip()
        labels = all(label_line(text.lines[j]) for j in range(unit.start, unit.end))
        by_line = unit.end - unit.start == 1 and _by_line(line) is not None and i <= 3
        if labels or by_line:
            i += 1
        else:
            break
    return i


def _metadata(text: ChapterText, unit: Unit, header: Header) -> bool:
    """Apply a unit made only of ``Label: value`` lines to the header; False when it is not."""
    pairs: list[tuple[str, str]] = []
    for j in range(unit.start, unit.end):
        pair = label_line(text.lines[j])
        if pair is None:
            if not pairs:
                return False
            label, value = pairs[-1]
            pairs[-1] = (label, f"{value} {text.lines[j].strip()}")
            continue
        pairs.append(pair)
    for label, value in pairs:
        header.apply(label, value)
    return True


def _same(line: str, title: str) -> bool:
    """True when a line repeats the title."""
    return line.strip().strip("*_").strip().casefold() == title.strip().casefold()


def _drop_title_repeat(text: ChapterText, units: list[Unit], header: Header) -> list[Unit]:
    """The units without a repeat of the title among the first two (accounted as front matter)."""
    title = header.title
    if title is None:
        return units
    for i, unit in enumerate(units[:2]):
        if unit.end - unit.start == 1 and _same(text.lines[unit.start], title):
            header.story.account("front_matter", text.lines[unit.start])
            return units[:i] + units[i + 1 :]
    return units
