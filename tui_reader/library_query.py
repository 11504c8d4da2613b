"""What the library lists: the filter (fuzzy words, ``key:value`` facets), hidden warnings,
the reader's mutes, sort.

Textual-free core: the library screen hands :func:`query` (or :func:`query_rows`) its rows, the
filter text, the sort column, the reader's hidden warnings and mutes, and shows the rows it
returns in that order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any

from tui_reader.library import LibraryEntry, sort_key
from tui_reader.model import RATINGS, hides
from tui_reader.state import STATUSES, Mute, mute_key
from tui_reader.text import title_key

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
    return _folded_score(query.casefold(), text.casefold())


_SCORE_CEILING = 120.0
"""The most :func:`subsequence_score` gives: a substring at the start of the text."""


def _folded_score(q: str, t: str) -> float:
    """:func:`subsequence_score` of a query and a text both already case-folded."""
    if not q:
        return 1.0
    if not t:
        return 0.0
    found = t.find(q)
    if found >= 0:
        at_word = found == 0 or not t[found - 1].isalnum()
        return 100.0 + (20.0 if at_word else 0.0) - min(found, 50) * 0.1
    return _spread_score(q, t)


def _spread_score(q: str, t: str) -> float:
    """:func:`_folded_score` of a non-empty query that is not a substring of the text."""
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
    """The entries matching ``query``, best first (ties keep the given order).

    Scores as :func:`entry_score` does, over each entry's case-folded fields kept between calls
    (a filter keystroke over 10,000 stories folds no text).
    """
    if not query.strip():
        return list(entries)
    order, *_ = _rank_indices([part.casefold() for part in query.split()], entries)
    return [entries[i] for i in order]


def _rank_indices(
    folded: Sequence[str],
    entries: Sequence[LibraryEntry],
    candidates: Iterable[int] | None = None,
    base: Iterable[float] | None = None,
    keys_at: Sequence[_EntryKeys] | None = None,
) -> tuple[list[int], list[int], list[float], list[float]]:
    """(indexes of the matching entries best first, the same indexes in ascending order, their
    totals and their totals before the last word, both in ascending order).

    ``folded`` are the case-folded words (at least one); only the entries at ``candidates``
    (ascending indexes; all when None) are scored. ``base`` (one for each candidate) are the
    totals the candidates already have from words scored before, which ``folded`` then adds
    to, as :func:`entry_score` adds a word's score to those of the words before it. Ties keep
    the given order. ``keys_at`` (each entry's :class:`_EntryKeys`, in order) saves looking
    them up.
    """
    top = max(weight for _name, weight in FIELD_WEIGHTS)
    words = [
        (word, word[0], _subsequence_ceiling(len(word)) * top, _in_one_field(word))
        for word in folded
    ]
    scored: list[tuple[float, int, float]] = []
    at: Iterable[int] = range(len(entries)) if candidates is None else candidates
    if len(words) == 1 and keys_at is not None:  # one word (most keystrokes): a lean loop
        _rank_one_word(words[0], keys_at, at, base, scored)
    else:
        _rank_words(words, entries, at, base, scored)
    matched = [i for _score, i, _before in scored]
    totals = [score for score, _i, _before in scored]
    befores = [before for _score, _i, before in scored]
    scored.sort(key=itemgetter(0), reverse=True)  # stable: ties keep the given order
    return [i for _score, i, _before in scored], matched, totals, befores


def _rank_words(
    words: Sequence[tuple[str, str, float, Callable[[str], re.Match[str] | None] | None]],
    entries: Sequence[LibraryEntry],
    at: Iterable[int],
    base: Iterable[float] | None,
    scored: list[tuple[float, int, float]],
) -> None:
    """:func:`_rank_indices`' loop: append (total, index, total before the last word) of each
    entry at ``at`` that matches every word to ``scored``."""
    cache = _KEYS
    for i, start in zip(at, repeat(0.0) if base is None else base, strict=False):
        entry = entries[i]
        keys = cache.get(id(entry))
        if keys is None or keys.entry is not entry:
            keys = _entry_keys(entry)
        fields = keys.bounded
        joined = keys.joined
        total = before = start
        for word, first, ceiling, in_one_field in words:
            before = total
            best = 0.0
            if word in joined:  # a substring of some field (or across two, see below)
                for weight, text, later in fields:
                    found = text.find(word)
                    if found >= 0:  # _folded_score's first case, inline
                        at_word = found == 0 or not text[found - 1].isalnum()
                        score = (100.0 + (20.0 if at_word else 0.0) - min(found, 50) * 0.1) * weight
                        if score > best:
                            best = score
                            if best >= later:  # no field after this one can score more
                                break
                if best > ceiling:  # no field's subsequence match can score more
                    total += best
                    continue
            if best <= 0:  # no substring: is it a subsequence of some field?
                if keys.plain and in_one_field is not None:
                    if in_one_field(joined) is None:
                        total = 0.0  # of no field
                        break
                elif not _is_subsequence(word, joined):
                    total = 0.0  # no field can match: they are all in ``joined``
                    break
            best = _best_field(word, first, fields)
            if best <= 0:
                total = 0.0
                break
            total += best
        if total > 0:
            scored.append((total, i, before))


def _rank_one_word(
    word_keys: tuple[str, str, float, Callable[[str], re.Match[str] | None] | None],
    keys_at: Sequence[_EntryKeys],
    at: Iterable[int],
    base: Iterable[float] | None,
    scored: list[tuple[float, int, float]],
) -> None:
    """:func:`_rank_indices`' loop for one word: append (total, index, total before) of each
    entry at ``at`` that matches to ``scored``; the same scores, with less done per entry."""
    word, first, ceiling, in_one_field = word_keys
    for i, start in zip(at, repeat(0.0) if base is None else base, strict=False):
        keys = keys_at[i]
        joined = keys.joined
        best = 0.0
        if word in joined:  # a substring of some field (or across two)
            for weight, text, later in keys.bounded:
                found = text.find(word)
                if found >= 0:  # _folded_score's first case, inline
                    at_word = found == 0 or not text[found - 1].isalnum()
                    score = (100.0 + (20.0 if at_word else 0.0) - min(found, 50) * 0.1) * weight
                    if score > best:
                        best = score
                        if best >= later:  # no field after this one can score more
                            break
            if best > ceiling:  # no field's subsequence match can score more
                scored.append((start + best, i, start))
                continue
        if best <= 0:  # no substring: is it a subsequence of some field?
            if keys.plain and in_one_field is not None:
                if in_one_field(joined) is None:
                    continue
            elif not _is_subsequence(word, joined):
                continue
        best = _best_field(word, first, keys.bounded)
        if best > 0:
            scored.append((start + best, i, start))


def _best_field(word: str, first: str, fields: Sequence[tuple[float, str, float]]) -> float:
    """The best weighted :func:`_folded_score` of the case-folded ``word`` (whose first letter
    is ``first``) over case-folded ``fields`` of (weight, text, the most any later field can
    score: see :attr:`_EntryKeys.bounded`)."""
    best = 0.0
    for weight, text, later in fields:
        found = text.find(word)
        if found >= 0:  # a substring: _folded_score's first case, inline
            at_word = found == 0 or not text[found - 1].isalnum()
            score = (100.0 + (20.0 if at_word else 0.0) - min(found, 50) * 0.1) * weight
        elif first not in text:  # not even its first letter: no match
            continue
        else:
            score = _spread_score(word, text) * weight
        if score > best:
            best = score
            if best >= later:  # no field after this one can score more
                break
    return best


def _in_one_field(word: str) -> Callable[[str], re.Match[str] | None] | None:
    """A search that finds ``word`` as a subsequence of one field of an entry's ``joined``
    fields (never across the NUL between two), in one pass of the regular expression engine:
    each character, then anything but a NUL or the next character, and so on (the leftmost
    match of each character, as :func:`_is_subsequence` takes). None for a word holding a NUL.
    """
    if "\x00" in word:
        return None
    parts = [re.escape(word[0])]
    for ch in word[1:]:
        parts.append(f"[^\\x00{re.escape(ch)}]*+{re.escape(ch)}")  # possessive: no backtracking
    return re.compile("".join(parts)).search


def _subsequence_ceiling(length: int) -> float:
    """The most :func:`_folded_score` can give a word of ``length`` characters that is not a
    substring of the text: its k-th character adds at most 2k (a run of k) and 3 (a word's
    start), and the gap penalty only takes away. A substring scores at least 95, so a word of
    up to five characters found as a substring anywhere needs no subsequence scoring."""
    return float(length * (length + 1) + 3 * length)


def _is_subsequence(word: str, text: str) -> bool:
    """True when the characters of ``word`` appear in ``text`` in order."""
    pos = -1
    for ch in word:
        pos = text.find(ch, pos + 1)
        if pos < 0:
            return False
    return True


class _EntryKeys:
    """What filtering and sorting read of one entry, worked out once: case-folded fields and the
    title sort key."""

    __slots__ = ("bounded", "entry", "fields", "joined", "plain", "title")

    def __init__(self, entry: LibraryEntry) -> None:
        """Fold ``entry``'s fields (:func:`entry_fields`) and make its title key."""
        self.entry = entry
        """The entry (kept so that its id is not reused while this is cached)."""
        weights = dict(FIELD_WEIGHTS)
        self.fields = [(weights[name], text.casefold()) for name, text in entry_fields(entry)]
        """(weight, case-folded text) of every field the filter searches."""
        self.joined = "\x00".join(text for _weight, text in self.fields)
        """Every field in one string: a word that is not a subsequence of it matches none."""
        later = [0.0] * len(self.fields)
        for n in range(len(self.fields) - 2, -1, -1):
            later[n] = max(later[n + 1], self.fields[n + 1][0] * _SCORE_CEILING)
        self.bounded = [
            (weight, text, most) for (weight, text), most in zip(self.fields, later, strict=True)
        ]
        """(weight, case-folded text, the most any later field can score) of every field: once
        a field scores that much, the fields after it need no look."""
        self.plain = self.joined.count("\x00") == max(0, len(self.fields) - 1)
        """True when no field holds a NUL (so a NUL in ``joined`` always parts two fields)."""
        self.title = sort_key(entry)
        """The title sort key (:func:`~tui_reader.library.sort_key`)."""


_KEYS: dict[int, _EntryKeys] = {}
"""Each entry's :class:`_EntryKeys` by ``id(entry)``."""

_KEYS_LIMIT = 100_000
"""Entries kept before the cache starts over (a rescan makes new entries)."""


def _entry_keys(entry: LibraryEntry) -> _EntryKeys:
    """``entry``'s keys, from the cache when it is the same entry object."""
    known = _KEYS.get(id(entry))
    if known is None or known.entry is not entry:
        if len(_KEYS) >= _KEYS_LIMIT:
            _KEYS.clear()
        known = _KEYS[id(entry)] = _EntryKeys(entry)
    return known


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


UPDATED = "updated"
"""The ``status:`` facet value for stories that gained chapters since the reader last had them
open (not a reading status: the reader never sets it)."""


def facet_matches(
    entry: LibraryEntry, status: str | None, facet: str, value: str, *, new_chapters: int = 0
) -> bool:
    """True when ``entry`` (with the reader's ``status`` and its ``new_chapters`` since the
    reader last had it open) has ``value`` in ``facet``; ``status:updated`` asks for new
    chapters."""
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
        if new_chapters > 0 and UPDATED.startswith(value):
            return True
        return status is not None and status.casefold().startswith(value)
    return True


def hidden_by(entry: LibraryEntry, hidden_warnings: Iterable[str]) -> bool:
    """True when ``entry`` carries a warning the reader chose to hide (:func:`hides`)."""
    return hides(entry.warnings, hidden_warnings)


MUTE_LABELS: dict[str, str] = {
    "author": "Author",
    "fandom": "Fandom",
    "relationship": "Relationship",
    "tag": "Tag",
}
"""How each kind of mute (:data:`~tui_reader.state.MUTE_KINDS`) is named to a reader."""


def entry_authors(entry: LibraryEntry) -> list[str]:
    """The entry's authors, one name each (importers join several with ", ")."""
    names = [name.strip() for name in (entry.author or "").split(", ")]
    return [name for name in names if name]


def mute_choices(entry: LibraryEntry) -> list[tuple[str, str]]:
    """What a story can be muted by, as ``(kind, name)``: its authors, fandoms, relationships,
    then its other tags and categories; each once (casefolded), in the story's order."""
    relationships = {r.casefold() for r in entry.relationships}
    candidates = [
        *(("author", name) for name in entry_authors(entry)),
        *(("fandom", fandom) for fandom in entry.fandoms),
        *(("relationship", rel) for rel in entry.relationships),
        *(("tag", tag) for tag in entry.tags if tag.casefold() not in relationships),
        *(("tag", category) for category in entry.categories),
    ]
    seen: set[str] = set()
    choices: list[tuple[str, str]] = []
    for kind, name in candidates:
        key = mute_key(kind, name)
        if name.strip() and key not in seen:
            seen.add(key)
            choices.append((kind, name.strip()))
    return choices


MuteIndex = dict[str, dict[str, Mute]]
"""The reader's mutes by kind, then by casefolded name, for quick lookups."""


def mute_index(mutes: Iterable[Mute]) -> MuteIndex:
    """The mutes by kind and casefolded name (kinds without a mute are left out)."""
    index: MuteIndex = {}
    for mute in mutes:
        index.setdefault(mute.kind, {})[mute.value.strip().casefold()] = mute
    return index


def _first_muted(names: Iterable[str], muted: dict[str, Mute] | None) -> Mute | None:
    """The mute among ``muted`` (by casefolded name) that one of ``names`` matches, or None."""
    if muted:
        for name in names:
            mute = muted.get(name.strip().casefold())
            if mute is not None:
                return mute
    return None


def muted_by(entry: LibraryEntry, mutes: Iterable[Mute] | MuteIndex) -> str | None:
    """Why ``entry`` is muted ("author Mirren Aske"), or None when no mute of the reader's
    matches it. An author mute matches any of its authors; a relationship mute its
    relationships; a tag mute any of its tags (relationships, characters, additional tags,
    categories); names are compared casefolded."""
    index = mutes if isinstance(mutes, dict) else mute_index(mutes)
    if not index:
        return None
    mute = (
        _first_muted(entry_authors(entry) if "author" in index else (), index.get("author"))
        or _first_muted(entry.fandoms, index.get("fandom"))
        or _first_muted(entry.relationships, index.get("relationship"))
        or _first_muted([*entry.tags, *entry.relationships, *entry.categories], index.get("tag"))
    )
    return None if mute is None else f"{MUTE_LABELS[mute.kind].lower()} {mute.value}"


def mute_counts(entries: Iterable[LibraryEntry], mutes: Iterable[Mute]) -> dict[str, int]:
    """How many of ``entries`` each mute matches, by its key (one pass over the entries)."""
    index = mute_index(mutes)
    counts = {mute.key: 0 for kinds in index.values() for mute in kinds.values()}
    for entry in entries:
        names = {
            "author": entry_authors(entry),
            "fandom": entry.fandoms,
            "relationship": entry.relationships,
            "tag": [*entry.tags, *entry.relationships, *entry.categories],
        }
        for kind, muted in index.items():
            matched = {
                muted[n.strip().casefold()].key
                for n in names.get(kind, ())
                if n.strip().casefold() in muted
            }
            for key in matched:
                counts[key] += 1
    return counts


@dataclass
class LibraryRow:
    """What the table shows for one story: the entry plus the reader's own state."""

    entry: LibraryEntry
    """The library's entry."""
    read: int = 0
    """Chapters of those present that the reader has finished."""
    last_read: float | None = None
    """When the reader last had it open (epoch seconds), from the history."""
    status: str | None = None
    """The reader's status for it ("reading", "finished", ...)."""
    seen: int | None = None
    """How many chapters it had when the reader last had it open (None: not known)."""
    seen_finished: bool = False
    """True when the reader finished (marked read) the last of the ``seen`` chapters."""

    @property
    def new_chapters(self) -> int:
        """Chapters added since the reader last had it open (0 when never opened)."""
        if self.seen is None or self.entry.error:
            return 0
        return max(0, self.entry.chapters - self.seen)

    @property
    def new_text(self) -> str:
        """ "+2 new" when chapters were added since the reader last had it open, else ""."""
        return f"+{self.new_chapters} new" if self.new_chapters else ""

    def resume_chapter(self, chapter: int) -> int:
        """The chapter to resume for a place in ``chapter``: the first new one when the place
        is in the old last chapter, the reader finished it, and chapters were added since."""
        if self.new_chapters and self.seen_finished and self.seen == chapter + 1:
            return chapter + 1
        return chapter

    def continue_text(self, chapter: int) -> str:
        """The Continue row's chapter cell: "Ch. 2 of 5", or "Ch. 4 (new)" for a chapter added
        since the reader last had the story open (short: the column is narrow at 80 cells)."""
        if self.new_chapters and self.seen is not None and chapter >= self.seen:
            return f"Ch. {chapter + 1} (new)"
        return f"Ch. {chapter + 1} of {self.entry.chapters}"

    @property
    def progress(self) -> float:
        """Share of the present chapters read, 0..1."""
        if not self.entry.chapters:
            return 0.0
        return min(1.0, self.read / self.entry.chapters)

    @property
    def chapters_text(self) -> str:
        """ "read/available/total": the total "?" while unknown for a story its source says
        is unfinished, the chapters there are for any other (complete as far as anyone said,
        as its last chapter's end marker reads); then "+2 new" when chapters were added since
        the reader last had it open."""
        entry = self.entry
        if entry.error:
            return ""
        if entry.chapters_total is not None:
            total = str(entry.chapters_total)
        else:
            total = "?" if entry.in_progress else str(entry.chapters)
        text = f"{self.read}/{self.entry.chapters}/{total}"
        return f"{text} {self.new_text}" if self.new_chapters else text


def rating_order(rating: str | None) -> int:
    """Mildest first; unknown ratings last."""
    return RATINGS.index(rating) if rating in RATINGS else len(RATINGS)


_SHORT_STATUS: dict[str, str] = {"plan to read": "planned"}
"""Statuses longer than the status column, and the word the column shows instead."""

STATUS_LABELS: dict[str, str] = {status: _SHORT_STATUS.get(status, status) for status in STATUSES}
"""How each reading status (:data:`~tui_reader.state.STATUSES`) shows in its column (≤ 8 cells)."""

STATUS_ORDER: dict[str, int] = {status: i for i, status in enumerate(STATUS_LABELS)}
"""Sort order of the statuses: reading first, dropped last."""


SORT_KEYS: dict[str, Callable[[LibraryRow], Any]] = {
    "title": lambda r: _entry_keys(r.entry).title,
    "author": lambda r: (title_key(r.entry.author or "\uffff"), title_key(r.entry.title)),
    "chapters": lambda r: (r.entry.chapters, r.read),
    "words": lambda r: r.entry.words,
    "rating": lambda r: rating_order(r.entry.rating_level),
    "warn": lambda r: (not r.entry.needs_warning, title_key(r.entry.title)),
    "progress": lambda r: r.progress,
    "status": lambda r: (
        STATUS_ORDER.get(r.status or "", len(STATUS_ORDER)),
        title_key(r.entry.title),
    ),
    "last": lambda r: -(r.last_read or 0.0),
}
"""How each column sorts (ascending; "last" puts the most recent first)."""


ENTRY_SORTS = frozenset({"title", "author", "words", "rating", "warn"})
"""Columns whose order depends on the entries alone, never on the reader's state (so an order
worked out once holds while the rows are the same)."""


def sort_rows(rows: Sequence[LibraryRow], column: str, reverse: bool) -> list[LibraryRow]:
    """The rows sorted by ``column``; broken files always go last."""
    key = SORT_KEYS[column]
    good = sorted((r for r in rows if not r.entry.error), key=key, reverse=reverse)
    bad = sorted((r for r in rows if r.entry.error), key=SORT_KEYS["title"])
    return [*good, *bad]


@dataclass
class QueryResult:
    """What :func:`query_rows` lists, and how many stories it left out and why."""

    rows: list[LibraryRow]
    """The rows to show, in order."""
    hidden: int = 0
    """Stories left out for a hidden warning."""
    muted: int = 0
    """Stories left out for one of the reader's mutes (and no hidden warning)."""


def query_rows(
    rows: Sequence[LibraryRow],
    filter_text: str,
    *,
    sort_column: str = "title",
    reverse: bool = False,
    hidden_warnings: Iterable[str] = (),
    mutes: Iterable[Mute] = (),
    show_hidden: bool = False,
) -> QueryResult:
    """The rows to show and how many were left out for a hidden warning or a mute.

    As :func:`query`; rows :func:`muted_by` one of ``mutes`` are left out too unless
    ``show_hidden`` (a ``warning:`` facet reveals hidden warnings only).
    """
    index = mute_index(mutes)
    kept = rows
    muted = 0
    if index and not show_hidden:
        hidden = frozenset(hidden_warnings)
        reveal = any(facet == "warning" for facet, _ in parse_filter(filter_text)[1])
        kept = []
        for row in rows:
            if muted_by(row.entry, index) is None or (not reveal and hidden_by(row.entry, hidden)):
                kept.append(row)  # shown, or left out (and counted) by :func:`query` as hidden
            else:
                muted += 1
    shown, hidden_count = query(
        kept,
        filter_text,
        sort_column=sort_column,
        reverse=reverse,
        hidden_warnings=hidden_warnings,
        show_hidden=show_hidden,
    )
    return QueryResult(shown, hidden_count, muted)


def query(
    rows: Sequence[LibraryRow],
    filter_text: str,
    *,
    sort_column: str = "title",
    reverse: bool = False,
    hidden_warnings: Iterable[str] = (),
    show_hidden: bool = False,
) -> tuple[list[LibraryRow], int]:
    """The rows to show, in order, and how many were left out for a hidden warning.

    Rows carrying a hidden warning are left out unless ``show_hidden`` or the filter asks for a
    warning by name (``warning:...``). The facets must all match; with fuzzy words the rows
    come best match first (:func:`rank`), else in ``sort_column`` order (:func:`sort_rows`).
    """
    words, facets = parse_filter(filter_text)
    reveal = show_hidden or any(facet == "warning" for facet, _ in facets)
    hidden = frozenset(hidden_warnings)
    _remember(rows)
    kept: list[LibraryRow] = []
    hidden_count = 0
    if not facets and (reveal or not hidden):  # nothing to leave out: the rows as they are
        kept = list(rows)
    else:
        for row in rows:
            if not reveal and hidden_by(row.entry, hidden):
                hidden_count += 1
                continue
            new = row.new_chapters
            if all(facet_matches(row.entry, row.status, f, v, new_chapters=new) for f, v in facets):
                kept.append(row)
    if words:
        folded = [word.casefold() for word in words.split()]
        if len(kept) == len(rows):  # nothing left out: the answer depends on the words only
            return [rows[i] for i in _whole_ranking(rows, folded)], hidden_count
        base = kept
        out: set[int] = set()
        last = _RECENT.narrow
        if last is not None and _refines(last[0], folded):
            out = last[1]  # stories the last words did not match: these words cannot either
            base = [r for r in kept if id(r.entry) not in out]
        order, matched_at, *_ = _rank_indices(folded, [r.entry for r in base])
        matched = {id(base[i].entry) for i in matched_at}
        _RECENT.narrow = (folded, out | {id(r.entry) for r in base if id(r.entry) not in matched})
        return [base[i] for i in order], hidden_count
    if len(kept) == len(rows) and sort_column in ENTRY_SORTS:  # the same order every time
        sorted_at = _RECENT.sorted.get((sort_column, reverse))
        if sorted_at is None:
            at = {id(row): i for i, row in enumerate(rows)}
            sorted_at = [at[id(row)] for row in sort_rows(rows, sort_column, reverse)]
            _RECENT.sorted[sort_column, reverse] = sorted_at
        return [rows[i] for i in sorted_at], hidden_count
    return sort_rows(kept, sort_column, reverse), hidden_count


def _whole_ranking(rows: Sequence[LibraryRow], folded: list[str]) -> list[int]:
    """Indexes into ``rows`` of the rows matching the words ``folded``, best first, when no
    row is left out (by facet or hidden warning): remembered by the words (a backspace ranks
    nothing), and narrowed from the last such question that these words refine (a story the
    last words did not match cannot match these)."""
    words = tuple(folded)
    known = _RECENT.ranked.get(words)
    if known is not None:
        return known
    candidates: list[int] | None = None
    base: list[float] | None = None
    scoring: list[str] = folded
    last = _RECENT.whole
    if last is not None:
        before, matched, totals, befores = last
        if folded[:-1] == before:  # a word added: only it needs scoring
            candidates, base, scoring = matched, totals, folded[-1:]
        elif (
            len(folded) == len(before) > 1
            and folded[:-1] == before[:-1]
            and _is_subsequence(before[-1], folded[-1])
        ):  # the last word grew: only it needs scoring again
            candidates, base, scoring = matched, befores, folded[-1:]
        elif _refines(before, folded):
            candidates = matched
    entries, keys_at = _entry_lists(rows)
    order, matched, totals, befores = _rank_indices(scoring, entries, candidates, base, keys_at)
    _RECENT.whole = (folded, matched, totals, befores)
    if len(_RECENT.ranked) >= _RANKED_LIMIT:
        _RECENT.ranked.clear()
    _RECENT.ranked[words] = order
    return order


def prepare_filter(rows: Sequence[LibraryRow]) -> None:
    """Get ready for words typed to filter ``rows`` (the filter box has opened): each entry's
    match keys listed in order now, not at the first keystroke (some 3 ms at 10,000 rows)."""
    _remember(rows)
    _entry_lists(rows)


def _remember(rows: Sequence[LibraryRow]) -> None:
    """Make ``rows`` the list :data:`_RECENT` remembers about (another list: start over)."""
    if _RECENT.rows is not rows:  # another list of rows (a rescan, a status): start over
        _RECENT.rows, _RECENT.narrow, _RECENT.ranked, _RECENT.whole = rows, None, {}, None
        _RECENT.sorted, _RECENT.entries, _RECENT.keys_at = {}, None, None


def _entry_lists(rows: Sequence[LibraryRow]) -> tuple[list[LibraryEntry], list[_EntryKeys]]:
    """The entries of the remembered ``rows`` and their match keys, in order (listed once)."""
    entries = _RECENT.entries
    if entries is None:
        entries = _RECENT.entries = [r.entry for r in rows]
    keys_at = _RECENT.keys_at
    if keys_at is None:
        keys_at = _RECENT.keys_at = [_entry_keys(entry) for entry in entries]
    return entries, keys_at


def _refines(before: list[str], after: list[str]) -> bool:
    """True when every row matching the words ``after`` also matches ``before`` (each earlier
    word a subsequence of the word now in its place, words only added)."""
    return len(after) >= len(before) and all(
        _is_subsequence(old, new) for old, new in zip(before, after, strict=False)
    )


@dataclass
class _Recent:
    """The last word match (see :func:`query`): which stories the last words matched."""

    rows: Sequence[LibraryRow] | None = None
    """The rows last asked about (a match is only reused for the same list)."""
    narrow: tuple[list[str], set[int]] | None = None
    """(case-folded words, ids of the entries known not to match them) of the last question
    with words. A match depends on an entry's title, author, fandoms and tags only, never on
    the reader's state, so facets and hidden warnings are applied afresh each time."""
    ranked: dict[tuple[str, ...], list[int]] = field(default_factory=dict)
    """Indexes into ``rows`` in rank order by case-folded words, for questions that left no
    row out."""
    whole: tuple[list[str], list[int], list[float], list[float]] | None = None
    """(case-folded words, ascending indexes into ``rows`` of the rows they matched, their
    totals, their totals before the last word) of the last question that left no row out."""
    entries: list[LibraryEntry] | None = None
    """The entries of ``rows``, in order (made when the filter opens, or at the first
    question with words)."""
    keys_at: list[_EntryKeys] | None = None
    """The :class:`_EntryKeys` of ``entries``, in order."""
    sorted: dict[tuple[str, bool], list[int]] = field(default_factory=dict)
    """Indexes into ``rows`` in (column, reverse) order, for columns of :data:`ENTRY_SORTS`
    and questions that left no row out."""


_RANKED_LIMIT = 64
"""Rankings kept before they are forgotten."""

_RECENT = _Recent()
"""What :func:`query` remembers between keystrokes (the screen asks on its event loop)."""
