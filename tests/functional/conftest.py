"""Fixtures the app's functional tests share."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_app_stories import make_library


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
