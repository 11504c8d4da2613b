"""The shared reading grammar: headings, numbers, scene breaks, epigraphs and note labels.

These cases are the contract every importer (TXT, HTML, EPUB, Markdown) reads by. In
particular a chapter title is *verbatim*: what the author wrote after the number and its
separator, or the whole heading when there is no number to take off.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_reader.importers import load_story
from tui_reader.importers.grammar import (
    Heading,
    attribution,
    cjk_value,
    is_scene_break,
    note_heading,
    note_label,
    number_value,
    parse_heading,
    roman_value,
    split_epigraph,
    strip_note_label,
    unquote_title,
)
from tui_reader.model import Block

# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("7", 7),
        ("0012", 12),
        ("seven", 7),
        ("Seven", 7),
        ("ELEVEN", 11),
        ("twenty-one", 21),
        ("Twenty One", 21),
        ("thirty", 30),
        ("ninety-nine", 99),
        ("iv", 4),
        ("XIV", 14),
        ("xlii", 42),
        ("MCMXC", 1990),
        ("二", 2),
        ("十", 10),
        ("二十一", 21),
        ("百二", 102),
        ("三〇", 30),
        ("２１", 21),
    ],
)
def test_number_value(token: str, value: int) -> None:
    assert number_value(token) == value


@pytest.mark.parametrize("token", ["", "zero", "hundred", "iiii", "vx", "mix", "did", "abc", "二a"])
def test_not_numbers(token: str) -> None:
    assert number_value(token) is None


def test_roman_limits_and_case() -> None:
    assert roman_value("cc") == 200
    assert roman_value("ccc") is None  # lower case beyond 200 is likelier a word than a numeral
    assert roman_value("CCC") == 300
    assert roman_value("") is None
    assert cjk_value("") is None


# --- headings ------------------------------------------------------------------------------

LINE_HEADINGS = [
    # (line, number, title verbatim, label)
    ("Chapter 1: The Lamp", 1, "The Lamp", "Chapter 1:"),
    ("Chapter 2 - Salt Roads", 2, "Salt Roads", "Chapter 2 -"),
    ("Chapter 3 — Low Tide", 3, "Low Tide", "Chapter 3 —"),
    ("Chapter 4. The Quay", 4, "The Quay", "Chapter 4."),
    ("Chapter 5 | Ashes", 5, "Ashes", "Chapter 5 |"),
    ("Chapter 6 (Morning)", 6, "Morning", "Chapter 6 ( )"),
    ("Chapter One", 1, None, "Chapter One"),
    ("Chapter Twenty-One: Late", 21, "Late", "Chapter Twenty-One:"),
    ("chapter twenty one", 21, None, "chapter twenty one"),
    ("CHAPTER III", 3, None, "CHAPTER III"),
    ("CHAPTER III.", 3, None, "CHAPTER III."),
    ("CHAPTER IV. THE STORM.", 4, "THE STORM.", "CHAPTER IV."),
    ("Ch. 4", 4, None, "Ch. 4"),
    ("Ch.5: Rain", 5, "Rain", "Ch.5:"),
    ("Part 2", 2, None, "Part 2"),
    ("Part Two: Return", 2, "Return", "Part Two:"),
    ("Book I", 1, None, "Book I"),
    ("Section 3 - Notes from the Shore", 3, "Notes from the Shore", "Section 3 -"),
    ("**Chapter 7**", 7, None, "Chapter 7"),
    ("=== Chapter 8: Fog ===", 8, "Fog", "Chapter 8:"),
    # the title is what the author wrote after the separator, verbatim
    ("Chapter 1: Epilogue - X", 1, "Epilogue - X", "Chapter 1:"),
    ("Chapter 9: Part 2: The Return", 9, "Part 2: The Return", "Chapter 9:"),
    ("Chapter 3: 'Tis the Season", 3, "'Tis the Season", "Chapter 3:"),
    ("Chapter 3: “Snow”", 3, "Snow", "Chapter 3:"),
    ("Chapter 4.5", 4, "Chapter 4.5", ""),
    # named headings are their own title, whole and as written
    ("Prologue", None, "Prologue", ""),
    ("PROLOGUE", None, "PROLOGUE", ""),
    ("Epilogue.", None, "Epilogue", "."),
    ("Epilogue - X", None, "Epilogue - X", ""),
    ("Epilogue: After the Flood", None, "Epilogue: After the Flood", ""),
    ("Interlude", None, "Interlude", ""),
    ("Interlude 2", None, "Interlude 2", ""),
    ("Interlude II: The Storm", None, "Interlude II: The Storm", ""),
    ("Prelude (Before)", None, "Prelude (Before)", ""),
    ("Intermission", None, "Intermission", ""),
    ("Coda", None, "Coda", ""),
    ("Preface", None, "Preface", ""),
    ("Foreword", None, "Foreword", ""),
    ("Afterword", None, "Afterword", ""),
    # CJK
    ("第二章：題名", 2, "題名", "第二章："),
    ("第二十一章", 21, None, "第二十一章"),
    ("第3話 はじまり", 3, "はじまり", "第3話"),
]


@pytest.mark.parametrize(("line", "number", "title", "label"), LINE_HEADINGS)
def test_headings_on_a_line(line: str, number: int | None, title: str | None, label: str) -> None:
    heading = parse_heading(line)
    assert heading is not None
    assert (heading.number, heading.title, heading.label) == (number, title, label)
    # a text known to be a heading reads the same
    assert parse_heading(line, known=True) == heading


@pytest.mark.parametrize(
    "line",
    [
        "Chapter 7 was the worst.",
        "Chapter 4 & 4.5",
        "Chapters 1-3 are revised.",
        "Prologue to the story was long, she said.",
        "Parting was hard.",
        "Chapter Mix",
        "12. The Pier",
        "12",
        "The chapter ended.",
        "",
        "Book lovers, rejoice",
    ],
)
def test_not_a_heading_on_a_line(line: str) -> None:
    assert parse_heading(line) is None


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        # no separator after the number: the whole heading is the title, so its "4" stays
        ("Chapter 4 & 4.5", Heading(4, "Chapter 4 & 4.5", "", "chapter")),
        ("Chapter 3 Release", Heading(3, "Chapter 3 Release", "", "chapter")),
        ("12. The Pier", Heading(12, "The Pier", "12.", "chapter")),
        ("12) The Pier", Heading(12, "The Pier", "12)", "chapter")),
        ("12", Heading(12, None, "12", "chapter")),
        ("Epilogue - X", Heading(None, "Epilogue - X", "", "named")),
        ("Part 2", Heading(2, None, "Part 2", "division")),
        ("Book Two: Winter", Heading(2, "Winter", "Book Two:", "division")),
    ],
)
def test_headings_known_to_be_headings(text: str, heading: Heading) -> None:
    assert parse_heading(text, known=True) == heading


def test_known_heading_that_is_only_a_title_is_not_a_chapter_heading() -> None:
    assert parse_heading("Civil Twilight", known=True) is None
    assert parse_heading("The Salt Ledger", known=True) is None


def test_unquote_title_only_takes_a_wrapping_pair() -> None:
    assert unquote_title('"Snow"') == "Snow"
    assert unquote_title("“Snow”") == "Snow"
    assert unquote_title("'Tis") == "'Tis"
    assert unquote_title('"A" and "B"') == '"A" and "B"'
    assert unquote_title("  ") is None


# --- scene breaks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "***",
        "* * *",
        "*",
        "~~~",
        "~ ~ ~",
        "---",
        "###",
        "===",
        "___",
        "+++",
        "<>",
        "§",
        "⁂",
        "❧",
        "◆◇◆",
        "★ ★ ★",
        "＊＊＊",
        "—",
        "–",
        "oOo",
        "OoO",
        "o0o",
        "oOoOo",
        "-oOo-",
        "~*~oOo~*~",
        "xXx",
        "XxX",
        "x0x",
        "-x-",
        "~o~",
        "xxx",
        "XXX",
        "xxxx",
        "x x x",
        "X X X",
        "  ***  ",
    ],
)
def test_scene_break_markers(line: str) -> None:
    assert is_scene_break(line)


@pytest.mark.parametrize(
    "line",
    ["...", ". . .", "…", "", "   ", "The end", "***Note", "Ooh", "xx", "x", "Oh no", "-- Anna"],
)
def test_not_scene_breaks(line: str) -> None:
    assert not is_scene_break(line)


# --- epigraph attributions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("— Mary Oliver", "Mary Oliver"),
        ("—Mary Oliver", "Mary Oliver"),
        ("– A. Keeper", "A. Keeper"),
        ("―Anon", "Anon"),
        ("~Artist, “Song”", "Artist, “Song”"),
        ("-- Old saying", "Old saying"),
        ("- Mason's saying", "Mason's saying"),
        ("  ~~ Someone  ", "Someone"),
    ],
)
def test_attribution_lines(line: str, name: str) -> None:
    assert attribution(line) == name


@pytest.mark.parametrize("line", ["Mary Oliver", "—", "", "*** Someone"])
def test_not_attribution_lines(line: str) -> None:
    assert attribution(line) is None


def test_split_epigraph_forms() -> None:
    quote = "“Stone is patient.”"
    assert split_epigraph(f"{quote}\n— Mason", None) == (Block("epigraph", quote, "Mason"), 1)
    assert split_epigraph(f"{quote} ~Mason, “Song”", None) == (
        Block("epigraph", quote, "Mason, “Song”"),
        1,
    )
    assert split_epigraph(quote, "—Mason") == (Block("epigraph", quote, "Mason"), 2)
    assert split_epigraph("She walked to the quay.", "Then she stopped.") is None
    assert split_epigraph("She walked to the quay.", None) is None


# --- note labels ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("Author's Note: Written on a train.", "Written on a train."),
        ("Author’s Notes: Thanks!", "Thanks!"),
        ("Authors Notes: Thanks!", "Thanks!"),
        ("Writer's note - Thanks!", "Thanks!"),
        ("A/N: Thanks!", "Thanks!"),
        ("A / N: Thanks!", "Thanks!"),
        ("AN: Thanks!", "Thanks!"),
        ("(A/N: Thanks!)", "Thanks!"),
        ("[Author's Note: Thanks!]", "Thanks!"),
        ("**A/N:** Thanks!", "Thanks!"),
        ("Notes: Thanks!", "Thanks!"),
        ("End Notes: Thanks!", "Thanks!"),
        ("Chapter Notes: Thanks!", "Thanks!"),
        ("Story notes: Thanks!", "Thanks!"),
        ("Work Notes: Thanks!", "Thanks!"),
        ("Disclaimer: I own nothing.", "I own nothing."),
    ],
)
def test_note_labels(text: str, body: str) -> None:
    assert note_label(text) is not None
    assert strip_note_label(text) == body


@pytest.mark.parametrize(
    "text", ["Notable people came.", "An old man: he waited.", "Anne: hello", "Note the time."]
)
def test_not_note_labels(text: str) -> None:
    assert note_label(text) is None
    assert strip_note_label(f"  {text} ") == text


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Summary", "summary"),
        ("Summary:", "summary"),
        ("Chapter Summary", "summary"),
        ("Notes", "before"),
        ("Notes:", "before"),
        ("Chapter Notes", "before"),
        ("Author's Note:", "before"),
        ("Work Notes", "before"),
        ("A/N", "before"),
        ("End Notes", "after"),
        ("Chapter End Notes", "after"),
        ("chapter end notes:", "after"),
        ("Relationships:", None),
        ("A note on style", None),
        ("Chapter Text", None),
    ],
)
def test_note_headings(label: str, kind: str | None) -> None:
    assert note_heading(label) == kind


# --- every importer reads by the same rules ------------------------------------------------

_MARKERS = ["xxx", "XXX", "* * *", "~~~", "oOo", "-x-", "§"]
_PARAS = [f"Paragraph number {i} of the night ferry story, told plainly." for i in range(8)]


def _story_files(tmp_path: Path) -> list[Path]:
    """One story with every marker between its paragraphs, as TXT, HTML and Markdown."""
    body: list[str] = [_PARAS[0]]
    for marker, para in zip(_MARKERS, _PARAS[1:], strict=True):
        body += [marker, para]
    txt = tmp_path / "ferry.txt"
    txt.write_text("Night Ferry\n\nChapter 1: The Quay\n\n" + "\n\n".join(body) + "\n", "utf-8")
    html = tmp_path / "ferry.html"
    paragraphs = "".join(f"<p>{p}</p>" for p in body)
    html.write_text(
        f"<html><body><h1>Night Ferry</h1><h2>Chapter 1: The Quay</h2>{paragraphs}</body></html>",
        "utf-8",
    )
    md = tmp_path / "ferry.md"
    md.write_text('+++\ntitle = "Night Ferry"\n+++\n# Chapter 1: The Quay\n\n' + "\n\n".join(body))
    return [txt, html, md]


def test_every_format_reads_markers_and_headings_alike(tmp_path: Path) -> None:
    """xxx in any case is a scene break in TXT, HTML and Markdown alike (HTML kept it as text)."""
    for path in _story_files(tmp_path):
        story = load_story(path)
        assert [(c.number, c.title) for c in story.chapters] == [(1, "The Quay")], path.name
        kinds = [(b.kind, b.text) for b in story.chapters[0].blocks]
        expected = [("paragraph", _PARAS[0])]
        for para in _PARAS[1:]:
            expected += [("scene_break", ""), ("paragraph", para)]
        assert kinds == expected, path.name
