"""Fuzzy filtering of the library: a subsequence match on title, author, fandoms and tags, ranked.

Pure functions, no Textual: the library screen calls :func:`rank` with the filter text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tui_reader.library import LibraryEntry

FIELD_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("title", 1.0),
    ("author", 0.8),
    ("fandoms", 0.7),
    ("tags", 0.6),
)
"""Which fields the filter looks at, and how much a match in each counts."""


def subsequence_score(query: str, text: str) -> float:
    """How well ``query`` matches ``text`` as a subsequence (0 when it does not).

    Both are compared case-folded. A match scores more when its characters run together, start
    at a word's beginning, and start early; a plain substring match scores highest.
    """
    q = query.casefold()
    t = text.casefold()
    if not q:
        return 1.0
    if not t:
        return 0.0
    found = t.find(q)
    if found >= 0:
        at_word = found == 0 or not t[found - 1].isalnum()
        return 100.0 + (20.0 if at_word else 0.0) - min(found, 50) * 0.1
    score = 0.0
    pos = -1
    run = 0
    for ch in q:
        nxt = t.find(ch, pos + 1)
        if nxt < 0:
            return 0.0
        if nxt == pos + 1:
            run += 1
            score += 2.0 * run
        else:
            run = 0
            score += 1.0
        if nxt == 0 or not t[nxt - 1].isalnum():
            score += 3.0
        pos = nxt
    return score - (pos + 1 - len(q)) * 0.05


def entry_fields(entry: LibraryEntry) -> Iterable[tuple[str, str]]:
    """The (field, text) pairs the filter searches in an entry."""
    yield "title", entry.title or ""
    yield "author", entry.author or ""
    for fandom in entry.fandoms:
        yield "fandoms", fandom
    for tag in entry.tags:
        yield "tags", tag


def entry_score(query: str, entry: LibraryEntry) -> float:
    """The best weighted score of ``query`` over the entry's fields (0 when nothing matches).

    Each whitespace-separated word of the query must match some field; the scores add up.
    """
    weights = dict(FIELD_WEIGHTS)
    total = 0.0
    for word in query.split():
        best = 0.0
        for field_name, text in entry_fields(entry):
            best = max(best, subsequence_score(word, text) * weights[field_name])
        if best <= 0:
            return 0.0
        total += best
    return total


def rank(query: str, entries: Sequence[LibraryEntry]) -> list[LibraryEntry]:
    """The entries matching ``query``, best first (ties keep the given order)."""
    if not query.strip():
        return list(entries)
    scored = [(entry_score(query, e), i, e) for i, e in enumerate(entries)]
    return [e for score, _i, e in sorted(scored, key=lambda s: (-s[0], s[1])) if score > 0]


FACETS: dict[str, str] = {
    "rating": "rating",
    "r": "rating",
    "warning": "warning",
    "w": "warning",
    "fandom": "fandom",
    "f": "fandom",
    "tag": "tag",
    "t": "tag",
    "status": "status",
    "s": "status",
}
"""Filter words of the form ``key:value`` and the facet each key names."""

RATING_LETTERS: dict[str, str] = {
    "g": "General Audiences",
    "t": "Teen And Up Audiences",
    "m": "Mature",
    "e": "Explicit",
    "nr": "Not Rated",
}
"""Badge letters a ``rating:`` facet accepts."""


def parse_filter(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Split the filter into its fuzzy words and its ``key:value`` facets.

    ``rating:M warning:death tag:"slow burn" status:reading fandom:harbour`` — a value may be
    quoted to hold spaces. Unknown keys stay fuzzy words.
    """
    words: list[str] = []
    facets: list[tuple[str, str]] = []
    for match in re.finditer(r'(\w+):(?:"([^"]*)"?|(\S*))|(\S+)', text):
        key, quoted, bare, _word = match.groups()
        if key is not None and key.casefold() in FACETS:
            value = (quoted if quoted is not None else bare or "").strip()
            if value:
                facets.append((FACETS[key.casefold()], value.casefold()))
        else:
            words.append(match.group(0))
    return " ".join(words), facets


def facet_matches(entry: LibraryEntry, status: str | None, facet: str, value: str) -> bool:
    """True when ``entry`` (with the reader's ``status``) has ``value`` in ``facet``."""
    if facet == "rating":
        rating = RATING_LETTERS.get(value)
        if rating is not None:
            return entry.rating_level == rating
        return (
            value in (entry.rating or "not rated").casefold()
            or value in (entry.rating_level or "not rated").casefold()
        )
    if facet == "warning":
        if value in ("none", "no"):
            return not entry.needs_warning
        texts = [*entry.warnings, *entry.site_warnings, *entry.content_notes]
        return any(value in t.casefold() for t in texts)
    if facet == "fandom":
        return any(value in f.casefold() for f in entry.fandoms)
    if facet == "tag":
        return any(value in t.casefold() for t in [*entry.tags, *entry.fandoms])
    if facet == "status":
        if value in ("none", "no"):
            return status is None
        return status is not None and status.casefold().startswith(value)
    return True


def hidden_by(entry: LibraryEntry, hidden_warnings: Iterable[str]) -> bool:
    """True when ``entry`` carries a warning the reader chose to hide."""
    hidden = set(hidden_warnings)
    return bool(hidden) and bool(hidden.intersection(entry.warnings))
