"""Plain-text stories (``.txt``): archive page dumps, FanFicFare TXT output, Project Gutenberg
``.txt`` files and other hard-wrapped plain-text books.

:func:`load` decodes and sanitises the file once, removes the archive's rating-widget residue,
decides which layout it is (FanFicFare, Gutenberg or plain book, archive dump), and builds the
:class:`~tui_reader.model.Story`: chapters are indexed (headings, notes, word counts) now and
their blocks parsed on first read.

First chapter first (:func:`load_first_file`): an archive dump opened for the first time is read
only as far as its first frame needs (a prefix of the file: the preamble with its warnings and
chapter 1, up to the second chapter's heading; the layout is the prefix's), and the whole import
that follows (:func:`load_file`, in a worker after the first paint) streams the whole file without
holding its lines (:func:`index_streamed`), then reads them again a stretch at a time. When the
whole file's layout is not the prefix's (:class:`Resume`), the whole story's chapter 1 is parsed
on its own, so it never takes over the blocks the prefix's layout gave.
"""

from __future__ import annotations

import codecs
import os
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from tui_reader.importers import _txt_archive, _txt_book, _txt_fff
from tui_reader.importers._txt_common import (
    Layout,
    Unit,
    detect_layout,
    remove_widgets,
    short_heading,
    split_units,
)
from tui_reader.importers._txt_header import Header
from tui_reader.importers._txt_source import LineSource
from tui_reader.importers.encoding import SAMPLE, decode_text, looks_binary, utf16_without_bom
from tui_reader.model import Chapter, ChapterUnreadable, Note, Source, Story
from tui_reader.paths import title_from_filename
from tui_reader.text import normalise_spaces, sanitise

CHUNK_BYTES = 1 << 16
"""How many bytes :func:`utf8_lines` decodes at a time (cut after a newline)."""

FIRST_BYTES = 1 << 14
"""How much of a dump :func:`load_first_file` reads first (then as much again as it has read,
each time, until chapter 1 ends at the next chapter's heading or the file does)."""

MAX_FIRST_BYTES = 1 << 20
"""How much of a dump :func:`load_first_file` reads at most: a dump without a heading, or
whose first chapter runs longer, is read whole (the prefix's stretches would be spent twice)."""

TAIL_BYTES = 1 << 12
"""How much of a file's end :func:`last_lines` reads (FanFicFare's end line)."""

FFF_HEAD_LINES = 4000
"""How far down :func:`~._txt_fff.looks_like_fff` looks for the title and by-line."""

FFF_TOC_LINES = 2000
"""How far down it looks for the contents line."""


def prepare(data: bytes) -> tuple[list[str], int]:
    """Decode, sanitise (once), normalise spaces and remove widget residue: the lines, and how
    many words of widget residue were removed (site furniture, accounted as boilerplate).

    Plain UTF-8 (the usual case) is decoded a chunk at a time straight into lines
    (:func:`utf8_lines`), so the file's bytes, the whole decoded text and its lines are never
    held at once; anything else takes the whole-text path. Both give the same lines.
    """
    lines = utf8_lines(data)
    if lines is not None:
        _check_text(lines)
        return lines, 0
    return whole_text_lines(data)


def whole_text_lines(data: bytes) -> tuple[list[str], int]:
    """:func:`prepare` by decoding the whole text at once (any encoding, the rating widget)."""
    text, removed = remove_widgets(normalise_spaces(sanitise(decode_text(data))))
    if not text.strip():
        raise ValueError("the file has no text")
    return text.split("\n"), removed


def _check_text(lines: list[str]) -> None:
    """Raise ValueError when no line has any text."""
    if not any(line and not line.isspace() for line in lines):
        raise ValueError("the file has no text")


def utf8_lines(data: bytes, chunk: int = CHUNK_BYTES) -> list[str] | None:
    """The sanitised, space-normalised lines of UTF-8 ``data`` without a BOM, decoded
    ``chunk`` bytes at a time (each cut just after a newline, so no character and no CRLF is
    split); None when the bytes need the whole-text path: a BOM, UTF-16, binary, not UTF-8,
    or the archive's rating widget (its removal looks across lines)."""
    if not data or data.isspace() or not plain_head(data):
        return None
    lines: list[str] = []
    start = 0
    size = len(data)
    while start < size:
        cut = data.find(b"\n", start + chunk) if start + chunk < size else -1
        end = size if cut < 0 else cut + 1
        got = _piece_lines(data[start:end], last=end >= size)
        if got is None:
            return None
        lines.extend(got)
        start = end
    if not lines:
        lines.append("")
    return lines


