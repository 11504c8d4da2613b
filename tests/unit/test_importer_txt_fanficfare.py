"""FanFicFare TXT as FanFicFare itself writes it (``fanficfare -f txt``, offline test adapter).

The files are made at test time by the real program (tests/fixtures/fanficfare.py); each story
is checked against what was given to the adapter, and every file is audited.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.fanficfare import STORIES, FanFicFare, TestStory, personal_ini
from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.model import Story

ADAPTER_CHAPTERS = [
    "Prologue tests:[bare amp(&) qt(') amp(&) gt(>) lt(<) ATnT(AT&T) L(£) Onna(女)]",
    "Chapter 1, Xenos on Cinnabar",
    "Chapter 2, Sinmay on Kintikin",
    'Chapter 3, "Over" Cinnabar',
    "Chapter 4 & 4.5",
    "Chapter 5 < 5.4",
    "Chapter A & B < C > D",
    "Chapter 7",
    "Chapter 8",
]
"""The chapter titles the adapter gives its own stories (sid < 1000), entities decoded."""


def _load(fanficfare: FanFicFare, sid: int) -> tuple[Story, Path]:
    """FanFicFare's TXT of story ``sid``, read."""
    path = fanficfare.make("txt", sid)
    return load_story(path), path


@pytest.mark.parametrize("sid", sorted(STORIES))
def test_teststory_reads_as_given(fanficfare: FanFicFare, sid: int) -> None:
    given: TestStory = STORIES[sid]
    story, _ = _load(fanficfare, sid)
    assert story.source.format == "fff-txt"
    assert story.title == given.title
    assert story.author == given.author
    assert story.rating == given.rating
    assert story.site_warnings == list(given.warnings)
    assert story.warnings == list(given.archive_warnings)
    assert story.summary == "\n\n".join(given.summary)
    assert story.language == given.language
    assert story.categories == list(given.categories)
    assert story.tags.characters == list(given.characters)
    assert story.source_url == given.url
    expected_series = [] if given.series is None else [given.series]
    assert [(s.name, s.index) for s in story.series] == expected_series
    assert [(c.number, c.title) for c in story.chapters] == [c[1:] for c in given.chapters]
    done = given.status == "Completed"
    assert story.chapters_total == (len(given.chapters) if done else None)


@pytest.mark.parametrize("sid", sorted(STORIES))
def test_teststory_chapter_text(fanficfare: FanFicFare, sid: int) -> None:
    """Each chapter holds the adapter's page and nothing of the chapter titles or the end line."""
    story, _ = _load(fanficfare, sid)
    for chapter in story.chapters:
        blocks = chapter.blocks
        kinds = [b.kind for b in blocks]
        texts = [b.text for b in blocks]
        if chapter.number == 1:
            assert blocks[0] == blocks[0].__class__("heading", "Prologue")
            assert texts[1].startswith("This is a fake adapter for testing purposes.")
            assert kinds.count("scene_break") == 0
        else:
            assert (blocks[0].kind, blocks[0].text) == ("heading", "Chapter title from site")
            # two <hr> in the adapter's page, and a run of eight <br/> (blank lines, as the
            # HTML and EPUB readers read it too)
            assert kinds.count("scene_break") == 3
            lorem = [t for t in texts if t.startswith(("Lorem ipsum", '"Lorem ipsum'))]
            assert len(lorem) == 3 and all(t.endswith("id est laborum.") for t in lorem)
        body = " ".join(" ".join(b.text for b in blocks if b.kind != "heading").split())
        for raw, _number, _title in STORIES[sid].chapters:
            assert " ".join(raw.split()[-3:]) not in body  # no wrapped title's tail
        assert "End file." not in body


UNWRAPPED = """
[txt]
wrap_width: 0
windows_eol: false
include_tocpage: false
"""
"""FanFicFare settings some users choose: no wrapping, Unix line ends, no contents page."""


