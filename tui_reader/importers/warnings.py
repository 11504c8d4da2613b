"""Warnings: mapping labels to AO3's archive warning names, and reading authors' own warnings.

Shared by every importer. The free-text detection (warnings written into author's notes, stop
points such as "consider Chapter 7 as the last one you read") lives here too; which texts it
reads is decided in one place, :mod:`tui_reader.importers._story_notes`.
"""

from __future__ import annotations

import re

from tui_reader.importers.grammar import NUMBER_PATTERN, number_value
from tui_reader.model import (
    ARCHIVE_WARNINGS,
    CHOSE_NOT_TO_WARN,
    NO_WARNINGS,
    RATING_LEVELS,
    WarningGate,
)
from tui_reader.text import collapse_whitespace, lazy_pattern

_WARNING_ALIASES: dict[str, str] = {
    "creator chose not to use archive warnings": CHOSE_NOT_TO_WARN,
    "choose not to use archive warnings": CHOSE_NOT_TO_WARN,
    "chose not to warn": CHOSE_NOT_TO_WARN,
    "no archive warnings apply": NO_WARNINGS,
    "none": NO_WARNINGS,
    "graphic depictions of violence": "Graphic Depictions Of Violence",
    "graphic violence": "Graphic Depictions Of Violence",
    "violence": "Graphic Depictions Of Violence",
    "major character death": "Major Character Death",
    "character death": "Major Character Death",
    "mcd": "Major Character Death",
    "rape/non-con": "Rape/Non-Con",
    "rape": "Rape/Non-Con",
    "non-con": "Rape/Non-Con",
    "noncon": "Rape/Non-Con",
    "non-consensual": "Rape/Non-Con",
    "underage": "Underage Sex",
    "underage sex": "Underage Sex",
}


def archive_warning(label: str) -> str | None:
    """Map one warning label ("Major Character Death", "character death", "MCD") to AO3's name."""
    key = collapse_whitespace(label.strip().strip(".").casefold())
    if key in _WARNING_ALIASES:
        return _WARNING_ALIASES[key]
    for name in ARCHIVE_WARNINGS:
        if key == name.casefold():
            return name
    return None


_SITE_ARCHIVE_NAMES = {name.casefold(): name for name in ARCHIVE_WARNINGS} | {
    "choose not to use archive warnings": CHOSE_NOT_TO_WARN
}


def site_archive_warning(label: str) -> str | None:
    """AO3's name for a site warning that *is* an archive warning, else None.

    Only AO3's own names count (any case, or AO3's tag name "Choose Not To Use Archive
    Warnings"): a site's "Violence" is not "Graphic Depictions Of Violence", and is kept
    verbatim as a site warning instead.
    """
    return _SITE_ARCHIVE_NAMES.get(collapse_whitespace(label).casefold())


def rating(label: str) -> str | None:
    """The AO3 level of a known rating label ("Mature", "M", "NC-17", "K+"); None if unknown."""
    key = collapse_whitespace(label.strip().strip(".").casefold())
    return RATING_LEVELS.get(key)


# --- free text: warnings written into notes and summaries --------------------------------

_NEGATION = r"(?<![\w-])(?:no|not|without|never|nor|zero|\w+n['’]t)\s+(?:[\w'’-]+\s+){0,3}"
"""A negating word up to three words before a keyword ("no major character death")."""

_FREE_TEXT: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (lazy_pattern(pattern, re.IGNORECASE), name)
    for pattern, name in (
        (r"\b(?:major\s+)?character\s+deaths?\b|\bMCD\b", "Major Character Death"),
        (r"\brape[sd]?\b|\bnon[\s-]?con(?:sensual)?\b", "Rape/Non-Con"),
        (r"\bunderage\b(?!\s+(?:drink|smok|drinking|smoking))", "Underage Sex"),
        (r"\bgraphic(?:\s+depictions?\s+of)?\s+violence\b", "Graphic Depictions Of Violence"),
    )
)
"""Phrases that name an archive warning in an author's own words."""

