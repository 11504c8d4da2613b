"""FanFicFare HTML (``fanficfare -f html``) made at test time by the real program.

Expectations come from the stories the suite gives the test adapter (:data:`STORIES`).
"""

from __future__ import annotations

import pytest

from tests.fixtures.fanficfare import STORIES, FanFicFare, TestStory
from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.model import Story

SIDS = sorted(STORIES)


def _story(fanficfare: FanFicFare, sid: int) -> Story:
    """The HTML FanFicFare writes for ``sid``, read back."""
    return load_story(fanficfare.make("html", sid))


@pytest.mark.parametrize("sid", SIDS)
def test_recognised_with_title_and_every_author(fanficfare: FanFicFare, sid: int) -> None:
    expected: TestStory = STORIES[sid]
    story = _story(fanficfare, sid)
    assert story.source.format == "fff-html"
    assert story.title == expected.title
    assert story.author == expected.author
    assert story.source_url == expected.url


@pytest.mark.parametrize("sid", SIDS)
def test_rating_and_warnings_verbatim(fanficfare: FanFicFare, sid: int) -> None:
    expected = STORIES[sid]
    story = _story(fanficfare, sid)
    assert story.rating == expected.rating
    assert sorted(story.site_warnings) == sorted(expected.warnings)
    assert story.warnings == list(expected.archive_warnings)


@pytest.mark.parametrize("sid", SIDS)
def test_site_warnings_are_not_the_authors_own_warnings(fanficfare: FanFicFare, sid: int) -> None:
    """The title page's "Violence" is a site warning, never an author's free-text warning
    (the TXT and EPUB of the same story have no content notes either)."""
    story = _story(fanficfare, sid)
    assert story.content_notes == []


@pytest.mark.parametrize("sid", SIDS)
def test_chapters_numbered_in_order_with_titles_verbatim(fanficfare: FanFicFare, sid: int) -> None:
    expected = STORIES[sid]
    story = _story(fanficfare, sid)
    assert [(c.number, c.title) for c in story.chapters] == [
        (number, title) for _given, number, title in expected.chapters
    ]


@pytest.mark.parametrize("sid", SIDS)
def test_summary_series_language_and_no_site_metadata_in_chapters(
    fanficfare: FanFicFare, sid: int
) -> None:
    expected = STORIES[sid]
    story = _story(fanficfare, sid)
    assert story.summary == "\n\n".join(expected.summary)
    assert [(s.name, s.index) for s in story.series] == (
        [expected.series] if expected.series else []
    )
    assert story.language == expected.language
    assert sorted(story.categories) == sorted(expected.categories)
    text = "\n".join(b.text for c in story.chapters for b in c.blocks)
    for label in ("Packaged:", "Publisher:", "Status:", "Table of Contents", expected.title):
        assert label not in text
    assert [s.title for s in story.front_matter] == (
        ["Table of Contents"] if len(expected.chapters) > 1 else []
    )


def test_adapter_story_chapters_are_consecutive(fanficfare: FanFicFare) -> None:
    story = load_story(fanficfare.make("html", 1))
    assert story.author == "Test Author aa"
    numbers = [c.number for c in story.chapters]
    assert numbers == list(range(1, len(numbers) + 1))
    assert [c.title for c in story.chapters][4:] == [
        "Chapter 4 & 4.5",
        "Chapter 5 < 5.4",
        "Chapter A & B < C > D",
        "Chapter 7",
        "Chapter 8",
    ]


@pytest.mark.parametrize("sid", [*SIDS, 1])
def test_audit_accounts_for_every_word(fanficfare: FanFicFare, sid: int) -> None:
    path = fanficfare.make("html", sid)
    story = load_story(path)
    result = audit(story, path, path.read_bytes())
    assert result.unaccounted <= 0.01, result.to_dict()
    assert result.words["chapters"] > 0
