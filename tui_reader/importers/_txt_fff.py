"""FanFicFare TXT output (its ``txt`` writer, default settings).

The layout, from FanFicFare's ``writer_txt.py`` and its ``[txt]`` defaults: the title, a blank
line, ``by`` and the authors, then the title page as ``Label: value`` lines (one after another,
no blank line between them; the summary comes last and may hold several paragraphs), then
``TABLE OF CONTENTS`` with one chapter title per paragraph (only when there is more than one
chapter), then each chapter: its title on a line indented by a tab (expanded to eight spaces when
wrapping), a blank line and the chapter text (html2text's output), and ``End file.`` at the very
end. Everything but the chapter text is wrapped at 78 columns by ``textwrap.wrap``, so the title,
the ``by`` line, every title-page value, contents entry and chapter title may run over several
lines; a long chapter title continues on unindented lines.
"""

from __future__ import annotations

from pathlib import Path

from tui_reader.importers._txt_chapters import ChapterText
from tui_reader.importers._txt_common import (
    Unit,
    detect_layout,
    read_emphasis,
    repair_artifacts,
    split_units,
    unit_text,
)
from tui_reader.importers._txt_header import KNOWN_LABELS, Header
from tui_reader.importers.grammar import parse_heading
from tui_reader.model import Chapter
from tui_reader.text import collapse_whitespace, lazy_pattern

TOC_LINE = "TABLE OF CONTENTS"
"""The line that opens FanFicFare's table of contents."""
END_LINE = "End file."
"""FanFicFare's last line."""

FFF_LABELS: frozenset[str] = KNOWN_LABELS | frozenset(
    {
        "site abbrev", "chapters/total chapters",
        "collections", "story notes", "disclaimer", "file format", "file extension",
        "downloader version", "estimated word count",
    }
)  # fmt: skip
"""The title-page labels FanFicFare writes (its ``*_label`` defaults), lower case."""

_LABEL = lazy_pattern(r"^(?P<label>[A-Z][A-Za-z0-9/ ]{0,40}?):(?:\s+(?P<value>\S.*))?$")
_HYPHEN_END = lazy_pattern(r"\w-$")


BREAK_GAP = 4
"""Blank lines in a row that make a scene break in FanFicFare TXT. Its html2text writer ends a
paragraph with one blank line and writes each further ``<br/>`` as a line of two spaces: a block
closed and followed by ``<br/><br/>`` gives three such lines, while an author's run of blank lines
(three ``<br/>`` or more after text, read as a scene break in the HTML) gives four or more."""


class _FffText(ChapterText):
    """Chapter text as html2text writes it: ``_italics_``, ``**bold**`` and ``~~struck~~``
    marks are read (:func:`read_emphasis`), so a paragraph reads as in FanFicFare's HTML."""

    def text(self, unit: Unit) -> str:
        """One unit's paragraph text, wrapped lines joined, marks read, artifacts repaired."""
        return repair_artifacts(read_emphasis(unit_text(self.lines, unit, self.layout.wrap_width)))


def _chapter_line(line: str) -> bool:
    """True for the first line of a chapter title: indented by a tab or eight spaces."""
    return line.startswith(("\t", "        ")) and not line.isspace()


def join_wrapped(parts: list[str]) -> str:
    """Lines ``textwrap.wrap`` made of one paragraph, joined back into it.

    A line that ends inside a hyphenated word ("well-" / "known") is joined without a space.
    """
    out = ""
    for part in parts:
        text = part.strip()
        if not text:
            continue
        if out and not (_HYPHEN_END.search(out) and text[0].isalnum()):
            out += " "
        out += text
    return collapse_whitespace(out)


def _block(lines: list[str], start: int, end: int) -> int:
    """The index after the run of non-blank lines starting at ``start``."""
    i = start
    while i < end and lines[i].strip():
        i += 1
    return i


def _skip_blank(lines: list[str], start: int, end: int) -> int:
    """The index of the first non-blank line at or after ``start`` (``end`` if none)."""
    i = start
    while i < end and not lines[i].strip():
        i += 1
    return i


def looks_like_fff(lines: list[str]) -> bool:
    """True when the text is FanFicFare TXT output: title, ``by`` line, contents or end line."""
    end = min(len(lines), 4000)
    title = _skip_blank(lines, 0, end)
    after_title = _block(lines, title, end)
    by = _skip_blank(lines, after_title, end)
    if title >= end or by >= end or after_title - title > 6:
        return False
    if not lines[by].strip().lower().startswith("by "):
        return False
    has_toc = any(line.strip() == TOC_LINE for line in lines[:2000])
    tail = [line.strip() for line in lines[-6:] if line.strip()]
    return has_toc or (bool(tail) and tail[-1] == END_LINE)


