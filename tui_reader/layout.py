"""Display layout: a story's chapters as display items, wrapped into lines by display cells.

Textual-free. :func:`chapter_items` (or :func:`work_items` for the whole work) turns chapters
into :class:`Item` objects (paragraphs, scene breaks, notes, titles, an end marker);
:func:`wrap_items` wraps them into :class:`Line` objects for a column ``width`` cells wide.
Every line knows the item it comes from and the character offset of its start inside that
item's text, so an anchor (item, offset) maps to a line and back (:func:`line_for_anchor`).

Widths are display cells (:func:`rich.cells.cell_len`): CJK and emoji count two, and a line
may break between any two wide characters. Wrapped paragraphs are cached by (text, width).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import chain
from typing import Literal, NamedTuple

from rich.cells import cell_len, get_character_cell_size

from tui_reader.config import NoteMode
from tui_reader.model import Story
from tui_reader.text import count_words

ItemKind = Literal[
    "paragraph", "scene_break", "epigraph", "heading", "note", "chapter_title", "end"
]
"""What a display item is."""


def note_mode(preference: str | None, folded: bool | None) -> NoteMode:
    """The one rule for how a note shows.

    ``preference`` is the "notes" preference (an unknown value counts as "folded"); ``folded``
    is the reader's own fold for this note (None when never folded or unfolded). A "hidden"
    preference hides every note; otherwise the reader's fold wins over the preference.
    """
    if preference == "hidden":
        return "hidden"
    if folded is not None:
        return "folded" if folded else "unfolded"
    return "unfolded" if preference == "unfolded" else "folded"


SCENE_BREAK = "⁂"
"""What a scene break shows, centred."""

PLAIN_SCENE_BREAK = "[scene break]"
"""What a scene break shows in plain mode (whatever mark the story drew)."""

NOTE_LABELS: dict[tuple[str, bool], str] = {
    ("folded", False): "▶ ",
    ("unfolded", False): "▼ ",
    ("folded", True): "[note folded] ",
    ("unfolded", True): "[note unfolded] ",
}
"""(note mode, plain) → what comes before a note's label."""

EPIGRAPH_INDENT = 4
"""Cells an epigraph is indented on each side."""

NOTE_INDENT = 2
"""Cells an unfolded note's text is indented."""


class Item(NamedTuple):
    """One display item: a paragraph, a scene break, a note, a chapter title or an end marker."""

    kind: ItemKind
    """What the item is."""
    text: str
    """The item's plain text (the block's text, the note's text, the title, the end message)."""
    chapter: int
    """0-based index of the chapter the item belongs to."""
    block: int | None = None
    """Index into ``chapter.blocks`` for body blocks; None for notes, titles and end markers."""
    note_key: str | None = None
    """For a note: its fold key ("story-before-0", "ch3-before-0", "ch3-after-1")."""
    attribution: str | None = None
    """For an epigraph: its attribution, without the dash."""
    label: str | None = None
    """For a note: its label ("Author's note · 212 words")."""


class Line(NamedTuple):
    """One wrapped display line."""

    text: str
    """The line's text (plain, no markup), without its indent."""
    role: str
    """How to style it: body, scene-break, epigraph, attribution, heading, title, note-label,
    note, end or blank."""
    item: int
    """Index of the item in the items list the line comes from."""
    offset: int
    """Character offset of the line's start inside the item's text."""
    indent: int = 0
    """Cells of space before the text inside the reading column."""


def note_label(kind: str, text: str) -> str:
    """ "Author's note · 212 words" for a note of ``kind`` ("Author's note", "End note"...)."""
    words = count_words(text)
    return f"{kind} · {words} word{'s' if words != 1 else ''}"


def _end_text(story: Story, index: int) -> str:
    """The end-of-chapter marker for chapter ``index``."""
    chapters = story.chapters
    chapter = chapters[index]
    if index + 1 < len(chapters):
        return f"End of Chapter {chapter.number} · Next: {chapters[index + 1].display_title}"
    total = story.chapters_total
    if total is not None and total > len(chapters):
        return f"End of the story so far — {len(chapters)} of {total} chapters"
    if total is None and story.in_progress:
        count = len(chapters)
        return f"End of the story so far — {count} chapter{'' if count == 1 else 's'}, more to come"
    return "The End"


