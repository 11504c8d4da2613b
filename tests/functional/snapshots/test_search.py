"""Searching every story's text (``ctrl+f``): results with the matches marked; nothing found."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .support import LARGE, NORMAL, app_for, keys


def test_search_results(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """``bell``: The Ninth Bell's paragraphs."""
    run = keys("ctrl+f", "b", "e", "l", "l")
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=run)


def test_search_results_large(snap_compare: Any, library: Path, data_dir: Path) -> None:
    run = keys("ctrl+f", "b", "e", "l", "l")
    assert snap_compare(app_for(library, data_dir), terminal_size=LARGE, run_before=run)


def test_search_nothing_found(snap_compare: Any, library: Path, data_dir: Path) -> None:
    run = keys("ctrl+f", "z", "e", "p", "h", "y", "r")
    assert snap_compare(app_for(library, data_dir), terminal_size=NORMAL, run_before=run)


def test_search_in_story(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """``/`` in the reader: the matches of ``pear`` marked in the text, the count in the header."""
    app = app_for(library / "a-quiet-orchard.md", data_dir, story=True)
    run = keys("slash", "p", "e", "a", "r", "enter")
    assert snap_compare(app, terminal_size=NORMAL, run_before=run)
