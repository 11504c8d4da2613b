"""What the snapshot tests share: the app on a temporary library, a fixed clock, seeded state.

Every snapshot is deterministic: stories are written by the test (or copied from the bundled
``stories/`` folder) into a temporary folder named the same every run, the reader's state is
seeded with a fixed clock, the config file is an empty (or test-written) temporary file, and
the theme is Textual's default.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from tests.conftest import STORIES
from tui_reader.config import load_settings
from tui_reader.importers import load_story
from tui_reader.state import Position, StateStore
from tui_reader.ui.app import TuiReaderApp

NORMAL = (80, 24)
"""The usual terminal."""

LARGE = (160, 50)
"""A large terminal."""

NOON = 1_699_963_200.0
"""2023-11-14 12:00 UTC: every time the seeded state records (shown as a date, never "ago")."""

RunBefore = Callable[[Any], Awaitable[None]]
"""What ``snap_compare`` runs before the picture is taken (given the Pilot)."""


class FixedClock:
    """Stands in for the ``time`` module in the state store: ``time()`` is always :data:`NOON`."""

    def __init__(self, real: Any) -> None:
        """Delegate everything but ``time()`` to ``real``."""
        self._real = real

    def time(self) -> float:
        """The fixed moment."""
        return NOON

    def __getattr__(self, name: str) -> Any:
        """``monotonic``, ``strftime``... as the real module has them."""
        return getattr(self._real, name)


def app_for(target: Path, data_dir: Path, *, story: bool = False) -> TuiReaderApp:
    """The app on ``target`` (a library folder, or with ``story`` one story file), with the
    settings of the config file ``TUI_READER_CONFIG`` names (the fixture makes it)."""
    return TuiReaderApp(
        target,
        data_dir=data_dir,
        story=load_story(target) if story else None,
        settings=load_settings(),
    )


async def settle(pilot: Any) -> None:
    """Wait until workers (scan, open, index, search) are done and the screen is redrawn."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def keys(*pressed: str, before: RunBefore | None = None, toasts: bool = False) -> RunBefore:
    """A ``run_before`` that settles, runs ``before``, presses ``pressed`` (settling after each),
    then clears the notifications unless ``toasts`` (a test of what one says keeps them)."""

    async def run(pilot: Any) -> None:
        await settle(pilot)
        if before is not None:
            await before(pilot)
            await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)
        if not toasts:
            # a toast's life is measured in real time: it must not decide what the picture shows
            pilot.app.clear_notifications()
            await pilot.pause()

    return run


def bundled(folder: Path, *names: str) -> Path:
    """Copy stories of the bundled ``stories/`` folder into ``folder``; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(STORIES / name, folder / name)
    return folder


def seed(data_dir: Path, change: Callable[[StateStore], None]) -> None:
    """Write a reader's state (with the fixed clock in force) before the app starts."""
    store = StateStore(data_dir)
    change(store)
    problem = store.close()
    assert problem is None, problem


def read_some(
    store: StateStore, path: Path, chapters: Iterable[int], at: Position, status: str | None
) -> None:
    """Record that the story in ``path`` was read: chapters done, the place, its status."""
    story = load_story(path)
    for chapter in chapters:
        store.mark_chapter_read(story.story_id, chapter)
    store.save_position(story.story_id, at, title=story.title, path=str(path))
    if status is not None:
        store.set_status(story.story_id, status)
