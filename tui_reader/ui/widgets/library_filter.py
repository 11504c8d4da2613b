"""Fuzzy filtering of the library: a subsequence match on title, author, fandoms and tags, ranked.

Pure functions, no Textual: the library screen calls :func:`rank` with the filter text.
"""

from __future__ import annotations

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