def plain_head(head: bytes) -> bool:
    """True when a file starting with ``head`` (at least its first ``encoding.SAMPLE`` bytes)
    may be plain UTF-8: no BOM, not UTF-16, not binary."""
    return not (
        head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        or utf16_without_bom(head) is not None
        or looks_binary(head)
    )


def _piece_lines(piece: bytes, *, last: bool) -> list[str] | None:
    """The lines of one piece of the file (cut just after a newline unless it is the ``last``);
    None when it is not UTF-8 or holds the rating widget (the whole-text path then)."""
    try:
        text = piece.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = normalise_spaces(sanitise(text))
    if "Share your rating" in text or "Average:" in text:
        return None  # (neither phrase spans a line, so never two pieces)
    if not last:  # ends with the newline cut after: the next piece's first line follows
        text = text[:-1]
    return text.split("\n")


def load_file(path: Path) -> Story:
    """Read a ``.txt`` story from its file a piece at a time: plain UTF-8 is decoded straight
    into lines, so the file's bytes are never all held (nor the decoded text); anything else
    (another encoding, a BOM, the rating widget) is read whole (:func:`whole_text_lines`). Raises
    ValueError ("the file is empty") like :func:`~tui_reader.importers.load_story`.

    After a first-chapter read (:func:`load_first_file`) the file is streamed (its lines never
    all held: :func:`index_streamed`, then :func:`~._txt_archive.parse_streamed`); when that
    cannot be done, or its layout is not the one the first chapter was parsed under, chapter 1
    is parsed here, so the story shown first never hands it blocks of another reading."""
    resume = _RESUME.pop(path, None)
    if resume is not None:
        streamed = _load_streamed(path, resume)
        if streamed is not None:
            return streamed
    lines, widget_words, source = read_lines(path)
    story = build(path, lines, widget_words, source)
    if resume is not None and story.chapters:
        _ = story.chapters[0].blocks  # (not sure to be the first read's: chapter 1 its own)
    return story


def _load_streamed(path: Path, resume: Resume) -> Story | None:
    """The whole dump after a first-chapter read, streamed; None when it cannot be (read it
    whole then): not plain UTF-8 throughout, changed since, wrapped (maybe a book: its test
    needs the lines) or without headings."""
    got = index_streamed(path, resume)
    if got is None:
        return None
    source, layout, packed = got
    try:
        parsed = _txt_archive.parse_streamed(source, layout, packed)
    except ChapterUnreadable:  # (it changed since: read it all again)
        return None
    if parsed is None:
        return None
    header, notes, chapters = parsed
    story = _story(path, "archive-txt", header, notes, chapters, 0)
    if layout != resume.layout:  # chapter 1 was shown under the prefix's layout: not adopted
        _ = story.chapters[0].blocks
    return story


@dataclass(frozen=True)
class Resume:
    """What :func:`load_first_file` learnt from a dump's prefix, for :func:`load_file`: the
    layout chapter 1 was parsed under, and the file's size and mtime then (the FanFicFare and
    Gutenberg tests, made on its head and tail, stand while it has not changed)."""

    layout: Layout
    """The prefix's layout."""
    size: int
    """The file's size when its prefix was read."""
    mtime_ns: int
    """Its modification time then."""


_RESUME: dict[Path, Resume] = {}
"""The last dump read first chapter first (one at most), until its whole import takes it."""


class _More(Exception):
    """The prefix read so far cannot tell: read on."""


