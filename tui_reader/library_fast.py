"""The library's fast path: a story file's listing read without indexing the whole story.

Textual-free. :func:`fast_story` returns a :class:`~tui_reader.model.Story` that lists (through
:meth:`~tui_reader.library.LibraryEntry.from_story`) exactly as a full import would, reading only
what the listing needs: metadata and each chapter's word count, no chapter text. It returns None
when the file is not one it knows how to read quickly (the caller then runs the full import,
which also gives the reason a broken file cannot be opened).

The native Markdown format is read this way: its front matter with a small TOML reader for the
flat tables the format uses (anything else goes to :mod:`tomllib`), its body only for chapter
headings, note blocks and word counts (no chapter objects, no inline markup). Its metadata goes
through the Markdown importer's own checks, so the entry is the one the importer gives.

An EPUB is read by the importer itself (:func:`tui_reader.importers.epub.load_listed`: the
same story, each member decompressed once instead of twice). Other formats need their chapters'
text for word counts and the author's warnings, and their import already reads each file once
without building any chapter's blocks (an HTML file is one parse, a TXT file one pass over its
lines): a reading for the listing alone would cost them as much, so they go to the full import.
"""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path
from typing import Any

from tui_reader.importers import MAX_BYTES
from tui_reader.importers import markdown as md
from tui_reader.importers.encoding import decode_text
from tui_reader.model import Chapter, Story
from tui_reader.paths import STORY_FORMATS
from tui_reader.text import count_words, normalise_spaces, sanitise

_MARKDOWN = STORY_FORMATS[".md"]
"""The importer module name of the native format."""

_EPUB = STORY_FORMATS[".epub"]
"""The importer module name of EPUB books."""

_STORY_NOTES = "tui_reader.importers._story_notes"
"""The free-text warnings :func:`~tui_reader.importers.load_story` adds (imported with EPUB's)."""

_STRING = r'"[^"\\\x00-\x08\x0a-\x1f\x7f]*"' + r"|'[^'\x00-\x08\x0a-\x1f\x7f]*'"
"""A one-line TOML string without escapes (basic or literal)."""

_KEY_VALUE = re.compile(r"[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*(.*?)[ \t]*")
"""``key = value`` on one line (the value is read by :func:`_value`)."""

_KEY_STRING = re.compile(r'([A-Za-z0-9_-]+) = "([^"\\\x00-\x08\x0a-\x1f\x7f]*)"')
"""``key = "text"`` written the usual way (a shortcut of :data:`_KEY_VALUE`)."""

_TABLE = re.compile(r"[ \t]*\[[ \t]*([A-Za-z0-9_-]+)[ \t]*\][ \t]*")
"""A ``[table]`` header."""

_ONE_STRING = re.compile(_STRING)
"""A value that is one string."""

_ARRAY = re.compile(rf"\[[ \t]*(?:(?:{_STRING})[ \t]*(?:,[ \t]*(?:{_STRING})[ \t]*)*,?[ \t]*)?\]")
"""A value that is a one-line array of strings."""

_ARRAY_ITEM = re.compile(_STRING)
"""Each string of such an array."""

_INTEGER = re.compile(r"0|[1-9][0-9]*")
"""A plain decimal integer."""

_SHORT_LINE = 60
"""Longest stripped line that may be a scene-break marker (see ``grammar.is_scene_break``)."""


def fast_story(path: Path) -> Story | None:
    """The story's metadata and chapter word counts read by the fast path (chapters carry
    no text), or None to use the full import.

    Never raises: a file the fast path cannot read (or reads as broken) goes to the full
    import, which says why.
    """
    try:
        module = STORY_FORMATS.get(path.suffix.lower())
        if module not in (_MARKDOWN, _EPUB) or path.stat().st_size > MAX_BYTES:
            return None
        data = path.read_bytes()
        if len(data) > MAX_BYTES or not data or data.isspace():
            return None
        if module == _EPUB:  # (the importer is imported on the first EPUB a scan reads)
            story: Story = importlib.import_module(_EPUB).load_listed(path, data)
            if not story.chapters:
                return None  # the full import says why
            importlib.import_module(_STORY_NOTES).apply_free_text(story)
            return story
        return _markdown_story(path, data)
    except Exception:  # the full import reports the reason
        return None