NotePart = Literal["opening", "before", "after"]
"""Where a chapter's notes stand: before its title, after its title, after its body."""


def _note_items(story: Story, chapter_index: int, part: NotePart) -> list[Item]:
    """The foldable notes of one part of a chapter.

    "opening": the story's own notes before the first chapter's title (chapter 0 only);
    "before": the chapter's summary and its notes before; "after": its notes after, then the
    story's own notes after (last chapter only).
    """
    chapter = story.chapters[chapter_index]
    n = chapter_index + 1
    items: list[Item] = []

    def note(key: str, kind: str, text: str) -> None:
        items.append(Item("note", text, chapter_index, note_key=key, label=note_label(kind, text)))

    if part == "opening" and chapter_index == 0:
        befores = [x for x in story.notes if x.position == "before"]
        for i, story_note in enumerate(befores):
            note(f"story-before-{i}", "Author's note", story_note.text)
    elif part == "before":
        if chapter.summary:
            note(f"ch{n}-summary", "Chapter summary", chapter.summary)
        for i, text in enumerate(chapter.notes_before):
            note(f"ch{n}-before-{i}", "Chapter note", text)
    elif part == "after":
        for i, text in enumerate(chapter.notes_after):
            note(f"ch{n}-after-{i}", "End note", text)
        if chapter_index == len(story.chapters) - 1:
            afters = [x for x in story.notes if x.position == "after"]
            for i, story_note in enumerate(afters):
                note(f"story-after-{i}", "Author's note", story_note.text)
    return items


def note_keys(story: Story) -> list[str]:
    """The fold key of every note in the story (from its metadata: no body is parsed)."""
    parts: tuple[NotePart, ...] = ("opening", "before", "after")
    return [
        item.note_key or ""
        for index in range(len(story.chapters))
        for part in parts
        for item in _note_items(story, index, part)
    ]


def chapter_items(
    story: Story, chapter_index: int, *, end: bool = True, body: bool = True
) -> list[Item]:
    """The display items of one chapter, in reading order.

    Story "before" notes open chapter 0; then the chapter title, the chapter's summary (a
    foldable note like the others), the chapter's notes before,
    its blocks, its notes after; story "after" notes close the last chapter; then the end
    marker (unless ``end`` is False). Notes are always items: :func:`wrap_items` gives hidden
    ones no lines. With ``body`` False only the heading is given (everything up to the
    chapter's notes before) and the chapter's body is not parsed.
    """
    chapter = story.chapters[chapter_index]
    items = _note_items(story, chapter_index, "opening")
    items.append(Item("chapter_title", chapter.display_title, chapter_index))
    items.extend(_note_items(story, chapter_index, "before"))
    if not body:
        return items
    for b, block in enumerate(chapter.blocks):
        items.append(
            Item(block.kind, block.text, chapter_index, block=b, attribution=block.attribution)
        )
    items.extend(_note_items(story, chapter_index, "after"))
    if end:
        items.append(Item("end", _end_text(story, chapter_index), chapter_index))
    return items


def work_items(story: Story, limit: int | None = None) -> list[Item]:
    """The items of chapters [0, limit) (all when None) concatenated, for the whole-work view.

    One end marker, after the last chapter included.
    """
    count = len(story.chapters) if limit is None else limit
    items: list[Item] = []
    for index in range(count):
        items.extend(chapter_items(story, index, end=index == count - 1))
    return items


# --- wrapping ---------------------------------------------------------------------------------


def _is_wide(ch: str) -> bool:
    """True for a character that takes two cells (CJK, most emoji)."""
    return get_character_cell_size(ch) == 2


