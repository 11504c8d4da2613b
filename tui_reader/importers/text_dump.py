"""Plain-text stories (``.txt``): archive page dumps, FanFicFare TXT output, Project Gutenberg
``.txt`` files and other hard-wrapped plain-text books.

:func:`load` decodes and sanitises the file once, removes the archive's rating-widget residue,
decides which layout it is (FanFicFare, Gutenberg or plain book, archive dump), and builds the
:class:`~tui_reader.model.Story`: chapters are indexed (headings, notes, word counts) now and
their blocks parsed on first read.

First chapter first (:func:`load_first_file`): an archive dump opened for the first time is read
as far as its first frame needs (the preamble with its warnings, chapter 1 parsed), and the
whole import that follows (:func:`load_file`, in a worker after the first paint) indexes the rest
from what that read kept (:class:`Resume`), reading the lines again a stretch at a time.
"""

from __future__ import annotations

import codecs
import contextlib
import os
from array import array
from pathlib import Path

from tui_reader.importers import _txt_archive, _txt_book, _txt_fff
from tui_reader.importers._txt_common import (
    Layout,
    detect_layout,
    explode_lines,
    remove_widgets,
    split_units,
)
from tui_reader.importers._txt_header import Header
from tui_reader.importers._txt_source import LineSource
from tui_reader.importers.encoding import SAMPLE, decode_text, looks_binary, utf16_without_bom
from tui_reader.model import Chapter, ChapterUnreadable, Note, Source, Story
from tui_reader.paths import title_from_filename
from tui_reader.text import normalise_spaces, sanitise
from tui_reader.values import Value

CHUNK_BYTES = 1 << 16
"""How many bytes :func:`utf8_lines` decodes at a time (cut after a newline)."""


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
    ValueError ("the file is empty") like :func:`~tui_reader.importers.load_story`."""
    resume = _RESUME.pop(path, None)
    if resume is not None:  # first chapter first indexed this file: read on, a stretch at a time
        with contextlib.suppress(ChapterUnreadable):  # (it changed since: read it all again)
            got = _txt_archive.parse_streamed(resume.source, resume.layout, resume.units)
            if got is not None:
                header, notes, chapters = got
                return _story(path, "archive-txt", header, notes, chapters, 0)
    lines, widget_words, source = read_lines(path)
    return build(path, lines, widget_words, source)


class Resume(Value, fields=("source", "layout", "units")):
    """What :func:`load_first_file` learnt from a whole plain UTF-8 dump, for :func:`load_file`
    to index the rest without holding the file's lines: where its lines are, its layout and
    its units (packed: start, end, gap; 24 bytes a unit)."""

    source: LineSource
    """Where the lines are in the file (its size and mtime then: a changed file is read again)."""
    layout: Layout
    """The whole file's layout."""
    units: array[int]
    """Its units, exploded into lines when the layout has a paragraph a line."""

    __slots__ = ("layout", "source", "units")

    def __init__(self, source: LineSource, layout: Layout, units: array[int]) -> None:
        """What was learnt."""
        self.source = source
        self.layout = layout
        self.units = units


_RESUME: dict[Path, Resume] = {}
"""The last dump read first chapter first (one at most), until its whole import takes it."""


def load_first_file(path: Path) -> Story | None:
    """The archive dump with its first chapter only (first chapter first): the preamble's
    title, metadata, summary and notes, and chapter 1 with its blocks parsed, exactly as
    :func:`load_file` gives them. The file is streamed as :func:`load_file` streams it (the
    layout is the whole file's), but only the headings up to the second chapter's are looked
    for, and no other chapter is indexed (no word counts: most of a full import's time).

    None when the quick reading is not sure to match the full one: not an archive dump (FanFicFare
    TXT, a Gutenberg or plain book), or a dump without chapter headings (its preamble, and the
    warnings in it, end where its author's note stops: found only by reading it all). The
    returned story holds no line of the file: chapter 1's blocks are parsed here and its loader
    dropped. Raises like :func:`load_file`.
    """
    lines, widget_words, source = read_lines(path)
    if _txt_fff.looks_like_fff(lines) or _txt_book.gutenberg_start(lines) is not None:
        return None
    units = split_units(lines)
    layout = detect_layout(lines, units)
    if _txt_book.looks_like_book(lines, units, layout):
        return None
    if layout.line_paragraphs:
        units = explode_lines(units)
    first = _txt_archive.parse_first(path, lines, units, layout, source)
    del lines
    if first is None:
        return None
    _RESUME.clear()
    if source is not None:
        packed = array("q")
        for unit in units:
            packed.extend((unit.start, unit.end, unit.gap))
        _RESUME[path] = Resume(source, layout, packed)
    del units
    header, notes, chapter = first
    _ = chapter.blocks  # parsed now: the loader (and the lines it may hold) goes
    return _story(path, "archive-txt", header, notes, [chapter], widget_words, whole=False)


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
    if story.chapters_total is None and header.completed and whole:
        story.chapters_total = len(chapters)
    story.notes = [Note("before", n) for n in notes]
    story.chapters = chapters
    story.account("boilerplate", widget_words)
    return story
