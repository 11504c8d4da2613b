"""``has_wide``'s UTF-8 pre-check answers as the CJK character class does, for every character."""

from __future__ import annotations

import re

from tui_reader.text import count_words, has_wide

WIDE = re.compile("[\u3000-\uffef]")
"""U+3000-U+FFEF written as a range: what ``has_wide`` looks for."""


def test_every_code_point_around_the_range_is_answered_as_the_class() -> None:
    """Around both ends of the range, the surrogates and the planes above: the same answer."""
    points = [
        *range(0x80, 0x800, 7),
        *range(0x2F00, 0x3100),
        *range(0xD700, 0xE100),
        *range(0xFF00, 0x10100),
        *range(0x1F000, 0x1F100),
        0x10FFFF,
    ]
    for point in points:
        text = f"caf\u00e9 \u201cquoted\u201d {chr(point)}"
        assert has_wide(text) == (WIDE.search(text) is not None), hex(point)


def test_cjk_words_still_counted_apart() -> None:
    """A CJK character is found (and counted as a word), Western punctuation is not."""
    assert has_wide("Nell \u2014 \u201cyes\u201d \u6f22\u5b57")
    assert not has_wide("Nell \u2014 \u201cyes\u201d")
    assert count_words("\u6f22\u5b57") == 2