def load_first_file(path: Path) -> Story | None:
    """The archive dump with its first chapter only (first chapter first): the preamble's
    title, metadata, summary and notes, and chapter 1 with its blocks parsed, exactly as
    :func:`load_file` gives them when the whole file's layout is the prefix's (else the whole
    story parses its own chapter 1: :func:`load_file`). Only a prefix of the file is read:
    :data:`FIRST_BYTES`, then as much again as has been read, each time, until chapter 1 ends
    at the next chapter's heading (the layout is the prefix's; the FanFicFare and Gutenberg
    tests exact, the file's end read for FanFicFare's end line when the top looks like
    FanFicFare's), and at most :data:`MAX_FIRST_BYTES`.

    None when the quick reading is not sure to match the full one: not an archive dump (FanFicFare
    TXT, a Gutenberg or plain book), or a dump without chapter headings (its preamble, and the
    warnings in it, end where its author's note stops: found only by reading it all). A file that
    is not plain UTF-8 without CRs (another encoding, a BOM, the rating widget) is read whole
    first (:func:`_first_from_whole`). The returned story holds no line of the file: chapter 1's
    blocks are parsed here and its loader dropped. Raises like :func:`load_file`.
    """
    with path.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        if not plain_head(handle.read(SAMPLE)):
            return _first_from_whole(path)
        handle.seek(0)
        lines: list[str] = []
        for piece, got, last in plain_pieces(handle, b"", FIRST_BYTES, grow=True):
            if got is None:
                return _first_from_whole(path)
            lines.extend(got)
            if not last and not piece.strip():
                continue
            try:
                found = _first_of(path, lines, stat.st_size, complete=last)
            except _More:
                if handle.tell() >= MAX_FIRST_BYTES:
                    return None  # (no heading yet, or a long first chapter: read it whole)
                continue
            break
        else:  # (the pieces end with the last one: never here)
            return None
    if found is None:
        return None
    (header, notes, chapter), layout = found
    _RESUME.clear()
    _RESUME[path] = Resume(layout, stat.st_size, stat.st_mtime_ns)
    _ = chapter.blocks  # parsed now: the loader (and the lines it holds) goes
    return _story(path, "archive-txt", header, notes, [chapter], 0, whole=False)


def _first_of(
    path: Path, lines: list[str], size: int, *, complete: bool
) -> tuple[tuple[Header, list[str], Chapter], Layout] | None:
    """Chapter 1 (header, story notes, chapter) and the layout from the file's first ``lines``
    (all of them when ``complete``); None when it is not an archive dump with headings; raises
    :class:`_More` when more lines are needed to be sure."""
    fff = _txt_fff.looks_like_fff(lines) if complete else _fff_from_prefix(path, lines, size)
    if fff:
        return None
    if not complete and len(lines) < _txt_book._SCAN:
        raise _More
    if _txt_book.gutenberg_start(lines) is not None:
        return None
    units = split_units(lines)
    if not complete and units and units[-1].end == len(lines):
        units.pop()  # (it may go on in the next piece)
    layout = detect_layout(lines, units)
    if _txt_book.looks_like_book(lines, units, layout):
        return None
    try:
        first = _txt_archive.parse_first(path, lines, units, layout, complete=complete)
    except _txt_archive.Incomplete:
        raise _More from None
    return None if first is None else (first, layout)


def _fff_from_prefix(path: Path, lines: list[str], size: int) -> bool:
    """:func:`~._txt_fff.looks_like_fff` for a file whose first ``lines`` were read: its title
    and by-line are at the top; its contents line within the first 2,000 lines and its end line
    at the end of the file are looked for only when they are there. Raises :class:`_More` when
    fewer than 2,000 lines are read of a file whose top looks like FanFicFare's."""
    head = lines[:FFF_HEAD_LINES]
    if not _txt_fff.looks_like_fff([*head, _txt_fff.END_LINE]):
        return False  # (no title and by-line at the top: the test fails whatever follows)
    if len(lines) < FFF_TOC_LINES:
        raise _More
    tail = last_lines(path, size)
    return tail is None or _txt_fff.looks_like_fff(head + tail)


def last_lines(path: Path, size: int, count: int = 6) -> list[str] | None:
    """The file's last ``count`` lines, prepared as :func:`read_lines` prepares them; None when
    its last :data:`TAIL_BYTES` do not hold them or are not plain UTF-8."""
    back = min(size, TAIL_BYTES)
    with path.open("rb") as handle:
        handle.seek(size - back)
        data = handle.read(back)
    if back < size:
        cut = data.find(b"\n")
        if cut < 0:
            return None
        data = data[cut + 1 :]
    got = _piece_lines(data, last=True) if b"\r" not in data else None
    if got is None or (len(got) < count and back < size):
        return None
    return got[-count:]


def _first_from_whole(path: Path) -> Story | None:
    """:func:`load_first_file` for a file read whole (not plain UTF-8 without CRs: another
    encoding, a BOM, the rating widget): its lines all read and prepared first."""
    lines, widget_words, _ = read_lines(path)
    if _txt_fff.looks_like_fff(lines) or _txt_book.gutenberg_start(lines) is not None:
        return None
    units = split_units(lines)
    layout = detect_layout(lines, units)
    if _txt_book.looks_like_book(lines, units, layout):
        return None
    first = _txt_archive.parse_first(path, lines, units, layout)
    del lines, units
    if first is None:
        return None
    header, notes, chapter = first
    _ = chapter.blocks  # parsed now: the loader (and the lines it may hold) goes
    return _story(path, "archive-txt", header, notes, [chapter], widget_words, whole=False)


