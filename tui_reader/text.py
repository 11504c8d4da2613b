"""Text hygiene: the one sanitising function every story text passes through, and word counts.

Story text is untrusted. :func:`sanitise` removes every character that could reach the terminal
as a control (C0 except newline and tab, DEL, C1) or reorder what is shown (bidi embeddings,
overrides and isolates). Nothing here interprets markup: text stays plain text.
"""

from __future__ import annotations

import re
import time
from functools import cache
from typing import Any, cast

_REMOVED = (
    [c for c in range(0x00, 0x20) if c not in (0x09, 0x0A)]
    + [0x7F]
    + list(range(0x80, 0xA0))
    + list(range(0x202A, 0x202F))  # LRE RLE PDF LRO RLO
    + list(range(0x2066, 0x206A))  # LRI RLI FSI PDI
)
_SANITISE_TABLE: dict[int, int | None] = dict.fromkeys(_REMOVED)
_SANITISE_TABLE[0x0D] = None  # a bare CR never reaches the screen; CRLF is folded first

REMOVED_CODEPOINTS: frozenset[int] = frozenset(_REMOVED)
"""Every code point :func:`sanitise` removes."""


def _char_class(codepoints: list[int]) -> str:
    """A regex character class of ``codepoints``, each run of consecutive ones as a range (a
    class of ranges compiles ~10x faster than the same characters one by one)."""
    runs: list[list[int]] = []
    for c in sorted(codepoints):
        if runs and c == runs[-1][1] + 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    parts = (
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in runs
    )
    return "[" + "".join(parts) + "]"


_REMOVED_RE = re.compile(_char_class(list(_SANITISE_TABLE)))
"""The same set as a regex: a C-level scan, ~40x faster than ``str.translate`` with a dict."""


def sanitise(text: str) -> str:
    """Return ``text`` with control, C1 and bidi-override characters removed.

    CRLF and lone CR become newlines first, so line structure survives; then C0 controls
    (except newline and tab), DEL, C1 controls, bidi embeddings/overrides (U+202A-U+202E) and
    isolates (U+2066-U+2069), and NUL are dropped.

    Printable text is returned as it is: every character removed (and CR) is unprintable, and
    ``str.isprintable`` scans a paragraph in C many times faster than the pattern's pass (a
    5,000-word chapter's paragraphs: 2.0 -> 0.3 M instructions).
    """
    if text.isprintable():
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _REMOVED_RE.sub("", text)


_NBSP = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\ufeff": None})


def normalise_spaces(text: str) -> str:
    """Fold no-break spaces into plain spaces and drop stray byte-order marks."""
    if text.isascii():
        return text
    for odd in ("\u00a0", "\u202f", "\u2007"):
        if odd in text:
            text = text.replace(odd, " ")
    return text.replace("\ufeff", "") if "\ufeff" in text else text


_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\uff66-\uff9f"  # half-width katakana
)
_CJK_PUNCTUATION = (
    "\u3000-\u303f"  # CJK symbols and punctuation: 、。「」『』〜
    "\u30fb"  # katakana middle dot
    "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"  # full/half-width punctuation
)
_TYPOGRAPHIC = "\u2010-\u205e"
"""Dashes, quotes and ellipses."""


def has_wide(text: str) -> bool:
    """True when ``text`` holds a character in U+3000-U+FFEF: any CJK character, kana, CJK
    punctuation or full-width form. Text without one has no CJK word to count apart.

    Read from the text's UTF-8 (C-level byte operations, no pattern to compile: a character
    class spanning that range costs milliseconds to compile): U+3000-U+EFFF are the characters
    whose lead byte is E3-EE, U+F000-U+FFEF those led by EF but for U+FFF0-U+FFFF (EF BF B0 and
    up). A lone surrogate (U+D800-U+DFFF, kept as its three bytes) is in the range, as it is
    for the character class.
    """
    if text.isascii():
        return False
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > LONG_TEXT_BYTES and not any(lead in data for lead in _WIDE_LEADS):
        return False  # (a long text: a fast scan per lead byte beats a pass over every byte)
    leads = data.translate(None, _NOT_WIDE_LEADS)
    if not leads:
        return False
    if leads.count(b"\xef") != len(leads):
        return True  # a lead byte E3-EE
    at = data.find(b"\xef")
    while at >= 0:
        if data[at + 1 : at + 3] < b"\xbf\xb0":
            return True
        at = data.find(b"\xef", at + 3)
    return False


_NOT_WIDE_LEADS = bytes(b for b in range(256) if not 0xE3 <= b <= 0xEF)
"""Every byte but E3-EF: the first bytes of the UTF-8 of U+3000-U+FFFF (and of nothing else)."""

_WIDE_LEADS = tuple(bytes([lead]) for lead in range(0xE3, 0xF0))
"""Those first bytes, one by one."""

LONG_TEXT_BYTES = 4096
"""Past this many bytes of UTF-8 (a chapter's whole text, say), ``has_wide`` first looks for
each lead byte with a C-level search (``memchr``, far quicker per byte than ``translate``) and
answers no at once when none is there."""


