"""Archive page dumps (.txt): headings, notes, epigraphs, scene breaks, wrapping, repairs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.model import Story
from tui_reader.paths import title_from_filename

PARA_A = "The lighthouse keeper counted the gulls every morning, though none of them ever stayed."
PARA_B = "Marisol brought bread on Tuesdays and never asked why the lamp was always lit at noon."
PARA_C = "By winter the gulls had gone south and the keeper started counting waves instead."


def _load(tmp_path: Path, text: str, name: str = "story.txt") -> Story:
    """Write ``text`` as UTF-8 and load it."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_story(path)


def _dump(*parts: str) -> str:
    """Paragraphs separated by one blank line."""
    return "\n\n".join(parts) + "\n"


HEADINGS = [
    ("Chapter 1: The Lamp", 1, "The Lamp"),
    ("Chapter 2 - Salt Roads", 2, "Salt Roads"),
    ("Chapter One", 1, None),
    ("CHAPTER III", 3, None),
    ("Chapter Twenty-One: Late", 21, "Late"),
    ("Part 1", 1, None),
    ("Prologue", 1, "Prologue"),
    ("Epilogue", 1, "Epilogue"),
    ("Interlude", 1, "Interlude"),
]


@pytest.mark.parametrize(("line", "number", "title"), HEADINGS)
def test_heading_forms(tmp_path: Path, line: str, number: int, title: str | None) -> None:
    story = _load(tmp_path, _dump("The Keeper", line, PARA_A, PARA_B))
    assert story.title == "The Keeper"
    assert len(story.chapters) == 1
    chapter = story.chapters[0]
    assert (chapter.number, chapter.title) == (number, title)
    assert [b.text for b in chapter.blocks] == [PARA_A, PARA_B]


def test_several_chapters_numbers_and_words(tmp_path: Path) -> None:
    text = _dump(
        "The Keeper",
        "Prologue",
        PARA_A,
        "Chapter 1: Bread",
        PARA_B,
        "Chapter 2: Waves",
        PARA_C,
        "Epilogue",
        PARA_A,
    )
    story = _load(tmp_path, text)
    assert [(c.number, c.title) for c in story.chapters] == [
        (1, "Prologue"),
        (2, "Bread"),
        (3, "Waves"),
        (4, "Epilogue"),
    ]
    assert story.chapters[1].words == len(PARA_B.split())
    assert story.words == sum(len(p.split()) for p in (PARA_A, PARA_B, PARA_C, PARA_A))
    assert not any(c.loaded for c in story.chapters)


def test_a_sentence_starting_with_chapter_is_not_a_heading(tmp_path: Path) -> None:
    story = _load(
        tmp_path, _dump("The Keeper", "Chapter 1", PARA_A, "Chapter 7 was the worst.", PARA_B)
    )
    assert len(story.chapters) == 1
    assert story.chapters[0].blocks[1].text == "Chapter 7 was the worst."


def test_part_heading_before_a_chapter_becomes_a_heading_block(tmp_path: Path) -> None:
    story = _load(tmp_path, _dump("The Keeper", "Part 1", "Chapter 1: Bread", PARA_A))
    assert len(story.chapters) == 1
    blocks = story.chapters[0].blocks
    assert (blocks[0].kind, blocks[0].text) == ("heading", "Part 1")
    assert blocks[1].text == PARA_A


@pytest.mark.parametrize(
    "label",
    [
        "Author's Note:",
        "Author's Notes:",
        "Author’s Notes:",
        "A/N:",
        "AN:",
        "Notes:",
        "Disclaimer:",
    ],
)
def test_note_labels_story_and_chapter_level(tmp_path: Path, label: str) -> None:
    text = _dump(
        "The Keeper",
        "Total Chapters: 3",
        "A keeper, a baker and a lamp nobody switches off.",
        f"{label} Thanks to my sister for reading this first.",
        "Chapter 1: Bread",
        f"{label} This one is short.",
        PARA_A,
        PARA_B,
        f"{label} More next week.",
    )
    story = _load(tmp_path, text)
    assert story.chapters_total == 3
    assert story.summary == "A keeper, a baker and a lamp nobody switches off."
    assert [n.text for n in story.notes] == ["Thanks to my sister for reading this first."]
    chapter = story.chapters[0]
    assert chapter.notes_before == ["This one is short."]
    assert chapter.notes_after == ["More next week."]
    assert [b.text for b in chapter.blocks] == [PARA_A, PARA_B]
    assert chapter.words == len(PARA_A.split()) + len(PARA_B.split())


