"""The native Markdown format: every syntax element of docs/format.md, and bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_reader.audit import LIMIT, audit
from tui_reader.importers import load_story
from tui_reader.model import Block, Story, StoryError
from tui_reader.text import count_words

REPO = Path(__file__).resolve().parents[2]
"""The checkout."""


def write(tmp_path: Path, text: str, name: str = "story.md") -> Path:
    """Write a story file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, name: str = "story.md") -> Story:
    """Write and load a story; it must account for every word of the file (``inspect --audit``)."""
    path = write(tmp_path, text, name)
    story = load_story(path)
    result = audit(story, path, path.read_bytes())
    assert result.unaccounted <= LIMIT, (text, result.to_dict())
    return story


def blocks(tmp_path: Path, body: str) -> list[Block]:
    """The blocks of a one-chapter story with this body."""
    story = load(tmp_path, "# One\n\n" + body)
    return story.chapters[0].blocks


FULL = """\
+++
title = "The *Test* Story"
author = "A. Writer"
summary = \"\"\"
First line
of the summary.

Second paragraph.
\"\"\"
rating = "M"
warnings = ["character death", "Graphic Depictions Of Violence"]
content_notes = ["DARK THEMES."]
chapters_total = 10
notes_before = ["Front note."]
notes_after = "Last note."

[tags]
fandoms = ["Original Work"]
relationships = ["A/B"]
characters = ["A", "B"]
additional = ["Angst"]

[[warning_gates]]
before_chapter = 3
reason = "Stop after chapter 2."
+++
"""


def test_front_matter_fields(tmp_path: Path) -> None:
    story = load(tmp_path, FULL + "# Only\n\nText.\n")
    assert story.title == "The Test Story"
    assert story.author == "A. Writer"
    assert story.summary == "First line of the summary.\n\nSecond paragraph."
    assert story.rating == "Mature"
    assert story.warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert story.content_notes == ["DARK THEMES."]
    assert story.chapters_total == 10
    assert [(g.before_chapter, g.reason) for g in story.warning_gates] == [
        (3, "Stop after chapter 2.")
    ]
    assert story.tags.to_dict() == {
        "fandoms": ["Original Work"],
        "relationships": ["A/B"],
        "characters": ["A", "B"],
        "additional": ["Angst"],
    }
    assert [(n.position, n.text) for n in story.notes] == [
        ("before", "Front note."),
        ("after", "Last note."),
    ]
    assert story.source.format == "markdown"
    assert story.needs_warning


def test_chapters_numbered_by_position_and_prefixes_dropped(tmp_path: Path) -> None:
    text = "# Chapter 7: Alpha\n\na\n\n# 2. Beta\n\nb\n\n# Chapter Two - Gamma\n\nc\n\n"
    text += "# Chapter 4\n\nd\n\n#\n\ne\n\n# Civil Twilight\n\nf\n\n# 第二章：題名\n\ng\n"
    story = load(tmp_path, text)
    assert [c.number for c in story.chapters] == [1, 2, 3, 4, 5, 6, 7]
    assert [c.title for c in story.chapters] == [
        "Alpha",
        "Beta",
        "Gamma",
        None,
        None,
        "Civil Twilight",
        "題名",
    ]


def test_no_front_matter_no_heading_is_one_chapter_named_from_file(tmp_path: Path) -> None:
    story = load(tmp_path, "Just some text.\n\nAnd more.\n", name="my_little-tale.md")
    assert story.title == "My Little Tale"
    assert len(story.chapters) == 1
    assert story.chapters[0].title is None
    assert [b.text for b in story.chapters[0].blocks] == ["Just some text.", "And more."]


def test_hashtag_without_space_is_not_a_heading(tmp_path: Path) -> None:
    story = load(tmp_path, "# One\n\n#notaheading here\n")
    assert len(story.chapters) == 1
    assert story.chapters[0].blocks == [Block("paragraph", "#notaheading here")]


def test_paragraphs_join_lines_and_keep_hard_breaks(tmp_path: Path) -> None:
    result = blocks(tmp_path, "One line\nand the next.\n\nPoem line\\\nsecond line\n")
    assert result == [
        Block("paragraph", "One line and the next."),
        Block("paragraph", "Poem line\nsecond line"),
    ]


def test_cjk_lines_join_without_space(tmp_path: Path) -> None:
    result = blocks(tmp_path, "灯子は山に\n登った。\n")
    assert result == [Block("paragraph", "灯子は山に登った。")]


def test_emphasis_markers_stripped_but_other_stars_kept(tmp_path: Path) -> None:
    text = "A *soft* and _quiet_ **loud** __strong__ word.\n\n2 * 3 = 6 and snake_case_name.\n\n"
    text += "\\*not emphasis\\*\n"
    assert [b.text for b in blocks(tmp_path, text)] == [
        "A soft and quiet loud strong word.",
        "2 * 3 = 6 and snake_case_name.",
        "*not emphasis*",
    ]


