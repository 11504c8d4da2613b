"""An AO3 work page saved from the browser (File → Save Page As), read as the work it shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.ao3_download import SCENE_BREAK, Work, cjk_work, oneshot_work, sample_work
from tests.fixtures.ao3_page import SITE_WORDS, write_ao3_page
from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.model import Story


def _load(tmp_path: Path, work: Work) -> Story:
    """Save ``work`` as a page and read it back."""
    return load_story(write_ao3_page(work, tmp_path / "page.html"))


def _all_text(story: Story) -> str:
    """Everything a reader is shown as the story: chapter text, titles, notes, summaries."""
    parts = [story.title, story.author or "", story.summary or ""]
    parts += [n.text for n in story.notes]
    for chapter in story.chapters:
        parts += [chapter.title or "", chapter.summary or "", *chapter.notes_before]
        parts += [*chapter.notes_after, *(b.text for b in chapter.blocks)]
    return "\n".join(parts)


def test_title_author_and_tags_from_the_work_not_the_site(tmp_path: Path) -> None:
    work = sample_work()
    story = _load(tmp_path, work)
    assert story.source.format == "ao3-page-html"
    assert story.title == "Salt and Lanterns"
    assert story.author == "quietharbour, wrenfeather"
    assert story.rating == "Mature"
    assert story.site_warnings == work.warnings
    assert story.warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert story.categories == work.categories
    assert story.tags.fandoms == work.fandoms
    assert story.tags.relationships == work.relationships
    assert story.tags.characters == work.characters
    assert story.tags.additional == work.additional
    assert story.language == "English"
    assert [(s.name, s.index) for s in story.series] == [("The Ledger Cycle", 2)]
    assert story.source_url == work.url
    assert story.chapters_total == 4


def test_no_site_menus_in_the_story(tmp_path: Path) -> None:
    text = _all_text(_load(tmp_path, sample_work()))
    for word in (*SITE_WORDS, "Archive of Our Own", "Kudos", "Chapter Text", "Work Header"):
        assert word not in text


def test_chapters_notes_and_blocks(tmp_path: Path) -> None:
    work = sample_work("br")
    story = _load(tmp_path, work)
    assert [(c.number, c.title) for c in story.chapters] == [
        (1, "Low Water"),
        (2, None),
        (3, "Epilogue - The Ferry"),
    ]
    assert [(c.summary, c.notes_before, c.notes_after) for c in story.chapters] == [
        (s.summary, [s.notes] if s.notes else [], [s.end_notes] if s.end_notes else [])
        for s in work.chapters
    ]
    assert story.summary == work.summary
    assert [(n.position, n.text) for n in story.notes] == [
        ("before", work.notes),
        ("after", work.end_notes),
    ]
    for chapter, spec in zip(story.chapters, work.chapters, strict=True):
        kinds = ["epigraph"] if spec.epigraph else []
        kinds += ["scene_break" if p == SCENE_BREAK else "paragraph" for p in spec.paragraphs]
        assert [b.kind for b in chapter.blocks] == kinds


def test_single_chapter_work(tmp_path: Path) -> None:
    work = oneshot_work()
    story = _load(tmp_path, work)
    assert story.title == work.title
    (chapter,) = story.chapters
    assert [b.text for b in chapter.blocks if b.kind == "paragraph"] == [
        p for p in work.chapters[0].paragraphs if p != SCENE_BREAK
    ]
    assert "Work Text" not in _all_text(story)


@pytest.mark.parametrize(
    "make", [sample_work, oneshot_work, cjk_work], ids=["sample", "oneshot", "cjk"]
)
def test_audit_site_furniture_is_boilerplate(tmp_path: Path, make: object) -> None:
    path = write_ao3_page(make(), tmp_path / "page.html")  # type: ignore[operator]
    story = load_story(path)
    result = audit(story, path, path.read_bytes())
    assert result.unaccounted <= 0.01, result.to_dict()
    assert result.words["boilerplate"] > result.words["chapters"] / 2  # menus, log-in, footer
