"""Finding a saved place again in a chapter whose text changed since it was saved.

Textual-free. A saved place (a :class:`~tui_reader.state.Position` or a bookmark) keeps the
*fingerprint* of the block it points into: :func:`fingerprint` is a short normalised sample of
the block's words, as one line of text::

    1:<words>:<characters>:<first 12 words>:<last 12 words>

Words are casefolded runs of letters and digits (each CJK character one word), so punctuation,
quotes, dashes and spacing (which differ between the HTML, EPUB and TXT of one story) never
count. A block of up to 12 words keeps them all as its head and no tail; up to 24, the rest as
its tail. The line is at most a few hundred characters, small enough for thousands of stories.

:func:`relocate` finds the place again in a chapter's blocks, in order:

1. the block at the saved index still has the fingerprint: the place stands;
2. another block has it exactly (a paragraph was inserted or removed before the place): the
   nearest such block;
3. the head and tail of the saved block are found among the chapter's words, by word pairs
   voting for where the block starts and ends (a reworded paragraph, or paragraphs split or
   merged by another format's paragraphing): the place moves proportionally within that span;
4. nothing matches closely: the saved index clamped to the chapter, flagged *approximate* (the
   reader is told).

A place saved without a fingerprint (an older file) stays where it was, clamped to the chapter.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

from tui_reader.text import has_wide

VERSION = "1"
"""The fingerprint's format; a fingerprint of another version is ignored."""

HEAD = 12
"""Words kept from a block's start."""

TAIL = 12
"""Words kept from a block's end."""

MAX_WORD = 24
"""Characters kept of one word (a long run, such as a URL, is cut)."""

MAX_FINGERPRINT = 1000
"""The longest fingerprint accepted from a file."""

MIN_FUZZY_WORDS = 4
"""Blocks with fewer words are found again only by an exact match (too little to compare)."""

CLOSE = 0.5
"""The share of a head's (or tail's) word pairs that must be found together for a close match."""

WINDOW = 2
"""Words by which votes for one start (or end) may disagree (words inserted or removed)."""

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"


@cache
def _words_pattern() -> re.Pattern[str]:
    """A CJK character alone, or a run of other letters and digits; compiled on first use (its
    character classes take milliseconds to compile, and only text with CJK needs it)."""
    return re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


_PLAIN_WORDS = re.compile(r"\w+")
"""What :func:`_words_pattern` finds in text without CJK (:func:`~tui_reader.text.has_wide`
false): runs of letters and digits."""

_ASCII_WORDS = re.compile(r"[a-z0-9_]+")
"""What :func:`_words_pattern` finds in ASCII text."""


def words(text: str) -> list[tuple[str, int]]:
    """The normalised words of ``text`` (NFKC, casefolded, cut) with where each starts."""
    if text.isascii():  # the common case: casefolding keeps every offset, no NFKC needed
        return [(m.group()[:MAX_WORD], m.start()) for m in _ASCII_WORDS.finditer(text.lower())]
    found = []
    pattern = _words_pattern() if has_wide(text) else _PLAIN_WORDS
    for match in pattern.finditer(text):
        word = unicodedata.normalize("NFKC", match.group()).casefold()
        # a compatibility character may spread into spaces or a colon: the stored form's separators
        word = "".join(word.split()).replace(":", "")[:MAX_WORD]
        if word:
            found.append((word, match.start()))
    return found


class Fingerprint(NamedTuple):
    """What a block's fingerprint holds."""

    words: int
    """The block's word count."""
    chars: int
    """The block's length in characters (to move an offset proportionally)."""
    head: tuple[str, ...]
    """Its first words (up to :data:`HEAD`)."""
    tail: tuple[str, ...]
    """Its last words after the head (up to :data:`TAIL`)."""

    @classmethod
    def of(cls, text: str) -> Fingerprint:
        """The fingerprint of a block's ``text``."""
        return cls._of([w for w, _ in words(text)], len(text))

    @classmethod
    def _of(cls, tokens: Sequence[str], chars: int) -> Fingerprint:
        """The fingerprint of a block of ``tokens`` and ``chars`` characters."""
        head = tuple(tokens[:HEAD])
        tail = tuple(tokens[max(HEAD, len(tokens) - TAIL) :])
        return cls(len(tokens), chars, head, tail)

    def text(self) -> str:
        """The stored form: one line."""
        return ":".join(
            (VERSION, str(self.words), str(self.chars), " ".join(self.head), " ".join(self.tail))
        )

    @classmethod
    def parse(cls, text: str | None) -> Fingerprint | None:
        """The fingerprint stored as ``text``; None when absent, of another version or damaged."""
        if not text or len(text) > MAX_FINGERPRINT:
            return None
        parts = text.split(":")
        if len(parts) != 5 or parts[0] != VERSION:
            return None
        _, count, chars, head, tail = parts
        if not (count.isdecimal() and chars.isdecimal()):
            return None
        head_words, tail_words = tuple(head.split()), tuple(tail.split())
        number = int(count)
        if (
            len(head_words) > HEAD
            or len(tail_words) > TAIL
            or number < len(head_words) + len(tail_words)
        ):
            return None
        return cls(number, int(chars), head_words, tail_words)

    def same_words(self, other: Fingerprint) -> bool:
        """True when both blocks have the same words (spacing and punctuation aside)."""
        return (self.words, self.head, self.tail) == (other.words, other.head, other.tail)


def fingerprint(text: str) -> str:
    """The stored fingerprint of a block's ``text``."""
    return Fingerprint.of(text).text()


