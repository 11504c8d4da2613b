"""Fixtures the app's functional tests share."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from test_app_stories import make_library

from tui_reader.model import Story
from tui_reader.story_cache import Fill, open_story


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """The in-test library of test_app_stories.py (a module may define its own instead)."""
    return make_library(tmp_path)


@pytest.fixture
def whole_story_soon(monkeypatch: pytest.MonkeyPatch) -> None:
    """First chapter first without the waits: the whole story is read and its cache entry
    written as soon as the first chapter shows (not only once its text is painted)."""
    from tui_reader.ui import app as app_module

    monkeypatch.setattr(app_module, "WHOLE_STORY_LIMIT", 0.01)
    monkeypatch.setattr(app_module, "CACHE_FILL_DELAY", 0.01)


class HeldBack:
    """The app's whole-story reader for a first-chapter-first test, held back: it reads the
    story (:func:`~tui_reader.story_cache.open_story`) only once the test calls :meth:`release`,
    so the test sees the first chapter alone until then. ``change`` edits the story read (a test
    may add warnings to it)."""

    def __init__(
        self, book: Path, data_dir: Path, change: Callable[[Story], Story] | None = None
    ) -> None:
        """Hold back the whole read of ``book`` with ``data_dir``'s cache."""
        self.book = book
        self.data_dir = data_dir
        self.change = change
        self._released = threading.Event()

    def release(self) -> None:
        """Let the whole story be read."""
        self._released.set()

    def __call__(self) -> tuple[Story, Fill | None]:
        """The whole story (and its cache fill), once released (or after 30 s)."""
        self._released.wait(timeout=30)
        story, fill = open_story(self.book, self.data_dir)
        return (story if self.change is None else self.change(story)), fill


@pytest.fixture
def held_back(data_dir: Path) -> Callable[..., HeldBack]:
    """Make a :class:`HeldBack` whole-story reader for a book, with the test's data dir."""
    return partial(HeldBack, data_dir=data_dir)