def test_story_note_spans_paragraphs_until_the_first_heading(tmp_path: Path) -> None:
    text = _dump(
        "The Keeper", "Author's Notes: First thought.", "Second thought.", "Chapter 1", PARA_A
    )
    story = _load(tmp_path, text)
    assert [n.text for n in story.notes] == ["First thought.\n\nSecond thought."]


@pytest.mark.parametrize(
    ("note", "closing"),
    [
        (["A/N: The lamp's colours are made up."], ["Back next week."]),
        (["[A/N: The lamp's colours are made up.", "So are the bells.]"], []),
    ],
)
def test_story_text_after_a_mid_chapter_note_stays_story_text(
    tmp_path: Path, note: list[str], closing: list[str]
) -> None:
    """A note in the middle of a chapter is its paragraph (a bracketed one: up to its closing
    bracket); the story after it stays story text, and the note stays where it was written. A
    note closing the chapter after it is still an end note."""
    end_note = [f"A/N: {c}" for c in closing]
    story = _load(
        tmp_path, _dump("The Keeper", "Chapter 1", PARA_A, *note, PARA_B, PARA_C, *end_note)
    )
    chapter = story.chapters[0]
    assert chapter.notes_after == closing
    assert [b.text for b in chapter.blocks] == [PARA_A, *note, PARA_B, PARA_C]
    story_words = sum(len(p.split()) for p in (PARA_A, PARA_B, PARA_C))
    assert chapter.words == story_words + sum(len(p.split()) for p in note)


def test_a_bracketed_end_note_runs_to_its_closing_bracket(tmp_path: Path) -> None:
    """A bracketed note closing a chapter keeps its paragraphs up to the bracket that closes
    it, without the brackets."""
    note = ["[A/N: Thank you for reading.", "The next chapter is the last one.]"]
    story = _load(tmp_path, _dump("The Keeper", "Chapter 1", PARA_A, PARA_B, *note))
    chapter = story.chapters[0]
    assert [b.text for b in chapter.blocks] == [PARA_A, PARA_B]
    assert chapter.notes_after == ["Thank you for reading.\n\nThe next chapter is the last one."]


def test_no_heading_whole_text_is_chapter_one_after_the_title_repeat(tmp_path: Path) -> None:
    text = (
        "The Keeper\n\nA/N: Written for a friend.\n\nShe likes lighthouses.\n\n\n"
        f"The Keeper\n\n\n{PARA_A}\n\n{PARA_B}\n\n\n{PARA_C}\n"
    )
    story = _load(tmp_path, text)
    assert story.title == "The Keeper"
    assert [n.text for n in story.notes] == ["Written for a friend.\n\nShe likes lighthouses."]
    chapter = story.chapters[0]
    assert (chapter.number, chapter.title) == (1, None)
    assert [b.kind for b in chapter.blocks] == [
        "paragraph",
        "paragraph",
        "scene_break",
        "paragraph",
    ]
    assert chapter.blocks[0].text == PARA_A


@pytest.mark.parametrize("headed", [True, False])
def test_title_with_its_by_line_on_the_next_line(tmp_path: Path, headed: bool) -> None:
    """A title with "by Author" on the line under it is the title and the author (not a
    summary), with or without chapter headings after it."""
    body = ["Chapter 1: Brine", PARA_A, "Chapter 2: Tide", PARA_B] if headed else [PARA_A, PARA_B]
    story = _load(tmp_path, _dump("The Salt Road\nby Petra Voss", *body), name="salt.txt")
    assert (story.title, story.author, story.summary) == ("The Salt Road", "Petra Voss", None)
    paragraphs = [b.text for c in story.chapters for b in c.blocks]
    assert paragraphs == [PARA_A, PARA_B]


