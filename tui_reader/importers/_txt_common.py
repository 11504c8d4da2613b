"""Shared pieces of the plain-text importers: lines, paragraphs, layout, repairs.

The text importers work on a list of lines grouped into *units*: runs of non-blank lines with
the number of blank lines in front of each. Headings, scene breaks, epigraphs and note labels
are read by the shared :mod:`tui_reader.importers.grammar`. Everything here is cheap enough to
run over a 9 MB file while indexing; the per-chapter work (joining wrapped lines, epigraphs)
runs only when a chapter's blocks are first asked for.
"""

from __future__ import annotations

import re
from collections import Counter

from tui_reader.importers.grammar import parse_heading
from tui_reader.text import collapse_spaces, lazy_pattern
from tui_reader.values import FrozenValue

# --- units -------------------------------------------------------------------------------


class Unit(FrozenValue, fields=("start", "end", "gap")):
    """A run of non-blank lines: ``lines[start:end]``, with ``gap`` blank lines before it."""

    __slots__ = ("end", "gap", "start")

    start: int
    """Index of the first line."""
    end: int
    """Index one past the last line."""
    gap: int
    """Blank lines between this unit and the one before."""

    def __init__(self, start: int, end: int, gap: int) -> None:
        """A unit (frozen: its fields are set once, here)."""
        set_field = object.__setattr__
        set_field(self, "start", start)
        set_field(self, "end", end)
        set_field(self, "gap", gap)


def split_units(lines: list[str], first: int = 0, last: int | None = None) -> list[Unit]:
    """Group ``lines[first:last]`` into units separated by blank lines."""
    stop = len(lines) if last is None else last
    units: list[Unit] = []
    start = -1
    gap = 0
    unit_gap = 0
    for idx in range(first, stop):
        line = lines[idx]
        if line and not line.isspace():
            if start < 0:
                start = idx
                unit_gap = gap
        else:
            if start >= 0:
                units.append(Unit(start, idx, unit_gap))
                start = -1
                gap = 0
            gap += 1
    if start >= 0:
        units.append(Unit(start, stop, unit_gap))
    return units


class Layout(FrozenValue, fields=("wrap_width", "line_paragraphs", "normal_gap")):
    """How a text file lays out its paragraphs."""

    __slots__ = ("line_paragraphs", "normal_gap", "wrap_width")

    wrap_width: int | None
    """The column hard-wrapped lines were wrapped at, or None when lines are not wrapped."""
    line_paragraphs: bool
    """True when every line is its own paragraph (no blank lines between paragraphs)."""
    normal_gap: int
    """The usual number of blank lines between paragraphs; more marks a scene break."""

    def __init__(self, wrap_width: int | None, line_paragraphs: bool, normal_gap: int) -> None:
        """A layout (frozen: its fields are set once, here)."""
        set_field = object.__setattr__
        set_field(self, "wrap_width", wrap_width)
        set_field(self, "line_paragraphs", line_paragraphs)
        set_field(self, "normal_gap", normal_gap)


SHORT_LINE = 50
"""Inner lines narrower than this are not wrapped prose (:func:`detect_layout`)."""


def short_heading(line: str) -> bool:
    """True for a short chapter heading line ("CHAPTER I."): over its title in a unit of
    several lines it is a heading, not a line of wrapped prose."""
    return len(line.rstrip()) < SHORT_LINE and parse_heading(line) is not None