_CONTENT = lazy_pattern(
    r"\b(?:(?:major\s+)?character\s+deaths?|MCD|rape[sd]?|non[\s-]?con(?:sensual)?|dub[\s-]?con"
    r"|underage|graphic\s+violence|violence|gore|torture|suicid\w*|self[\s-]?harm|abuse"
    r"|dark\s+fic(?:tion)?|trigger\s+warnings?|content\s+warnings?|TW|CW)\b",
    re.IGNORECASE,
)
"""Words that make a sentence in a note one of the author's warnings."""

_CONTENT_KEYS = (
    "character", "mcd", "rape", "non", "dub", "underage", "violence", "gore", "torture",
    "suicid", "self", "abuse", "dark", "trigger", "content", "tw", "cw",
)  # fmt: skip
"""One substring every match of each ``_CONTENT`` alternative holds (casefolded, see
:func:`_folded`); the ``_FREE_TEXT`` patterns match only where ``_CONTENT`` does, so a text
holding none of them names no warning."""


def _folded(text: str) -> str:
    """``text`` casefolded for substring pre-checks of case-insensitive patterns: every
    character a lower-case ASCII letter matches under ``re.IGNORECASE`` becomes that letter.
    Casefolding does this for all but "i": dotless "ı" is mapped to "i" here, and the combining
    dot that "İ" folds to ("i̇") is dropped (dropping it can only let more texts through)."""
    low = text.casefold()
    if low.isascii():
        return low
    return low.replace("ı", "i").replace("\u0307", "")


def _may_warn(text: str) -> bool:
    """False when neither ``_CONTENT`` nor any ``_FREE_TEXT`` pattern can match in ``text``:
    it holds none of :data:`_CONTENT_KEYS`. Most summaries then never compile the patterns."""
    low = _folded(text)
    return any(key in low for key in _CONTENT_KEYS)


_WARNING_WORD = lazy_pattern(r"\bwarn(?:ing|ings)?\b", re.IGNORECASE)
_SENTENCE_END = lazy_pattern(r"(?<=[.!?…])[\"”’')\]]*\s+|\n+")

_NUM = rf"(?P<num>{NUMBER_PATTERN})"
_STOPS: tuple[re.Pattern[str], ...] = tuple(
    lazy_pattern(p, re.IGNORECASE)
    for p in (
        rf"\bconsider\s+(?:ch(?:apter|\.)?\s*){_NUM}\s+(?:as\s+)?(?:the\s+)?(?:very\s+)?last\b",
        rf"\bstop\s+(?:reading\s+)?(?:after|at|with)\s+(?:ch(?:apter|\.)?\s*){_NUM}\b",
        rf"\b(?:do\s+not|don['’]?t|never)\s+read\s+(?:past|beyond|after)\s+"
        rf"(?:ch(?:apter|\.)?\s*){_NUM}\b",
        rf"\b(?:ch(?:apter|\.)?\s*){_NUM}\s+(?:is|as)\s+(?:the\s+)?last\s+(?:one\s+)?"
        rf"(?:you\s+)?(?:should\s+|can\s+)?read\b",
    )
)
"""An author's stop point: "consider Chapter 7 as the last one you read", "stop after chapter 7"."""


