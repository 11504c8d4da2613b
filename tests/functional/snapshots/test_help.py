"""Help (``?``): every key in force, from the library and from the reader, and after a remap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .support import LARGE, NORMAL, app_for, keys


def test_help(snap_compare: Any, library: Path, data_dir: Path) -> None:
    run = keys("question_mark")
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=run)


def test_help_large(snap_compare: Any, library: Path, data_dir: Path) -> None:
    run = keys("question_mark")
    assert snap_compare(app_for(library, data_dir), terminal_size=LARGE, run_before=run)


def test_help_remapped(snap_compare: Any, library: Path, data_dir: Path, config: Path) -> None:
    """``reader.next_chapter = "l"`` in the config file: help shows ``l`` for it."""
    config.write_text('[keys]\n"reader.next_chapter" = "l"\n', encoding="utf-8")
    app = app_for(library / "a-quiet-orchard.md", data_dir, story=True)
    run = keys("question_mark")
    assert snap_compare(app, terminal_size=NORMAL, run_before=run)


def test_help_plain(snap_compare: Any, library: Path, data_dir: Path, config: Path) -> None:
    """Plain mode: key names in words, no box-drawing."""
    config.write_text("plain = true\n", encoding="utf-8")
    run = keys("question_mark")
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=run)
