"""The reading screen says once when part of the file could not be read (a chapter file
missing from an EPUB), on a first open (first chapter first, the whole story after) and on a
reopen from the story cache. The book is FanFicFare's own EPUB with one chapter file taken out
(tests/unit/test_epub_damaged.py)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from tests.fixtures.epub_builders import damaged_copy
from tests.fixtures.fanficfare import GROWING, FanFicFare, personal_ini
from tui_reader.importers import load_first_chapter
from tui_reader.story_cache import cached_story, open_cached, open_story
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.reader import ReaderScreen


async def _told(book: Path, data_dir: Path) -> list[str]:
    """Open ``book`` as ``tui-reader BOOK`` does (from the story cache, else its first chapter
    first and the whole story after); the warnings shown once the whole story is read."""
    story, whole = cached_story(book, data_dir), None
    if story is None:
        story, whole = load_first_chapter(book), partial(open_story, book, data_dir)
    assert story is not None
    app = TuiReaderApp(book, data_dir=data_dir, story=story, whole=whole)
    async with app.run_test(size=(100, 32)) as pilot:
        for _ in range(200):
            await app.workers.wait_for_complete()
            await pilot.pause(0.02)
            screen = app.screen
            if isinstance(screen, ReaderScreen) and not screen.indexing:
                break
        await pilot.pause()
        return [n.message for n in app._notifications if n.severity == "warning"]


async def test_a_missing_chapter_file_is_told_once(
    fanficfare: FanFicFare, tmp_path: Path, data_dir: Path
) -> None:
    book, gone = damaged_copy(
        fanficfare.make("epub", GROWING.sid, personal_ini([GROWING])), tmp_path
    )
    said = (
        f"Part of this file could not be read: {gone} is missing from the EPUB. The rest is shown."
    )
    assert await _told(book, data_dir) == [said]  # a first open
    open_cached(book, data_dir)  # (the entry the app writes a moment after the first open)
    assert cached_story(book, data_dir) is not None
    assert await _told(book, data_dir) == [said]  # a reopen, from the story cache
