"""Fixtures of the snapshot tests: an empty config file, a fixed clock, a fixed library folder."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_app_stories import make_library

from .support import FixedClock


@pytest.fixture(autouse=True)
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``TUI_READER_CONFIG`` names an empty temporary file (a test may write into it)."""
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    monkeypatch.setenv("TUI_READER_CONFIG", str(path))
    return path


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every time the reader's state records (history, bookmarks, statuses) is the same, and
    dates are shown in UTC."""
    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    for name, module in list(sys.modules.items()):
        ours = name.startswith(("tui_reader.state", "tui_reader.reading"))
        if ours and getattr(module, "time", None) is time:
            monkeypatch.setattr(module, "time", FixedClock(time))
    yield
    if old_tz is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old_tz
    time.tzset()


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """The in-test library of tests/functional/test_app_stories.py (a broken file among them)."""
    return make_library(tmp_path)
