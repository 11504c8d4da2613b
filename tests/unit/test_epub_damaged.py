"""A damaged EPUB: a chapter file the package names is missing from the zip.

The rest of the book is read (as before), and the loss is no longer silent: the story carries
the reason (``Story.problems``), ``inspect`` prints it, the story cache keeps it, and the
reading screen says so once (tests/functional/test_reader_problems.py). The book is FanFicFare's
own EPUB of a story defined in tests/fixtures/fanficfare.py, made at test time, with one
chapter member taken out.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tests.fixtures.epub_builders import damaged_copy
from tests.fixtures.fanficfare import STORIES, FanFicFare
from tui_reader.importers import load_story
from tui_reader.inspect import run_inspect
from tui_reader.story_cache import cached_story, open_cached

STORY = next(s for s in STORIES.values() if len(s.chapters) >= 3)
"""A story of three chapters or more."""


@pytest.fixture
def damaged(fanficfare: FanFicFare, tmp_path: Path) -> tuple[Path, str]:
    """FanFicFare's EPUB of :data:`STORY` with one chapter file missing."""
    return damaged_copy(fanficfare.make("epub", STORY.sid), tmp_path)


def test_the_rest_is_read_and_the_loss_is_named(damaged: tuple[Path, str]) -> None:
    path, gone = damaged
    story = load_story(path)
    assert len(story.chapters) == len(STORY.chapters) - 1
    assert story.problems == [f"{gone} is missing from the EPUB"]


def test_inspect_prints_it(damaged: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    path, gone = damaged
    status = run_inspect(argparse.Namespace(file=str(path), json=False, audit=False))
    out = capsys.readouterr().out
    assert status == 0
    assert f"Damaged:  {gone} is missing from the EPUB (the rest was read)" in out.splitlines()


def test_the_story_cache_keeps_it(damaged: tuple[Path, str], tmp_path: Path) -> None:
    path, gone = damaged
    assert open_cached(path, tmp_path / "data").problems
    again = cached_story(path, tmp_path / "data")
    assert again is not None and again.problems == [f"{gone} is missing from the EPUB"]


def test_a_whole_book_has_no_problems(fanficfare: FanFicFare) -> None:
    assert load_story(fanficfare.make("epub", STORY.sid)).problems == []
