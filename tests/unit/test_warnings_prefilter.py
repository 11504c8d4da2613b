"""The free-text warning pre-check never turns away a text the warning patterns match."""

from __future__ import annotations

import random

import pytest

from tui_reader.importers import warnings
from tui_reader.importers.warnings import (
    _CONTENT,
    _FREE_TEXT,
    _may_warn,
    analyse_notes,
    free_text_warnings,
    stop_points,
    warning_sentences,
)

PHRASES = (
    "major character death", "Character Deaths", "MCD", "raped", "non-con", "noncon",
    "non consensual", "dub-con", "dubcon", "underage", "underage drinking", "graphic violence",
    "Graphic Depictions of Violence", "violence", "gore", "torture", "suicide", "Suicidal",
    "self-harm", "selfharm", "abuse", "dark fic", "Dark Fiction", "trigger warnings",
    "content warning", "TW", "CW",
)  # fmt: skip
"""Every alternative of the content pattern, in several spellings."""

TRICKY = {"i": ("ı", "İ", "I"), "s": ("ſ", "S"), "k": ("K", "K")}
"""Characters that case-insensitive matching takes for an ASCII letter (dotless i, dotted
capital I, long s, the Kelvin sign)."""


def _variants(phrase: str, rng: random.Random) -> list[str]:
    """``phrase`` as written, in capitals, and with random letters swapped for characters the
    patterns still match case-insensitively."""
    out = [phrase, phrase.upper(), phrase.swapcase()]
    for _ in range(20):
        chars = [
            rng.choice(TRICKY[c.lower()]) if c.lower() in TRICKY and rng.random() < 0.5 else c
            for c in phrase
        ]
        out.append("".join(chars))
    return out


def test_every_text_a_pattern_matches_passes_the_pre_check() -> None:
    """A sentence any content or free-text pattern matches always passes (and the variants
    really are matched, so the check is exercised)."""
    rng = random.Random(14)
    matched = 0
    for phrase in PHRASES:
        for variant in _variants(phrase, rng):
            text = f"Please note: {variant} ahead."
            patterns = [_CONTENT, *(p for p, _ in _FREE_TEXT)]
            if any(p.search(text) for p in patterns):
                matched += 1
                assert _may_warn(text), text
    assert matched > len(PHRASES) * 10


def test_random_texts_never_rejected_when_matched() -> None:
    """Random texts built from the keywords' letters and the tricky characters: none that a
    pattern matches is turned away."""
    rng = random.Random(7)
    alphabet = "abcdeghlmnorstuvwyCDMTWI -ıİſKK"
    patterns = [_CONTENT, *(p for p, _ in _FREE_TEXT)]
    for _ in range(3000):
        pieces = [rng.choice(PHRASES) if rng.random() < 0.1 else "" for _ in range(2)]
        noise = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 30)))
        text = f"{pieces[0]} {noise} {pieces[1]}"
        if any(p.search(text) for p in patterns):
            assert _may_warn(text), text


@pytest.mark.parametrize(
    "text",
    [
        "A 500,000-word tale of small errands. Nell keeps a pocket watch safe.",
        "WARNING: MAJOR CHARACTER DEATH. YOU HAVE BEEN WARNED. Enjoy!",
        "No rape, no non-con. Mentions of suıcide. Stop reading after chapter 7.",
        "Last warning. Graphic violence ahead; consider chapter 3 the last one you read.",
        "tw: self harm",
    ],
)
def test_results_equal_those_without_the_pre_check(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warnings, sentences and stop points found are those found with no pre-check."""
    found = (free_text_warnings(text), warning_sentences(text), stop_points(text))
    together = analyse_notes([text])
    monkeypatch.setattr(warnings, "_may_warn", lambda _text: True)
    monkeypatch.setattr(warnings, "_may_stop", lambda _text: True)
    assert (free_text_warnings(text), warning_sentences(text), stop_points(text)) == found
    assert analyse_notes([text]) == together


def test_a_plain_summary_is_turned_away() -> None:
    """A summary naming no warning topic fails the pre-check: nothing is compiled for it."""
    assert not _may_warn("A 500,000-word tale of small errands. Nell keeps a pocket watch safe.")
    assert _may_warn("Contains gore.")
