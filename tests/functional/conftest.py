"""Fixtures the app's functional tests share."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_app_stories import make_library


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """The in-test library of test_app_stories.py (a module may define its own instead)."""
    return make_library(tmp_path)
