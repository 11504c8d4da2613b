"""The reading screen never parses on the event loop nor reads the state file on a key: a chapter's
heading shows at once and its text when the parse (in a thread) is done; the search field opens
and closes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.app import App

from tests.functional.test_reader import ReaderApp, make_story, screen_text, store_for
from tui_reader.importers import load_story
from tui_reader.model import Block, Chapter, Source, Story, WarningGate
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.widgets.search_field import SearchField

SIZE = (100, 32)

READS = (
    "pref",
    "fold",
    "gate_passed",
    "status",
    "chapters_read",
    "words_per_minute",
    "position",
    "stopped_at",
    "acknowledged",
    "bookmarks",
    "statuses",
)
"""The StateStore methods that read the reader's state."""


def gated_story(release: threading.Event, parsed_on: list[str]) -> Story:
    """Three chapters; the second's body is parsed only once ``release`` is set."""

    def body(number: int, wait: bool) -> list[Block]:
        if wait:
            release.wait(30)
        parsed_on.append(threading.current_thread().name)
        return [
            Block("paragraph", f"Tide {number}.{i} rolled over the quay stones.") for i in range(40)
        ]

    chapters = [Chapter.lazy(n, f"Tide {n}", 280, lambda n=n: body(n, n == 2)) for n in (1, 2, 3)]
    return Story("Tides", Source("tides.md", "markdown"), author="Tester", chapters=chapters)


async def settle(app: App[None], pilot: object) -> None:
    """Let the workers finish and the screen catch up."""
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def test_a_chapter_heading_shows_at_once_and_its_text_when_parsed(tmp_path: Path) -> None:
    release = threading.Event()
    parsed_on: list[str] = []
    app = ReaderApp(gated_story(release, parsed_on), store_for(tmp_path), chapter=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = [r.strip() for r in screen_text(app)]
        assert "Chapter 2: Tide 2" in rows
        assert not any(r.startswith("Tide 2.0") for r in rows)  # still being parsed
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        assert screen.chapter_index == 1
        assert "Chapter 2 of 3" in str(screen.query_one("#reader-header").render())
        release.set()
        await settle(app, pilot)
        rows = [r.strip() for r in screen_text(app)]
        assert "Tide 2.0 rolled over the quay stones." in rows
        assert threading.main_thread().name not in parsed_on  # every body parsed in a thread
        await pilot.press("right")
        await settle(app, pilot)
        assert "Tide 3.0 rolled over the quay stones." in [r.strip() for r in screen_text(app)]


async def test_search_parses_every_chapter_off_the_event_loop(tmp_path: Path) -> None:
    release = threading.Event()
    release.set()
    parsed_on: list[str] = []
    app = ReaderApp(gated_story(release, parsed_on), store_for(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"tide 3.1 rolled", "enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        assert [m[:2] for m in screen.matches] == [(2, 1)]
        assert screen.chapter_index == 2
        assert screen_text(app)[0].strip() == "Tide 3.1 rolled over the quay stones."
        assert len(parsed_on) == 3 and threading.main_thread().name not in parsed_on


async def test_escape_closes_the_search_field_then_leaves(tmp_path: Path) -> None:
    release = threading.Event()
    release.set()
    app = ReaderApp(gated_story(release, []), store_for(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert not app.screen.query(SearchField)  # mounted when first opened
        await pilot.press("slash", "q")
        field = app.screen.query_one(SearchField)
        assert field.display and field.has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert not field.display
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.view.has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReaderScreen)


async def test_no_key_reads_the_state_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story = make_story(gates=[WarningGate(3, "Take care past here.")])
    store = store_for(tmp_path)
    store.pass_gate(story.story_id, 3)
    app = ReaderApp(story, store)
    reads: list[str] = []

    def reader_of(name: str) -> object:
        def read(*args: object, **kwargs: object) -> object:
            reads.append(name)
            raise AssertionError(f"StateStore.{name} read on a key press")

        return read

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for name in READS:
            monkeypatch.setattr(store, name, reader_of(name))
        keys = ["space", "j", "right", "right", "left", "b", "G", "g", "a", "a", "plus"]
        keys += ["t", "escape", "s", "escape", "slash", *"p2.3", "enter", "n", "N", "w", "w"]
        await pilot.press(*keys)
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.chapter_index == 1  # at the match
        assert [m[:2] for m in app.screen.matches] == [(1, 3)]
    assert reads == []


LANTERNS = """+++
title = "Lanterns"
author = "Tester"
rating = "General Audiences"
warnings = ["No Archive Warnings Apply"]
notes_before = ["Written for a friend who keeps lamps."]
+++

# Chapter 1: Dusk

The lamps came on one by one along the quay.
"""


async def test_the_notes_preference_applies_to_the_open_story_at_once(
    tmp_path: Path, data_dir: Path
) -> None:
    path = tmp_path / "lanterns.md"
    path.write_text(LANTERNS, encoding="utf-8")
    app = TuiReaderApp(path, data_dir=data_dir, story=load_story(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)  # type: ignore[arg-type]
        assert isinstance(app.screen, ReaderScreen)
        rows = [r.strip() for r in screen_text(app)]  # type: ignore[arg-type]
        assert "▶ Author's note · 7 words" in rows
        app.set_notes_mode("unfolded")
        await pilot.pause()
        rows = [r.strip() for r in screen_text(app)]  # type: ignore[arg-type]
        assert "▼ Author's note · 7 words" in rows
        assert "Written for a friend who keeps lamps." in rows
        app.set_notes_mode("hidden")
        await pilot.pause()
        rows = [r.strip() for r in screen_text(app)]  # type: ignore[arg-type]
        assert not any("Author's note" in r for r in rows)
        assert "The lamps came on one by one along the quay." in rows
