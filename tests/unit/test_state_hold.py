"""Start-up holds the state file's writes until the first frame is painted: a place saved
meanwhile stays in memory, and reaches the file once the hold ends (or the store closes)."""

from __future__ import annotations

from pathlib import Path

from tui_reader.state import Position, StateStore


def saved_position(data_dir: Path, story_id: str) -> Position | None:
    """The place a fresh store reads from the file."""
    store = StateStore(data_dir, "local")
    try:
        return store.position(story_id)
    finally:
        store.close()


def test_a_held_write_reaches_the_file_when_the_hold_ends(tmp_path: Path) -> None:
    store = StateStore(tmp_path, "local")
    store.hold_writes()
    store.save_position("story", Position(2, 5, 0), write_now=True)
    assert store.position("story") == Position(2, 5, 0)  # (the reader's own view has it)
    assert saved_position(tmp_path, "story") is None
    store.release_writes()
    assert saved_position(tmp_path, "story") == Position(2, 5, 0)
    store.close()


def test_closing_writes_what_is_held(tmp_path: Path) -> None:
    store = StateStore(tmp_path, "local", background=True)
    store.hold_writes()
    store.save_position("story", Position(1, 0, 0), write_now=True)
    store.close()
    assert saved_position(tmp_path, "story") == Position(1, 0, 0)


def test_a_background_store_writes_once_released(tmp_path: Path) -> None:
    store = StateStore(tmp_path, "local", background=True)
    store.hold_writes()
    store.save_position("story", Position(3, 1, 0), write_now=True)
    store.release_writes()
    assert store.wait_saved(timeout=10)
    assert saved_position(tmp_path, "story") == Position(3, 1, 0)
    store.close()
