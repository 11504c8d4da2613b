"""First chapter first in the app: a story file opened for the first time shows its first chapter
from a quick read, then reads on in the whole story (the header's counts fill in) without moving
the reader; a reader whose place is further on waits for the whole story and lands there. The
same for an archive page dump, whose preamble's warnings are known before any text shows."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from test_app import screen_text
from textual.widgets import Input

from benchmarks.generate import make_story
from tui_reader.importers import load_first_chapter, load_story
from tui_reader.model import Story, StoryError
from tui_reader.state import Position, StateStore
from tui_reader.story_cache import Fill, entry_path, open_story
from tui_reader.ui import app as app_module
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.dialogs.chapter_index import ChapterIndexScreen
from tui_reader.ui.dialogs.confirm import ConfirmDialog
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.widgets.chapter_view import ChapterView
from tui_reader.ui.widgets.reader_header import ReaderHeader

SIZE = (100, 32)


pytestmark = pytest.mark.usefixtures("whole_story_soon")


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A generated four-chapter EPUB."""
    return make_story(tmp_path / "lib", 20_000, "epub").path


def first_chapter_app(
    book: Path, data_dir: Path, whole: Callable[[], tuple[Story, Fill | None]]
) -> TuiReaderApp:
    """The app on ``book``'s first chapter (its quick read), the whole story read by ``whole``."""
    return TuiReaderApp(book, data_dir=data_dir, story=load_first_chapter(book), whole=whole)


async def settle(app: TuiReaderApp, pilot, done, *, workers: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``done()`` (bounded by pauses, not by a clock); ``workers``: wait
    for the workers running each time."""
    for _ in range(200):
        if workers:
            await app.workers.wait_for_complete()
        await pilot.pause(0.02)
        if done():
            return


def header(app: TuiReaderApp) -> str:
    """The reader's first screen line."""
    return screen_text(app).splitlines()[0]


def header_lines(app: TuiReaderApp) -> str:
    """Both lines of the reader's header as a wide screen shows them."""
    return app.screen.query_one(ReaderHeader).fit(300).plain


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    """A generated four-chapter archive dump that does not say how many chapters it has."""
    path = make_story(tmp_path / "lib", 20_000, "dump").path
    text = path.read_text(encoding="utf-8").replace("Total Chapters: 4\n", "", 1)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["book", "dump"])
async def test_the_first_chapter_shows_then_the_whole_story(
    kind: str, request: pytest.FixtureRequest, data_dir: Path, held_back: Callable[..., Any]
) -> None:
    book: Path = request.getfixturevalue(kind)  # an EPUB, and an archive dump
    first = load_first_chapter(book)
    assert first is not None and len(first.chapters) == 1
    shown_blocks = first.chapters[0].blocks
    whole = load_story(book)
    read_whole = held_back(book)

    app = TuiReaderApp(book, data_dir=data_dir, story=first, whole=read_whole)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        text = screen_text(app)
        assert header(app).rstrip().endswith("·  Chapter 1")  # (not "of 1": 4 to come)
        assert "left in story" not in header_lines(app)  # (nor how long the rest takes)
        assert whole.chapters[0].blocks[0].text[:40] in " ".join(text.split())
        read_whole.release()
        await settle(app, pilot, lambda: len(app.screen.story.chapters) == 4)
        assert "Chapter 1 of 4" in header(app)
        assert "left in story" in header_lines(app)
        assert app.screen.story.to_dict() == whole.to_dict()
        assert app.screen.story.chapters[0].blocks is shown_blocks  # (taken over, not parsed again)
        assert whole.chapters[0].blocks[0].text[:40] in " ".join(screen_text(app).split())
        await pilot.press("right")  # the next chapter is there now
        await settle(app, pilot, lambda: "Chapter 2 of 4" in header(app))
        assert "Chapter 2 of 4" in header(app)
        await settle(app, pilot, entry_path(book, data_dir).is_file)
    assert entry_path(book, data_dir).is_file()


