"""FanFicFare TXT output: title, ``by Author``, ``Label: value`` lines, a table of contents,
tab-indented chapter titles, the chapters (wrapped at 78 columns) and ``End file.``."""

from __future__ import annotations

import re
from pathlib import Path

from tui_reader.importers._txt_chapters import ChapterText
from tui_reader.importers._txt_common import detect_layout, split_units
from tui_reader.importers._txt_header import Header, label_line
from tui_reader.importers.grammar import parse_heading
from tui_reader.model import Chapter

TOC_LINE = "TABLE OF CONTENTS"
"""The line that opens FanFicFare's table of contents."""
END_LINE = "End file."
"""FanFicFare's last line."""

_ANY_LABEL = re.compile(r"^[A-Z][A-Za-z/ ]{0,30}:\s")


def _indented(line: str) -> bool:
    """True for a tab- or space-indented line (FanFicFare's chapter titles)."""
    return line.startswith(("\t", "    ")) and not line.isspace()


def _nonblank(lines: list[str], start: int, limit: int) -> list[int]:
    """Indexes of the first ``limit`` non-blank lines from ``start``."""
    found: list[int] = []
    for i in range(start, len(lines)):
        if lines[i].strip():
            found.append(i)
            if len(found) >= limit:
                break
    return found


def looks_like_fff(lines: list[str]) -> bool:
    """True when the text is FanFicFare TXT output."""
    head = _nonblank(lines, 0, 3)
    if len(head) < 2 or not lines[head[1]].strip().lower().startswith("by "):
        return False
    has_toc = any(line.strip() == TOC_LINE for line in lines[:2000])
    tail = [line.strip() for line in lines[-6:] if line.strip()]
    return has_toc or (bool(tail) and tail[-1] == END_LINE)


def parse(path: Path, lines: list[str]) -> tuple[Header, list[str], list[Chapter]]:
    """Parse FanFicFare TXT lines into header, story notes (none) and chapters."""
    header = Header()
    head = _nonblank(lines, 0, 2)
    header.title = lines[head[0]].strip()
    header.author = lines[head[1]].strip()[3:].strip() or None
    end = len(lines)
    for i in range(len(lines) - 1, head[1], -1):
        if lines[i].strip():
            if lines[i].strip() == END_LINE:
                end = i
            break
    i = _read_header(lines, head[1] + 1, end, header)
    toc: list[str] = []
    if i < end and lines[i].strip() == TOC_LINE:
        i, toc = _read_toc(lines, i + 1, end)
    starts = _chapter_starts(lines, i, end, toc)
    units_all = split_units(lines, i, end)
    text = ChapterText(lines, detect_layout(lines, units_all), gap_breaks=False)
    chapters: list[Chapter] = []
    previous = 0
    if not starts:
        chapters.append(text.chapter(1, None, units_all))
        return header, [], chapters
    for k, (line_no, raw_title) in enumerate(starts):
        stop = starts[k + 1][0] if k + 1 < len(starts) else end
        units = split_units(lines, line_no + 1, stop)
        heading = parse_heading(raw_title, known=True)
        if heading is not None and heading.number is not None:
            number = heading.number if heading.number > previous else previous + 1
            title = heading.title
        else:
            number = previous + 1
            title = raw_title or None
        previous = number
        chapters.append(text.chapter(number, title, units))
    return header, [], chapters


def _read_header(lines: list[str], start: int, end: int, header: Header) -> int:
    """Read ``Label: value`` lines (values may wrap); returns the index after the header."""
    current: list[str] | None = None
    entries: list[list[str]] = []
    i = start
    while i < end:
        line = lines[i]
        stripped = line.strip()
        if stripped == TOC_LINE or (_indented(line) and not current):
            break
        if _ANY_LABEL.match(stripped):
            label, _, value = stripped.partition(":")
            current = [label.strip(), value.strip()]
            entries.append(current)
        elif stripped and current is not None:
            current[1] = f"{current[1]} {stripped}".strip()
        elif not stripped:
            current = None
        elif entries:
            break
        i += 1
    for label, value in entries:
        pair = label_line(f"{label}: {value}")
        if pair is not None:
            header.apply(*pair)
    return i


def _read_toc(lines: list[str], start: int, end: int) -> tuple[int, list[str]]:
    """Read the table of contents; returns the index after it and the chapter titles."""
    toc: list[str] = []
    toc_indented = False
    i = start
    while i < end:
        line = lines[i]
        stripped = line.strip()
        if stripped:
            if not toc:
                toc_indented = _indented(line)
            elif (_indented(line) and not toc_indented) or stripped == toc[0]:
                break
            toc.append(stripped)
        i += 1
    return i, toc


def _chapter_starts(
    lines: list[str], start: int, end: int, toc: list[str]
) -> list[tuple[int, str]]:
    """(line index, title) of each chapter's title line."""
    starts: list[tuple[int, str]] = []
    k = 0
    for i in range(start, end):
        line = lines[i]
        if not _indented(line):
            continue
        stripped = line.strip()
        if toc:
            if k < len(toc) and (
                stripped == toc[k] or (len(stripped) > 40 and toc[k].startswith(stripped))
            ):
                starts.append((i, toc[k]))
                k += 1
        elif i == start or not lines[i - 1].strip():
            starts.append((i, stripped))
            break
    return starts
