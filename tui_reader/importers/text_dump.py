"""Plain-text stories (``.txt``): archive page dumps and FanFicFare TXT output.

:func:`load` decodes and sanitises the file once, removes the archive's rating-widget residue,
decides which of the two layouts it is, and builds the :class:`~tui_reader.model.Story`:
chapters are indexed (headings, notes, word counts) now and their blocks parsed on first read.
"""

from __future__ import annotations

import re
from pathlib import Path

from tui_reader.importers import _txt_archive, _txt_fff
from tui_reader.importers._txt_common import remove_widgets
from tui_reader.importers.encoding import decode_text
from tui_reader.model import Note, Source, Story
from tui_reader.text import normalise_spaces, sanitise

_HASH = re.compile(r"^[0-9a-fA-F]{8,}$")


def title_from_filename(path: Path) -> str:
    """A readable title from a file name: "my_story-name.txt" -> "My Story Name".

    Hashes and leading numbers ("004_b28b80ae8a0444cc") are dropped; a name with nothing
    readable left becomes "Untitled story" (with its number, when it had one). The name is
    untrusted like story text, so it passes through ``sanitise`` here.
    """
    tokens = [t for t in re.split(r"[_\-\s.]+", sanitise(path.stem)) if t]
    words = [t for t in tokens if not _HASH.match(t) or t.isalpha()]
    numbers = [t for t in words if t.isdigit()]
    named = [t for t in words if not t.isdigit()] if len(numbers) < len(words) else []
    if not named:
        return f"Untitled story {numbers[0]}" if numbers else "Untitled story"
    while words and words[0].isdigit():
        words = words[1:]
    if all(w.islower() or w.isdigit() for w in words):
        words = [w.capitalize() for w in words]
    return " ".join(words)


def prepare(data: bytes) -> list[str]:
    """Decode, sanitise (once), normalise spaces and remove widget residue; the lines."""
    text = remove_widgets(normalise_spaces(sanitise(decode_text(data))))
    if not text.strip():
        raise ValueError("the file has no text")
    return text.split("\n")


def load(path: Path, data: bytes) -> Story:
    """Read a ``.txt`` story: FanFicFare TXT ("fff-txt") or an archive dump ("archive-txt")."""
    lines = prepare(data)
    if _txt_fff.looks_like_fff(lines):
        fmt = "fff-txt"
        header, notes, chapters = _txt_fff.parse(path, lines)
    else:
        fmt = "archive-txt"
        header, notes, chapters = _txt_archive.parse(path, lines)
    total = header.chapters_total
    if total is None and header.completed:
        total = len(chapters)
    story = Story(
        title=header.title or title_from_filename(path),
        source=Source(path=str(path), format=fmt),
        author=header.author,
        summary=header.summary,
        rating=header.rating,
        warnings=list(header.warnings),
        site_warnings=header.site_warnings,
        content_notes=list(header.content_notes),
        tags=header.tags,
        chapters_total=total,
        notes=[Note("before", n) for n in notes],
        chapters=chapters,
        series=header.series,
        language=header.language,
        categories=header.categories,
        source_url=header.source_url,
    )
    for kind, text in header.accounted:
        story.account(kind, text)
    return story