def plain_pieces(
    handle: BinaryIO, pending: bytes, size: int, *, grow: bool = False
) -> Iterator[tuple[bytes, list[str] | None, bool]]:
    """The file read on from ``handle`` (``pending``: its bytes read already) ``size`` bytes at a
    time (when ``grow``, then as many again as have been read: the prefix doubles each time),
    each piece cut just after a newline: the piece, its prepared lines (None when it is not
    plain UTF-8 without CRs: :func:`_piece_lines`) and whether it is the last."""
    while True:
        block = handle.read(size)
        last = len(block) < size
        buffer = pending + block
        if last:
            piece, pending = buffer, b""
        else:
            cut = buffer.rfind(b"\n")
            piece, pending = buffer[: cut + 1], buffer[cut + 1 :]
        if grow:
            size = handle.tell()
        if not piece and not last:
            continue
        got = None if b"\r" in piece else _piece_lines(piece, last=last)
        yield piece, got, last
        if last or got is None:
            return


class _Widths:
    """Stands in for a file's lines where only their widths are looked at (their length
    without trailing spaces: :func:`~._txt_common.detect_layout`), and the heading lines
    opening a unit of several lines, which it reads."""

    def __init__(self, widths: array[int], headings: dict[int, str]) -> None:
        """``widths[i]``: line ``i``'s width; ``headings``: the heading lines by index."""
        self.widths = widths
        """Each line's width."""
        self.headings = headings
        """The short chapter heading lines opening units of several lines, by index."""

    def __getitem__(self, index: int) -> str:
        """Line ``index`` when it is a heading, else a line of its width."""
        heading = self.headings.get(index)
        return "x" * self.widths[index] if heading is None else heading


def index_streamed(path: Path, resume: Resume) -> tuple[LineSource, Layout, array[int]] | None:
    """Where a dump's lines are, its layout and its units (packed: start, end, gap; exploded
    into lines when it has a paragraph a line), its lines read a piece at a time and never all
    held; None when it must be read whole: not plain UTF-8 without CRs, changed since
    ``resume`` (its FanFicFare and Gutenberg tests then stand no more), no text, or hard-wrapped
    (a book's test needs the lines)."""
    with path.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        if (stat.st_size, stat.st_mtime_ns) != (resume.size, resume.mtime_ns):
            return None
        pending = handle.read(SAMPLE)
        if not plain_head(pending):
            return None
        starts = array("q", [0])
        widths = array("i")  # (a line's width: 4 bytes a line)
        packed = array("q")
        base = index = 0
        start = -1
        gap = unit_gap = 0
        headings: dict[int, str] = {}  # (short_heading's lines, for detect_layout)
        first_line = ""
        for piece, got, _ in plain_pieces(handle, pending, CHUNK_BYTES):
            if got is None:
                return None
            at = piece.find(b"\n")
            while at >= 0:
                starts.append(base + at + 1)
                at = piece.find(b"\n", at + 1)
            base += len(piece)
            for line in got:  # (split_units, a line at a time)
                widths.append(len(line.rstrip()))
                if line and not line.isspace():
                    if start < 0:
                        start, unit_gap, first_line = index, gap, line
                elif start >= 0:
                    packed.extend((start, index, unit_gap))
                    if index - start > 1 and short_heading(first_line):
                        headings[start] = first_line
                    start, gap = -1, 1
                else:
                    gap += 1
                index += 1
    if start >= 0:
        packed.extend((start, index, unit_gap))
        if index - start > 1 and short_heading(first_line):
            headings[start] = first_line
    if not packed or base != stat.st_size or len(starts) != index:
        return None
    count = len(packed) // 3
    step = 1 if count <= 4000 else count // 4000 + 1  # (detect_layout's own sample)
    sample = [Unit(packed[i], packed[i + 1], packed[i + 2]) for i in range(0, 3 * count, 3 * step)]
    layout = detect_layout(cast(list[str], _Widths(widths, headings)), sample)
    del widths, sample
    if layout.wrap_width is not None:
        return None
    if layout.line_paragraphs:
        exploded = array("q")
        for i in range(0, len(packed), 3):
            first, end = packed[i], packed[i + 1]
            exploded.extend((first, first + 1, packed[i + 2]))
            for j in range(first + 1, end):
                exploded.extend((j, j + 1, 0))
        packed = exploded
    return LineSource(path, base, stat.st_mtime_ns, starts), layout, packed