def test_a_paragraph_whose_second_line_starts_with_by_stays_story(tmp_path: Path) -> None:
    """A two-line first paragraph whose second line starts with "by" is story text, not a
    title and an author."""
    first = "The tide came in early\nby the time Marisol reached the causeway."
    story = _load(tmp_path, _dump(first, PARA_A, PARA_B), name="tide.txt")
    assert (story.title, story.author) == ("Tide", None)
    assert [b.text for b in story.chapters[0].blocks] == [first, PARA_A, PARA_B]


def test_plain_text_without_preamble_is_all_story(tmp_path: Path) -> None:
    story = _load(tmp_path, _dump(PARA_A, PARA_B, PARA_C), name="004_keeper_of_lamps.txt")
    assert story.title == "Keeper Of Lamps"
    assert story.summary is None and story.notes == []
    assert [b.text for b in story.chapters[0].blocks] == [PARA_A, PARA_B, PARA_C]


@pytest.mark.parametrize(
    "marker",
    ["***", "* * *", "~~~", "---", "###", "oOo", "o0o", "xXx", "-x-", "§", "      *", "xxx"],
)
def test_scene_break_markers(tmp_path: Path, marker: str) -> None:
    story = _load(tmp_path, _dump("The Keeper", "Chapter 1", PARA_A, marker, PARA_B))
    blocks = story.chapters[0].blocks
    assert [b.kind for b in blocks] == ["paragraph", "scene_break", "paragraph"]
    assert story.chapters[0].words == len(PARA_A.split()) + len(PARA_B.split())


def test_double_blank_line_is_a_scene_break_and_ellipsis_line_is_text(tmp_path: Path) -> None:
    text = f"The Keeper\n\nChapter 1\n\n{PARA_A}\n\n\n{PARA_B}\n\n...\n\n{PARA_C}\n\n\n"
    blocks = _load(tmp_path, text).chapters[0].blocks
    assert [b.kind for b in blocks] == [
        "paragraph",
        "scene_break",
        "paragraph",
        "paragraph",
        "paragraph",
    ]
    assert blocks[3].text == "..."


@pytest.mark.parametrize(
    ("opening", "quote", "attribution"),
    [
        (
            "“Salt in the wind, salt on the stair.” ~The Harbour Band, “Low Tide”",
            "“Salt in the wind, salt on the stair.”",
            "The Harbour Band, “Low Tide”",
        ),
        (
            "“Every light is a promise to someone.”\n\n—Ada Quill",
            "“Every light is a promise to someone.”",
            "Ada Quill",
        ),
        (
            "Keep the lamp, keep the door,\nkeep the sea from the floor\n~ a skipping rhyme",
            "Keep the lamp, keep the door,\nkeep the sea from the floor",
            "a skipping rhyme",
        ),
    ],
)
def test_epigraph_after_heading(tmp_path: Path, opening: str, quote: str, attribution: str) -> None:
    story = _load(tmp_path, _dump("The Keeper", "Chapter 1: Bread", opening, PARA_A))
    blocks = story.chapters[0].blocks
    assert blocks[0].kind == "epigraph"
    assert blocks[0].text == quote
    assert blocks[0].attribution == attribution
    assert blocks[1].text == PARA_A


def test_dialogue_opening_is_not_an_epigraph(tmp_path: Path) -> None:
    story = _load(tmp_path, _dump("The Keeper", "Chapter 1", "“Bread,” she said. “Again.”", PARA_A))
    assert story.chapters[0].blocks[0].kind == "paragraph"


def test_hard_wrapped_lines_are_joined_and_crlf_folded(tmp_path: Path) -> None:
    paras = [PARA_A + " " + PARA_B, PARA_C + " " + PARA_A, PARA_B + " " + PARA_C]
    wrapped = "\n\n".join(textwrap.fill(p, 72) for p in paras)
    text = f"The Keeper\n\nChapter 1: Bread\n\n{wrapped}\n\nA short line.\nAnother short line.\n"
    story = _load(tmp_path, text.replace("\n", "\r\n"))
    blocks = story.chapters[0].blocks
    assert [b.text for b in blocks[:3]] == paras
    assert blocks[3].text == "A short line.\nAnother short line."
    assert all("\r" not in b.text for b in blocks)


