"""Text hygiene: the one sanitising function every story text passes through, and word counts.

Story text is untrusted. :func:`sanitise` removes every character that could reach the terminal
as a control (C0 except newline and tab, DEL, C1) or reorder what is shown (bidi embeddings,
overrides and isolates). Nothing here interprets markup: text stays plain text.
"""

from __future__ import annotations

import re

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

_REMOVED_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_SANITISE_TABLE)) + "]")
"""The same set as a regex: a C-level scan, ~40x faster than ``str.translate`` with a dict."""


def sanitise(text: str) -> str:
    """Return ``text`` with control, C1 and bidi-override characters removed.

    CRLF and lone CR become newlines first, so line structure survives; then C0 controls
    (except newline and tab), DEL, C1 controls, bidi embeddings/overrides (U+202A-U+202E) and
    isolates (U+2066-U+2069), and NUL are dropped.
    """
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
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_HAS_WORD_CHAR = re.compile(r"\w")


def count_words(text: str) -> int:
    """Count words the way AO3 does: runs of non-space, each CJK character one word.

    In text with CJK characters, punctuation is not a word: AO3 counts the characters of
    character-counted scripts and runs of word characters, so "。", "「" or "！" between
    CJK characters count nothing (as in AO3's own figure for the work).
    """
    if text.isascii() or _CJK_CHAR.search(text) is None:
        return len(text.split())
    return sum(1 for token in _WORD.findall(text) if _HAS_WORD_CHAR.search(token))


def collapse_spaces(text: str) -> str:
    """Collapse runs of spaces and tabs inside a line into one space and strip the ends."""
    return re.sub(r"[ \t]+", " ", text).strip()
