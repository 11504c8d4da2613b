"""AO3 HTML downloads written by the otwarchive-template builder, read as a reader sees them.

Every expectation is derived from the :class:`Work` given to the builder: chapter titles
verbatim, summaries and notes each in their place, scene breaks and paragraphs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fixtures.ao3_download import (
    SCENE_BREAK,
    BodyStyle,
    Chapter,
    Layout,
    Work,
    cjk_work,
    oneshot_work,
    sample_work,
    write_ao3_html,
)
from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.model import Story

LAYOUTS: tuple[Layout, ...] = ("current", "older")
STYLES: tuple[BodyStyle, ...] = ("p", "br")


def _load(tmp_path: Path, work: Work, layout: Layout = "current") -> Story:
    """Write ``work`` as a download and read it back."""
    return load_story(write_ao3_html(work, tmp_path / "work.html", layout))


def expected_kinds(chapter: Chapter) -> list[str]:
    """The block kinds a reader should see for a chapter the builder wrote."""
    kinds = ["epigraph"] if chapter.epigraph else []
    return kinds + ["scene_break" if p == SCENE_BREAK else "paragraph" for p in chapter.paragraphs]


def expected_texts(chapter: Chapter) -> list[str]:
    """The paragraph texts a reader should see."""
    return [p for p in chapter.paragraphs if p != SCENE_BREAK]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("style", STYLES)
def test_paragraphs_and_scene_breaks_survive_in_both_body_styles(
    tmp_path: Path, layout: Layout, style: BodyStyle
) -> None:
    work = sample_work(style)
    story = _load(tmp_path, work, layout)
    for chapter, spec in zip(story.chapters, work.chapters, strict=True):
        assert [b.kind for b in chapter.blocks] == expected_kinds(spec)
        assert [b.text for b in chapter.blocks if b.kind == "paragraph"] == expected_texts(spec)


def test_br_work_is_not_a_wall_of_text(tmp_path: Path) -> None:
    """A ``<br/>`` work: a blank line ends a paragraph, two blank lines make a scene break."""
    story = _load(tmp_path, sample_work("br"))
    second = story.chapters[1]
    assert [b.kind for b in second.blocks] == [
        "paragraph", "scene_break", "paragraph", "scene_break", "paragraph",
    ]  # fmt: skip
    first = story.chapters[0]
    assert (
        first.blocks[2].text
        == "Ines relit it with a steady hand.\nThe wick caught on the second try."
    )


@pytest.mark.parametrize("marker", ["xxx", "XXX", "xXx", "ooo", "* * *"])
@pytest.mark.parametrize("style", STYLES)
def test_marker_paragraphs_are_scene_breaks_in_any_case(
    tmp_path: Path, marker: str, style: BodyStyle
) -> None:
    work = sample_work(style, scene_marker=marker)
    story = _load(tmp_path, work)
    for chapter, spec in zip(story.chapters, work.chapters, strict=True):
        assert [b.kind for b in chapter.blocks] == expected_kinds(spec)
        assert all(b.text.casefold() != marker.casefold() for b in chapter.blocks)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_chapter_summary_notes_and_end_notes_each_in_their_place(
    tmp_path: Path, layout: Layout
) -> None:
    work = sample_work()
    story = _load(tmp_path, work, layout)
    got = [(c.summary, c.notes_before, c.notes_after) for c in story.chapters]
    want = [
        (s.summary, [s.notes] if s.notes else [], [s.end_notes] if s.end_notes else [])
        for s in work.chapters
    ]
    assert got == want
    assert story.summary == work.summary
    assert [(n.position, n.text) for n in story.notes] == [
        ("before", work.notes),
        ("after", work.end_notes),
    ]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_chapter_titles_verbatim(tmp_path: Path, layout: Layout) -> None:
    story = _load(tmp_path, sample_work(), layout)
    assert [(c.number, c.title) for c in story.chapters] == [
        (1, "Low Water"),
        (2, None),
        (3, "Epilogue - The Ferry"),
    ]


def test_generic_html_epilogue_title_is_kept_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><body><h1>Harbour Tales</h1>"
        "<h2>Chapter 1: Departure</h2><p>The ferry was late.</p>"
        "<h2>Chapter 2: Crossing</h2><p>The sea was calm.</p>"
        "<h2>Epilogue - The Ferry</h2><p>It came back.</p></body></html>",
        encoding="utf-8",
    )
    story = load_story(path)
    assert [c.title for c in story.chapters] == ["Departure", "Crossing", "Epilogue - The Ferry"]


def _stats_words(path: Path) -> int:
    """The word count AO3 printed in the download's Stats."""
    match = re.search(r"Words:\s*([\d,]+)", path.read_text(encoding="utf-8"))
    assert match is not None
    return int(match.group(1).replace(",", ""))