@pytest.mark.parametrize("sid", [1001, 1002])
def test_teststory_without_wrapping_or_contents(fanficfare: FanFicFare, sid: int) -> None:
    """The same story written unwrapped and without a contents page reads the same."""
    path = fanficfare.make("txt", sid, ini=personal_ini() + UNWRAPPED)
    assert b"\r\n" not in path.read_bytes() and b"TABLE OF CONTENTS" not in path.read_bytes()
    story = load_story(path)
    wrapped, _ = _load(fanficfare, sid)
    assert (story.title, story.author, story.summary) == (
        wrapped.title,
        wrapped.author,
        wrapped.summary,
    )
    assert [(c.number, c.title) for c in story.chapters] == [c[1:] for c in STORIES[sid].chapters]
    assert [[b.kind for b in c.blocks] for c in story.chapters] == [
        [b.kind for b in c.blocks] for c in wrapped.chapters
    ]
    result = audit(story, path, path.read_bytes())
    assert result.unaccounted <= 0.01, result.to_dict()


def test_two_paragraph_summary_keeps_the_contents_and_chapters(fanficfare: FanFicFare) -> None:
    """Issue 11: a second summary paragraph ended the header, so the TOC was never found."""
    story, _ = _load(fanficfare, 1002)
    assert len(story.chapters) == 4
    assert story.summary is not None and story.summary.count("\n\n") == 2
    assert "TABLE OF CONTENTS" not in story.summary
    assert all("TABLE OF CONTENTS" not in b.text for b in story.chapters[0].blocks)


def test_wrapped_by_line_keeps_every_author(fanficfare: FanFicFare) -> None:
    """Issue 11: the ``by`` line wraps at 78 columns; the author list was cut at the wrap."""
    story, _ = _load(fanficfare, 673)
    assert story.author is not None
    authors = story.author.split(", ")
    assert len(authors) == 20
    assert authors[0] == "Test Author aa" and authors[-1] == "Author From List o"


def test_adapter_stories_titles_and_chapters(fanficfare: FanFicFare) -> None:
    """The adapter's own stories: wrapped crazy title (664), nine chapters titled verbatim."""
    story, _path = _load(fanficfare, 664)
    crazy = "tests:[bare amp(&) qt(') amp(&) gt(>) lt(<) ATnT(AT&T) L(£) Onna(女)]"
    assert story.title == f"Test Story Title 664{crazy}"
    assert story.author == "Test Author aa bare amp(&) quote(') amp(&)"
    assert story.rating == "Tweenie" and story.rating_level == "General Audiences"
    assert story.site_warnings == ["Swearing", "Violence"] and story.warnings == []
    assert [c.title for c in story.chapters] == ADAPTER_CHAPTERS
    assert [c.number for c in story.chapters] == list(range(1, 10))
    assert story.chapters_total == 9  # sid 664 is complete
    assert story.summary is not None and story.summary.startswith("Description tests:")
    assert story.summary.endswith('"My first fic"') and "\n\n" in story.summary
    first = story.chapters[0]
    assert crazy not in "\n".join(b.text for b in first.blocks)


def test_series_of_the_adapter_story(fanficfare: FanFicFare) -> None:
    story, _ = _load(fanficfare, 1)
    assert [(s.name, s.index) for s in story.series] == [("The Great Test", 1)]
    assert story.source_url == "http://test1.com?sid=1"
    assert story.chapters_total is None  # odd sids are in progress


@pytest.mark.parametrize("sid", [1, 664, 673, *sorted(STORIES)])
def test_every_fanficfare_txt_audits(fanficfare: FanFicFare, sid: int) -> None:
    """No more than 1% of the words of FanFicFare's file is unaccounted for."""
    story, path = _load(fanficfare, sid)
    result = audit(story, path, path.read_bytes())
    assert result.source_words > 150
    assert result.unaccounted <= 0.01, result.to_dict()
