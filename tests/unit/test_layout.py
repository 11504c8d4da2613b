"""Layout: display items of a chapter and wrapping by display cells."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from tui_reader import layout
from tui_reader.layout import (
    chapter_items,
    find_matches,
    line_for_anchor,
    line_keys,
    note_keys,
    search_story,
    work_items,
    wrap_items,
    wrap_text,
)
from tui_reader.model import Block, Chapter, Note, Source, Story
from tui_reader.text import shorten

WORDS = ["kettle", "orchard", "lamplight", "gravel", "sparrow", "ferry", "quiet", "harbour"]


def make_story(chapters: int = 3, total: int | None = None) -> Story:
    """A small original story with notes on chapter 1 and story notes."""
    rng = random.Random(7)
    chs = []
    for n in range(1, chapters + 1):
        ch = Chapter(
            n,
            f"Title {n}",
            100,
            notes_before=["A short note before."] if n == 1 else [],
            notes_after=["Thanks for reading, truly."] if n == 1 else [],
        )
        ch.blocks = [
            Block("paragraph", " ".join(rng.choice(WORDS) for _ in range(40))),
            Block("scene_break", ""),
            Block("epigraph", "Rivers remember every stone.", attribution="Old Ferryman"),
            Block("paragraph", f"Last paragraph of chapter {n}."),
        ]
        chs.append(ch)
    return Story(
        "Sample",
        Source("s.md", "markdown"),
        chapters=chs,
        chapters_total=total,
        notes=[Note("before", "Welcome, reader."), Note("after", "Goodbye for now.")],
    )


def test_chapter_items_order_and_keys() -> None:
    story = make_story()
    items = chapter_items(story, 0)
    kinds = [i.kind for i in items]
    assert kinds == [
        "note",
        "chapter_title",
        "note",
        "paragraph",
        "scene_break",
        "epigraph",
        "paragraph",
        "note",
        "end",
    ]
    assert [i.note_key for i in items if i.kind == "note"] == [
        "story-before-0",
        "ch1-before-0",
        "ch1-after-0",
    ]
    assert items[0].label == "Author's note · 2 words"
    assert items[-1].text == "End of Chapter 1 · Next: Chapter 2: Title 2"
    last = chapter_items(story, 2)
    assert last[-2].note_key == "story-after-0"
    assert last[-1].text == "The End"
    assert chapter_items(make_story(3, 10), 2)[-1].text == (
        "End of the story so far — 3 of 10 chapters"
    )


def test_work_items_concatenate_with_one_end() -> None:
    story = make_story()
    items = work_items(story)
    assert [i.text for i in items if i.kind == "chapter_title"] == [
        "Chapter 1: Title 1",
        "Chapter 2: Title 2",
        "Chapter 3: Title 3",
    ]
    assert [i.kind for i in items].count("end") == 1


def test_work_items_up_to_a_limit_end_after_the_last_chapter_shown() -> None:
    items = work_items(make_story(), 2)
    assert [i.text for i in items if i.kind == "chapter_title"] == [
        "Chapter 1: Title 1",
        "Chapter 2: Title 2",
    ]
    assert items[-1].kind == "end"
    assert items[-1].text.startswith("End of Chapter 2 · Next: Chapter 3: Title 3")
    assert [i.kind for i in items].count("end") == 1


def _check(text: str, width: int) -> None:
    spans = wrap_text(text, width)
    pos = 0
    for s, e in spans:
        assert cell_len(text[s:e]) <= width
        assert s >= pos
        assert text[pos:s].strip() == ""  # only whitespace dropped between lines
        pos = e
    assert text[pos:].strip() == ""
    joined = "".join(text[s:e] for s, e in spans)
    assert "".join(joined.split()) == "".join(text.split())


@pytest.mark.parametrize("width", [8, 13, 40, 72])
def test_wrap_widths_and_order(width: int) -> None:
    text = " ".join(WORDS * 20) + " " + "x" * 100 + " end"
    _check(text, width)
    cjk = "雨の日に、古い港で小さな灯りを見つけた。" * 10 + " mixed 中文 words 😀😀 ok"
    _check(cjk, width)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab cd\n漢字😀é\u0301")), max_size=200),
    st.integers(min_value=2, max_value=30),
)
def test_wrap_property(text: str, width: int) -> None:
    _check(text, width)


def test_cjk_breaks_between_characters() -> None:
    spans = wrap_text("漢字漢字漢字", 5)
    assert [e - s for s, e in spans] == [2, 2, 2]


def test_closing_punctuation_never_starts_a_line() -> None:
    text = "灯子は言った。天文台は小さかった、とても。"
    for width in range(4, 30):
        for start, _end in wrap_text(text, width):
            assert text[start] not in "。、"


def test_long_word_is_hard_broken() -> None:
    spans = wrap_text("a" * 25, 10)
    assert [e - s for s, e in spans] == [10, 10, 5]


def test_wrap_lines_roles_and_width() -> None:
    story = make_story()
    items = chapter_items(story, 0)
    lines = wrap_items(items, 30)
    for line in lines:
        assert line.indent + cell_len(line.text) <= 30
    roles = {line.role for line in lines}
    assert {"body", "scene-break", "epigraph", "attribution", "note-label", "end", "title"} <= roles
    scene = next(line for line in lines if line.role == "scene-break")
    assert scene.text == "⁂" and scene.indent == 14
    attribution = next(line for line in lines if line.role == "attribution")
    assert attribution.text == "— Old Ferryman"
    assert attribution.indent + cell_len(attribution.text) == 30 - 4


def test_notes_folded_unfolded_hidden() -> None:
    items = chapter_items(make_story(), 0)
    folded = wrap_items(items, 40, lambda key: "folded")
    labels = [line.text for line in folded if line.role == "note-label"]
    assert labels == [
        "▶ Author's note · 2 words",
        "▶ Chapter note · 4 words",
        "▶ End note · 4 words",
    ]
    assert not any(line.role == "note" for line in folded)
    unfolded = wrap_items(items, 40, lambda key: "unfolded")
    assert "▼ Author's note · 2 words" in [line.text for line in unfolded]
    assert "Welcome, reader." in [line.text for line in unfolded if line.role == "note"]
    hidden = wrap_items(items, 40, lambda key: "hidden" if key.startswith("ch1") else "folded")
    texts = [line.text for line in hidden]
    assert "▶ Author's note · 2 words" in texts
    assert not any("Chapter note" in t or "End note" in t for t in texts)


def test_anchor_round_trip() -> None:
    items = work_items(make_story())
    for width in (20, 45, 72):
        lines = wrap_items(items, width, lambda key: "unfolded")
        keys = line_keys(lines)
        for index, line in enumerate(lines):
            found = line_for_anchor(keys, line.item, line.offset)
            assert keys[found] == (line.item, line.offset)
            assert found <= index
        # an offset in the middle of a paragraph maps to the line containing it
        para = next(i for i, it in enumerate(items) if it.kind == "paragraph")
        target = len(items[para].text) // 2
        found = lines[line_for_anchor(keys, para, target)]
        assert found.item == para
        assert found.offset <= target < found.offset + len(found.text) + 1


def test_find_matches_across_whitespace() -> None:
    text = "She crossed the\nold bridge, then the OLD   Bridge again."
    assert find_matches(text, "old bridge") == [(16, 26), (37, 49)]
    assert find_matches(text, "  ") == []
    assert find_matches("a[bold]b", "[bold]") == [(1, 7)]


def test_find_matches_as_a_reader_types() -> None:
    """Accents and typographic quotes: a reader types "cafe" and "don't" on a keyboard."""
    text = "Zoë ordered at the café. “Don’t,” she said; Cafe\u0301 was NAÏVE. ΣΟΦΊΑ"

    def found(query: str) -> list[str]:
        return [text[s:e] for s, e in find_matches(text, query)]

    assert found("cafe") == ["café", "Cafe\u0301"]
    assert found("CAFÉ") == found("cafe\u0301") == ["café", "Cafe\u0301"]
    assert found("zoe") == ["Zoë"]
    assert found("don't") == found("don’t") == ["Don’t"]
    assert found('"don') == ["“Don"]
    assert found("naive") == ["NAÏVE"]
    assert found("σοφία") == ["ΣΟΦΊΑ"]
    assert found("cafes") == found("zoey") == []


def test_search_story_finds_every_block_in_reading_order() -> None:
    story = make_story()
    assert search_story(story, "last PARAGRAPH of") == [(c, 3, 0, 17) for c in range(3)]
    assert search_story(story, "remember every") == [(c, 2, 7, 21) for c in range(3)]
    assert search_story(story, "no such words here") == []


def test_search_story_finds_notes_in_reading_order_with_their_fold_keys() -> None:
    """Notes are searched too: the story's opening note and a chapter's summary and notes
    before come before its text (slots below 0), its end notes and the story's closing notes
    after (slots from the number of blocks on); each slot names its note's fold key."""
    chapter = Chapter(
        1,
        "One",
        6,
        notes_before=["The tide note before."],
        notes_after=["A tide note after."],
        summary="Tide summary.",
    )
    chapter.blocks = [Block("paragraph", "The tide came in."), Block("paragraph", "Gulls.")]
    story = Story(
        title="S",
        source=Source("s.md", "markdown"),
        chapters=[chapter],
        notes=[Note("before", "Tide thanks."), Note("after", "Tide goodbye.")],
    )
    found = search_story(story, "tide")
    assert [slot for _, slot, _, _ in found] == [-3, -2, -1, 0, 2, 3]
    assert found == sorted(found)
    keys = [layout.match_note(story, 0, slot) for _, slot, _, _ in found]
    assert keys == [
        "story-before-0",
        "ch1-summary",
        "ch1-before-0",
        None,
        "ch1-after-0",
        "story-after-0",
    ]
    assert search_story(story, "tide", notes=False) == [(0, 0, 4, 8)]
    assert layout.match_note(story, 0, 7) is None  # (a slot past every note names nothing)


