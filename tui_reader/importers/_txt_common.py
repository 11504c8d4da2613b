"""Shared pieces of the plain-text importers: lines, paragraphs, headings, breaks, repairs.

The text importers work on a list of lines grouped into *units*: runs of non-blank lines with
the number of blank lines in front of each. Everything here is cheap enough to run over a
9 MB file while indexing; the per-chapter work (joining wrapped lines, epigraphs) runs only
when a chapter's blocks are first asked for.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from tui_reader.model import Block
from tui_reader.text import collapse_spaces

# --- units -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    """A run of non-blank lines: ``lines[start:end]``, with ``gap`` blank lines before it."""

    start: int
    """Index of the first line."""
    end: int
    """Index one past the last line."""
    gap: int
    """Blank lines between this unit and the one before."""


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


@dataclass(frozen=True, slots=True)
class Layout:
    """How a text file lays out its paragraphs."""

    wrap_width: int | None
    """The column hard-wrapped lines were wrapped at, or None when lines are not wrapped."""
    line_paragraphs: bool
    """True when every line is its own paragraph (no blank lines between paragraphs)."""
    normal_gap: int
    """The usual number of blank lines between paragraphs; more marks a scene break."""


def detect_layout(lines: list[str], units: list[Unit]) -> Layout:
    """Work out wrapping and paragraph spacing from a sample of the units."""
    sample = units if len(units) <= 4000 else units[:: len(units) // 4000 + 1]
    inner: list[int] = []
    multi = 0
    for unit in sample:
        if unit.end - unit.start > 1:
            multi += 1
            inner.extend(len(lines[i].rstrip()) for i in range(unit.start, unit.end - 1))
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


# --- headings ------------------------------------------------------------------------------

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = [
    "ten", "eleven", "twelve", "thirteen", "fourteen",
    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]  # fmt: skip
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _number_words() -> dict[str, int]:
    """Spelled-out numbers one to ninety-nine."""
    words: dict[str, int] = {w: i for i, w in enumerate(_ONES) if i}
    words.update({w: 10 + i for i, w in enumerate(_TEENS)})
    for t, tens in enumerate(_TENS):
        value = 20 + 10 * t
        words[tens] = value
        for o in range(1, 10):
            words[f"{tens}-{_ONES[o]}"] = value + o
            words[f"{tens} {_ONES[o]}"] = value + o
    return words


NUMBER_WORDS: dict[str, int] = _number_words()
"""Spelled-out numbers ("seven", "twenty-one") to ints."""

_NUM_ALT = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True))
_ROMAN = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$", re.IGNORECASE)
_SEP = r"\s*(?:[:.\-–—|]|\s[-–—]\s)\s*"
_NUMBERED = re.compile(
    rf"^(?:chapter|ch\.|part|book)\s+(?P<num>\d{{1,4}}|[ivxlcdm]{{1,8}}|{_NUM_ALT})"
    rf"(?:{_SEP}(?P<title>\S.*?)|\s*\((?P<paren>[^)]+)\))?\s*[.:]?$",
    re.IGNORECASE,
)
_NAMED = re.compile(
    rf"^(?P<kind>prologue|epilogue|interlude)(?:{_SEP}(?P<title>\S.*?))?\s*$", re.IGNORECASE
)
HEADING_FIRST_CHARS = frozenset("cCpPbBeEiI")
"""Characters a chapter heading can start with (a cheap pre-filter)."""


@dataclass(frozen=True, slots=True)
class Heading:
    """A parsed chapter heading line."""

    number: int | None
    """The number the heading gives, or None ("Prologue")."""
    title: str | None
    """The chapter's own title, without "Chapter 1:"."""


def roman_value(text: str) -> int | None:
    """The value of a Roman numeral up to 200, or None."""
    if not text or not _ROMAN.match(text):
        return None
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    total = 0
    low = text.lower()
    for i, ch in enumerate(low):
        v = values[ch]
        if i + 1 < len(low) and values[low[i + 1]] > v:
            total -= v
        else:
            total += v
    return total if 0 < total <= 200 else None


def parse_heading(line: str) -> Heading | None:
    """Parse a chapter heading ("Chapter 1: Title", "CHAPTER III", "Prologue"), else None."""
    text = line.strip().strip("*_#=").strip()
    if not text or len(text) > 120 or text[0] not in HEADING_FIRST_CHARS:
        return None
    m = _NUMBERED.match(text)
    if m:
        raw = m.group("num")
        number: int | None
        if raw.isdigit():
            number = int(raw)
        elif raw.lower() in NUMBER_WORDS:
            number = NUMBER_WORDS[raw.lower()]
        else:
            number = roman_value(raw)
        if number is None:
            return None
        title = m.group("title") or m.group("paren")
        return Heading(number, clean_title(title))
    m = _NAMED.match(text)
    if m:
        kind = m.group("kind").capitalize()
        sub = clean_title(m.group("title"))
        return Heading(None, f"{kind}: {sub}" if sub else kind)
    return None


def clean_title(title: str | None) -> str | None:
    """Strip surrounding quotes and spaces from a title; None when nothing is left."""
    if title is None:
        return None
    text = title.strip().strip("\"“”'").strip()
    return text or None


# --- scene breaks --------------------------------------------------------------------------