class Relocated(NamedTuple):
    """Where a saved place is in the chapter's current text."""

    paragraph: int
    """Block index in the chapter."""
    offset: int
    """Character offset in that block."""
    how: str
    """"same" (the block still matches), "moved" (found exactly elsewhere), "similar" (found
    by its words), "unchecked" (no fingerprint was saved) or "approximate" (no close match)."""

    @property
    def approximate(self) -> bool:
        """True when no block matched closely: the place is a guess the reader should hear of."""
        return self.how == "approximate"


def _scaled(offset: int, old_chars: int, text: str) -> int:
    """``offset`` in a block of ``old_chars`` characters moved proportionally into ``text``."""
    if offset <= 0:
        return 0
    if offset > old_chars:
        return len(text) + 1  # past the block's end (the chapter's end marker)
    if old_chars == len(text):
        return offset
    return min(len(text), round(offset * len(text) / max(1, old_chars)))


def _votes(
    grams: dict[tuple[str, ...], list[int]], sample: Sequence[str], size: int, shift: int
) -> Counter[int]:
    """Votes for where ``sample`` stands in the stream: each of its word runs of ``size`` found
    at stream index q votes for q - (its index in the sample) + ``shift``."""
    votes: Counter[int] = Counter()
    for j in range(len(sample) - size + 1):
        for q in grams.get(tuple(sample[j : j + size]), ()):
            votes[q - j + shift] += 1
    return votes


def _around(votes: Counter[int], place: int) -> int:
    """The votes for ``place`` and the places within :data:`WINDOW` words of it."""
    return sum(votes.get(place + d, 0) for d in range(-WINDOW, WINDOW + 1))


def _best(votes: Counter[int], near: int) -> tuple[int, int]:
    """The most voted place (votes within :data:`WINDOW` words counted together; ties go to
    the one nearest ``near``) and its votes."""
    if not votes:
        return near, 0
    keys = {place: (_around(votes, place), own, -abs(place - near)) for place, own in votes.items()}
    chosen = max(keys, key=keys.__getitem__)
    return chosen, keys[chosen][0]


def relocate(texts: Sequence[str], paragraph: int, offset: int, saved: str | None) -> Relocated:
    """Find the place (``paragraph``, ``offset``) saved with the fingerprint ``saved`` among a
    chapter's block ``texts`` as they are now (see the module's description)."""
    count = len(texts)
    if count == 0:
        return Relocated(0, 0, "unchecked" if saved is None else "approximate")
    clamped = min(max(paragraph, 0), count - 1)
    near_offset = offset if paragraph < count else 0
    mark = Fingerprint.parse(saved)
    if mark is None:
        return Relocated(clamped, near_offset, "unchecked")
    if paragraph < count and Fingerprint.of(texts[paragraph]).same_words(mark):
        return Relocated(paragraph, _scaled(offset, mark.chars, texts[paragraph]), "same")
    block_words = [words(t) for t in texts]
    prints = [
        Fingerprint._of([w for w, _ in bw], len(t))
        for bw, t in zip(block_words, texts, strict=True)
    ]
    # 1. and 2.: the block itself, else the nearest block with the same words
    exact = [i for i, p in enumerate(prints) if p.same_words(mark)]
    if exact:
        index = min(exact, key=lambda i: (abs(i - paragraph), i))
        how = "same" if index == paragraph else "moved"
        return Relocated(index, _scaled(offset, mark.chars, texts[index]), how)
    if mark.words < MIN_FUZZY_WORDS:
        return Relocated(clamped, near_offset, "approximate")
    # 3. word pairs of the head and the tail vote for where the saved block starts and ends
    stream: list[str] = []
    owner: list[tuple[int, int]] = []  # (block, character offset) of each word in the stream
    first: list[int] = []  # stream index of each block's first word
    for index, bw in enumerate(block_words):
        first.append(len(stream))
        for word, start in bw:
            stream.append(word)
            owner.append((index, start))
    if not stream:
        return Relocated(clamped, near_offset, "approximate")
    grams: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for q in range(len(stream) - 1):
        grams[(stream[q], stream[q + 1])].append(q)
    expected = first[clamped]
    head, tail = mark.head, mark.tail
    start, head_votes = _best(_votes(grams, head, 2, 0), expected)
    end, tail_votes = _best(_votes(grams, tail, 2, len(tail)), expected + mark.words)
    head_ok = head_votes >= CLOSE * (len(head) - 1)
    tail_ok = len(tail) >= MIN_FUZZY_WORDS and tail_votes >= CLOSE * (len(tail) - 1)
    if head_ok and tail_ok and not 0 < end - start <= 3 * mark.words + 10:
        # the head and the tail were found far apart: trust the surer one
        if head_votes / (len(head) - 1) >= tail_votes / (len(tail) - 1):
            tail_ok = False
        else:
            head_ok = False
    if head_ok and not tail_ok:
        end = start + mark.words
    elif tail_ok and not head_ok:
        start = end - mark.words
    elif not head_ok:
        return Relocated(clamped, near_offset, "approximate")
    start = max(0, min(start, len(stream) - 1))
    end = max(start + 1, min(end, len(stream)))
    if offset > mark.chars:  # past the saved block's end
        block = owner[end - 1][0]
        return Relocated(block, len(texts[block]) + 1, "similar")
    share = offset / max(1, mark.chars)
    at = min(end - 1, start + int(share * (end - start)))
    block, char = owner[at]
    # within a couple of words of the block's start (a word added in front): the start
    return Relocated(block, 0 if at - first[block] <= WINDOW else char, "similar")
