"""What a reader sees after the last chapter: "The End" only for a story that is finished.

A story whose source says it is not finished but gives no planned total (AO3's "Chapters: 9/?",
FanFicFare's "Status: In-Progress") ends "so far", as one with a known total ("3 of 10") does.
The files are made by the real producers: FanFicFare's CLI with its test adapter in every
format it writes, and AO3 downloads (otwarchive's templates) as HTML and through Calibre with
AO3's command line. A book that says nothing about its status still ends "The End".
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.fixtures.ao3_download import ebook_convert_args, sample_work, write_ao3_html
from tests.fixtures.calibre import EBOOK_CONVERT, convert
from tests.fixtures.fanficfare import FORMATS, STORIES, FanFicFare
from tui_reader.importers import load_story
from tui_reader.layout import chapter_items, work_items
from tui_reader.model import Block, Chapter, Source, Story
from tui_reader.story_cache import cached_story, open_cached

SO_FAR = "End of the story so far — {n} chapters, more to come"
"""The end marker of an unfinished story of ``n`` chapters whose total is unknown."""


def _end(story: Story) -> str:
    """The marker after the story's last chapter, as the reading screen lays it out."""
    items = chapter_items(story, len(story.chapters) - 1)
    assert items[-1].kind == "end"
    return items[-1].text


IN_PROGRESS = next(s for s in STORIES.values() if s.status == "In-Progress")
COMPLETED = next(s for s in STORIES.values() if s.status == "Completed" and len(s.chapters) > 1)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_fanficfare_story_in_progress_ends_so_far(fanficfare: FanFicFare, fmt: str) -> None:
    story = load_story(fanficfare.make(fmt, IN_PROGRESS.sid))
    assert story.chapters_total is None and story.in_progress
    assert _end(story) == SO_FAR.format(n=len(IN_PROGRESS.chapters))
    # the whole-work view ends the same way
    assert work_items(story)[-1].text == SO_FAR.format(n=len(IN_PROGRESS.chapters))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_completed_fanficfare_story_ends_the_end(fanficfare: FanFicFare, fmt: str) -> None:
    story = load_story(fanficfare.make(fmt, COMPLETED.sid))
    assert not story.in_progress
    assert _end(story) == "The End"


def test_the_adapters_own_story_in_progress_ends_so_far(fanficfare: FanFicFare) -> None:
    """sid 1 (FanFicFare's own test story, "In-Progress", nine chapters, "9/?" in inspect)."""
    story = load_story(fanficfare.make("epub", 1))
    assert _end(story) == SO_FAR.format(n=9)


@pytest.mark.parametrize("kind", ["html", "epub"])
def test_an_ao3_work_of_unknown_total_ends_so_far(tmp_path: Path, kind: str) -> None:
    """AO3's stats "Chapters: 3/?" (HTML download, and the EPUB Calibre makes of it)."""
    work = dataclasses.replace(sample_work("p"), expected_chapters=None)
    path = write_ao3_html(work, tmp_path / "work.html", "current")
    if kind == "epub":
        if EBOOK_CONVERT is None:
            pytest.skip("calibre's ebook-convert is not installed")
        path = convert(path, tmp_path / "work.epub", ebook_convert_args(work))
    story = load_story(path)
    assert story.chapters_total is None and story.in_progress
    assert _end(story) == SO_FAR.format(n=len(work.chapters))


def test_an_ao3_work_with_its_total_ends_by_it(tmp_path: Path) -> None:
    """ "Chapters: 3/5" ends "3 of 5"; "3/3" ends "The End" (neither is "in progress")."""
    planned = dataclasses.replace(sample_work("p"), expected_chapters=5)
    story = load_story(write_ao3_html(planned, tmp_path / "planned.html", "current"))
    n = len(planned.chapters)
    assert _end(story) == f"End of the story so far — {n} of 5 chapters"
    complete = dataclasses.replace(sample_work("p"), expected_chapters=0)
    done = load_story(write_ao3_html(complete, tmp_path / "done.html", "current"))
    assert not done.in_progress and _end(done) == "The End"


def test_a_book_that_says_nothing_ends_the_end() -> None:
    chapter = Chapter(1, "Only", 2)
    chapter.blocks = [Block("paragraph", "Two words.")]
    story = Story("A Book", Source("book.md", "markdown"), chapters=[chapter])
    assert _end(story) == "The End"


def test_one_chapter_so_far_is_singular() -> None:
    chapter = Chapter(1, "Only", 2)
    chapter.blocks = [Block("paragraph", "Two words.")]
    story = Story("A Start", Source("start.md", "markdown"), chapters=[chapter], in_progress=True)
    assert _end(story) == "End of the story so far — 1 chapter, more to come"


def test_the_story_cache_keeps_it(fanficfare: FanFicFare, tmp_path: Path) -> None:
    """A reopened story (from the story index cache) still ends "so far"."""
    path = fanficfare.make("epub", IN_PROGRESS.sid)
    assert open_cached(path, tmp_path).in_progress  # (a miss: imported, its entry written)
    again = cached_story(path, tmp_path)
    assert again is not None and again.in_progress
    assert _end(again) == SO_FAR.format(n=len(IN_PROGRESS.chapters))
