"""A heading numbered in digits is read by a smaller pattern first: wherever it matches, the
whole pattern (number words and roman numerals too) makes the very same match."""

from __future__ import annotations

import itertools

from tui_reader.importers.grammar import _NUMBERED, _NUMBERED_DIGITS, parse_heading

WORDS = ("chapter", "Chapter", "CHAPTER", "ch", "Ch.", "part", "Book", "section", "chapters")
SPACES = (" ", "  ", ".", "", "\t", "\n", ". ")
NUMBERS = ("1", "12", "1234", "12345", "4.5", "3a", "one", "Twenty-one", "xii", "ten", "7_")
RESTS = ("", ": Title", " - Title", " (Title)", ".", " Title", "\nTitle", "-x")


def test_the_digits_pattern_matches_as_the_whole_one_does() -> None:
    """Every combination: no match, or the whole pattern's match (groups and span)."""
    matched = 0
    for parts in itertools.product(WORDS, SPACES, NUMBERS, RESTS):
        text = "".join(parts)
        digits = _NUMBERED_DIGITS.match(text)
        if digits is None:
            continue
        matched += 1
        whole = _NUMBERED.match(text)
        assert whole is not None, text
        assert (whole.groupdict(), whole.span()) == (digits.groupdict(), digits.span()), text
    assert matched > 1000


def test_headings_in_words_and_roman_numerals_are_still_read() -> None:
    """What the digits pattern leaves to the whole one."""
    words = parse_heading("Chapter Twenty-One: The Ferry")
    assert words is not None
    assert (words.number, words.title, words.label) == (21, "The Ferry", "Chapter Twenty-One:")
    heading = parse_heading("Book XII - Winter")
    assert heading is not None
    assert (heading.number, heading.title, heading.kind) == (12, "Winter", "division")


def test_every_separator_before_a_title_is_read() -> None:
    """ ":", ".", "|", "-", "–", "—" and a dash between spaces each part number and title."""
    for sep in (": ", ". ", " | ", "-", "–", "—", " - ", " – ", " — ", " —  "):
        heading = parse_heading(f"Chapter 3{sep}The Ferry")
        assert heading is not None, sep
        assert (heading.number, heading.title) == (3, "The Ferry"), sep
    assert parse_heading("Chapter 3 ― The Ferry", known=False) is None  # (a bar, no dash)
