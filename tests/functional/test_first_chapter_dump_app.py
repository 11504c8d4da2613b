"""First chapter first for an archive page dump in the app: the first chapter of a dump opened for
the first time shows from the quick read, without a chapter count, then the reader reads on in
the whole story, which takes the chapter shown rather than parsing it again; a dump whose
preamble warns asks before any text shows."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from test_app import screen_text

from benchmarks.generate import make_story
from tui_reader.importers import load_first_chapter, load_story
from tui_reader.model import Story
from tui_reader.story_cache import Fill, entry_path, open_story
from tui_reader.ui import app as app_module
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.dialogs.confirm import ConfirmDialog
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.widgets.reader_header import ReaderHeader

SIZE = (100, 32)


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read the whole story and write its cache entry as soon as the first chapter shows."""
    monkeypatch.setattr(app_module, "WHOLE_STORY_DELAY", 0.01)
    monkeypatch.setattr(app_module, "CACHE_FILL_DELAY", 0.01)


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    """A generated four-chapter archive dump that does not say how many chapters it has."""
    path = make_story(tmp_path / "lib", 20_000, "dump").path
    text = path.read_text(encoding="utf-8").replace("Total Chapters: 4\n", "", 1)
    path.write_text(text, encoding="utf-8")
    return path


async def settle(app: TuiReaderApp, pilot, done) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``done()`` (bounded by pauses, not by a clock)."""
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause(0.02)
        if done():
            return


def header(app: TuiReaderApp) -> str:
    """The reader's first screen line."""
    return screen_text(app).splitlines()[0]


async def test_the_dumps_first_chapter_shows_then_the_whole_story(
    dump: Path, data_dir: Path
) -> None:
    first = load_first_chapter(dump)
    assert first is not None and len(first.chapters) == 1
    shown_blocks = first.chapters[0].blocks
    whole = load_story(dump)
    indexed = threading.Event()

    def read_whole() -> tuple[Story, Fill | None]:
        """The whole story, once the test has looked at the first chapter."""
        indexed.wait(timeout=30)
        return open_story(dump, data_dir)

    app = TuiReaderApp(dump, data_dir=data_dir, story=first, whole=read_whole)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert header(app).rstrip().endswith("·  Chapter 1")  # (not "of 1": 4 to come)
        assert "left in story" not in app.screen.query_one(ReaderHeader).fit(300).plain
        assert whole.chapters[0].blocks[0].text[:40] in " ".join(screen_text(app).split())
        indexed.set()
        await settle(app, pilot, lambda: len(app.screen.story.chapters) == 4)
        assert "Chapter 1 of 4" in header(app)
        assert "left in story" in app.screen.query_one(ReaderHeader).fit(300).plain
        story = app.screen.story
        assert story is not first
        assert story.chapters[0].blocks is shown_blocks  # (taken over, not parsed again)
        assert story.to_dict() == whole.to_dict()
        await pilot.press("right")
        await settle(app, pilot, lambda: "Chapter 2 of 4" in header(app))
        assert "Chapter 2 of 4" in header(app)
        await settle(app, pilot, entry_path(dump, data_dir).is_file)
    assert entry_path(dump, data_dir).is_file()


async def test_a_dump_whose_preamble_warns_asks_before_any_text(
    tmp_path: Path, data_dir: Path
) -> None:
    text = make_story(tmp_path / "made", 20_000, "dump").path.read_text(encoding="utf-8")
    title, rest = text.split("\n", 1)
    path = tmp_path / "lib" / "warned.txt"
    path.parent.mkdir()
    path.write_text(f"{title}\n\nRating: Explicit\n{rest}", encoding="utf-8")
    first = load_first_chapter(path)
    assert first is not None and first.needs_warning  # (the quick read knows it)
    opening = first.chapters[0].blocks[0].text[:40]
    app = TuiReaderApp(path.parent, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "warning"
        assert "Rating: Explicit" in screen_text(app)
        assert not any(isinstance(s, ReaderScreen) for s in app.screen_stack)
        assert opening not in " ".join(screen_text(app).split())
