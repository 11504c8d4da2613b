"""The reading rules every importer shares: headings, numbers, scene breaks, epigraphs, note labels.

One module, used by the TXT, HTML, EPUB and Markdown importers, so that a story reads the same
whatever format it came in. Everything here works on plain (already sanitised) text.

Headings (:func:`parse_heading`)
    ``Chapter 1: X``, ``Chapter 2 - X``, ``Chapter 3 (X)``, ``Chapter One``, ``CHAPTER III.``,
    ``Ch. 4``, ``Part 2``, ``Book I``, ``Section 5``; the named ``Prologue``, ``Prelude``,
    ``Interlude``, ``Intermission``, ``Epilogue``, ``Coda``, ``Preface``, ``Foreword``,
    ``Afterword``; the CJK ``第二章：X``. Where the text is already known to be a heading (a
    ``#`` line, an HTML ``<h2>``, a table-of-contents entry) also ``12. X``, ``12`` and headings
    whose number is not followed by a separator (``Chapter 4 & 4.5``).

    The title is *verbatim*: what the author wrote after the number and its separator
    (``Chapter 1: Epilogue - X`` gives ``Epilogue - X``). A named heading is its own title,
    whole and as written (``Epilogue - X`` stays ``Epilogue - X``). When the number is not
    followed by a separator the whole heading is the title, so nothing is lost
    (``Chapter 4 & 4.5`` keeps its ``4``). :attr:`Heading.label` is the heading's words that are
    not its title ("Chapter 2:"), which importers account for as boilerplate.
Numbers (:func:`number_value`)
    Digits, English number words one to ninety-nine ("seven", "Twenty-One", "twenty one"),
    Roman numerals (any case) and CJK numerals (二十一, ２１).
Scene breaks (:func:`is_scene_break`)
    A short line of nothing but marker symbols (``***``, ``* * *``, ``~~~``, ``---``, ``###``,
    a lone ``*`` or ``§`` or ``⁂``), ``oOo``/``o0o``/``xXx`` and ``-x-`` shapes, and
    ``xxx``/``x x x`` in any case. An ellipsis (``...``) is text: a pause, not a break.
Epigraph attributions (:func:`attribution`, :func:`split_epigraph`)
    A line starting with ``~``, ``—``, ``–``, ``―``, ``--`` or ``-`` after a quote.
Note labels (:func:`note_label`, :func:`strip_note_label`, :func:`note_heading`)
    ``Author's Note:``, ``A/N:``, ``AN:``, ``Notes:``, ``End Notes -``, ``Disclaimer:`` opening
    a paragraph; and stand-alone labels ("Chapter Notes", "Chapter End Notes", "Summary").
"""

from __future__ import annotations

import re
from typing import Literal

from tui_reader.model import Block
from tui_reader.text import collapse_whitespace, lazy_pattern
from tui_reader.values import FrozenValue

# --- numbers -------------------------------------------------------------------------------

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = [
    "ten", "eleven", "twelve", "thirteen", "fourteen",
    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]  # fmt: skip
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _number_words() -> dict[str, int]:
    """Spelled-out numbers one to ninety-nine, hyphenated and spaced."""
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
"""Spelled-out numbers ("seven", "twenty-one", "twenty one") to ints, lower case."""

_ONES_PATTERN = "|".join(_ONES[1:])
NUMBER_WORD_PATTERN = (
    f"(?:{'|'.join(_TENS)})(?:[- ](?:{_ONES_PATTERN}))?|{'|'.join(_TEENS[1:])}|{_ONES_PATTERN}|ten"
)
"""A regex alternation matching exactly the keys of :data:`NUMBER_WORDS` (compile with
IGNORECASE) and choosing as a list of every word longest first would: a longer word is always
tried before one it begins with ("twenty-one", "twenty"; "sixteen", "six"). Written as a small
trie because that list's two thousand characters took a millisecond to compile in each pattern
using it. "ten" stays the last word, as in that list: a lookahead written after the alternation
ungrouped (``_NUMBERED``) binds to the last word only."""

