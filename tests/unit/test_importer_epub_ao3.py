"""AO3 EPUBs as the archive makes them: its HTML download run through Calibre's ``ebook-convert``.

The downloads are written by tests/fixtures/ao3_download.py (otwarchive's download templates,
current and older layouts, ``<p>`` and ``<br/>`` bodies, every kind of note) and converted with
AO3's own command line (tests/fixtures/calibre.py) once per session. Every expectation is
derived from the :class:`Work` given to the builder, the same values the AO3 HTML importer is
held to; every book is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.ao3_download import (
    SCENE_BREAK,
    Chapter,
    Layout,
    Work,
    cjk_work,
    ebook_convert_args,
    oneshot_work,
    sample_work,
    write_ao3_html,
)
from tests.fixtures.calibre import EBOOK_CONVERT, convert
from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.model import Story

WORKS: dict[str, tuple[Callable[[], Work], Layout]] = {
    "sample-p-current": (lambda: sample_work("p"), "current"),
    "sample-br-older": (lambda: sample_work("br"), "older"),
    "oneshot-p-older": (lambda: oneshot_work("p"), "older"),
    "oneshot-br-current": (lambda: oneshot_work("br"), "current"),
    "cjk-current": (cjk_work, "current"),
}
"""The works converted, by name: (builder, download layout)."""


@pytest.fixture(scope="session")
def ao3_epubs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Work, Layout, Path]]:
    """Each work of :data:`WORKS` as an AO3 EPUB made by ``ebook-convert``."""
    if EBOOK_CONVERT is None:
        pytest.skip("calibre's ebook-convert is not installed")
    folder = tmp_path_factory.mktemp("ao3-epub")
    out: dict[str, tuple[Work, Layout, Path]] = {}
    for name, (build, layout) in WORKS.items():
        work = build()
        html = write_ao3_html(work, folder / f"{name}.html", layout)
        out[name] = (work, layout, convert(html, folder / f"{name}.epub", ebook_convert_args(work)))
    return out


def _read(books: dict[str, tuple[Work, Layout, Path]], name: str) -> tuple[Work, Layout, Story]:
    """One converted book, read."""
    work, layout, path = books[name]
    return work, layout, load_story(path)


def _kinds(chapter: Chapter) -> list[str]:
    """The block kinds a reader should see for a chapter the builder wrote."""
    kinds = ["epigraph"] if chapter.epigraph else []
    return kinds + ["scene_break" if p == SCENE_BREAK else "paragraph" for p in chapter.paragraphs]


SAMPLES = ["sample-p-current", "sample-br-older"]


@pytest.mark.parametrize("name", SAMPLES)
def test_chapter_titles_verbatim_and_not_in_the_text(
    ao3_epubs: dict[str, tuple[Work, Layout, Path]], name: str
) -> None:
    """Issue 11: every title was None and "Chapter 1: Low Water" stayed in the text."""
    _, _, story = _read(ao3_epubs, name)
    assert story.source.format == "ao3-epub"
    assert [(c.number, c.title) for c in story.chapters] == [
        (1, "Low Water"),
        (2, None),
        (3, "Epilogue - The Ferry"),
    ]
    for chapter in story.chapters:
        texts = [b.text for b in chapter.blocks]
        assert not any(t.startswith("Chapter ") for t in texts)


@pytest.mark.parametrize("name", SAMPLES)
def test_every_note_in_its_place(
    ao3_epubs: dict[str, tuple[Work, Layout, Path]], name: str
) -> None:
    """Work notes, chapter summaries, chapter notes and end notes: none lost, none as text."""
    work, _, story = _read(ao3_epubs, name)
    assert story.summary == work.summary
    assert [(n.position, n.text) for n in story.notes] == [
        ("before", work.notes),
        ("after", work.end_notes),
    ]
    got = [(c.summary, c.notes_before, c.notes_after) for c in story.chapters]
    want = [
        (s.summary, [s.notes] if s.notes else [], [s.end_notes] if s.end_notes else [])
        for s in work.chapters
    ]
    assert got == want
    for chapter in story.chapters:
        for block in chapter.blocks:
            assert block.text not in ("Chapter Notes", "Chapter End Notes", "Chapter Summary")


@pytest.mark.parametrize("name", SAMPLES)
def test_paragraphs_and_scene_breaks(
    ao3_epubs: dict[str, tuple[Work, Layout, Path]], name: str
) -> None:
    """Calibre's split files still give each chapter exactly its own blocks."""
    work, _, story = _read(ao3_epubs, name)
    for chapter, spec in zip(story.chapters, work.chapters, strict=True):
        assert [b.kind for b in chapter.blocks] == _kinds(spec)
        texts = [b.text for b in chapter.blocks if b.kind == "paragraph"]
        assert texts == [p for p in spec.paragraphs if p != SCENE_BREAK]


@pytest.mark.parametrize("name", SAMPLES)
def test_metadata_as_the_html_importer_reads_it(
    ao3_epubs: dict[str, tuple[Work, Layout, Path]], name: str
) -> None:
    """Rating verbatim, archive warnings, tags, series, categories, language and the URL."""
    work, layout, story = _read(ao3_epubs, name)
    assert (story.title, story.author) == (work.title, ", ".join(work.authors))
    assert story.rating == work.rating
    assert story.site_warnings == work.warnings
    assert story.warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert story.tags.fandoms == work.fandoms
    assert story.tags.relationships == work.relationships
    assert story.tags.characters == work.characters
    assert story.tags.additional == work.additional
    assert story.categories == work.categories
    assert [(s.name, s.index) for s in story.series] == work.series
    # the older templates name no language; the EPUB's dc:language (AO3's --language) does
    assert story.language == (work.language if layout == "current" else work.language_code)
    assert story.source_url == f"https://archiveofourown.org/works/{work.work_id}"
    assert story.chapters_total == work.expected_chapters


@pytest.mark.parametrize("name", ["oneshot-p-older", "oneshot-br-current"])
def test_oneshot(ao3_epubs: dict[str, tuple[Work, Layout, Path]], name: str) -> None:
    work, _, story = _read(ao3_epubs, name)
    (chapter,) = story.chapters
    assert chapter.title is None
    assert [b.kind for b in chapter.blocks] == _kinds(work.chapters[0])
    assert story.rating == work.rating


@pytest.mark.parametrize("name", sorted(WORKS))
def test_every_ao3_epub_audits(ao3_epubs: dict[str, tuple[Work, Layout, Path]], name: str) -> None:
    """No more than 1% of the book's words is unaccounted for."""
    _, _, path = ao3_epubs[name]
    story = load_story(path)
    result = audit(story, path, path.read_bytes())
    assert abs(result.unaccounted) <= 0.01, result.to_dict()
    assert result.words["boilerplate"] > 0  # "Posted originally on the Archive of Our Own"
