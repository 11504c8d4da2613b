"""First chapter first in the app for the commonest EPUBs, made by the real producers: an AO3
book (Calibre's ``ebook-convert`` with AO3's command line) and a FanFicFare book (its program
and test adapter) show chapter 1 from a quick read, then read on in the whole story, which
replaces the first one (chapter 1's blocks taken over, not parsed again)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_app import screen_text

from tests.fixtures.ao3_download import ebook_convert_args, sample_work, write_ao3_html
from tests.fixtures.calibre import EBOOK_CONVERT, convert
from tests.fixtures.fanficfare import GROWING, FanFicFare, personal_ini
from tui_reader.importers import load_first_chapter, load_story
from tui_reader.model import NO_WARNINGS
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.reader import ReaderScreen

SIZE = (100, 32)

pytestmark = pytest.mark.usefixtures("whole_story_soon")


@pytest.fixture
def ao3(tmp_path: Path) -> Path:
    """A three-chapter AO3 book that calls for no warning, as Calibre converts it for AO3."""
    if EBOOK_CONVERT is None:
        pytest.skip("calibre's ebook-convert is not installed")
    work = sample_work()
    work.rating = "General Audiences"
    work.warnings = [NO_WARNINGS]
    html = write_ao3_html(work, tmp_path / "work.html")
    return convert(html, tmp_path / "lib" / "work.epub", ebook_convert_args(work))


@pytest.fixture
def fff(fanficfare: FanFicFare) -> Path:
    """A three-chapter FanFicFare book rated K+ with no warnings."""
    return fanficfare.make("epub", GROWING.sid, personal_ini([GROWING]))


COMPLETE = dataclasses.replace(GROWING, sid=1012, status="Completed")
"""The three chapters of :data:`GROWING`, the story complete."""


async def settle(app: TuiReaderApp, pilot, done) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``done()`` (bounded by pauses, not by a clock)."""
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause(0.02)
        if done():
            return


@pytest.mark.parametrize("kind", ["ao3", "fff"])
async def test_the_first_chapter_shows_then_the_whole_story(
    kind: str, request: pytest.FixtureRequest, data_dir: Path, held_back: Callable[..., Any]
) -> None:
    book: Path = request.getfixturevalue(kind)
    first = load_first_chapter(book)
    assert first is not None and len(first.chapters) == 1 and not first.needs_warning
    shown_blocks = first.chapters[0].blocks
    whole = load_story(book)
    assert len(whole.chapters) == 3
    read_whole = held_back(book)

    app = TuiReaderApp(book, data_dir=data_dir, story=first, whole=read_whole)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.story is first
        header = screen_text(app).splitlines()[0]
        assert "Chapter 1" in header and "Chapter 1 of 3" not in header
        opening = shown_blocks[0].text[:40]
        assert opening in " ".join(screen_text(app).split())
        read_whole.release()
        await settle(app, pilot, lambda: len(app.screen.story.chapters) == 3)
        assert "Chapter 1 of" in screen_text(app).splitlines()[0]
        assert app.screen.story.to_dict() == whole.to_dict()
        assert app.screen.story.chapters[0].blocks is shown_blocks  # (taken over)
        assert opening in " ".join(screen_text(app).split())


async def test_an_ao3_book_that_warns_shows_its_warning_from_the_quick_read(
    tmp_path: Path, data_dir: Path, held_back: Callable[..., Any]
) -> None:
    if EBOOK_CONVERT is None:
        pytest.skip("calibre's ebook-convert is not installed")
    work = sample_work()
    work.rating = "Explicit"
    work.warnings = ["Major Character Death"]
    html = write_ao3_html(work, tmp_path / "work.html")
    book = convert(html, tmp_path / "lib" / "work.epub", ebook_convert_args(work))
    first = load_first_chapter(book)
    assert first is not None and len(first.chapters) == 1 and first.needs_warning
    read_whole = held_back(book)

    app = TuiReaderApp(book, data_dir=data_dir, story=first, whole=read_whole)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):  # (the whole story is held back: the quick read's warning shows)
            await pilot.pause(0.02)
            if "Major Character Death" in screen_text(app):
                break
        text = screen_text(app)
        assert "Rating: Explicit" in text and "Major Character Death" in text
        await pilot.press("y")
        for _ in range(200):
            await pilot.pause(0.02)
            if isinstance(app.screen, ReaderScreen):
                break
        assert isinstance(app.screen, ReaderScreen) and app.screen.story is first
        read_whole.release()
        await settle(app, pilot, lambda: len(app.screen.story.chapters) == 3)
        assert isinstance(app.screen, ReaderScreen)  # (the whole warns of the same: once)
        assert app.screen.story.to_dict() == load_story(book).to_dict()


async def test_a_complete_fanficfare_books_header_is_the_same_before_and_after_the_whole(
    fanficfare: FanFicFare, data_dir: Path, held_back: Callable[..., Any]
) -> None:
    """A complete FanFicFare book's title page gives no planned total ("Chapters: 3"): the quick
    read counts the chapters from their documents' beginnings, so the header's first line says
    "Chapter 1 of 3" from the first frame and does not change when the whole story arrives.
    (Its second line gains the story's time left, which only the whole story's words give.)"""
    book = fanficfare.make("epub", COMPLETE.sid, personal_ini([COMPLETE]))
    first = load_first_chapter(book)
    assert first is not None and len(first.chapters) == 1 and first.chapters_total == 3
    read_whole = held_back(book)

    app = TuiReaderApp(book, data_dir=data_dir, story=first, whole=read_whole)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen) and app.screen.story is first
        before = screen_text(app).splitlines()[:2]
        assert "Chapter 1 of 3" in before[0]
        read_whole.release()
        await settle(app, pilot, lambda: len(app.screen.story.chapters) == 3)
        assert app.screen.story is not first
        after = screen_text(app).splitlines()[:2]
        assert after[0] == before[0]
        assert after[1].startswith(before[1].rstrip())  # (then "·  4 min left in story")