@cache
def _cjk_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The patterns :func:`count_words` needs for CJK text, compiled on first use.

    Their character classes span tens of thousands of code points and cost milliseconds to
    compile, so a start (whose first frame counts no CJK text) does not compile them.
    Returns (word, CJK character, punctuation run, has CJK punctuation).
    """
    return (
        re.compile(rf"[{_CJK}]|[^\s{_CJK}]+"),
        re.compile(f"[{_CJK}]"),
        re.compile(f"^[{_CJK_PUNCTUATION}{_TYPOGRAPHIC}]+$"),
        re.compile(f"[{_CJK_PUNCTUATION}]"),
    )


def count_runs(text: str) -> int:
    """``len(text.split())``, the runs of non-space in ``text``, without making the list and its
    strings. The only white space a printable text holds is " " (every other white-space
    character is a control or a separator, none printable): with no two together, its runs are
    the spaces between them plus one, once the ends are stripped (printable is tested first: a
    long text of many lines stops at its first newline)."""
    if text.isprintable() and "  " not in text:
        words = text.strip(" ")
        return words.count(" ") + 1 if words else 0
    return len(text.split())


def is_collapsed(text: str) -> bool:
    """True when ``text`` is already as :func:`collapse_whitespace` (and the sanitiser, and
    :func:`normalise_spaces`) would give it: printable (no control, bidi mark, no-break or other
    space: none is printable), no two spaces together, none at either end."""
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def count_words(text: str) -> int:
    """Count words the way AO3 does: runs of non-space, each CJK character one word.

    Punctuation is not a word in CJK text: a run of CJK punctuation ("。", "「", "！") never
    counts, nor a run of dashes, quotes or ellipses written against a CJK character
    ("——", "“"). The count is additive: a text counts the same as its lines one by one.
    """
    if not has_wide(text):
        return count_runs(text)
    word, cjk_char, punctuation_run, has_cjk_punctuation = _cjk_patterns()
    total = 0
    for match in word.finditer(text):
        token = match.group()
        if punctuation_run.match(token):
            if has_cjk_punctuation.search(token):
                continue
            start, end = match.span()
            before = text[start - 1] if start else ""
            after = text[end] if end < len(text) else ""
            if cjk_char.match(before) or cjk_char.match(after):
                continue
        total += 1
    return total


def collapse_spaces(text: str) -> str:
    """Collapse runs of spaces and tabs inside a line into one space and strip the ends."""
    if "  " not in text and "\t" not in text:
        return text.strip()  # nothing to collapse (most lines): no regex pass
    return re.sub(r"[ \t]+", " ", text).strip()


def title_key(title: str) -> str:
    """The one title sort order: case-folded, leading punctuation and "the/a/an" ignored, and
    numbers in their order ("Part 2" before "Part 10").

    ``'"The Quiet Hour"'`` sorts as ``"quiet hour"``; a title with nothing left after that sorts
    by its whole case-folded self. A run of digits is compared as a number: it is padded with
    zeros to :data:`TITLE_NUMBER_DIGITS` in the key.
    """
    key = re.sub(r"^\W+", "", title.casefold())
    key = re.sub(r"^(?:the|a|an)\s+", "", key) or title.casefold()
    if any(c.isdigit() for c in key):
        key = re.sub(r"\d+", lambda m: m[0].zfill(TITLE_NUMBER_DIGITS), key)
    return key


TITLE_NUMBER_DIGITS = 12
"""Digits a number in a title is padded to for sorting (longer numbers sort after)."""


def collapse_whitespace(text: str) -> str:
    """``text`` on one line: every run of whitespace (newlines too) as one space, ends stripped.

    Text already so (:func:`is_collapsed`) is returned as it is, without splitting it into words
    and joining them again.
    """
    if is_collapsed(text):
        return text
    return " ".join(text.split())


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters: cut at a word boundary and ended with "…"
    when it is longer (a single word longer than ``limit`` is cut inside it)."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    mid_word = not text[len(cut)].isspace() and not cut[-1:].isspace()
    if mid_word and " " in cut.strip():
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip() + "…"


class _LazyPattern:
    """A regular expression compiled on its first use (see :func:`lazy_pattern`)."""

    def __init__(self, pattern: str, flags: int) -> None:
        """Keep the pattern and flags until first use."""
        self._source = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        """An attribute of the compiled pattern (compiled now, the first time). Its matching
        methods are then kept on this object, so later calls never come here."""
        if name.startswith("_"):  # (no pattern attribute; and copy's probes must not recurse)
            raise AttributeError(name)
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(*self._source)
            for method in _PATTERN_METHODS:
                setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        """As the compiled pattern's."""
        return repr(re.compile(*self._source))


_PATTERN_METHODS = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split")
"""The methods a lazy pattern takes over from its compiled pattern."""


def lazy_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, compiled only when first used.

    For module-level patterns of the importers that many opens never need: compiling costs a
    fraction of a millisecond each, dozens of them before a first frame. After the first use a
    call costs what it costs on the compiled pattern (its bound methods are kept). Use it only
    through its methods and attributes: it is no :class:`re.Pattern` to ``isinstance`` or to
    the ``re`` module's functions.
    """
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags))


def relative_date(when: float | None, now: float | None = None) -> str:
    """ "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", or the date."""
    if when is None:
        return ""
    now = time.time() if now is None else now
    seconds = max(0.0, now - when)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    if days == 1:
        return "yesterday"
    if days < 30:
        return f"{days} days ago"
    return time.strftime("%Y-%m-%d", time.localtime(when))
