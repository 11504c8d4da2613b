"""Plain-text stories (``.txt``): archive page dumps, FanFicFare TXT output, Project Gutenberg
``.txt`` files and other hard-wrapped plain-text books.

:func:`load` decodes and sanitises the file once, removes the archive's rating-widget residue,
decides which layout it is (FanFicFare, Gutenberg or plain book, archive dump), and builds the
:class:`~tui_reader.model.Story`: chapters are indexed (headings, notes, word counts) now and
their blocks parsed on first read.
"""

from __future__ import annotations

from pathlib import Path

from tui_reader.importers import _txt_archive, _txt_book, _txt_fff
from tui_reader.importers._txt_common import detect_layout, remove_widgets, split_units
from tui_reader.importers.encoding import decode_text
from tui_reader.model import Note, Source, Story
from tui_reader.paths import title_from_filename
from tui_reader.text import normalise_spaces, sanitise


def prepare(data: bytes) -> tuple[list[str], int]:
    """Decode, sanitise (once), normalise spaces and remove widget residue: the lines, and how
    many words of widget residue were removed (site furniture, accounted as boilerplate)."""
    text, removed = remove_widgets(normalise_spaces(sanitise(decode_text(data))))
    if not text.strip():
        raise ValueError("the file has no text")
    return text.split("\n"), removed


def load(path: Path, data: bytes) -> Story:
    """Read a ``.txt`` story: FanFicFare TXT, a Gutenberg or plain book, or an archive dump."""
    lines, widget_words = prepare(data)
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
            header, notes, chapters = _txt_archive.parse(path, lines, units, layout)
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
