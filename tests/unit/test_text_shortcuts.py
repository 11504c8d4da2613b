"""The first frame's shortcuts answer exactly as the rules they stand for.

``count_words`` counts a printable text with no two spaces together from its spaces;
``has_wide`` reads the text's UTF-8 bytes instead of a compiled class; ``single_cells`` drops the
ASCII from the UTF-8 and looks the rest up in a set instead of matching :data:`SINGLE_CELLS`.
Each is held to its rule for every code point and for many generated texts.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, get_character_cell_size

from tui_reader import layout
from tui_reader.layout import SINGLE_CELLS, Line, single_cells, wrap_items
from tui_reader.text import (
    LONG_TEXT_BYTES,
    count_runs,
    count_words,
    has_wide,
    is_collapsed,
    normalise_spaces,
    sanitise,
)

WIDE = re.compile("[\u3000-\uffef]")
"""What ``has_wide`` looks for, written as the class it stands for."""

ONE_CELL = re.compile(SINGLE_CELLS)
"""The single-cell texts, as the pattern defines them."""

EVERY_POINT = range(0x110000)
"""Every code point, the surrogates included."""

_MIXED = (
    "ab Z09 .,'\"  \t\n\r\x0b\x0c\x1c\x1f\x7f\x85\xa0\xad\u1680\u2000\u200a\u200b\u2028\u2029"
    "\u202f\u205f\u3000éßøΑΩЖя\u0301\u0483\u2010\u2014\u2019\u201c\u2026\u205e\u2060\u2070"
    "\u20ac\u2122你好雨。「」ｶ\uf8ff\uffef\ufff0\ufffd\U0001f600\ud800"
)
"""Letters, every kind of white space, controls, combining marks, punctuation, CJK and the
edges of the ranges: the characters the shortcuts could get wrong."""

any_character = st.characters(codec=None, exclude_categories=())
"""Any code point, the surrogates too."""

texts = st.one_of(
    st.text(alphabet=_MIXED, max_size=120),
    st.text(alphabet=st.sampled_from("ab \u201c\u201d\u2014"), max_size=400),
    st.text(alphabet=any_character, max_size=60),
    st.lists(st.text(alphabet=_MIXED, min_size=1, max_size=8)).map(" ".join),
    st.tuples(st.text(alphabet=_MIXED, max_size=20), st.text(alphabet=_MIXED, max_size=20)).map(
        lambda ends: ends[0] + "a \u201cb\u201d c\n" * 500 + ends[1]
    ),
)
"""Texts mixing those characters; long runs of common text; anything; words joined by spaces;
long texts (past LONG_TEXT_BYTES) with such characters at the ends."""


def test_has_wide_for_every_code_point() -> None:
    """Every character, alone and after ASCII and a curly quote: as the class."""
    for point in EVERY_POINT:
        char = chr(point)
        expected = 0x3000 <= point <= 0xFFEF
        assert has_wide(char) is expected, hex(point)
        assert has_wide(f"caf\u00e9 \u201c{char}\u201d") is expected, hex(point)


def test_has_wide_in_long_text() -> None:
    """Past LONG_TEXT_BYTES of UTF-8 the lead bytes are searched for first: the same answers."""
    long = "caf\u00e9 \u201cquoted\u201d\n" * (LONG_TEXT_BYTES // 10)
    assert len(long.encode()) > LONG_TEXT_BYTES
    points = [
        *range(0x2F00, 0x3100),
        *range(0xD700, 0xE100, 3),
        *range(0xEF00, 0x10100),
        *range(0x1F000, 0x1F100),
        0x10FFFF,
    ]
    for point in points:
        for text in (long + chr(point), chr(point) + long):
            assert has_wide(text) is (0x3000 <= point <= 0xFFEF), hex(point)
    assert not has_wide(long)
    assert has_wide(long + "\ufff0\uffef") and not has_wide(long + "\ufff0\uffff")


def test_has_wide_past_characters_led_by_ef() -> None:
    """Characters of U+F000-U+FFFF outside the range before one inside it are looked past."""
    assert has_wide("\ufff0\ufffd\uffef")
    assert not has_wide("\ufff0\ufffd\uffff")
    assert has_wide("\uf000")


@settings(max_examples=600)
@given(texts)
def test_has_wide_as_the_class(text: str) -> None:
    """Any text: wide exactly when the class finds a character."""
    assert has_wide(text) == (WIDE.search(text) is not None)


def test_the_only_printable_white_space_is_the_space() -> None:
    """What the word shortcut rests on: a printable text's only white space is " "."""
    for point in EVERY_POINT:
        char = chr(point)
        if char.isspace() and char.isprintable():
            assert char == " "


