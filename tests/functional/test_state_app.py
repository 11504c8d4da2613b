"""The app with reader state in trouble: damaged records, a lock held by another session, a disk
that refuses writes, a chapter that cannot be read. What the reader sees, and what is kept."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_app import BELL, QUIET, SIZE, open_row
from test_reader import ReaderApp

from tests.fixtures.html_builders import chapters, generic_epub3
from tests.fixtures.state_lock import forbid_lock_waits, let_go, lock_held_elsewhere
from tui_reader.importers import load_story
from tui_reader.state import Position, StateStore, doc_id_for
from tui_reader.state import storage as state_module
from tui_reader.ui.app import TuiReaderApp, run_app
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.screens.reader import ReaderScreen


def reader_file(data_dir: Path) -> Path:
    """Where the local reader's file lives."""
    return data_dir / "readers" / "local.json"


def messages(app: TuiReaderApp | ReaderApp) -> list[str]:
    """The notifications shown so far."""
    return [n.message for n in app._notifications]


def refuse_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the disk refuse to replace the reader file (a read-only data dir, as root sees it)."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "replace", refuse)


async def bookmark_here(pilot: Any) -> None:
    """Bookmark the reading place with an empty note."""
    await pilot.press("m")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


# ------------------------------------------------------------------ damaged records


async def test_app_starts_on_damaged_records_and_says_so_once(
    library: Path, data_dir: Path
) -> None:
    quiet = load_story(library / QUIET)
    seed = StateStore(data_dir)
    seed.save_position(quiet.story_id, Position(1, 0), title=quiet.title, write_now=True)
    path = reader_file(data_dir)
    data = json.loads(path.read_bytes())
    bell = load_story(library / BELL).story_id
    data["progress"][str(doc_id_for(bell))] = {"story_id": bell, "chapter": "abc", "paragraph": 0}
    data.setdefault("preferences", {})[str(doc_id_for("hidden_warnings"))] = {
        "key": "hidden_warnings",
        "value": 5,
    }
    path.write_text(json.dumps(data))

    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, QUIET)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.chapter_index == 1  # the valid place was kept
        shown = [m for m in messages(app) if "damaged" in m]
        assert len(shown) == 1 and str(path) in shown[0] and ".corrupt-" in shown[0]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await open_row(app, pilot, BELL)  # the story whose record was dropped opens too
        assert len([m for m in messages(app) if "damaged" in m]) == 1
    assert len(list(path.parent.glob("local.json.corrupt-*"))) == 1


# ------------------------------------------------------------------ a held lock


@pytest.fixture
def held_lock(data_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the reader file's lock until :func:`let_go`."""
    with lock_held_elsewhere(reader_file(data_dir)) as holder:
        yield holder


async def test_a_held_lock_never_stalls_the_event_loop(
    library: Path,
    data_dir: Path,
    held_lock: subprocess.Popen[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forbid_lock_waits(monkeypatch)  # on the event loop's thread, which is this one
    quiet = load_story(library / QUIET)
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, QUIET)
        await pilot.press("right_square_bracket", "right_square_bracket")  # each saves at once
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.chapter_index == 2
        await bookmark_here(pilot)
        assert "Bookmarked." not in messages(app)  # not on disk yet: not claimed
        assert StateStore(data_dir).position(quiet.story_id) is None
        await pilot.press("escape")  # back to the library before it could be saved
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)

        let_go(held_lock)  # the other session lets go
        assert await asyncio.to_thread(app.store.wait_saved)
        await pilot.pause()
        assert "Bookmarked." in messages(app)  # said once saved, though its screen has gone
        await pilot.press("q")
        await pilot.pause()
    saved = StateStore(data_dir)
    position = saved.position(quiet.story_id)
    assert position is not None and position.chapter == 2
    assert [b.story_id for b in saved.bookmarks()] == [quiet.story_id]


# ------------------------------------------------------------------ a disk refusing writes


async def test_failed_bookmark_save_does_not_say_bookmarked(
    library: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_writes(monkeypatch)
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, QUIET)
        await bookmark_here(pilot)
        assert "Bookmarked." not in messages(app)
        await asyncio.to_thread(app.store.wait_saved)
        await pilot.pause()
        shown = messages(app)
        assert "Bookmarked." not in shown
        assert any("Bookmark" in m and "could not be saved (Read-only file system)" in m
                   for m in shown), shown  # fmt: skip
        assert any(m.startswith("Could not save") for m in shown)  # the store's own warning
        assert [b.note for b in app.store.bookmarks()] == [""]  # kept for the session


def test_unsaved_place_is_reported_on_stderr_at_exit(
    library: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    refuse_writes(monkeypatch)
    quiet = library / QUIET

    async def reader(pilot: Any) -> None:
        """Read on one chapter and quit."""
        await pilot.pause()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert any(m.startswith("Could not save") for m in messages(pilot.app))  # in the app
        await pilot.press("q")

    real_run = TuiReaderApp.run

    def run_headless(self: TuiReaderApp, **kwargs: Any) -> Any:
        return real_run(self, headless=True, size=SIZE, auto_pilot=reader)

    monkeypatch.setattr(TuiReaderApp, "run", run_headless)
    monkeypatch.setattr(state_module, "LOCK_TIMEOUT", 1.0)
    status = run_app(quiet, data_dir=data_dir, reader_id="local", hosted=False, guest=False)
    err = capsys.readouterr().err
    assert status == 0
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert str(reader_file(data_dir)) in lines[0] and "Read-only file system" in lines[0]
    assert "Traceback" not in err


# ------------------------------------------------------------------ unreadable chapters


async def test_chapter_that_could_not_be_read_is_not_marked_read(tmp_path: Path) -> None:
    book = generic_epub3(tmp_path / "tides.epub", chapters(3))
    story = load_story(book)
    assert story.chapters[0].blocks  # chapter 1 is read in; then the book goes away
    book.unlink()
    store = StateStore(tmp_path / "state")
    app = ReaderApp(story, store, chapter=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert "This chapter could not be read again" in shown
        assert 1 not in store.chapters_read(story.story_id)
        await pilot.press("left_square_bracket")  # a chapter that was read in is marked
        await pilot.pause()
        assert store.chapters_read(story.story_id) == {0}
