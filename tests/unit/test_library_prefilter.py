"""The filter's shortcuts never change what the plain scorer says.

:func:`~tui_reader.library_query.rank` rejects an entry in one regular-expression pass when a
word is a subsequence of no single field, and skips subsequence scoring when a substring match
already scores more than any subsequence could. Whatever the titles, tags and words (NULs,
wide and case-folding characters included), the ranking must be the one :func:`entry_score`
gives, and the pre-filter must never drop an entry the scorer matches.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tui_reader import library_query
from tui_reader.library import LibraryEntry
from tui_reader.library_query import LibraryRow, entry_score, query, rank, subsequence_score

ALPHABET = st.sampled_from([*"lantero hLANß-'\x00é日本Æ ", "ﬁ", "İ"])
"""Characters the texts and words are drawn from: few, so that matches are common."""

TEXT = st.text(ALPHABET, max_size=14)
"""A title, author, fandom or tag."""

WORD = st.text(ALPHABET.filter(lambda c: not c.isspace()), min_size=1, max_size=7)
"""One filter word."""


def make_entry(
    n: int, title: str, author: str, fandoms: list[str], tags: list[str]
) -> LibraryEntry:
    """An entry with these fields."""
    return LibraryEntry(
        Path(f"/lib/{n}.md"), title, author=author or None, fandoms=fandoms, tags=tags
    )


ENTRY_FIELDS = st.tuples(TEXT, TEXT, st.lists(TEXT, max_size=2), st.lists(TEXT, max_size=3))
"""(title, author, fandoms, tags) of an entry."""


def reference(query: str, entries: list[LibraryEntry]) -> list[LibraryEntry]:
    """Every entry scored by :func:`entry_score`, best first, ties in the given order."""
    scored = [(entry_score(query, e), i, e) for i, e in enumerate(entries)]
    return [e for score, _i, e in sorted(scored, key=lambda s: (-s[0], s[1])) if score > 0]


@settings(max_examples=300, deadline=None)
@given(fields=st.lists(ENTRY_FIELDS, min_size=1, max_size=12), words=st.lists(WORD, max_size=3))
def test_rank_is_the_plain_scorers_ranking(fields: list[tuple], words: list[str]) -> None:
    entries = [make_entry(n, *f) for n, f in enumerate(fields)]
    query = " ".join(words)
    if not query.strip():
        assert rank(query, entries) == entries
        return
    assert rank(query, entries) == reference(query, entries)


@settings(max_examples=500, deadline=None)
@given(texts=st.lists(TEXT, min_size=1, max_size=4), word=WORD)
def test_the_one_field_search_finds_every_subsequence_the_scorer_matches(
    texts: list[str], word: str
) -> None:
    folded_word = word.casefold()
    search = library_query._in_one_field(folded_word)
    if search is None:  # a word with a NUL: the plain check is used
        assert "\x00" in folded_word
        return
    folded = [t.casefold() for t in texts]
    joined = "\x00".join(folded)
    matched = any(subsequence_score(word, t) > 0 for t in texts)
    if all("\x00" not in t for t in folded):  # the only case rank() uses the search in
        assert (search(joined) is not None) == matched
    elif matched:
        assert library_query._is_subsequence(folded_word, joined)


def test_a_field_holding_a_nul_is_still_searched() -> None:
    entry = make_entry(0, "la\x00nt", "", [], [])
    other = make_entry(1, "l", "", [], ["ant"])
    assert rank("lant", [entry, other]) == reference("lant", [entry, other]) == [entry]


def test_a_substring_in_a_tag_and_a_subsequence_in_the_title_both_count() -> None:
    # "lantern" is in the tag (weight 0.6: 72 at best) and spread out in the title (1.0)
    spread = make_entry(0, "l a n t e r n", "", [], ["lantern"])
    plain = make_entry(1, "lantern", "", [], [])
    assert rank("lantern", [spread, plain]) == reference("lantern", [spread, plain])


def test_a_long_word_spread_in_the_title_beats_its_substring_in_a_tag() -> None:
    # the title has nine of the ten letters in a run (about 97); the tag holds the word
    # itself (72 at weight 0.6); the other entry's author holds it after a letter (about 80)
    spread = make_entry(0, "abcdefghi j", "", [], ["abcdefghij"])
    author = make_entry(1, "zz", "xabcdefghij", [], [])
    assert rank("abcdefghij", [author, spread]) == [spread, author]
    assert reference("abcdefghij", [author, spread]) == [spread, author]


@settings(max_examples=200, deadline=None)
@given(
    fields=st.lists(ENTRY_FIELDS, min_size=1, max_size=12),
    typed=st.lists(st.lists(WORD, min_size=1, max_size=3), min_size=1, max_size=4),
)
def test_the_library_screens_ranking_by_columns_is_the_plain_scorers(
    fields: list[tuple], typed: list[list[str]]
) -> None:
    # the screen's questions (nothing left out) are narrowed from the question before, and a
    # word added or grown is the only one scored again: each answer must still be the plain
    # scorer's
    entries = [make_entry(n, *f) for n, f in enumerate(fields)]
    rows = [LibraryRow(e) for e in entries]
    library_query._RECENT = library_query._Recent()
    for words in typed:
        line = " ".join(words)
        for text in [line[:n] for n in range(1, len(line) + 1)]:  # typed a letter at a time
            shown, _hidden = query(rows, text)
            assert [r.entry for r in shown] == reference(text, entries), text
