"""A plain-text story's chapters read again from the file, so its text is not held in memory.

An archive dump in plain UTF-8 (no carriage return, no rating widget: the usual download) is
indexed from its lines once; then each chapter keeps only where its lines start in the file
(:class:`LineSource`), and its loader reads, decodes and sanitises that stretch again when the
chapter is first read, as the EPUB importer re-reads a chapter's document. Every repair the
whole-file path makes (the sanitiser, no-break spaces) works within a line, so the lines read
again are exactly the lines indexed. A file that has changed or gone since it was opened gives
a chapter that says so (:class:`~tui_reader.model.ChapterUnreadable`), never other text.
"""

from __future__ import annotations

import os
from array import array
from functools import partial
from pathlib import Path

from tui_reader.importers._txt_chapters import ChapterText
from tui_reader.importers._txt_common import Layout, Unit
from tui_reader.model import Block, ChapterUnreadable
from tui_reader.text import collapse_whitespace, normalise_spaces, sanitise


class LineSource:
    """Where each line of a UTF-8 text file starts, and the file's size and mtime then."""

    def __init__(self, path: Path, size: int, mtime_ns: int, starts: array[int]) -> None:
        """Keep the file's identity and its lines' byte offsets (``starts[i]``: line ``i``)."""
        self.path = path
        """The story file."""
        self.size = size
        """Its size when it was indexed."""
        self.mtime_ns = mtime_ns
        """Its modification time when it was indexed."""
        self.starts = starts
        """The byte offset of each line's start (8 bytes a line)."""

    def read(self, first: int, end: int) -> list[str]:
        """Lines ``first`` to ``end`` (exclusive) as they were indexed; ChapterUnreadable
        when the file has changed or gone since."""
        if end <= first:
            return []
        start = self.starts[first]
        stop = self.starts[end] - 1 if end < len(self.starts) else self.size
        try:
            stat = os.stat(self.path)
            if (stat.st_size, stat.st_mtime_ns) != (self.size, self.mtime_ns):
                raise _unreadable("the file changed since it was opened")
            with open(self.path, "rb") as handle:
                handle.seek(start)
                raw = handle.read(stop - start)
            lines = normalise_spaces(sanitise(raw.decode("utf-8"))).split("\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise _unreadable(
                f"the file can no longer be read ({exc.__class__.__name__})"
            ) from None
        if len(lines) != end - first:
            raise _unreadable("the file changed since it was opened")
        return lines


def _unreadable(reason: str) -> ChapterUnreadable:
    """A chapter that could not be read again: the reason, and one paragraph giving it."""
    text = collapse_whitespace(sanitise(f"This chapter could not be read again: {reason}"))
    return ChapterUnreadable(reason, [Block("paragraph", text)])


class SourcedText(ChapterText):
    """A :class:`ChapterText` whose chapters read their lines again from the file: a chapter's
    loader holds where its lines are, not the lines (the file's lines can go once indexed)."""

    def __init__(self, lines: list[str], layout: Layout, source: LineSource) -> None:
        """The lines to index and where they come from (archive dumps: gap breaks)."""
        super().__init__(lines, layout, gap_breaks=True)
        self.source = source
        """Where the lines are in the file."""

    def loader(self, body: list[Unit], heads: list[Block]) -> partial[list[Block]]:
        """A loader holding the chapter's units (packed: 24 bytes a paragraph) and line range,
        not its text."""
        first = body[0].start if body else 0
        end = body[-1].end if body else 0
        units = array("q")
        for unit in body:
            units.extend((unit.start, unit.end, unit.gap))
        return partial(_reread, self.source, self.layout, first, end, units, heads)


def _reread(
    source: LineSource,
    layout: Layout,
    first: int,
    end: int,
    units: array[int],
    heads: list[Block],
) -> list[Block]:
    """A chapter's blocks from its lines read again (padded so its units point at them)."""
    lines = [""] * first
    lines.extend(source.read(first, end))
    body = [Unit(units[i], units[i + 1], units[i + 2]) for i in range(0, len(units), 3)]
    return ChapterText(lines, layout, gap_breaks=True).blocks(body, heads)