def test_cjk_word_count_matches_the_archive(tmp_path: Path) -> None:
    work = cjk_work()
    path = write_ao3_html(work, tmp_path / "cjk.html")
    story = load_story(path)
    assert story.words == _stats_words(path) == 59


@pytest.mark.parametrize("layout", LAYOUTS)
def test_series_language_categories_and_source_url(tmp_path: Path, layout: Layout) -> None:
    work = sample_work()
    story = _load(tmp_path, work, layout)
    assert [(s.name, s.index) for s in story.series] == [("The Ledger Cycle", 2)]
    assert story.categories == ["F/M", "Gen"]
    assert story.language == ("English" if layout == "current" else None)
    assert story.source_url == "https://archiveofourown.org/works/40001"


def test_two_series_each_with_its_part(tmp_path: Path) -> None:
    work = oneshot_work()
    work.series = [("Rain Studies", 3), ("Harbour, Collected", 11)]
    story = _load(tmp_path, work)
    assert [(s.name, s.index) for s in story.series] == [
        ("Rain Studies", 3),
        ("Harbour, Collected", 11),
    ]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_rating_and_warnings_verbatim(tmp_path: Path, layout: Layout) -> None:
    work = sample_work()
    story = _load(tmp_path, work, layout)
    assert story.rating == "Mature"
    assert story.site_warnings == work.warnings
    assert story.warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    chose = _load(tmp_path, oneshot_work(), layout)
    assert chose.rating == "General Audiences"
    assert chose.site_warnings == ["Creator Chose Not To Use Archive Warnings"]
    assert chose.warnings == ["Creator Chose Not To Use Archive Warnings"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_metadata(tmp_path: Path, layout: Layout) -> None:
    work = sample_work()
    story = _load(tmp_path, work, layout)
    assert story.source.format == "ao3-html"
    assert story.title == work.title
    assert story.author == "quietharbour, wrenfeather"
    assert story.tags.fandoms == work.fandoms
    assert story.tags.relationships == work.relationships
    assert story.tags.characters == work.characters
    assert story.tags.additional == work.additional
    assert story.chapters_total == 4


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("style", STYLES)
def test_oneshot(tmp_path: Path, layout: Layout, style: BodyStyle) -> None:
    work = oneshot_work(style)
    story = _load(tmp_path, work, layout)
    assert story.title == "A Small Weather"
    (chapter,) = story.chapters
    assert chapter.title is None
    assert [b.kind for b in chapter.blocks] == expected_kinds(work.chapters[0])


FIXTURES = {
    "sample-p": lambda: sample_work("p"),
    "sample-br": lambda: sample_work("br"),
    "sample-xxx": lambda: sample_work("br", scene_marker="xxx"),
    "oneshot-p": lambda: oneshot_work("p"),
    "oneshot-br": lambda: oneshot_work("br"),
    "cjk": cjk_work,
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_audit_accounts_for_every_word(tmp_path: Path, name: str, layout: Layout) -> None:
    path = write_ao3_html(FIXTURES[name](), tmp_path / f"{name}.html", layout)
    story = load_story(path)
    result = audit(story, path, path.read_bytes())
    assert result.unaccounted <= 0.01, result.to_dict()
    assert result.words["chapters"] >= story.words > 0
    assert result.words["boilerplate"] > 0  # "Posted originally on the Archive of Our Own"