_BREAK_LINE = re.compile(
    r"^(?:"
    r"(?:[*~#=_+•·◆◇♦❖§°†‡※⁂✦✧★☆♥❤<>|/\\-]\s*){1,40}"  # ***, * * *, ~~~, ---, ###, lone symbol
    r"|[-~=*]*\s*(?:o[0o]o|x[xo]x|-x-)(?:\s*(?:o[0o]o|x[xo]x|-x-))*\s*[-~=*]*"  # oOo, o0o, xXx, -x-
    r"|(?:x\s*){3,}"  # xxx
    r"|[—–]"  # a lone dash
    r")$",
    re.IGNORECASE,
)


def is_scene_break(line: str) -> bool:
    """True when a line is a scene-break marker (``***``, ``oOo``, a lone centred symbol...)."""
    text = line.strip()
    return bool(text) and len(text) <= 60 and _BREAK_LINE.match(text) is not None


# --- notes ---------------------------------------------------------------------------------

_NOTE_LABEL = re.compile(
    r"^[(\[]?\s*[*_]*\s*(?:"
    r"(?:author|writer)['’`]?s?['’`]?\s+notes?"
    r"|a\s*/\s*n"
    r"|(?:end\s+|chapter\s+|story\s+)?notes?"
    r"|disclaimers?"
    r")\s*[*_]*\s*(?::|\s[-–—])\s*[*_]*\s*",
    re.IGNORECASE,
)
_AN_LABEL = re.compile(r"^[(\[]?\s*[*_]*\s*AN\s*[*_]*\s*:\s*[*_]*\s*")


def note_label(text: str) -> re.Match[str] | None:
    """The note label at the start of a paragraph ("Author's Notes:", "A/N:", "AN:"), if any."""
    if not text or text[0] not in "([*_AaNnDdEeCcSsWw":
        return None
    return _NOTE_LABEL.match(text) or _AN_LABEL.match(text)


def strip_note_label(text: str) -> str:
    """A note's text with its label (and any wrapping parentheses) removed."""
    m = note_label(text)
    if m is None:
        return text.strip()
    body = text[m.end() :].strip()
    opening = text.lstrip()[:1]
    if (opening, body[-1:]) in (("(", ")"), ("[", "]")):
        body = body[:-1].rstrip()
    return body


# --- scraping artifacts ----------------------------------------------------------------------

_SPACE_PUNCT = re.compile(r" +([.,;!?])(?![ ]\.)(?=[\s”’\"/)\]]|$)")
_SPACE_POSS = re.compile(r" +[‘’]s\b")
_QUOTE_SPACE = re.compile(r"([”“]) +(?=[A-Z])")
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
    if "” " in text or "“ " in text:
        text = _QUOTE_SPACE.sub(_fix_quote, text)
    return text


# --- epigraphs -----------------------------------------------------------------------------

_ATTR_INLINE = re.compile(r"(?<=[”\"’'.!?…\s])\s*(?:~|—|–|--)\s*(?P<attr>[^~—–\n]{2,100})$")
_ATTR_LINE = re.compile(r"^(?:~|—|–|--|-)\s*(?P<attr>\S.{0,99})$")
_OPENING_QUOTES = ("“", '"', "‘", "'", "«", "„")


def split_epigraph(first: str, second: str | None) -> tuple[Block, int] | None:
    """Read an epigraph from a chapter's first paragraph(s).

    ``first`` may hold quote and attribution together (``“…” ~Artist, “Song”``); otherwise
    ``second`` may be an attribution line (``—Author``). Returns the block and how many
    paragraphs it used, or None when the chapter does not open with an epigraph.
    """
    lines = first.split("\n")
    if len(lines) > 1:
        m = _ATTR_LINE.match(lines[-1].strip())
        if m and len(first) <= 2000:
            quote = "\n".join(lines[:-1]).strip()
            return Block("epigraph", quote, m.group("attr").strip()), 1
    if first.startswith(_OPENING_QUOTES) and len(first) <= 2000:
        m = _ATTR_INLINE.search(first)
        if m and m.start() > 0:
            quote = first[: m.start()].rstrip()
            if len(quote) >= 2 and quote[-1] in "”\"’'":
                return Block("epigraph", quote, m.group("attr").strip()), 1
    if second is not None and "\n" not in second and len(second) <= 100 and len(first) <= 2000:
        m = _ATTR_LINE.match(second.strip())
        plain = not second.rstrip().endswith((".", "?", "!"))
        if m is not None and (plain or first.startswith(_OPENING_QUOTES)):
            return Block("epigraph", first.strip(), m.group("attr").strip()), 2
    return None


# --- star-rating widget residue ------------------------------------------------------------

_WIDGET = (
    r"Enjoying this story\?\s*Share your rating!"
    r"|\[\s*Total:\s*\d+\s+Average:\s*[\d.,]+(?:\s*/\s*\d+)?\s*\]"
)
_WIDGET_LINE = re.compile(rf"^[ \t]*(?:{_WIDGET})[ \t]*(?:\n[ \t]*)*(?:\n|$)", re.MULTILINE)
_WIDGET_ANY = re.compile(_WIDGET)


def remove_widgets(text: str) -> str:
    """Remove the archive's star-rating widget text wherever it appears.

    A widget line goes with the blank lines after it, so removing it never widens a gap
    between paragraphs into a scene break.
    """
    if "Share your rating" not in text and "Average:" not in text:
        return text
    text = _WIDGET_LINE.sub("", text)
    return _WIDGET_ANY.sub("", text)
