"""The filter's ranking over cached, case-folded fields gives what scoring each entry gives.

:func:`rank` folds each entry's fields once and skips entries no field can match; the order
and the matches must stay those of :func:`entry_score` (best first, ties in the given order).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tui_reader import library_query
from tui_reader.library import LibraryEntry
from tui_reader.library_query import LibraryRow, entry_score, query, rank

WORDS = ["Lantern", "heron", "FERRY", "Straße", "orchard", "Ærø", "日本語", "x-y", "O'Neil", ""]


def reference(query: str, entries: list[LibraryEntry]) -> list[LibraryEntry]:
    """Ranking by scoring every entry (the rule :func:`rank` must keep)."""
    if not query.strip():
        return list(entries)
    scored = [(entry_score(query, e), i, e) for i, e in enumerate(entries)]
    return [e for score, _i, e in sorted(scored, key=lambda s: (-s[0], s[1])) if score > 0]


def make_entries(rng: random.Random, count: int) -> list[LibraryEntry]:
    """Entries with titles, authors, fandoms and tags made of :data:`WORDS`."""
    out = []
    for n in range(count):
        words = rng.sample(WORDS, 3)
        out.append(
            LibraryEntry(
                Path(f"/lib/{n}.md"),
                " ".join(words),
                author=rng.choice([None, "Author " + rng.choice(WORDS)]),
                fandoms=[rng.choice(WORDS) for _ in range(rng.randint(0, 2))],
                tags=[rng.choice(WORDS) for _ in range(rng.randint(0, 3))],
            )
        )
    return out


@pytest.mark.parametrize("seed", range(5))
def test_rank_is_the_reference_ranking(seed: int) -> None:
    rng = random.Random(seed)
    entries = make_entries(rng, 300)
    queries = ["l", "la", "lantern", "ltrn", "her fer", "STRASSE", "ærø", "本", "o'n", "zzz", " "]
    queries += ["".join(rng.sample("lanternheronferry", 3)) for _ in range(10)]
    for text in queries:
        assert rank(text, entries) == reference(text, entries), text


def fresh_query(rows: list[LibraryRow], text: str, **kw: object) -> tuple[list[LibraryRow], int]:
    """:func:`query` with nothing remembered from earlier questions."""
    library_query._RECENT = library_query._Recent()
    return query(rows, text, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(3))
def test_typing_and_deleting_give_what_a_fresh_query_gives(seed: int) -> None:
    rng = random.Random(seed)
    rows = [LibraryRow(e, status=rng.choice([None, "reading"])) for e in make_entries(rng, 400)]
    for e in rows[::7]:
        e.entry.warnings = ["Major Character Death"]
    typed = "lantern he"
    texts = [typed[:n] for n in range(len(typed) + 1)]
    texts += [*texts[::-1], "ltn", "ltn x", "lt", "status:reading la", "la", "status:none la"]
    texts += ["status:reading l", "l", "lan", "status:reading lant", "lante"]
    kwargs = [{}, {"hidden_warnings": ["Major Character Death"]}, {"sort_column": "words"}]
    for kw in kwargs:
        library_query._RECENT = library_query._Recent()
        for n, text in enumerate(texts):
            if n == len(texts) // 2:  # a status changed in place: facets see it at once
                rows[1].status = "reading" if rows[1].status is None else None
            got = query(rows, text, **kw)  # type: ignore[arg-type]
            remembered = library_query._RECENT
            assert got == fresh_query(rows, text, **kw), (text, kw)
            library_query._RECENT = remembered  # the next question narrows from this one


def test_the_filter_opening_lists_the_match_keys_and_typing_ranks_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(7)
    rows = [LibraryRow(e) for e in make_entries(rng, 300)]
    library_query._RECENT = library_query._Recent()
    library_query.prepare_filter(rows)  # "/": the box opens
    looked_up: list[LibraryEntry] = []
    real = library_query._entry_keys

    def counted(entry: LibraryEntry) -> object:
        looked_up.append(entry)
        return real(entry)

    monkeypatch.setattr(library_query, "_entry_keys", counted)
    typed = [query(rows, text) for text in ("l", "la", "lan")]
    assert looked_up == []  # the first letter only ranks: its keys were listed when it opened
    monkeypatch.undo()
    assert typed == [fresh_query(rows, text) for text in ("l", "la", "lan")]
    assert typed[0][0]  # (the letters match stories)