def _markdown_story(path: Path, data: bytes) -> Story | None:
    """A Markdown story's metadata and chapter word counts (as
    :func:`tui_reader.importers.markdown.load` reads them)."""
    text = normalise_spaces(decode_text(data)).replace("\r\n", "\n").replace("\r", "\n")
    split = split_front_matter(text)
    if split is None:
        return None
    meta, lines = split
    story = md._story_from_meta(path, meta)
    if sanitise(text) is not text:  # something to remove: the importer sanitises the body
        lines = sanitise("\n".join(lines)).split("\n")
    counts = body_counts(lines)
    if not counts:
        return None
    story.chapters = [Chapter(n, None, words) for n, words in enumerate(counts, start=1)]
    return story


def split_front_matter(text: str) -> tuple[dict[str, Any], list[str]] | None:
    """The front matter and the body's lines as ``markdown.split_front_matter`` gives them,
    or None when the front matter is broken (the full import says how)."""
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start < len(lines) and lines[start].rstrip() == md.YAML_FENCE:
        return None  # (a YAML block, or a scene break: the importer tells them apart)
    if start >= len(lines) or lines[start].strip() != md.FENCE:
        return {}, lines
    for end in range(start + 1, len(lines)):
        if lines[end].strip() == md.FENCE:
            meta = read_toml(lines[start + 1 : end])
            if meta is None:
                try:
                    meta = tomllib.loads("\n".join(lines[start + 1 : end]))
                except tomllib.TOMLDecodeError:
                    return None
            return meta, lines[end + 1 :]
    return None


def read_toml(lines: list[str]) -> dict[str, Any] | None:
    """Flat TOML (``key = "string"``, ``key = ["a", "b"]``, integers, booleans, ``[table]``),
    as :func:`tomllib.loads` reads it; None for anything else (let :mod:`tomllib` read it)."""
    meta: dict[str, Any] = {}
    table = meta
    for line in lines:
        simple = _KEY_STRING.fullmatch(line)
        if simple is not None:  # the usual line: key = "text"
            key = simple.group(1)
            if key in table:
                return None
            table[key] = simple.group(2)
            continue
        stripped = line.strip(" \t")
        if not stripped or stripped.startswith("#"):
            continue
        pair = _KEY_VALUE.fullmatch(line)
        if pair is None:
            header = _TABLE.fullmatch(line)
            if header is None or header.group(1) in meta:
                return None
            table = meta[header.group(1)] = {}
            continue
        key = pair.group(1)
        value = _value(pair.group(2))
        if value is None or key in table:
            return None
        table[key] = value
    return meta


def _value(text: str) -> Any:
    """One value of :func:`read_toml`, or None when it is not one of the simple kinds."""
    if _ONE_STRING.fullmatch(text):
        return text[1:-1]
    if _ARRAY.fullmatch(text):
        return [item[1:-1] for item in _ARRAY_ITEM.findall(text)]
    if _INTEGER.fullmatch(text):
        return int(text)
    if text in ("true", "false"):
        return text == "true"
    return None


def body_counts(lines: list[str]) -> list[int] | None:
    """Each chapter's word count, as ``markdown._index_body`` counts the body's (sanitised)
    ``lines`` (note blocks left out); None when the body has an end-note before any chapter
    (the full import says why)."""
    counts: list[int] = []
    words = 0
    started = False
    i = 0
    total = len(lines)
    while i < total:
        line = lines[i]
        i += 1
        if not line:
            continue
        first = line[0]
        if first == ":" and (opened := md._NOTE_OPEN.match(line)):
            end = i
            while end < total and not md._NOTE_CLOSE.match(lines[end]):
                end += 1
            resume = end + 1
            if end == total:  # never closed: the note ends at the next chapter heading
                end = next((j for j in range(i, total) if md._CHAPTER.match(lines[j])), total)
                resume = end
            if not started and opened.group(1).lower() == "end-note":
                return None
            i = resume
            continue
        if first == "#" and md._CHAPTER.match(line):
            if started:
                counts.append(words)
            started, words = True, 0
            continue
        if first in "#>" or first.isspace() or line[-1].isspace() or len(line) <= _SHORT_LINE:
            # a heading, quote, marker or blank line: the importer's own rule
            line_words = md._line_words(line)
            if not started and not line.strip():
                continue
        else:  # plain text longer than any marker
            line_words = count_words(line)
        if not started:
            started, words = True, 0
        words += line_words
    if started:
        counts.append(words)
    return counts
