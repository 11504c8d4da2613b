"""Plain-text stories (``.txt``): archive page dumps, FanFicFare TXT output, Project Gutenberg
``.txt`` files and other hard-wrapped plain-text books.

:func:`load` decodes and sanitises the file once, removes the archive's rating-widget residue,
decides which layout it is (FanFicFare, Gutenberg or plain book, archive dump), and builds the
:class:`~tui_reader.model.Story`: chapters are indexed (headings, notes, word counts) now and
their blocks parsed on first read.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from tui_reader.importers import _txt_archive, _txt_book, _txt_fff
from tui_reader.importers._txt_common import detect_layout, remove_widgets, split_units
from tui_reader.importers._txt_source import LineSource
from tui_reader.importers.encoding import decode_text, looks_binary, utf16_without_bom
from tui_reader.model import Note, Source, Story
from tui_reader.paths import title_from_filename
from tui_reader.text import normalise_spaces, sanitise

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
    if (
        not data
        or data.isspace()
        or data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        or utf16_without_bom(data) is not None
        or looks_binary(data)
    ):
        return None
    lines: list[str] = []
    start = 0
    size = len(data)
    while start < size:
        cut = data.find(b"\n", start + chunk) if start + chunk < size else -1
        end = size if cut < 0 else cut + 1
        try:
            text = data[start:end].decode("utf-8")
        except UnicodeDecodeError:
            return None
        text = normalise_spaces(sanitise(text))
        if "Share your rating" in text or "Average:" in text:
            return None  # (neither phrase spans a line, so never two chunks)
        if end < size:  # ends with the newline just cut after: the next chunk's first line
            text = text[:-1]
        lines.extend(text.split("\n"))
        start = end
    if not lines:
        lines.append("")
    return lines


def load(path: Path, data: bytes) -> Story:
    """Read a ``.txt`` story: FanFicFare TXT, a Gutenberg or plain book, or an archive dump."""
    lines, widget_words = prepare(data)
    return build(path, lines, widget_words)


def load_taking(path: Path, box: list[bytes]) -> Story:
    """:func:`load` taking the file's bytes out of ``box``: the caller holds no reference,
    so they are freed once decoded, before the story is indexed. A plain UTF-8 archive dump's
    chapters then read their lines again from the file (:mod:`._txt_source`): the story does
    not hold its text."""
    data = box.pop()
    lines = utf8_lines(data)
    source: LineSource | None = None
    widget_words = 0
    if lines is None:
        lines, widget_words = whole_text_lines(data)
    else:
        _check_text(lines)
        try:
            stat = path.stat()
        except OSError:
            stat = None
        if stat is not None and stat.st_size == len(data):
            source = LineSource.of(path, data, stat.st_mtime_ns, len(lines))
    del data
    return build(path, lines, widget_words, source)


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
    total = header.chapters_total
    if total is None and header.completed:
        total = len(chapters)
    story = header.story
    story.title = header.title or title_from_filename(path.name)
    story.source = Source(path=str(path), format=fmt)
    story.author = header.author
    story.summary = header.summary
    story.rating = header.rating
    story.warnings = list(header.warnings)
    story.tags = header.tags
    story.chapters_total = total
    story.notes = [Note("before", n) for n in notes]
    story.chapters = chapters
    story.account("boilerplate", widget_words)
    return story