def test_chapter_summary_is_a_foldable_note_after_the_title() -> None:
    """AO3's chapter summary shows under the chapter title, labelled, as a note."""
    chapter = Chapter(1, "One", 2, notes_before=["A note."], summary="What happens.")
    chapter.blocks = [Block("paragraph", "Two words")]
    story = Story(title="S", source=Source("s.md", "markdown"), chapters=[chapter])
    items = chapter_items(story, 0)
    kinds = [(i.kind, i.text) for i in items[:3]]
    assert kinds == [
        ("chapter_title", "Chapter 1: One"),
        ("note", "What happens."),
        ("note", "A note."),
    ]
    assert items[1].label == "Chapter summary · 2 words"
    assert items[1].note_key == "ch1-summary"


def test_note_keys_are_every_note_shown_and_a_heading_parses_no_body() -> None:
    story = make_story()
    story.chapters[1].summary = "What happens at the ferry."
    shown = [i.note_key for i in work_items(story) if i.kind == "note"]
    assert note_keys(story) == shown
    assert "ch2-summary" in shown and "story-after-0" in shown
    parsed: list[int] = []
    lazy = Chapter.lazy(9, "Late", 3, lambda: parsed.append(9) or [], notes_before=["Hi."])
    story.chapters.append(lazy)
    heading = chapter_items(story, len(story.chapters) - 1, body=False)
    assert [i.kind for i in heading] == ["chapter_title", "note"]
    assert parsed == [] and not lazy.loaded