def _wrap_ascii(text: str, start: int, end: int, width: int, out: list[tuple[int, int]]) -> None:
    """Greedy-wrap the ASCII run ``text[start:end]`` (no newlines) into spans."""
    pos = start
    while pos < end and text[pos] == " ":
        pos += 1
    while end - pos > width:
        cut = text.rfind(" ", pos, pos + width + 1)
        if cut <= pos:
            out.append((pos, pos + width))
            pos += width
        else:
            stop = cut
            while stop > pos and text[stop - 1] == " ":
                stop -= 1
            out.append((pos, stop))
            pos = cut + 1
        while pos < end and text[pos] == " ":
            pos += 1
    if pos < end:
        stop = end
        while stop > pos and text[stop - 1] == " ":
            stop -= 1
        out.append((pos, stop))


NO_LINE_START = frozenset("。、，．！？）」』】〉》〕｝…‥・：；ー,.!?:;)]}")
"""Punctuation that never starts a line (it stays with what it follows)."""


def _tokens(text: str, start: int, end: int) -> list[tuple[int, int, int, bool]]:
    """Split ``text[start:end]`` into (start, end, cells, is_space) tokens.

    Runs of spaces, runs of narrow non-space characters (words), and each wide character on
    its own (a line may break before or after any wide character) — except that closing
    punctuation (:data:`NO_LINE_START`) stays with the token before it.
    """
    tokens: list[tuple[int, int, int, bool]] = []
    i = start
    while i < end:
        ch = text[i]
        if ch in NO_LINE_START and tokens and not tokens[-1][3] and tokens[-1][1] == i:
            s, _, cells, _ = tokens[-1]
            tokens[-1] = (s, i + 1, cells + get_character_cell_size(ch), False)
            i += 1
            continue
        if ch.isspace():
            j = i + 1
            while j < end and text[j].isspace():
                j += 1
            tokens.append((i, j, j - i, True))
            i = j
            continue
        size = get_character_cell_size(ch)
        if size == 2:
            tokens.append((i, i + 1, 2, False))
            i += 1
            continue
        j = i + 1
        cells = size
        while j < end:
            c = text[j]
            if c.isspace():
                break
            s = get_character_cell_size(c)
            if s == 2:
                break
            cells += s
            j += 1
        tokens.append((i, j, cells, False))
        i = j
    return tokens


def _hard_break(
    text: str, start: int, end: int, width: int, out: list[tuple[int, int]]
) -> tuple[int, int]:
    """Break one over-long word into full lines; return the (start, cells) of the remainder."""
    line_start = start
    cells = 0
    for i in range(start, end):
        size = get_character_cell_size(text[i])
        if cells + size > width and i > line_start:
            out.append((line_start, i))
            line_start = i
            cells = 0
        cells += size
    return line_start, cells


def _wrap_general(text: str, start: int, end: int, width: int, out: list[tuple[int, int]]) -> None:
    """Greedy-wrap any run ``text[start:end]`` (no newlines) by display cells into spans."""
    line_start = -1
    line_end = -1
    cells = 0
    pending = 0
    for tok_start, tok_end, tok_cells, is_space in _tokens(text, start, end):
        if is_space:
            if line_start >= 0:
                pending += tok_cells
            continue
        if line_start >= 0 and cells + pending + tok_cells <= width:
            cells += pending + tok_cells
            line_end = tok_end
            pending = 0
            continue
        if line_start >= 0:
            out.append((line_start, line_end))
        pending = 0
        if tok_cells > width:
            line_start, cells = _hard_break(text, tok_start, tok_end, width, out)
        else:
            line_start, cells = tok_start, tok_cells
        line_end = tok_end
    if line_start >= 0:
        out.append((line_start, line_end))


SINGLE_CELLS = (
    "[\n -~\u00a1-\u00ac\u00ae-\u02ff\u0370-\u0377\u037a-\u037f\u0384-\u038a\u038c"
    "\u038e-\u03a1\u03a3-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e]*"
)
"""Texts made only of characters one cell wide that are not spaces (besides " " and newlines):
printable ASCII, Latin, Greek, Cyrillic, dashes, quotes and the other general punctuation. Such a
text wraps as ASCII does (each character one cell, a break only at " ")."""


@lru_cache(maxsize=1)
def _single_cells() -> Callable[[str], object]:
    """Matches a whole text of :data:`SINGLE_CELLS` (compiled when first needed: its class spans
    hundreds of code points, ~2 M instructions to compile)."""
    return re.compile(SINGLE_CELLS).fullmatch


