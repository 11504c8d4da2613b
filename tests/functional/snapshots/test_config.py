"""The config file's problems, each named in one line when the app starts (and ignored)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .support import NORMAL, app_for, keys

BAD = """theme = 7
colour = "blue"

[keys]
"reader.next_chapter" = "l"
"reader.fly" = "f"
"""
"""A wrong type, an unknown setting, an unknown binding id (the remap itself is good)."""


def test_config_problems(
    snap_compare: Any,
    library: Path,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Named by the relative path given, so the picture holds no temporary folder."""
    (tmp_path / "bad.toml").write_text(BAD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TUI_READER_CONFIG", "bad.toml")
    run = keys(toasts=True)
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=run)
