"""Shared fixtures: every test runs with its own data dir, never the real home."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.fanficfare import (  # noqa: F401  (fixtures for every test)
    fanficfare,
    home,
)

REPO = Path(__file__).resolve().parent.parent
"""The checkout's root."""

STORIES = REPO / "stories"
"""The bundled sample library."""

SEEDS = REPO.parent / "shared" / "seeds"
"""The real archive page dumps (outside the repo; tests using them skip when absent)."""


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point TUI_READER_DATA (and XDG data and config) at temporary folders for every test."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("TUI_READER_DATA", str(data))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("TUI_READER_LIBRARY", raising=False)
    # the config file: none unless a test writes one (never the real ~/.config/tui-reader)
    monkeypatch.delenv("TUI_READER_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    return data


@pytest.fixture
def seeds() -> Path:
    """The seeds folder, or skip the test when ../shared is not beside the checkout."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    return SEEDS