def test_one_paragraph_per_line_without_blank_lines(tmp_path: Path) -> None:
    text = "\n".join([PARA_A, PARA_B, PARA_C, PARA_A, PARA_B, PARA_C]) + "\n"
    blocks = _load(tmp_path, text).chapters[0].blocks
    assert len(blocks) == 6 and blocks[2].text == PARA_C


def test_scraping_artifacts_repaired_real_text_kept(tmp_path: Path) -> None:
    text = _dump(
        "The Keeper",
        "Chapter 1",
        "She caught Marisol ‘s eye and waved at Tomas .",
        "He read Brightwater , then slept.",
        "The lamp was lit. ” Marisol ? Are you there?”",
        "Wait . . . and then — nothing… “Who? Me?” she said...",
    )
    blocks = _load(tmp_path, text).chapters[0].blocks
    assert [b.text for b in blocks] == [
        "She caught Marisol’s eye and waved at Tomas.",
        "He read Brightwater, then slept.",
        "The lamp was lit. ”Marisol? Are you there?”",
        "Wait . . . and then — nothing… “Who? Me?” she said...",
    ]


def test_widget_residue_is_removed_anywhere(tmp_path: Path) -> None:
    text = (
        "The Keeper\n\nChapter 1\n\n"
        f"{PARA_A}\n\nEnjoying this story? Share your rating!\n"
        f"[Total: 3 Average: 4.5]\n\n{PARA_B}\n"
    )
    blocks = _load(tmp_path, text).chapters[0].blocks
    assert [b.kind for b in blocks] == ["paragraph", "paragraph"]


def test_widget_residue_is_accounted_as_boilerplate(tmp_path: Path) -> None:
    widget = "Enjoying this story? Share your rating!\n[Total: 3 Average: 4.5]\n\n"
    text = f"The Keeper\n\nChapter 1\n\n{widget}{PARA_A}\n\n{widget}{PARA_B}\n"
    path = tmp_path / "dump.txt"
    path.write_text(text, encoding="utf-8")
    story = load_story(path)
    result = audit(story, path, path.read_bytes())
    assert story.accounted["boilerplate"] >= 2 * 10  # two widgets of ten words each
    assert result.unaccounted <= 0.01, result.to_dict()


def test_nbsp_and_controls_are_cleaned(tmp_path: Path) -> None:
    text = _dump("The Keeper", "Chapter 1", "A\u00a0lamp\x1b[31m in the \u202edark.")
    block = _load(tmp_path, text).chapters[0].blocks[0]
    assert block.text == "A lamp[31m in the dark."


def test_metadata_lines_in_the_preamble(tmp_path: Path) -> None:
    text = _dump(
        "The Keeper",
        "by Wren Ashdown",
        "Rating: Mature\nWarnings: Graphic Depictions Of Violence\nPairing: Keeper/Marisol",
        "Chapter 1",
        PARA_A,
    )
    story = _load(tmp_path, text)
    assert story.author == "Wren Ashdown"
    assert story.rating == "Mature"
    assert story.warnings == ["Graphic Depictions Of Violence"]
    assert story.tags.relationships == ["Keeper/Marisol"]


def test_stop_point_in_a_story_note_becomes_a_gate(tmp_path: Path) -> None:
    text = _dump(
        "The Keeper",
        "A/N: There is no graphic violence. If you want the happy version, stop after chapter 2.",
        "Chapter 1",
        PARA_A,
        "Chapter 2",
        PARA_B,
        "Chapter 3",
        PARA_C,
    )
    story = _load(tmp_path, text)
    assert story.warnings == []
    assert [(g.before_chapter, g.reason) for g in story.warning_gates] == [
        (3, "If you want the happy version, stop after chapter 2.")
    ]


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("000_1b55e561e287f567.txt", "Untitled story 000"),
        ("the_long_tide.txt", "The Long Tide"),
        ("12-Salt-and-Iron.txt", "Salt and Iron"),
        ("cafe1234beef5678.txt", "Untitled story"),
    ],
)
def test_title_from_filename(name: str, title: str) -> None:
    assert title_from_filename(name) == title