@pytest.mark.parametrize("marker", ["***", "* * *", "---", "___", "~~~", "⁂", "＊　＊　＊"])
def test_scene_breaks(tmp_path: Path, marker: str) -> None:
    result = blocks(tmp_path, f"Before.\n\n{marker}\n\nAfter.\n")
    assert [b.kind for b in result] == ["paragraph", "scene_break", "paragraph"]


def test_trailing_and_repeated_scene_breaks_collapse(tmp_path: Path) -> None:
    result = blocks(tmp_path, "A.\n\n***\n\n* * *\n\nB.\n\n***\n")
    assert [b.kind for b in result] == ["paragraph", "scene_break", "paragraph"]


def test_sub_headings(tmp_path: Path) -> None:
    result = blocks(tmp_path, "## A Letter ##\n\nDear you.\n\n### Later\n")
    assert result == [
        Block("heading", "A Letter"),
        Block("paragraph", "Dear you."),
        Block("heading", "Later"),
    ]


def test_epigraph_with_attribution_keeps_verse_lines(tmp_path: Path) -> None:
    text = "> First *line*,\n> second line;\n>\n> third.\n> — Someone, *A Book*\n\nText.\n"
    result = blocks(tmp_path, text)
    assert result[0] == Block("epigraph", "First line,\nsecond line;\n\nthird.", "Someone, A Book")
    assert result[1] == Block("paragraph", "Text.")


@pytest.mark.parametrize("dash", ["—", "–", "--", "~"])
def test_epigraph_attribution_dashes(tmp_path: Path, dash: str) -> None:
    result = blocks(tmp_path, f"> Quoted.\n> {dash}Poet\n")
    assert result == [Block("epigraph", "Quoted.", "Poet")]


def test_quote_without_attribution(tmp_path: Path) -> None:
    assert blocks(tmp_path, "> Just a quote.\n") == [Block("epigraph", "Just a quote.", None)]


def test_notes_story_and_chapter_level(tmp_path: Path) -> None:
    text = (
        FULL
        + "::: note\nBody story\nnote.\n\nSecond para.\n:::\n\n"
        + "# One\n\n::: note\nBefore one.\n:::\n\nText one.\n\n::: note\nAfter by position.\n"
        + ":::\n\n# Two\n\n::: end-note\nAfter two, written first.\n:::\n\nText two.\n"
    )
    story = load(tmp_path, text)
    assert [(n.position, n.text) for n in story.notes] == [
        ("before", "Body story note.\n\nSecond para."),
        ("before", "Front note."),
        ("after", "Last note."),
    ]
    one, two = story.chapters
    assert one.notes_before == ["Before one."]
    assert one.notes_after == ["After by position."]
    assert two.notes_before == []
    assert two.notes_after == ["After two, written first."]
    assert [b.text for b in one.blocks] == ["Text one."]
    assert [b.text for b in two.blocks] == ["Text two."]


def test_heading_inside_note_does_not_start_chapter(tmp_path: Path) -> None:
    story = load(tmp_path, "# One\n\n::: note\n# Not a chapter\n:::\n\nText.\n")
    assert len(story.chapters) == 1
    assert story.chapters[0].notes_before == ["# Not a chapter"]


def test_unclosed_note_ends_at_the_next_chapter(tmp_path: Path) -> None:
    story = load(tmp_path, "# One\n\nText.\n\n::: end-note\nNever closed.\n\n# Two\n\nMore.\n")
    assert [c.title for c in story.chapters] == ["One", "Two"]
    assert story.chapters[0].notes_after == ["Never closed."]
    assert [b.text for b in story.chapters[1].blocks] == ["More."]


def test_end_note_before_any_chapter_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StoryError, match="end-note must follow a chapter"):
        load(tmp_path, "::: end-note\nOops.\n:::\n\n# One\n\nText.\n")


def test_blocks_are_lazy_and_word_counts_match_blocks(tmp_path: Path) -> None:
    text = (
        "# One\n\n::: note\nnot counted here\n:::\n\n> Verse one,\n> verse two.\n> — A Poet\n\n"
        "Some *text* here\nthat wraps.\n\n***\n\n## Sub Head\n\nEnd.\n\n"
        "# Two\n\n灯子は山に登った。\n"
    )
    story = load(tmp_path, text)
    assert not any(c.loaded for c in story.chapters)
    assert [c.words for c in story.chapters] == [14, 8]  # AO3 counts no CJK punctuation
    assert not any(c.loaded for c in story.chapters)
    for chapter in story.chapters:
        counted = sum(
            count_words(b.text) + count_words(b.attribution or "") for b in chapter.blocks
        )
        assert counted == chapter.words
    assert story.words == 22