def test_shorten_cuts_at_a_word_with_an_ellipsis() -> None:
    line = "the lamps were lit until the ferry came"
    assert shorten(line, 100) == line
    assert shorten(line, 30) == "the lamps were lit until the…"
    assert shorten(line, 27) == "the lamps were lit until…"
    assert shorten("abcdefghijkl", 5) == "abcd…"  # one long word: cut inside it


_ONE_CELL = "abc XYZ 09,.!?;:'\"()-“”‘’—–…éßøłœ ΑΩλЖжя«»·•"
"""One-cell characters a story's text is mostly made of (and spaces)."""


@settings(max_examples=300)
@given(st.text(alphabet=_ONE_CELL, max_size=160), st.integers(min_value=1, max_value=90))
def test_one_cell_text_wraps_as_the_general_wrapper_does(text: str, width: int) -> None:
    """Curly quotes, dashes, accents, Greek and Cyrillic take the fast (ASCII) wrapper: its
    lines are those of the general wrapper, which measures every character."""
    general: list[tuple[int, int]] = []
    layout._wrap_general(text, 0, len(text), width, general)
    assert list(wrap_text(text, width)) == (general or [(0, 0)])


@pytest.mark.parametrize(
    "text",
    ["a\u00a0b c", "e\u0301 ab cd", "中文 ab", "a\u200bb c", "ab\u3000cd", "a\x1cb c"],
)
def test_text_with_other_spaces_wide_or_zero_width_characters_takes_the_general_wrapper(
    text: str,
) -> None:
    """No-break and ideographic spaces, combining marks, CJK, zero-width and control
    characters are measured one by one."""
    assert not layout.single_cells(text)