async def test_the_chapter_index_opened_early_fills_in_with_the_whole_story(
    book: Path, data_dir: Path, held_back: Callable[..., Any]
) -> None:
    """Opened before the rest of the story is read, the index says so; it lists every chapter
    once the whole story arrives, and a chapter chosen there opens."""
    read_whole = held_back(book)
    app = first_chapter_app(book, data_dir, read_whole)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await settle(app, pilot, lambda: isinstance(app.screen, ChapterIndexScreen), workers=False)
        early = screen_text(app)
        assert "Chapters · 1 chapter so far, reading the rest…" in early
        assert "Chapter 2" not in early
        read_whole.release()
        await settle(app, pilot, lambda: "Chapter 4" in screen_text(app))
        listed = screen_text(app)
        assert "Chapters · 4 chapters  (" in listed and "so far" not in listed
        assert isinstance(app.screen, ChapterIndexScreen)
        await pilot.press("down", "down", "enter")
        await settle(app, pilot, lambda: "Chapter 3 of 4" in header(app))
        assert isinstance(app.screen, ReaderScreen)
        assert "Chapter 3 of 4" in header(app)


async def test_next_chapter_asked_early_opens_when_the_whole_story_arrives(
    book: Path, data_dir: Path, held_back: Callable[..., Any]
) -> None:
    """ "Next chapter" before the rest of the story is read is not "no next chapter": the reader
    is told the rest is being read, and chapter 2 opens once it is."""
    read_whole = held_back(book)
    app = first_chapter_app(book, data_dir, read_whole)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("]")
        await settle(app, pilot, lambda: bool(app._notifications), workers=False)
        assert [n.message for n in app._notifications] == ["Reading the rest of the story…"]
        assert header(app).rstrip().endswith("·  Chapter 1")
        read_whole.release()
        await settle(app, pilot, lambda: "Chapter 2 of 4" in header(app))
        assert "Chapter 2 of 4" in header(app)
        assert app.screen.chapter_index == 1


async def test_a_place_further_on_waits_for_the_whole_story(book: Path, data_dir: Path) -> None:
    whole = load_story(book)
    store = StateStore(data_dir, "local")
    store.save_position(whole.story_id, Position(2, 3, 0), write_now=True)
    store.close()
    app = first_chapter_app(book, data_dir, partial(open_story, book, data_dir))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert isinstance(app.screen, ReaderScreen)
        assert "Chapter 3 of 4" in header(app)
        assert app.screen.position().chapter == 2
    store = StateStore(data_dir, "local")
    position = store.position(whole.story_id)
    store.close()
    assert position is not None and position.chapter == 2


async def test_a_whole_story_that_fails_is_said_in_one_line(book: Path, data_dir: Path) -> None:
    def fails() -> tuple[Story, Fill | None]:
        raise StoryError(str(book), "the second half is gone")

    app = first_chapter_app(book, data_dir, fails)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, lambda: bool(app._notifications))
        assert isinstance(app.screen, ReaderScreen)
        shown = [(n.title, n.message) for n in app._notifications]
        assert shown == [(f"Cannot open {book.name}", "the second half is gone")]
        assert header(app).rstrip().endswith("·  Chapter 1")  # (how many is still not known)


