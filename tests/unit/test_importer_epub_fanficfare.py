"""FanFicFare EPUB as FanFicFare itself writes it (``fanficfare -f epub``, offline test adapter).

The books are made at test time by the real program (tests/fixtures/fanficfare.py); each story
is checked against what was given to the adapter (the same expected values the TXT and HTML
importers are held to), and every book is audited.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.fixtures.fanficfare import STORIES, FanFicFare, TestStory, personal_ini
from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.model import Chapter, Story

AMPERSAND = dataclasses.replace(
    STORIES[1003], sid=1004, title="Salt & Vinegar", authors=("Pim & Posy", "Rue Ambler")
)
"""A story whose author has an ``&``, which FanFicFare escapes twice in its OPF."""


def _load(fanficfare: FanFicFare, sid: int, ini: str | None = None) -> tuple[Story, Path]:
    """FanFicFare's EPUB of story ``sid``, read."""
    path = fanficfare.make("epub", sid, ini)
    return load_story(path), path


@pytest.mark.parametrize("sid", sorted(STORIES))
def test_teststory_reads_as_given(fanficfare: FanFicFare, sid: int) -> None:
    """Metadata verbatim: rating ("K+", "Tweenie", "M"), site warnings, series, language..."""
    given: TestStory = STORIES[sid]
    story, _ = _load(fanficfare, sid)
    seen = {
        "format": story.source.format,
        "byline": (story.title, story.author),
        "rating": story.rating,
        "warnings": (story.site_warnings, story.warnings),
        "summary": story.summary,
        "place": (story.language, story.categories, story.tags.characters, story.source_url),
        "series": [(s.name, s.index) for s in story.series],
        "chapters": [(c.number, c.title) for c in story.chapters],
        "total": story.chapters_total,
    }
    assert (
        seen
        == {
            "format": "fff-epub",
            "byline": (given.title, given.author),
            "rating": given.rating,  # "K+", "Tweenie", "M" verbatim
            "warnings": (list(given.warnings), list(given.archive_warnings)),  # "Violence" stays
            "summary": "\n\n".join(given.summary),
            "place": (given.language, list(given.categories), list(given.characters), given.url),
            "series": [] if given.series is None else [given.series],
            "chapters": [c[1:] for c in given.chapters],
            "total": len(given.chapters) if given.status == "Completed" else None,
        }
    )


@pytest.mark.parametrize("sid", sorted(STORIES))
def test_teststory_chapter_text(fanficfare: FanFicFare, sid: int) -> None:
    """Each chapter holds the adapter's page and nothing of its title, block for block as
    FanFicFare's HTML of the same story reads (its packaging timestamp aside)."""
    story, _ = _load(fanficfare, sid)
    same = load_story(fanficfare.make("html", sid))

    def blocks(chapter: Chapter) -> list[tuple[str, str]]:
        return [(b.kind, b.text) for b in chapter.blocks if not b.text.startswith("Timestamp:")]

    assert [blocks(c) for c in story.chapters] == [blocks(c) for c in same.chapters]
    for chapter in story.chapters[1:]:
        kinds = [b.kind for b in chapter.blocks]
        texts = [b.text for b in chapter.blocks]
        assert kinds.count("scene_break") >= 2  # two <hr> in the adapter's page
        lorem = [t for t in texts if t.startswith(("Lorem ipsum", '"Lorem ipsum'))]
        assert len(lorem) == 3 and all(t.endswith("id est laborum.") for t in lorem)
        raw = STORIES[sid].chapters[chapter.number - 1][0]
        assert raw not in texts


def test_double_escaped_author(fanficfare: FanFicFare) -> None:
    """Issue 11: ``&amp;`` was left in the author (FanFicFare double-escapes the OPF)."""
    story, _ = _load(fanficfare, AMPERSAND.sid, personal_ini([AMPERSAND]))
    assert story.author == "Pim & Posy, Rue Ambler"
    assert story.title == "Salt & Vinegar"


def test_adapter_story_chapters_verbatim(fanficfare: FanFicFare) -> None:
    """Issue 11: "Chapter 4 & 4.5" became "& 4.5" and "Chapter 7" (eighth) became untitled."""
    story, _ = _load(fanficfare, 664)
    titles = [c.title for c in story.chapters]
    assert titles[4] == "Chapter 4 & 4.5" and titles[7] == "Chapter 7"
    assert (
        titles[0]
        == "Prologue tests:[bare amp(&) qt(') amp(&) gt(>) lt(<) ATnT(AT&T) L(£) Onna(女)]"
    )
    same = load_story(fanficfare.make("txt", 664))  # the same story as FanFicFare's TXT
    assert titles == [c.title for c in same.chapters]
    assert [c.number for c in story.chapters] == list(range(1, 10))
    assert story.rating == "Tweenie" and story.rating_level == "General Audiences"
    assert story.site_warnings == ["Swearing", "Violence"] and story.warnings == []
    assert story.author == "Test Author aa bare amp(&) quote(') amp(&)"


@pytest.mark.parametrize("sid", [1, 664, *sorted(STORIES)])
def test_every_fanficfare_epub_audits(fanficfare: FanFicFare, sid: int) -> None:
    """No more than 1% of the words of FanFicFare's book is unaccounted for."""
    story, path = _load(fanficfare, sid)
    result = audit(story, path, path.read_bytes())
    assert result.source_words > 150
    assert abs(result.unaccounted) <= 0.01, result.to_dict()


def test_contents_and_log_pages_are_front_matter(fanficfare: FanFicFare) -> None:
    """``include_tocpage`` / ``include_logpage``: the pages are kept as sections, not dropped."""
    extra = "\n[epub]\ninclude_tocpage:true\ninclude_logpage:true\n"
    story, path = _load(fanficfare, 1001, personal_ini() + extra)
    assert [s.title for s in story.front_matter] == ["Contents", "Update log"]
    contents = [b.text for b in story.front_matter[0].blocks]
    assert "Chapter 4 & 4.5" in " ".join(contents)
    assert len(story.chapters) == 4
    assert abs(audit(story, path, path.read_bytes()).unaccounted) <= 0.01