NUMBER_PATTERN = rf"(?:\d{{1,4}}|{NUMBER_WORD_PATTERN})"
"""A chapter number in digits or words, as a regex (compile with IGNORECASE)."""

_ROMAN = lazy_pattern(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$", re.IGNORECASE)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_CJK_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000}


def roman_value(text: str) -> int | None:
    """The value of a well-formed Roman numeral, or None.

    Lower- and mixed-case numerals count up to 200 (beyond that an English word such as "mix"
    is likelier than a numeral); upper-case ones up to 3999.
    """
    if not text or not _ROMAN.match(text):
        return None
    low = text.lower()
    total = 0
    for i, ch in enumerate(low):
        v = _ROMAN_VALUES[ch]
        total += -v if i + 1 < len(low) and _ROMAN_VALUES[low[i + 1]] > v else v
    limit = 3999 if text.isupper() else 200
    return total if 0 < total <= limit else None


def cjk_value(text: str) -> int | None:
    """The value of a CJK numeral (二十一, 百二, 三〇) or of full-width digits (２１), or None."""
    if not text:
        return None
    digits = text.translate({0xFF10 + i: ord("0") + i for i in range(10)})
    if digits.isascii() and digits.isdigit():
        return int(digits)
    if any(c not in _CJK_DIGITS and c not in _CJK_UNITS for c in text):
        return None
    if not any(c in _CJK_UNITS for c in text):  # positional: 三〇 = 30
        return int("".join(str(_CJK_DIGITS[c]) for c in text))
    total = 0
    pending = 0
    for c in text:
        if c in _CJK_DIGITS:
            pending = _CJK_DIGITS[c]
        else:
            total += (pending or 1) * _CJK_UNITS[c]
            pending = 0
    return (total + pending) or None


def number_value(token: str) -> int | None:
    """A number written in digits, English words, a Roman numeral or CJK numerals; else None."""
    token = token.strip()
    if not token:
        return None
    if token.isascii() and token.isdigit():
        return int(token)
    low = collapse_whitespace(token.lower())
    if low in NUMBER_WORDS:
        return NUMBER_WORDS[low]
    return roman_value(token) if token.isascii() else cjk_value(token)


# --- headings ------------------------------------------------------------------------------

NAMED_HEADINGS = (
    "prologue", "prelude", "interlude", "intermission", "epilogue", "coda",
    "preface", "foreword", "afterword",
)  # fmt: skip
"""Headings that name a chapter without a number ("Prologue", "Epilogue - After")."""

_SEP = r"\s*(?:[:.|\-]|–|—|\s(?:-|–|—)\s)\s*"
"""A separator before a title (":", ".", "|", a dash; a dash between spaces). The dashes beyond
ASCII are written as alternatives, not in a class with the rest: the same matches, and half the
compiling (a class holding them cost 1 M instructions more)."""
_NUMBERED = lazy_pattern(
    r"^(?P<word>chapter|part|book|section|ch\.?)"
    rf"(?:\s+|(?<=\.)\s*)(?P<num>\d{{1,4}}(?:\.\d+)?(?![\w])|{NUMBER_WORD_PATTERN}(?![\w-])"
    r"|[ivxlcdm]{1,12}(?![\w]))(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_NUMBERED_DIGITS = lazy_pattern(
    r"^(?P<word>chapter|part|book|section|ch\.?)"
    r"(?:\s+|(?<=\.)\s*)(?P<num>\d{1,4}(?:\.\d+)?(?![\w]))(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
""":data:`_NUMBERED` with its number in digits only: where it matches, :data:`_NUMBERED` makes
the very same match (its digits are tried first, and no other word or spacing it could try
first leads to a number), and this costs a fifth as much to compile (a first frame's chapter
heading is mostly "Chapter 1: ..."). The number words are compiled only when it fails."""
_NAMED = lazy_pattern(rf"^(?P<kind>{'|'.join(NAMED_HEADINGS)})(?![\w])(?P<rest>.*)$", re.IGNORECASE)
_CJK = lazy_pattern(r"^第(?P<num>[0-9０-９〇零一二两三四五六七八九十百千]+)[章話话回](?P<rest>.*)$")
_BARE_NUMBER = lazy_pattern(r"^(?P<num>\d{1,4})(?:\s*[.:)]\s+(?P<title>\S.*))?$", re.DOTALL)
_TITLE_AFTER_SEP = lazy_pattern(rf"^{_SEP}(?P<title>\S.*)$", re.DOTALL)
_PAREN_TITLE = lazy_pattern(r"^\s*\((?P<title>[^)]*\S[^)]*)\)\s*[.:]?\s*$")


def _no_title(rest: str) -> bool:
    r"""True when ``rest`` holds no title: nothing, or a lone "." or ":", spaces around (what
    ``^\s*[.:]?\s*$`` matches, without compiling it)."""
    return rest.strip() in ("", ".", ":")


_NAMED_REST = lazy_pattern(
    rf"^(?:\s+(?:\d{{1,4}}|[ivxlcdm]{{1,8}}|{NUMBER_WORD_PATTERN}))?"
    rf"(?:{_SEP}\S.*|\s*\([^)]*\S[^)]*\)\s*[.:]?)?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_CJK_SEP = lazy_pattern(r"^[\s　:：.．、・\-–—]*")
_DECORATION = "*_#="
_QUOTE_PAIRS = {'"': '"', "“": "”", "'": "'", "‘": "’", "«": "»", "「": "」"}
_FIRST = frozenset("cpbseifa第0123456789")
_NUMBERED_WORDS = ("part", "book", "section", "chapter")
"""The words :data:`_NUMBERED` may open with, but "ch" (lower case, for the pre-check)."""
_SEP_CHARS = ":.|-–—"
"""The one-character separators of :data:`_SEP` (the others begin with a space)."""


def may_be_numbered(text: str) -> bool:
    """False only when :data:`_NUMBERED` (and so :data:`_NUMBERED_DIGITS`) cannot match:
    ``text`` does not open with "chapter", "part", "book", "section" or "ch" followed by a
    "." or a space, in any case. Exact: a non-ASCII opening (a "ſ", a "ı" or a Kelvin sign
    matches an ASCII letter under IGNORECASE) is left to the pattern."""
    head = text[:7]
    if not head.isascii():
        return True
    low = head.lower()
    if low.startswith(_NUMBERED_WORDS):
        return True
    return low[:2] == "ch" and (len(low) == 2 or low[2] == "." or low[2].isspace())


def may_be_named(text: str) -> bool:
    """False only when :data:`_NAMED` cannot match: ``text`` does not open with one of the
    :data:`NAMED_HEADINGS`, in any case (a non-ASCII opening is left to the pattern)."""
    head = text[:12]
    return not head.isascii() or head.lower().startswith(NAMED_HEADINGS)


def title_after_separator(rest: str) -> tuple[int, str] | None:
    r"""Where a heading's title starts after its separator, and the title, as
    :data:`_TITLE_AFTER_SEP` matches them; None where it does not match.

    A ``rest`` opening with a one-character separator (": Title", the usual case) is read
    without the pattern: its title is whatever follows the separator and the spaces after it
    (``\s`` is exactly :meth:`str.isspace`), as the pattern's greedy ``\s*`` and ``\S.*``
    give it; none when only spaces follow."""
    if rest and rest[0] in _SEP_CHARS:
        title = rest[1:].lstrip()
        return (len(rest) - len(title), title) if title else None
    m = _TITLE_AFTER_SEP.match(rest)
    return (m.start("title"), m.group("title")) if m else None


HeadingKind = Literal["chapter", "division", "named"]
"""See :attr:`Heading.kind`."""


class Heading(FrozenValue, fields=("number", "title", "label", "kind")):
    """A chapter heading, read."""

    __slots__ = ("kind", "label", "number", "title")

    number: int | None
    """The number it gives, or None ("Prologue")."""
    title: str | None
    """The chapter's own title, verbatim ("Festival" of "Chapter 1: Festival"); None if none."""
    label: str
    """The heading's words that are not its title ("Chapter 1:"), for word accounting."""
    kind: HeadingKind
    """What the heading numbers: a chapter ("Chapter 3", "Ch. 3", "3.", "第三章"), a larger
    division ("Part 2", "Book II", "Section 5"), or nothing ("Prologue")."""

    def __init__(
        self, number: int | None, title: str | None, label: str = "", kind: HeadingKind = "chapter"
    ) -> None:
        """A heading (frozen: its fields are set once, here)."""
        set_field = object.__setattr__
        set_field(self, "number", number)
        set_field(self, "title", title)
        set_field(self, "label", label)
        set_field(self, "kind", kind)


def parse_heading(text: str, *, known: bool = False) -> Heading | None:
    """Read a chapter heading, or None when ``text`` is not one.

    ``known``: the text is already known to be a heading (a Markdown ``#`` line, an HTML heading
    element, a contents entry). Then "12. Title", a lone "12" and a number without a separator
    after it ("Chapter 4 & 4.5", whose whole text becomes the title) are headings too; on a
    plain line of text they are not ("Chapter 7 was the worst." is a sentence).
    """
    whole = text.strip().strip(_DECORATION).strip()
    if not whole or len(whole) > 160 or whole[0].lower() not in _FIRST:
        return None
    if may_be_numbered(whole) and (m := _NUMBERED_DIGITS.match(whole) or _NUMBERED.match(whole)):
        number = number_value(m.group("num").split(".")[0])
        if number is None:
            return None
        return _numbered(whole, m, number, known=known)
    if may_be_named(whole) and (m := _NAMED.match(whole)):
        rest = m.group("rest")
        if _no_title(rest):  # "Epilogue", "PREFACE."
            return Heading(None, whole[: m.end("kind")], whole[m.end("kind") :].strip(), "named")
        return Heading(None, whole, "", "named") if _NAMED_REST.match(rest) else None
    if whole[0] == "第" and (m := _CJK.match(whole)):
        number = cjk_value(m.group("num"))
        if number is None:
            return None
        rest = m.group("rest")
        sep = _CJK_SEP.match(rest)
        start = m.start("rest") + (sep.end() if sep else 0)
        title = whole[start:].strip() or None
        return Heading(number, title, whole[:start].strip())
    if known and (m := _BARE_NUMBER.match(whole)):
        title = m.group("title")
        label = whole[: m.start("title")].strip() if title else whole
        return Heading(int(m.group("num")), title.strip() if title else None, label)
    return None


def _numbered(whole: str, m: re.Match[str], number: int, *, known: bool) -> Heading | None:
    """A "Chapter N ..." heading from its match: title after a separator, in brackets, or none."""
    rest = m.group("rest")
    kind: HeadingKind = "chapter" if m.group("word")[:2].lower() == "ch" else "division"
    if "." in m.group("num"):  # "Chapter 4.5": the number is not a whole chapter number
        return Heading(number, whole, "", kind)
    if _no_title(rest):
        return Heading(number, None, whole, kind)
    if "(" in rest and (t := _PAREN_TITLE.match(rest)):  # (compiled only for one)
        start, end = m.start("rest") + t.start("title"), m.start("rest") + t.end("title")
        label = f"{whole[:start]} {whole[end:]}"
        return Heading(number, unquote_title(t.group("title")), label.strip(), kind)
    if found := title_after_separator(rest):
        at, title = found
        start = m.start("rest") + at
        return Heading(number, unquote_title(title), whole[:start].strip(), kind)
    if known:
        return Heading(number, whole, "", kind)
    return None


def unquote_title(title: str) -> str | None:
    """A title without one pair of quotes wrapping all of it; None when nothing is left.

    Only a matched pair around the whole title goes ("“Snow”" → "Snow"); a quote that belongs
    to the text stays ("'Tis the Season").
    """
    text = title.strip()
    if len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        inner = text[1:-1].strip()
        if inner and text[0] not in inner:
            text = inner
    return text or None


# --- scene breaks --------------------------------------------------------------------------

_MARKER_SYMBOLS = "*~#=_+•·◆◇♦❖§°†‡※⁂✦✧★☆♥❤❦❧☙∞<>|/\\\\＊-"
_BREAK_LINE = lazy_pattern(
    r"^(?:"
    rf"(?:[{_MARKER_SYMBOLS}]\s*){{1,40}}"  # ***, * * *, ~~~, ---, ###, a lone symbol
    r"|[-~=*]*\s*[ox0]?(?:o[0o]o|x[xo0]x)(?:\s*[ox0]?(?:o[0o]o|x[xo0]x))*[ox0]?\s*[-~=*]*"  # oOo
    r"|[-~=*]\s*[xo0]\s*[-~=*]"  # -x-, ~o~
    r"|(?:x\s*){3,}"  # xxx, x x x
    r"|[—–―]"  # a lone dash
    r")$",
    re.IGNORECASE,
)


_BREAK_FIRST = frozenset(_MARKER_SYMBOLS + "-~=*oOxX0—–―")
"""Every character a scene-break marker can start with (what ``_BREAK_LINE`` lets come first):
a line starting otherwise is no break, and most never reach the pattern."""


_BREAK_CHARS = _MARKER_SYMBOLS + "oOxX0—–―"
"""Every character but spaces a scene-break marker can hold (what ``_BREAK_LINE`` lets in; no
other character matches an "o" or an "x" under IGNORECASE)."""


def break_shape(text: str) -> bool | None:
    """What ``_BREAK_LINE`` answers for a stripped ``text``, where that is plain without it:
    True for a line of nothing but marker symbols (at most 40 of them, spaces between: its
    first alternative), False for one holding any character no marker holds (a letter but
    "o" and "x", a digit but "0", a full stop); None (ask the pattern) otherwise ("oOo",
    "-x-", "xxx", a lone "—", or more than 40 symbols)."""
    marks = "".join(text.split())  # (``str.split`` splits at exactly what ``\s`` matches)
    if not marks.strip(_MARKER_SYMBOLS):
        return True if len(marks) <= 40 else None
    return None if not marks.strip(_BREAK_CHARS) else False


def is_scene_break(line: str) -> bool:
    """True when a line (or a paragraph's whole text) is a scene-break marker, in any case.

    The pattern is compiled and run only for what :func:`break_shape` leaves open."""
    text = line.strip()
    if not text or len(text) > 60 or text[0] not in _BREAK_FIRST:
        return False
    shape = break_shape(text)
    return shape if shape is not None else _BREAK_LINE.match(text) is not None


# --- epigraph attributions -----------------------------------------------------------------

_ATTRIBUTION = lazy_pattern(r"^\s*(?:~+|—+|–+|―+|-{1,2})\s*(?P<attr>\S.*?)\s*$", re.DOTALL)
_ATTR_INLINE = lazy_pattern(r"(?<=[”\"’'.!?…\s])\s*(?:~|—|–|―|--)\s*(?P<attr>[^~—–―\n]{2,100})$")
_OPENING_QUOTES = ("“", '"', "‘", "'", "«", "„")


def attribution(line: str) -> str | None:
    """The name in an attribution line ("— Mary Oliver", "~Artist, “Song”"), else None."""
    m = _ATTRIBUTION.match(line)
    return m.group("attr") if m else None


def split_epigraph(first: str, second: str | None) -> tuple[Block, int] | None:
    """Read an epigraph from a chapter's first paragraph(s) of plain text.

    ``first`` may hold quote and attribution together (``“…” ~Artist, “Song”``) or end in an
    attribution line; otherwise ``second`` may be an attribution line (``—Author``). Returns
    the block and how many paragraphs it used, or None when the chapter opens with no epigraph.
    """
    if len(first) > 2000:
        return None
    lines = first.split("\n")
    if len(lines) > 1:
        attr = attribution(lines[-1])
        if attr is not None and len(attr) <= 100:
            quote = "\n".join(lines[:-1]).strip()
            return Block("epigraph", quote, attr), 1
    if first.startswith(_OPENING_QUOTES):
        m = _ATTR_INLINE.search(first)
        if m and m.start() > 0:
            quote = first[: m.start()].rstrip()
            if len(quote) >= 2 and quote[-1] in "”\"’'":
                return Block("epigraph", quote, m.group("attr").strip()), 1
    if second is not None and "\n" not in second and len(second) <= 100:
        attr = attribution(second)
        plain = not second.rstrip().endswith((".", "?", "!"))
        if attr is not None and (plain or first.startswith(_OPENING_QUOTES)):
            return Block("epigraph", first.strip(), attr), 2
    return None


# --- note labels ---------------------------------------------------------------------------

_NOTE_LABEL = lazy_pattern(
    r"^[(\[]?\s*[*_]*\s*(?:"
    r"(?:author|writer)['’`]?s?['’`]?\s+notes?"
    r"|a\s*/\s*n"
    r"|(?:end\s+|chapter\s+|story\s+|work\s+)?notes?"
    r"|disclaimers?"
    r")\s*[*_]*\s*(?::|\s[-–—])\s*[*_]*\s*",
    re.IGNORECASE,
)
_AN_LABEL = lazy_pattern(r"^[(\[]?\s*[*_]*\s*AN\s*[*_]*\s*:\s*[*_]*\s*")
_LABEL_FIRST = frozenset("([*_AaNnDdEeCcSsWw")

NoteKind = Literal["summary", "before", "after"]
"""Where a labelled block belongs: the summary, a note before the text, or an end note."""

_NOTE_HEADING = lazy_pattern(
    r"^(?:(?P<scope>chapter|work|story)\s+)?(?:(?P<end>end)\s+)?"
    r"(?:(?P<summary>summary)|(?:(?:author|writer)['’`]?s?['’`]?\s+)?notes?|a\s*/\s*n)$",
    re.IGNORECASE,
)


_LABEL_OPENERS = ("au", "wr", "a/", "an", "en", "ch", "st", "wo", "no", "di")
"""How a note label's word can begin (lower case): "author", "writer", "a/n" (and "AN"),
"end", "chapter", "story", "work", "note", "disclaimer"."""


def may_be_note_label(text: str) -> bool:
    r"""False only when neither :data:`_NOTE_LABEL` nor :data:`_AN_LABEL` can match ``text``.

    Both patterns open with brackets, spaces and emphasis marks (``[(\[]?\s*[*_]*\s*``), then
    a word; the word starts at the first character that is none of those, and must begin as
    one of :data:`_LABEL_OPENERS` does, in any case (an "a" may have spaces before its "/").
    A non-ASCII beginning (a "ſ" or a "ı" matches an ASCII letter under IGNORECASE) is left
    to the patterns."""
    i = 0
    size = len(text)
    while i < size and (text[i] in "([*_" or text[i].isspace()):
        i += 1
    head = text[i : i + 2]
    if not head.isascii():
        return True
    head = head.lower()
    if head in _LABEL_OPENERS:
        return True
    if head[:1] != "a":
        return False
    after = text[i + 1 : i + 17].lstrip()  # "a  /n": spaces before the slash
    return after[:1] in ("/", "")


def note_label(text: str) -> re.Match[str] | None:
    """The note label opening a paragraph ("Author's Notes:", "A/N:", "AN:"), if any."""
    if not text or text[0] not in _LABEL_FIRST or not may_be_note_label(text):
        return None
    return _NOTE_LABEL.match(text) or _AN_LABEL.match(text)


def strip_note_label(text: str) -> str:
    """A note's text with its label (and any brackets wrapping the note) removed."""
    m = note_label(text)
    if m is None:
        return text.strip()
    body = text[m.end() :].strip()
    opening = text.lstrip()[:1]
    if (opening, body[-1:]) in (("(", ")"), ("[", "]")):
        body = body[:-1].rstrip()
    return body


def note_heading(label: str) -> NoteKind | None:
    """What a stand-alone label introduces: "Summary", "Chapter Summary" → "summary";
    "Notes", "Chapter Notes", "Author's Note" → "before"; "End Notes", "Chapter End Notes" →
    "after"; anything else → None."""
    text = collapse_whitespace(label.strip().rstrip(":"))
    m = _NOTE_HEADING.match(text)
    if m is None:
        return None
    if m.group("summary"):
        return "summary"
    return "after" if m.group("end") else "before"
