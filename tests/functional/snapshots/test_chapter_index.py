"""The chapter index (``t``): chapters read, the current one, a stop point; a Gutenberg book's
front and back matter around its chapters, and one section opened from there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fixtures.text_books import gutenberg_txt, make_book
from tui_reader.state import Position, StateStore

from .support import LARGE, NORMAL, app_for, keys, read_some, seed


def book(folder: Path) -> Path:
    """A Project Gutenberg plain-text book of four chapters (header, title page, contents,
    licence)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "the-salt-road.txt"
    path.write_bytes(gutenberg_txt(make_book(4)))
    return path


def test_chapter_index(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """A Quiet Orchard with chapter 1 read and chapter 2 current."""

    def change(store: StateStore) -> None:
        read_some(store, library / "a-quiet-orchard.md", [0], Position(1, 0, 0), None)

    seed(data_dir, change)
    app = app_for(library / "a-quiet-orchard.md", data_dir, story=True)
    assert snap_compare(app, terminal_size=NORMAL, run_before=keys("t"))


def test_chapter_index_plain(
    snap_compare: Any, library: Path, data_dir: Path, config: Path
) -> None:
    """Plain mode: read, current and the stop point in words."""
    config.write_text("plain = true\n", encoding="utf-8")
    app = app_for(library / "the-ninth-bell.md", data_dir, story=True)
    assert snap_compare(app, terminal_size=NORMAL, run_before=keys("y", "t"))


def test_chapter_index_stop_point(snap_compare: Any, library: Path, data_dir: Path) -> None:
    """The Ninth Bell: chapter 2 is behind the author's stop point."""
    app = app_for(library / "the-ninth-bell.md", data_dir, story=True)
    assert snap_compare(app, terminal_size=NORMAL, run_before=keys("y", "t"))


def test_chapter_index_front_matter(snap_compare: Any, tmp_path: Path, data_dir: Path) -> None:
    """A Gutenberg book: the header, title page and contents before chapter 1, the licence
    after the last."""
    app = app_for(book(tmp_path / "stories"), data_dir, story=True)
    assert snap_compare(app, terminal_size=NORMAL, run_before=keys("t"))


def test_chapter_index_front_matter_large(
    snap_compare: Any, tmp_path: Path, data_dir: Path
) -> None:
    app = app_for(book(tmp_path / "stories"), data_dir, story=True)
    assert snap_compare(app, terminal_size=LARGE, run_before=keys("t"))


def test_section_screen(snap_compare: Any, tmp_path: Path, data_dir: Path) -> None:
    """The Gutenberg header opened from the index (``home``, ``enter``)."""
    app = app_for(book(tmp_path / "stories"), data_dir, story=True)
    assert snap_compare(app, terminal_size=NORMAL, run_before=keys("t", "home", "enter"))