def read_lines(path: Path) -> tuple[list[str], int, LineSource | None]:
    """The file's prepared lines (:func:`prepare`), read a piece at a time when it is plain
    UTF-8: the lines, the rating-widget words removed, and where the lines are in the file
    (None when they cannot be read again by offset: another encoding, a BOM, CRs, the widget)."""
    with path.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        pending = handle.read(SAMPLE)
        lines: list[str] = []
        starts = array("q", [0])
        base = 0
        has_text = has_cr = False
        plain = plain_head(pending)
        while plain:
            block = handle.read(CHUNK_BYTES)
            buffer = pending + block if block else pending
            if block:
                cut = buffer.rfind(b"\n")
                if cut < 0:
                    pending = buffer
                    continue
                piece, pending = buffer[: cut + 1], buffer[cut + 1 :]
            else:
                piece, pending = buffer, b""
            got = _piece_lines(piece, last=not block)
            if got is None:
                plain = False
                break
            has_text = has_text or (bool(piece) and not piece.isspace())
            has_cr = has_cr or b"\r" in piece
            at = piece.find(b"\n")
            while at >= 0:
                starts.append(base + at + 1)
                at = piece.find(b"\n", at + 1)
            lines.extend(got)
            base += len(piece)
            if not block:
                break
        if not plain:  # read whole, decoded at once (another encoding, a BOM, the widget)
            del lines, starts
            handle.seek(0)
            data = handle.read()
            if not data or data.isspace():
                raise ValueError("the file is empty")
            whole, widget_words = whole_text_lines(data)
            del data  # (freed before the story is indexed)
            return whole, widget_words, None
    if not has_text:
        raise ValueError("the file is empty")
    _check_text(lines)
    source = None
    if not has_cr and base == stat.st_size and len(starts) == len(lines):
        source = LineSource(path, base, stat.st_mtime_ns, starts)
    return lines, 0, source


def load(path: Path, data: bytes) -> Story:
    """Read a ``.txt`` story: FanFicFare TXT, a Gutenberg or plain book, or an archive dump."""
    lines, widget_words = prepare(data)
    return build(path, lines, widget_words)


def build(
    path: Path, lines: list[str], widget_words: int, source: LineSource | None = None
) -> Story:
    """The story from the file's prepared lines (``widget_words``: rating-widget words
    removed; ``source``: where the lines are in the file, for an archive dump's chapters to
    read them again)."""
    if _txt_fff.looks_like_fff(lines):
        fmt = "fff-txt"
        header, notes, chapters = _txt_fff.parse(path, lines)
    elif _txt_book.gutenberg_start(lines) is not None:
        fmt = "gutenberg-txt"
        header, notes, chapters = _txt_book.parse(path, lines)
    else:
        units = split_units(lines)
        layout = detect_layout(lines, units)
        if _txt_book.looks_like_book(lines, units, layout):
            fmt = "book-txt"
            header, notes, chapters = _txt_book.parse(path, lines)
        else:
            fmt = "archive-txt"
            header, notes, chapters = _txt_archive.parse(path, lines, units, layout, source)
    return _story(path, fmt, header, notes, chapters, widget_words)


def _story(
    path: Path,
    fmt: str,
    header: Header,
    notes: list[str],
    chapters: list[Chapter],
    widget_words: int,
    *,
    whole: bool = True,
) -> Story:
    """The story from its parsed header, story notes and chapters (``fmt``: its source format;
    ``widget_words``: rating-widget words removed). A complete story that does not say how many
    chapters it has has as many as were read, when they are all of them (``whole``; never the
    one chapter a first-chapter read has)."""
    story = header.story
    story.title = header.title or title_from_filename(path.name)
    story.source = Source(path=str(path), format=fmt)
    story.author = header.author
    story.summary = header.summary
    story.rating = header.rating
    story.warnings = list(header.warnings)
    story.tags = header.tags
    story.chapters_total = header.chapters_total
    story.in_progress = header.in_progress
    if story.chapters_total is None and header.completed and whole:
        story.chapters_total = len(chapters)
    story.notes = [Note("before", n) for n in notes]
    story.chapters = chapters
    story.account("boilerplate", widget_words)
    return story