def parse(path: Path, lines: list[str]) -> tuple[Header, list[str], list[Chapter]]:
    """Parse FanFicFare TXT lines into header, story notes (none) and chapters."""
    header = Header()
    end = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].strip():
            if lines[i].strip() == END_LINE:
                end = i
                header.story.account("boilerplate", END_LINE)
            break
    start = _skip_blank(lines, 0, end)
    stop = _block(lines, start, end)
    header.title = join_wrapped(lines[start:stop]) or None
    header.story.account("front_matter", header.title or "")
    start = _skip_blank(lines, stop, end)
    stop = _block(lines, start, end)
    by_line = join_wrapped(lines[start:stop])
    header.author = by_line[3:].strip() or None
    header.story.account("boilerplate", "by")
    header.story.account("front_matter", header.author or "")
    body = _first_chapter_line(lines, stop, end)
    toc_at = next((i for i in range(stop, body) if lines[i].strip() == TOC_LINE), None)
    _read_header(lines, stop, body if toc_at is None else toc_at, header)
    toc: list[str] = []
    if toc_at is not None:
        header.story.account("boilerplate", TOC_LINE)
        toc = _read_toc(lines, toc_at + 1, body)
        for entry in toc:
            header.story.account("front_matter", entry)
    starts = _chapter_starts(lines, body, end, toc)
    layout = detect_layout(lines, split_units(lines, body, end))
    text = _FffText(lines, layout, gap_breaks=False, markdown_headings=True, break_gap=BREAK_GAP)
    chapters: list[Chapter] = []
    if not starts:
        chapters.append(text.chapter(1, None, split_units(lines, body, end)))
        header.story.account("boilerplate", text.boilerplate_words)
        return header, [], chapters
    for k, (_line, after, raw_title) in enumerate(starts):
        following = starts[k + 1][0] if k + 1 < len(starts) else end
        number = k + 1
        title = chapter_title(number, raw_title)
        spare = len(raw_title.split()) - len((title or "").split())
        header.story.account("boilerplate", " ".join(raw_title.split()[:spare]))
        chapters.append(text.chapter(number, title, split_units(lines, after, following)))
    header.story.account("boilerplate", text.boilerplate_words)
    return header, [], chapters


def chapter_title(number: int, raw: str) -> str | None:
    """A chapter's own title from the title the site gave it, verbatim.

    FanFicFare numbers chapters by their place. A chapter heading that gives that same number
    ("Chapter 3: Title" or "Chapter Three - Title" in third place) is read by the shared grammar:
    its title is what follows the number ("Title"; a bare "Chapter 3" has none). Anything else
    ("Chapter 4 & 4.5" in third place, "Epilogue - Home", "Chapter 1, Xenos" in second place,
    "Part 2: Title") is the chapter's title as it stands.
    """
    heading = parse_heading(raw, known=True)
    if heading is not None and heading.kind == "chapter" and heading.number == number:
        return heading.title
    return raw or None


def _first_chapter_line(lines: list[str], start: int, end: int) -> int:
    """The index of the first chapter title line (after a blank line), or ``end``."""
    for i in range(start, end):
        if _chapter_line(lines[i]) and not lines[i - 1].strip():
            return i
    return end


def _read_header(lines: list[str], start: int, end: int, header: Header) -> None:
    """Read the title page's ``Label: value`` entries from ``lines[start:end]``.

    An entry starts at a line with a FanFicFare label right after another entry's line (the
    title page has no blank lines between entries); its wrapped continuation lines follow, and
    blank lines inside a value (the summary's paragraphs) keep it going until the next entry.
    """
    entries: list[tuple[str, list[list[str]]]] = []
    previous_blank = True
    for i in range(start, end):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            previous_blank = True
            continue
        m = _LABEL.match(stripped)
        opens = m is not None and m.group("label").lower() in FFF_LABELS
        if m is not None and opens and (not entries or not previous_blank):
            entries.append((m.group("label"), [[m.group("value") or ""]]))
        elif entries:
            paragraphs = entries[-1][1]
            if previous_blank:
                paragraphs.append([stripped])
            else:
                paragraphs[-1].append(stripped)
        else:
            header.story.account("front_matter", stripped)
        previous_blank = False
    for label, paragraphs in entries:
        values = [join_wrapped(p) for p in paragraphs]
        value = "\n\n".join(v for v in values if v)
        key = label.lower()
        if key == "summary":
            header.apply(key, value)
        else:
            header.apply(key, collapse_whitespace(value))


def _read_toc(lines: list[str], start: int, end: int) -> list[str]:
    """The contents entries (one paragraph each, wrapped lines joined)."""
    toc: list[str] = []
    i = _skip_blank(lines, start, end)
    while i < end:
        stop = _block(lines, i, end)
        toc.append(join_wrapped(lines[i:stop]))
        i = _skip_blank(lines, stop, end)
    return toc


def _chapter_starts(
    lines: list[str], start: int, end: int, toc: list[str]
) -> list[tuple[int, int, str]]:
    """(title line, first line after the title, title) of each chapter.

    With a table of contents each chapter title is found in order by its text. Without one
    (a single chapter, or ``include_tocpage: false``) a chapter starts at every indented line
    after two blank lines, the way the writer sets chapter titles apart.
    """
    starts: list[tuple[int, int, str]] = []
    k = 0
    for i in range(start, end):
        if not _chapter_line(lines[i]) or (i > 0 and lines[i - 1].strip()):
            continue
        if not toc and i > start and (i < 2 or lines[i - 2].strip()):
            continue
        stop = _block(lines, i, end)
        title = join_wrapped(lines[i:stop])
        if not toc:
            starts.append((i, stop, title))
        elif k < len(toc) and title == toc[k]:
            starts.append((i, stop, title))
            k += 1
    return starts