async def test_a_whole_story_that_warns_asks_before_reading_on(book: Path, data_dir: Path) -> None:
    first = load_first_chapter(book)
    assert first is not None and not first.needs_warning

    def warned() -> tuple[Story, Fill | None]:
        story, _ = open_story(book, data_dir)
        story.rating = "Explicit"
        return story, None

    app = TuiReaderApp(book, data_dir=data_dir, story=first, whole=warned)
    async with app.run_test(size=SIZE) as pilot:
        await settle(  # (the dialog pushed, then painted)
            app,
            pilot,
            lambda: isinstance(app.screen, ConfirmDialog) and "Rating" in screen_text(app),
        )
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "warning"
        assert "Rating: Explicit" in screen_text(app)
        await pilot.press("n")
        await settle(app, pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_a_library_epub_opens_first_chapter_first(
    book: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    indexed = threading.Event()
    real = app_module.open_story

    def gated(path: Path, data: Path) -> tuple[Story, Fill | None]:
        """The whole story, once the test has looked at the first chapter."""
        indexed.wait(timeout=30)
        return real(path, data)

    monkeypatch.setattr(app_module, "open_story", gated)
    app = TuiReaderApp(book.parent, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot, lambda: isinstance(app.screen, ReaderScreen), workers=False)
        assert isinstance(app.screen, ReaderScreen)
        assert header(app).rstrip().endswith("·  Chapter 1")  # (not "of 1": 4 to come)
        indexed.set()
        await settle(app, pilot, lambda: "Chapter 1 of 4" in header(app))
        assert "Chapter 1 of 4" in header(app)
        assert app.screen.story.to_dict() == load_story(book).to_dict()
        await settle(app, pilot, entry_path(book, data_dir).is_file)
        await pilot.press("escape")  # back to the library: the app goes on
        await pilot.pause()
        assert app.is_running
    assert entry_path(book, data_dir).is_file()


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
        await settle(  # (the dialog pushed, then painted)
            app,
            pilot,
            lambda: isinstance(app.screen, ConfirmDialog) and "Rating" in screen_text(app),
        )
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "warning"
        assert "Rating: Explicit" in screen_text(app)
        assert not any(isinstance(s, ReaderScreen) for s in app.screen_stack)
        assert opening not in " ".join(screen_text(app).split())


def _warned(story: Story, *, rating: str = "Mature", warnings: list[str] | None = None) -> Story:
    """``story`` as a book whose preface warns (rating, and archive warnings when given)."""
    story.rating = rating
    if warnings is not None:
        story.warnings = warnings
    return story


async def test_a_first_chapter_that_warns_shows_its_warning_before_the_whole_story(
    book: Path, data_dir: Path, held_back: Callable[..., Any]
) -> None:
    first = load_first_chapter(book)
    assert first is not None
    _warned(first)
    read_whole = held_back(book, change=_warned)  # (warning as the first chapter does)

    app = TuiReaderApp(book, data_dir=data_dir, story=first, whole=read_whole)
    async with app.run_test(size=SIZE) as pilot:
        await settle(  # (the whole story held back: the warning comes from the quick read)
            app,
            pilot,
            lambda: isinstance(app.screen, ConfirmDialog) and "Rating" in screen_text(app),
            workers=False,
        )
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "warning"
        assert "Rating: Mature" in screen_text(app)
        await pilot.press("y")
        await settle(app, pilot, lambda: isinstance(app.screen, ReaderScreen), workers=False)
        assert isinstance(app.screen, ReaderScreen) and app.screen.story is first
        assert header(app).rstrip().endswith("·  Chapter 1")
        read_whole.release()
        await settle(app, pilot, lambda: "Chapter 1 of 4" in header(app))
        assert "Chapter 1 of 4" in header(app)
        assert isinstance(app.screen, ReaderScreen)  # (warned of the same: not asked again)
        assert app.store.acknowledged(first.story_id)


async def test_a_whole_story_read_while_the_warning_waits_is_the_one_opened(
    book: Path, data_dir: Path
) -> None:
    first = load_first_chapter(book)
    assert first is not None
    _warned(first)
    read: list[Story] = []

    def read_whole() -> tuple[Story, Fill | None]:
        """The whole story at once (warning as the first chapter does)."""
        story, fill = open_story(book, data_dir)
        read.append(_warned(story))
        return story, fill

    app = TuiReaderApp(book, data_dir=data_dir, story=first, whole=read_whole)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, lambda: bool(read) and not app._first_only)
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "warning"
        await pilot.press("y")
        await settle(app, pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.story is read[0]  # (not the first chapter alone)
        assert "Chapter 1 of 4" in header(app)


@pytest.mark.parametrize("whole_arrives", ["after the answer", "before the answer"])
async def test_a_whole_story_warning_of_more_asks_again(
    whole_arrives: str, book: Path, data_dir: Path
) -> None:
    first = load_first_chapter(book)
    assert first is not None
    _warned(first)
    indexed = threading.Event()
    read: list[Story] = []

    def read_whole() -> tuple[Story, Fill | None]:
        """The whole story, which also warns of a major character death."""
        if whole_arrives == "after the answer":
            indexed.wait(timeout=30)
        story, fill = open_story(book, data_dir)
        read.append(_warned(story, warnings=["Major Character Death"]))
        return story, fill

    app = TuiReaderApp(book, data_dir=data_dir, story=first, whole=read_whole)
    async with app.run_test(size=SIZE) as pilot:
        if whole_arrives == "before the answer":
            await settle(app, pilot, lambda: bool(read) and not app._first_only)
        else:
            await settle(app, pilot, lambda: isinstance(app.screen, ConfirmDialog), workers=False)
        assert isinstance(app.screen, ConfirmDialog)
        assert "Major Character Death" not in screen_text(app)  # (the quick read's list)
        await pilot.press("y")
        indexed.set()
        await settle(  # (asked again, with the whole story's list)
            app,
            pilot,
            lambda: (
                isinstance(app.screen, ConfirmDialog)
                and "Major Character Death" in screen_text(app)
            ),
        )
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "warning"
        assert "Major Character Death" in screen_text(app)
        await pilot.press("n")  # declined: the story closes, with nothing of it read on
        await settle(app, pilot, lambda: not app.is_running)
    assert app.return_code == 0


def later_phrase(book: Path) -> str:
    """Words that open the book's third chapter and are found in neither chapter before."""
    story = load_story(book)
    before = " ".join(b.text for c in story.chapters[:2] for b in c.blocks).casefold()
    words = story.chapters[2].blocks[0].text.split()
    for count in range(3, len(words)):
        phrase = " ".join(words[:count])
        if phrase.casefold() not in before:
            return phrase
    raise AssertionError("chapter 3 opens with words chapters 1 and 2 have")


async def search_early(app: TuiReaderApp, pilot, query: str) -> None:  # type: ignore[no-untyped-def]
    """Search for ``query`` while only the first chapter is read: the reader is told the rest
    of the story is being read (nothing is searched yet)."""
    await pilot.pause()
    await pilot.press("slash")
    await pilot.pause()
    app.screen.query_one("#search", Input).value = query
    await pilot.press("enter")
    await settle(app, pilot, lambda: bool(app._notifications), workers=False)
    assert [n.message for n in app._notifications] == ["Reading the rest of the story…"]


async def test_a_search_asked_early_runs_over_the_whole_story(
    book: Path, data_dir: Path, held_back: Callable[..., Any]
) -> None:
    """A search before the rest of the story is read is not "not found" for a word of a later
    chapter: the reader is told the rest is being read, and the search runs over every chapter
    once it is."""
    wanted = later_phrase(book)
    read_whole = held_back(book)
    app = first_chapter_app(book, data_dir, read_whole)
    async with app.run_test(size=SIZE) as pilot:
        await search_early(app, pilot, wanted)
        read_whole.release()
        await settle(app, pilot, lambda: "Chapter 3 of 4" in header(app))
        assert "Chapter 3 of 4" in header(app)
        assert wanted in " ".join(screen_text(app).split())
        assert any(re.fullmatch(r"\d+ match(es)?", n.message) for n in app._notifications)


async def test_what_waits_for_a_rest_that_fails_is_done_on_the_first_chapter(
    book: Path, data_dir: Path
) -> None:
    """The rest of the story cannot be read after a search was asked for: the search runs on
    the first chapter (a later chapter's words are then not found), and "next chapter" no
    longer waits for a rest that will not come."""
    wanted = later_phrase(book)
    release = threading.Event()

    def fails() -> tuple[Story, Fill | None]:
        release.wait(timeout=30)
        raise StoryError(str(book), "the second half is gone")

    app = first_chapter_app(book, data_dir, fails)
    async with app.run_test(size=SIZE) as pilot:
        await search_early(app, pilot, wanted)
        release.set()
        await settle(app, pilot, lambda: len(app._notifications) >= 3)
        messages = [n.message for n in app._notifications]
        assert messages[1:] == ["the second half is gone", f"Not found: {wanted}"]
        app.screen.query_one(ChapterView).focus()
        await pilot.press("right_square_bracket")
        await settle(app, pilot, lambda: len(app._notifications) >= 4, workers=False)
        assert [n.message for n in app._notifications][-1] == "No next chapter."