def sentences(text: str) -> list[str]:
    """Split a note into sentences, each kept verbatim (closing quotes stay attached)."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        piece = text[start : m.start() + len(m.group(0).rstrip())].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _negated(text: str, start: int) -> bool:
    """True when a negation ("no", "without", "isn't") governs the keyword at ``start``."""
    before = text[max(0, start - 60) : start]
    return re.search(_NEGATION + r"$", before, re.IGNORECASE) is not None


def _hits(pattern: re.Pattern[str], sentence: str) -> bool:
    """True when ``pattern`` occurs in ``sentence`` at least once without a negation."""
    return any(not _negated(sentence, m.start()) for m in pattern.finditer(sentence))


def free_text_warnings(text: str) -> list[str]:
    """Archive warnings an author names in free text, negations ("no character death") skipped."""
    if not _may_warn(text):
        return []
    found = set()
    for sentence in sentences(text):
        for pattern, name in _FREE_TEXT:
            if name not in found and _hits(pattern, sentence):
                found.add(name)
    return [w for w in ARCHIVE_WARNINGS if w in found]


def _shouting(sentence: str) -> bool:
    """True for a sentence written in capitals ("BE AWARE OF THIS.")."""
    letters = [c for c in sentence if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def warning_sentences(text: str) -> list[str]:
    """The author's warning sentences in a note, verbatim.

    A sentence naming a warning topic ("character death", "DARK FICTION", "non-con") counts;
    so does a capitalised sentence right after one, and a short "Last warning." lead-in is kept
    together with the sentence it introduces.
    """
    if not _may_warn(text):
        return []
    parts = sentences(text)
    keep: list[str] = []
    previous_kept = False
    lead_in = ""
    for sentence in parts:
        if _hits(_CONTENT, sentence):
            keep.append(f"{lead_in} {sentence}".strip())
            previous_kept = True
            lead_in = ""
            continue
        if previous_kept and _shouting(sentence):
            keep.append(sentence)
            continue
        previous_kept = False
        words = sentence.split()
        lead_in = sentence if len(words) <= 3 and _WARNING_WORD.search(sentence) else ""
    return keep


def _may_stop(sentence: str) -> bool:
    """False when no pattern of ``_STOPS`` can match ``sentence``: each needs "ch" and one of
    "stop", "last" or "read" (checked casefolded, which maps every character those patterns
    match case-insensitively onto these letters, the long s included). Most sentences of most
    notes then never compile or run the patterns; a whole note that fails it has no stop point
    (its sentences are parts of it)."""
    low = sentence.casefold()
    return "ch" in low and ("stop" in low or "last" in low or "read" in low)


def stop_points(text: str) -> list[WarningGate]:
    """The author's stop points in a note: a gate after the named chapter, reason verbatim."""
    gates: list[WarningGate] = []
    if not _may_stop(text):  # (nor then any sentence: the sentence split is not compiled)
        return gates
    for sentence in sentences(text):
        if not _may_stop(sentence):
            continue
        for pattern in _STOPS:
            m = pattern.search(sentence)
            if m is None:
                continue
            number = number_value(m.group("num"))
            if number is None:
                continue
            gates.append(WarningGate(before_chapter=number + 1, reason=sentence))
            break
    return gates


def analyse_notes(texts: list[str]) -> tuple[list[str], list[str], list[WarningGate]]:
    """Read authors' notes and summaries for warnings.

    Returns (archive warnings in AO3's order, the author's warning sentences verbatim without
    repeats, stop-point gates sorted by chapter without repeats).
    """
    warnings: set[str] = set()
    notes: list[str] = []
    gates: dict[int, WarningGate] = {}
    for text in texts:
        if not text:
            continue
        warnings.update(free_text_warnings(text))
        for sentence in warning_sentences(text):
            if sentence not in notes:
                notes.append(sentence)
        for gate in stop_points(text):
            gates.setdefault(gate.before_chapter, gate)
    ordered = [w for w in ARCHIVE_WARNINGS if w in warnings]
    return ordered, notes, [gates[k] for k in sorted(gates)]


def merge_warnings(*groups: list[str]) -> list[str]:
    """Several warning lists as one, in AO3's order, without repeats.

    "No Archive Warnings Apply" is dropped when a real warning is present.
    """
    found = {w for group in groups for w in group}
    if len(found - {NO_WARNINGS}) > 0:
        found.discard(NO_WARNINGS)
    return [w for w in ARCHIVE_WARNINGS if w in found]