def detect_layout(lines: list[str], units: list[Unit]) -> Layout:
    """Work out wrapping and paragraph spacing from a sample of the units.

    Lines are hard-wrapped when 80% of the inner lines of the units of several lines (all but
    each unit's last) are 50 to 80 cells wide; a heading line over its title ("CHAPTER I." /
    "The Toll House") is no inner line of prose, so a short book's headings never outweigh
    its wrapped paragraphs.
    """
    sample = units if len(units) <= 4000 else units[:: len(units) // 4000 + 1]
    inner: list[int] = []
    multi = 0
    for unit in sample:
        if unit.end - unit.start > 1:
            multi += 1
            first = unit.start + 1 if short_heading(lines[unit.start]) else unit.start
            inner.extend(len(lines[i].rstrip()) for i in range(first, unit.end - 1))
    wrap_width: int | None = None
    if inner and multi >= 2:
        in_band = sum(1 for n in inner if 50 <= n <= 80)
        if in_band >= 0.8 * len(inner):
            wrap_width = max(n for n in inner if n <= 80)
    line_paragraphs = False
    if wrap_width is None and sample:
        lines_in_units = sum(u.end - u.start for u in sample)
        line_paragraphs = lines_in_units >= 3 * len(sample) and multi * 2 <= len(sample) + 1
    gaps = Counter(u.gap for u in sample[1:] if u.gap > 0)
    if line_paragraphs:
        normal_gap = 0
    elif gaps:
        normal_gap = gaps.most_common(1)[0][0]
    else:
        normal_gap = 1
    return Layout(wrap_width, line_paragraphs, normal_gap)


def explode_lines(units: list[Unit]) -> list[Unit]:
    """Make every line its own unit (for files with one paragraph per line)."""
    out: list[Unit] = []
    for unit in units:
        out.append(Unit(unit.start, unit.start + 1, unit.gap))
        out.extend(Unit(i, i + 1, 0) for i in range(unit.start + 1, unit.end))
    return out


def tidy_line(line: str) -> str:
    """A line with runs of spaces and tabs collapsed and the ends stripped."""
    if "  " in line or "\t" in line:
        return collapse_spaces(line)
    return line.strip()


def unit_text(lines: list[str], unit: Unit, wrap_width: int | None) -> str:
    """The text of one unit: wrapped lines joined with spaces, deliberate breaks kept."""
    if unit.end - unit.start == 1:
        return tidy_line(lines[unit.start])
    parts: list[str] = []
    previous = ""
    for idx in range(unit.start, unit.end):
        line = tidy_line(lines[idx])
        if not parts:
            parts.append(line)
        elif wrap_width is not None and _was_wrapped(previous, line, wrap_width):
            parts.append(" ")
            parts.append(line)
        else:
            parts.append("\n")
            parts.append(line)
        previous = lines[idx].rstrip()
    return "".join(parts)


def _was_wrapped(previous: str, line: str, width: int) -> bool:
    """True when ``line``'s first word would not have fitted on ``previous`` (a soft wrap)."""
    first_word = line.split(" ", 1)[0]
    return len(previous) + 1 + len(first_word) > width


# --- scraping artifacts ----------------------------------------------------------------------

_SPACE_PUNCT = lazy_pattern(r" +([.,;!?])(?![ ]\.)(?=[\s”’\"/)\]]|$)")
_SPACE_POSS = lazy_pattern(r" +[‘’]s\b")
_QUOTE_SPACE = lazy_pattern(r"([”“]) +(?=[A-Z])")
_JOINS_AFTER = '”"’)'
_SENTENCE_ENDS = ".!?…"


def _after_word(m: re.Match[str], closers: str = "") -> bool:
    """True when the match directly follows a word character (or one of ``closers``)."""
    start = m.start()
    if start == 0:
        return False
    before = m.string[start - 1]
    return before.isalnum() or before == "_" or before in closers


def _fix_possessive(m: re.Match[str]) -> str:
    """ "Tara ‘s" -> "Tara’s"."""
    return "’s" if _after_word(m) else m.group(0)


def _fix_punct(m: re.Match[str]) -> str:
    """ "Willow ." -> "Willow."."""
    return m.group(1) if _after_word(m, _JOINS_AFTER) else m.group(0)


def _fix_quote(m: re.Match[str]) -> str:
    """A quote stranded before a name at a sentence start: "” Tara" -> "”Tara"."""
    start = m.start()
    text = m.string
    if start == 0 or text[start - 1] == "\n":
        return m.group(1)
    if start >= 2 and text[start - 1] == " " and text[start - 2] in _SENTENCE_ENDS:
        return m.group(1)
    return m.group(0)


def quote_may_move(text: str) -> bool:
    """False only when :func:`_fix_quote` would keep every match of :data:`_QUOTE_SPACE` as it
    is: no curly quote followed by a space opens the text or a line, or follows a sentence's
    end and a space. Most dialogue ("…,” Tara said") then never compiles or runs the pattern."""
    for quote in ("” ", "“ "):
        at = text.find(quote)
        while at >= 0:
            if at == 0 or text[at - 1] == "\n":
                return True
            if at >= 2 and text[at - 1] == " " and text[at - 2] in _SENTENCE_ENDS:
                return True
            at = text.find(quote, at + 1)
    return False


def repair_artifacts(text: str) -> str:
    """Repair the joins a scraper lost around linked words, conservatively.

    " Tara ‘s" -> "Tara’s", "Willow ." -> "Willow.", "Smashed ," -> "Smashed,", and a
    quote stranded before a name ("” Tara ?" -> "”Tara?"). Ellipses (". . .", "..."), spaced
    dashes and spaces after punctuation are left alone.
    """
    if " ‘s" in text or " ’s" in text:
        text = _SPACE_POSS.sub(_fix_possessive, text)
    if " ." in text or " ," in text or " ?" in text or " !" in text or " ;" in text:
        text = _SPACE_PUNCT.sub(_fix_punct, text)
    if quote_may_move(text):
        text = _QUOTE_SPACE.sub(_fix_quote, text)
    return text


# --- star-rating widget residue ------------------------------------------------------------

_WIDGET = (
    r"Enjoying this story\?\s*Share your rating!"
    r"|\[\s*Total:\s*\d+\s+Average:\s*[\d.,]+(?:\s*/\s*\d+)?\s*\]"
)
_WIDGET_LINE = lazy_pattern(rf"^[ \t]*(?:{_WIDGET})[ \t]*(?:\n[ \t]*)*(?:\n|$)", re.MULTILINE)
_WIDGET_ANY = lazy_pattern(_WIDGET)


def remove_widgets(text: str) -> tuple[str, int]:
    """Remove the archive's star-rating widget text wherever it appears; the text, and how
    many words were removed (site furniture, for word accounting).

    A widget line goes with the blank lines after it, so removing it never widens a gap
    between paragraphs into a scene break.
    """
    if "Share your rating" not in text and "Average:" not in text:
        return text, 0
    removed = 0

    def drop(m: re.Match[str]) -> str:
        nonlocal removed
        removed += len(m.group(0).split())
        return ""

    text = _WIDGET_LINE.sub(drop, text)
    return _WIDGET_ANY.sub(drop, text), removed


# --- html2text emphasis marks ----------------------------------------------------------------

_MARK = lazy_pattern(
    r"(?:(?<!\w)_(?=[^\s_])(?P<em>.+?)(?<=[^\s_])_(?!\w)"
    r"|(?<![\w*])\*\*(?=[^\s*])(?P<strong>.+?)(?<=[^\s*])\*\*(?![\w*])"
    r"|(?<![\w~])~~(?=[^\s~])(?P<strike>.+?)(?<=[^\s~])~~(?![\w~]))"
    r"(?P<space> (?=[,;:%]|[—–]\S|['’]s\b))?",
    re.DOTALL,
)
"""A run html2text marked (``_italics_``, ``**bold**``, ``~~struck~~``): the mark opens after
the start, a space or punctuation and closes before the end, a space or punctuation, never
next to a letter, digit or ``_`` (``snake_case``, ``__init__``, ``2**3**``); the space
html2text put after a closing mark before ``,;:%``, a dash or an ``'s`` (none was in the page)
goes with it."""

_NOT_MARKED = lazy_pattern(r"://|^www\.|@", re.IGNORECASE)
"""A word that is an address or a handle, whose ``_`` are its own."""


def read_emphasis(text: str) -> str:
    """``text`` with html2text's emphasis marks read (the model keeps no inline styling: the
    marked words stay, as the HTML importer keeps an ``<em>``'s words), nested marks included
    (``**_both_**``); marks inside a web address, an e-mail address or a handle stay. Struck
    text keeps its ``~~`` marks, as the HTML importer writes an ``<s>`` ("I ~~hate~~ love
    him" would lose its sense without them)."""
    if "_" not in text and "**" not in text and "~~" not in text:
        return text
    for _ in range(3):  # nested marks, one level a pass
        done = _MARK.sub(_unmark, text)
        if done == text:
            break
        text = done
    return text


def _unmark(m: re.Match[str]) -> str:
    """One marked run without its marks, unless it sits inside an address."""
    text = m.string
    start = text.rfind(" ", 0, m.start()) + 1
    newline = text.rfind("\n", 0, m.start()) + 1
    inner = m.group("em") or m.group("strong") or m.group("strike") or ""
    if _NOT_MARKED.search(text[max(start, newline) : m.end()]):
        return m.group(0)
    if m.group("strike") is not None:
        return f"~~{read_emphasis(inner)}~~"
    return inner