@settings(max_examples=1000)
@given(texts)
def test_count_words_is_the_split_rule_without_cjk(text: str) -> None:
    """Without a wide character, words are the runs of non-space (the shortcut included)."""
    if WIDE.search(text) is None:
        assert count_words(text) == len(text.split())


def test_count_words_on_the_edges_of_the_shortcut() -> None:
    """Empty, spaces only, leading and trailing spaces, other white space."""
    cases = ["", " ", "  ", "a", " a", "a ", " a b ", "a  b", "a\tb", "a\u00a0b", "“a” — b…"]
    for text in cases:
        assert count_words(text) == len(text.split()), repr(text)


def test_single_cells_for_every_code_point() -> None:
    """Every character, alone and in a text of common characters: as the pattern."""
    for point in EVERY_POINT:
        char = chr(point)
        expected = ONE_CELL.fullmatch(char) is not None
        assert single_cells(char) is expected, hex(point)
        assert single_cells(f"caf\u00e9 \u201c{char}\u201d") is expected, hex(point)


@settings(max_examples=1000)
@given(texts)
def test_single_cells_as_the_pattern(text: str) -> None:
    """Any text, with few or many characters past ASCII: as the pattern."""
    assert single_cells(text) == (ONE_CELL.fullmatch(text) is not None)


def test_single_cell_characters_are_one_cell_to_rich() -> None:
    """The chapter view counts a single-cell line's cells as its characters: rich agrees."""
    for point in EVERY_POINT:
        char = chr(point)
        if char != "\n" and ONE_CELL.fullmatch(char):
            assert get_character_cell_size(char) == 1, hex(point)


@settings(max_examples=300)
@given(texts)
def test_a_single_cell_line_is_as_many_cells_as_characters(text: str) -> None:
    """A line (no newline) of single-cell characters: rich measures its length."""
    if "\n" not in text and single_cells(text):
        assert cell_len(text) == len(text)


def test_lines_are_lines() -> None:
    """The lines wrap_items makes without Line's own __new__ are Line tuples all the same."""
    items = [layout.Item("paragraph", "one two three four five six", 0, block=0)]
    lines = wrap_items(items, 10)
    assert all(type(line) is Line for line in lines)
    assert lines[0] == Line("one two", "body", 0, 0)
    assert lines[0].indent == 0
    assert lines[-1] == Line("", "blank", 0, len(items[0].text) + 1, 0)


_SPACED = st.text(
    alphabet=st.sampled_from(["a", "é", " ", "\t", "\n", "\u00a0", "\u2003", "\u200b", "\x1b"]),
    max_size=40,
)
"""Short texts of words and every kind of white space and control."""


@given(_SPACED | st.text(max_size=40))
def test_count_runs_is_the_split_count(text: str) -> None:
    assert count_runs(text) == len(text.split())


@given(_SPACED | st.text(max_size=40))
def test_a_collapsed_text_is_left_as_it_is_by_every_pass(text: str) -> None:
    if is_collapsed(text):
        assert " ".join(text.split()) == text
        assert sanitise(text) == text and normalise_spaces(text) == text