@lru_cache(maxsize=1)
def _common_single_cells() -> frozenset[str]:
    """The non-ASCII characters of :data:`SINGLE_CELLS` most story text has: Latin-1's letters
    and signs (U+00A1-U+00FF but the soft hyphen) and the general punctuation (U+2010-U+2027,
    U+2030-U+205E: dashes, curly quotes, ellipses). A set of them is quick to make (its ~170
    characters), unlike the pattern."""
    ranges = ((0xA1, 0xAC), (0xAE, 0xFF), (0x2010, 0x2027), (0x2030, 0x205E))
    return frozenset(chain.from_iterable(map(chr, range(a, b + 1)) for a, b in ranges))


_ASCII_SINGLE_CELLS = b"\n" + bytes(range(0x20, 0x7F))
"""The ASCII characters of :data:`SINGLE_CELLS`, as bytes."""

FEW_OTHER_BYTES = 64
"""At most this many bytes of UTF-8 that are not :data:`_ASCII_SINGLE_CELLS` are looked up one
by one in :func:`_common_single_cells`; more (text mostly Greek or Cyrillic, say) go straight to
the :data:`SINGLE_CELLS` pattern (faster per character, dearer to make)."""


def single_cells(text: str) -> bool:
    """True when ``text`` is made of :data:`SINGLE_CELLS` characters only.

    The ASCII ones are dropped from the text's UTF-8 in one C-level pass; when what is left (in
    a story's text, its curly quotes, dashes and accented letters) is all common characters
    (:func:`_common_single_cells`) the answer is yes with no pattern compiled; anything else is
    matched against the pattern. A lone surrogate is kept as its three bytes (and is no
    single-cell character).
    """
    if text.isascii():
        return text.isprintable() or text.replace("\n", "").isprintable()
    rest = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_SINGLE_CELLS)
    if len(rest) <= FEW_OTHER_BYTES and _common_single_cells().issuperset(
        rest.decode("utf-8", "surrogatepass")
    ):
        return True
    return _single_cells()(text) is not None


@lru_cache(maxsize=65536)
def wrap_text(text: str, width: int) -> tuple[tuple[int, int], ...]:
    """Wrap ``text`` into ``width`` cells: the (start, end) span of each line in ``text``.

    Newlines are hard breaks; spaces at a break are dropped; words longer than the width are
    broken; wide (CJK) characters may break anywhere. An empty text gives one empty span.
    """
    width = max(1, width)
    out: list[tuple[int, int]] = []
    simple = "\t" not in text and (text.isascii() or single_cells(text))
    start = 0
    length = len(text)
    while True:
        nl = text.find("\n", start)
        stop = length if nl < 0 else nl
        before = len(out)
        if simple:  # (curly quotes and dashes too: the common case, fast)
            _wrap_ascii(text, start, stop, width, out)
        else:
            _wrap_general(text, start, stop, width, out)
        if len(out) == before and (nl >= 0 or before == 0):
            out.append((start, start))
        if nl < 0:
            break
        start = nl + 1
    return tuple(out)