def test_text_is_sanitised(tmp_path: Path) -> None:
    text = (
        '+++\ntitle = "Bad\\u001b[31m\\u202eTitle"\n+++\n# One\n\nRed \x1b[31mtext\x07 \u202eend.\n'
    )
    story = load(tmp_path, text)
    assert story.title == "Bad[31mTitle"
    assert story.chapters[0].blocks[0].text == "Red [31mtext end."


def test_markup_is_kept_as_literal_text(tmp_path: Path) -> None:
    assert blocks(tmp_path, "[bold]not bold[/] and [link=x]y[/link]\n")[0].text == (
        "[bold]not bold[/] and [link=x]y[/link]"
    )


def test_bad_toml_is_one_line_front_matter_error(tmp_path: Path) -> None:
    with pytest.raises(StoryError) as info:
        load(tmp_path, '+++\ntitle = "unclosed\nauthor = 3\n+++\n# One\n\nx\n')
    assert info.value.reason.startswith("front matter: ")
    assert "line 2" in info.value.reason
    assert "\n" not in str(info.value)


def test_missing_closing_fence(tmp_path: Path) -> None:
    with pytest.raises(StoryError, match=r"front matter: no closing \+\+\+ line"):
        load(tmp_path, '+++\ntitle = "x"\n# One\n\nText.\n')


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('rating = "Spicy"', "unknown rating 'Spicy'"),
        ('warnings = ["Bad Vibes"]', "unknown archive warning 'Bad Vibes'"),
        ("chapters_total = 0", "chapters_total must be a whole number"),
        ("title = 5", "title must be a string"),
        ("warning = []", "unknown key 'warning'"),
        ("tags = { fandom = [] }", "unknown key 'tags.fandom'"),
        ("content_notes = [1, 2]", "content_notes must be a list of strings"),
        ("[[warning_gates]]\nreason = 'x'", "before_chapter must be a chapter number"),
    ],
)
def test_bad_field_values(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(StoryError, match=re.escape(message)):
        load(tmp_path, f"+++\n{line}\n+++\n# One\n\nText.\n")


def test_front_matter_only_has_no_story_text(tmp_path: Path) -> None:
    with pytest.raises(StoryError, match="no story text"):
        load(tmp_path, '+++\ntitle = "Empty"\n+++\n\n')


def test_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "crlf.md"
    path.write_bytes(
        b'\xef\xbb\xbf+++\r\ntitle = "Win"\r\n+++\r\n# One\r\n\r\nLine a\r\nline b.\r\n'
    )
    story = load_story(path)
    assert story.title == "Win"
    assert story.chapters[0].blocks == [Block("paragraph", "Line a line b.")]


def test_the_documented_example_parses_as_documented() -> None:
    spec = (REPO / "docs" / "format.md").read_text(encoding="utf-8")
    example = spec.split("## A complete example", 1)[1].split("```markdown\n", 1)[1]
    example = example.split("\n```\n", 1)[0]
    path = REPO / "docs" / "format.md"
    from tui_reader.importers import markdown

    story = markdown.load(path.with_name("example.md"), example.encode("utf-8"))
    assert [c.title for c in story.chapters] == [
        "The Last Crossing",
        "The Far Bank",
        "The Near Bank",
    ]
    assert story.chapters_total == 3
    assert story.rating == "Teen And Up Audiences"
    assert story.warnings == ["Major Character Death"]
    assert story.needs_warning
    assert story.gate_before(3) is not None
    assert [n.position for n in story.notes] == ["before", "before", "after"]
    one = story.chapters[0]
    assert one.notes_before == ["A note before chapter 1."]
    assert one.notes_after == ["A note after chapter 1."]
    kinds = [b.kind for c in story.chapters for b in c.blocks]
    assert kinds.count("epigraph") == 1
    assert kinds.count("scene_break") == 1
    assert kinds.count("heading") == 1
    assert one.blocks[0].attribution == "The Ferryman's Book, verse 3"


_PIECES = st.sampled_from(
    [
        "+++",
        "# ",
        "## ",
        "> ",
        "— ",
        "::: note",
        "::: end-note",
        ":::",
        "***",
        "* * *",
        "\\",
        "*",
        "_",
        "\n",
        "\n\n",
        "title = 'x'",
        "[tags]",
        "word",
        "灯子",
        "\x1b",
        "\u202e",
        " ",
    ]
)


@settings(max_examples=100, deadline=None)
@given(st.lists(_PIECES, max_size=40))
def test_arbitrary_markdown_never_crashes_the_importer(pieces: list[str]) -> None:
    from tui_reader.importers import markdown

    text = "".join(pieces)
    try:
        story = markdown.load(Path("x.md"), text.encode("utf-8"))
    except ValueError as exc:
        assert "\n" not in str(exc)
        return
    for chapter in story.chapters:
        for block in chapter.blocks:
            assert "\x1b" not in block.text and "\u202e" not in block.text
