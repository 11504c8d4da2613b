"""The key names written out in :mod:`tui_reader.keys` (no Unicode name lookup at start)."""

from __future__ import annotations

import unicodedata

from tui_reader.keys import ASCII_PUNCTUATION_NAMES, CHARACTER_KEYS, NAME_REPLACEMENTS


def test_ascii_punctuation_names_are_the_unicode_databases() -> None:
    """Every ASCII punctuation character's written-out name is what the Unicode name database
    gives, with Textual's shorter names applied (as it named them before, at import)."""
    punctuation = [chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum()]
    assert sorted(ASCII_PUNCTUATION_NAMES) == sorted(punctuation)
    for char in punctuation:
        name = unicodedata.name(char).lower().replace("-", "_").replace(" ", "_")
        assert ASCII_PUNCTUATION_NAMES[char] == NAME_REPLACEMENTS.get(name, name), char
    assert CHARACTER_KEYS["question_mark"] == "?" and CHARACTER_KEYS["slash"] == "/"