def _centre(text: str, width: int) -> int:
    """The indent that centres ``text`` in ``width`` cells."""
    return max(0, (width - cell_len(text)) // 2)


def wrap_items(
    items: Sequence[Item],
    width: int,
    note_mode: Callable[[str], str] | None = None,
    *,
    plain: bool = False,
) -> list[Line]:
    """Wrap ``items`` into display lines for a column ``width`` cells wide.

    Paragraphs are wrapped greedily with a blank line after each item; scene breaks and end
    markers are centred; epigraphs are indented with their attribution right-aligned; a note
    is one "▶ label" line when folded, a "▼ label" line and its indented text when unfolded,
    and nothing when hidden (``note_mode(note_key)``; folded when not given).

    ``plain`` (plain mode) centres nothing, writes scene breaks as "[scene break]" and notes'
    states in words ("[note folded] label").
    """
    width = max(8, width)
    centre = (lambda text, width: 0) if plain else _centre
    lines: list[Line] = []
    append = lines.append
    # (a paragraph's lines, most of them, are made as Line's own __new__ makes them, without
    # the Python-level call: the same tuples)
    new = tuple.__new__
    for index, item in enumerate(items):
        kind = item.kind
        text = item.text
        if kind == "paragraph" or kind == "heading":
            role = "body" if kind == "paragraph" else "heading"
            for s, e in wrap_text(text, width):
                append(new(Line, (text[s:e], role, index, s, 0)))
        elif kind == "scene_break":
            mark = PLAIN_SCENE_BREAK if plain else text.strip() or SCENE_BREAK
            if cell_len(mark) > width:
                mark = "[break]" if plain else SCENE_BREAK
            append(Line(mark, "scene-break", index, 0, centre(mark, width)))
        elif kind == "epigraph":
            inner = max(8, width - 2 * EPIGRAPH_INDENT)
            for s, e in wrap_text(text, inner):
                append(Line(text[s:e], "epigraph", index, s, EPIGRAPH_INDENT))
            if item.attribution:
                attribution = f"— {item.attribution}"
                for s, e in wrap_text(attribution, inner):
                    part = attribution[s:e]
                    indent = max(0, width - EPIGRAPH_INDENT - cell_len(part))
                    append(Line(part, "attribution", index, len(text), indent))
        elif kind == "note":
            mode = note_mode(item.note_key or "") if note_mode is not None else "folded"
            if mode == "hidden":
                continue
            label = item.label or "Author's note"
            folded = mode == "folded"
            marked = NOTE_LABELS["folded" if folded else "unfolded", plain] + label
            append(Line(marked, "note-label", index, 0))
            if not folded:
                for s, e in wrap_text(text, max(8, width - NOTE_INDENT)):
                    append(Line(text[s:e], "note", index, s, NOTE_INDENT))
        elif kind == "chapter_title":
            for s, e in wrap_text(text, width):
                part = text[s:e]
                append(Line(part, "title", index, s, centre(part, width)))
        else:  # end
            for s, e in wrap_text(text, width):
                part = text[s:e]
                append(Line(part, "end", index, s, centre(part, width)))
        append(new(Line, ("", "blank", index, len(text) + 1, 0)))
    return lines


def line_keys(lines: Sequence[Line]) -> list[tuple[int, int]]:
    """The (item, offset) key of every line, in order (for :func:`line_for_anchor`)."""
    return [(line.item, line.offset) for line in lines]


def line_for_anchor(keys: Sequence[tuple[int, int]], item: int, offset: int) -> int:
    """The index of the line showing character ``offset`` of ``item``.

    The last line whose (item, offset) is at or before the anchor; of several lines with that
    same key, the first. 0 when the anchor is before every line.
    """
    if not keys:
        return 0
    i = bisect_right(keys, (item, offset)) - 1
    if i < 0:
        return 0
    key = keys[i]
    while i > 0 and keys[i - 1] == key:
        i -= 1
    return i


def find_matches(text: str, query: str) -> list[tuple[int, int]]:
    """Case- and accent-insensitive (start, end) spans of ``query`` in ``text``.

    Any run of whitespace in the query matches any run of whitespace (a newline included), so
    a phrase is found wherever the text breaks. A letter matches itself with or without accents
    ("cafe" finds "café", "Zoe" finds "Zoë", written precomposed or with combining marks, and
    "café" finds "cafe"), and a straight quote or apostrophe matches the typographic ones
    ("don't" finds "don’t"), as a reader types them on a keyboard.
    """
    return [(m.start(), m.end()) for m in search_pattern(query).finditer(text)]


@lru_cache(maxsize=32)
def search_pattern(query: str) -> re.Pattern[str]:
    """The compiled pattern :func:`find_matches` looks for (one that matches nothing when the
    query has no words)."""
    import unicodedata  # (only a search needs it)

    words = unicodedata.normalize("NFC", query).split()
    if not words:
        return re.compile(r"(?!)")
    pattern = r"\s+".join("".join(_char_pattern(ch) for ch in word) for word in words)
    return re.compile(pattern)  # (each letter's pattern holds both cases: faster than IGNORECASE)


_QUOTES = {"'": "'’‘ʼ′", '"': '"“”″'}
"""Straight quotes and the typographic ones: any of a group finds any other in a search."""

_MARKS = "[\u0300-\u036f]*"
"""Combining accents that may follow a letter (text written in decomposed form)."""


def _char_pattern(ch: str) -> str:
    """The pattern for one character of a search: itself, its accented forms and any combining
    accents after it for a letter; the typographic forms of a quote."""
    base = _base_letter(ch)
    variants = _accented().get(base.lower())
    if variants is not None:
        return f"[{re.escape(base.lower() + base.upper() + variants)}]{_MARKS}"
    for quotes in _QUOTES.values():
        if ch in quotes:
            return f"[{re.escape(quotes)}]"
    cases = {ch, ch.lower(), ch.upper()}
    if len(cases) > 1 and all(len(c) == 1 for c in cases):
        return f"[{re.escape(''.join(sorted(cases)))}]"  # (a letter of another script)
    return re.escape(ch)


def _base_letter(ch: str) -> str:
    """``ch`` without its accents when it is a Latin letter with them ("é" → "e"), else ``ch``."""
    import unicodedata  # (only a search needs it)

    decomposed = unicodedata.normalize("NFD", ch)
    if len(decomposed) > 1 and decomposed[0].isascii() and decomposed[0].isalpha():
        return decomposed[0]
    return ch


@lru_cache(maxsize=1)
def _accented() -> dict[str, str]:
    """Every accented Latin letter (Latin-1 Supplement to Latin Extended-B, and Latin
    Extended Additional), by its plain lower-case letter: {"e": "éèêëÉÈÊË…", …}."""
    variants: dict[str, list[str]] = {chr(c): [] for c in range(ord("a"), ord("z") + 1)}
    for code in chain(range(0xC0, 0x250), range(0x1E00, 0x1F00)):
        ch = chr(code)
        base = _base_letter(ch)
        if base != ch:
            variants[base.lower()].append(ch)
    return {letter: "".join(chars) for letter, chars in variants.items()}


Match = tuple[int, int, int, int]
"""A search match in a story: (chapter, slot, start, end). The slot is the block's index for
the chapter's body; a note shown before the body (the story's opening notes, the chapter's
summary and notes before) has a slot below 0 (-1 the last of them), a note after it (its end
notes, the story's closing notes) a slot from the number of blocks on, so matches sort in
reading order (:func:`match_note`)."""


def _searched_notes(story: Story, chapter_index: int) -> tuple[list[Item], list[Item]]:
    """The notes shown before chapter ``chapter_index``'s body and after it, in reading order."""
    before = _note_items(story, chapter_index, "opening")
    before.extend(_note_items(story, chapter_index, "before"))
    return before, _note_items(story, chapter_index, "after")


def search_story(story: Story, query: str, *, notes: bool = True) -> list[Match]:
    """Every match of ``query`` (as :func:`find_matches`) in the story's blocks and, with
    ``notes`` (not when the reader hides every note), its notes (the author's notes, summaries
    and end notes, folded or not), in reading order."""
    matches: list[Match] = []
    for c, chapter in enumerate(story.chapters):
        before, after = _searched_notes(story, c) if notes else ([], [])
        blocks = chapter.blocks
        texts = [
            *((k - len(before), item.text) for k, item in enumerate(before)),
            *((b, block.text) for b, block in enumerate(blocks)),
            *((len(blocks) + k, item.text) for k, item in enumerate(after)),
        ]
        for slot, text in texts:
            for start, end in find_matches(text, query):
                matches.append((c, slot, start, end))
    return matches


def match_note(story: Story, chapter_index: int, slot: int) -> str | None:
    """The fold key of the note a match's ``slot`` names in chapter ``chapter_index``; None
    for a block of the body (or a slot that names nothing)."""
    count = len(story.chapters[chapter_index].blocks)
    if 0 <= slot < count:
        return None
    before, after = _searched_notes(story, chapter_index)
    if slot < 0:
        return before[slot].note_key if -slot <= len(before) else None
    k = slot - count
    return after[k].note_key if k < len(after) else None
