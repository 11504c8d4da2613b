"""The reader state store under trouble: bad files, refusing disks, migrations, debouncing."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tui_reader.state import SCHEMA_VERSION, Position, StateStore, doc_id_for
from tui_reader.state import storage as state_module


def reader_file(data_dir: Path, reader: str = "local") -> Path:
    """Where a reader's file lives."""
    return data_dir / "readers" / f"{reader}.json"


def write_raw(data_dir: Path, content: bytes, reader: str = "local") -> Path:
    """Put bytes where the reader file goes."""
    path = reader_file(data_dir, reader)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def set_aside_files(path: Path) -> list[Path]:
    """The ``<name>.corrupt-<timestamp>`` files beside ``path``."""
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


# ------------------------------------------------------------------ corrupt files


@pytest.mark.parametrize(
    ("label", "content"),
    [
        ("truncated", None),
        ("garbage", b"\x00\xffnot json at all \x89PNG"),
        ("wrong shape", b'["progress", 1, 2]'),
        ("wrong table shape", b'{"progress": [1, 2, 3]}'),
        ("empty", b""),
    ],
)
def test_bad_file_is_set_aside_reported_once_and_store_works(
    data_dir: Path, label: str, content: bytes | None
) -> None:
    if content is None:  # a real file cut short
        good = StateStore(data_dir)
        good.save_position("s1", Position(4, 5), title="Moss", write_now=True)
        whole = reader_file(data_dir).read_bytes()
        content = whole[: len(whole) // 2]
    path = write_raw(data_dir, content)
    told: list[str] = []
    store = StateStore(data_dir, on_warning=told.append)

    aside = set_aside_files(path)
    assert len(aside) == 1, label
    assert aside[0].read_bytes() == content  # the old bytes are kept, not emptied
    assert len(store.warnings) == 1 and told == store.warnings
    assert str(path) in store.warnings[0] and aside[0].name in store.warnings[0]
    assert "\n" not in store.warnings[0]
    # a fresh store that works and persists
    assert store.position("s1") is None
    store.save_position("s1", Position(1, 2), write_now=True)
    store.acknowledge("s1")
    again = StateStore(data_dir)
    assert again.position("s1") == Position(1, 2) and again.acknowledged("s1")
    assert again.warnings == []
    assert len(set_aside_files(path)) == 1


def test_file_corrupted_during_a_session_keeps_the_sessions_state(data_dir: Path) -> None:
    store = StateStore(data_dir)
    store.save_position("s1", Position(3, 3), write_now=True)
    store.set_status("s1", "reading")
    path = write_raw(data_dir, b'{"progress": {"1": ')  # something else broke the file
    store.acknowledge("s2")
    assert len(set_aside_files(path)) == 1
    assert "moved aside" in store.warnings[0]
    again = StateStore(data_dir)
    assert again.position("s1") == Position(3, 3)  # what memory held is written back
    assert again.status("s1") == "reading" and again.acknowledged("s2")


def test_unreadable_file_that_cannot_be_moved_is_left_alone(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_raw(data_dir, b"garbage")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(state_module.os, "rename", refuse)
    store = StateStore(data_dir)
    store.save_position("s1", Position(1, 1), write_now=True)
    assert path.read_bytes() == b"garbage"  # never overwritten
    assert store.position("s1") == Position(1, 1)
    assert len(store.warnings) == 1 and "left untouched" in store.warnings[0]


def test_newer_schema_is_not_overwritten(data_dir: Path) -> None:
    content = json.dumps({"meta": {"1": {"schema_version": SCHEMA_VERSION + 1}}}).encode()
    path = write_raw(data_dir, content)
    store = StateStore(data_dir)
    store.acknowledge("s1")
    assert store.acknowledged("s1")
    assert path.read_bytes() == content
    assert "newer" in store.warnings[0]


def test_stale_temp_files_from_a_killed_writer_are_removed(data_dir: Path) -> None:
    StateStore(data_dir).acknowledge("s1")
    stale = data_dir / "readers" / ".local.json.999.abc.tmp"
    stale.write_bytes(b'{"meta":')
    store = StateStore(data_dir)
    assert not stale.exists()
    assert store.acknowledged("s1")


def test_only_this_readers_temp_files_count_as_stale(data_dir: Path) -> None:
    StateStore(data_dir).acknowledge("s1")
    readers = data_dir / "readers"
    others = [".other.json.999.abc.tmp", "local.json.999.abc.tmp", ".local.json.999.abc.bak"]
    for name in others:
        (readers / name).write_bytes(b"{}")
    store = StateStore(data_dir)
    assert store._stale_temp_files() is False
    (readers / ".local.json..tmp").write_bytes(b"{}")  # (the glob's * matched nothing too)
    assert store._stale_temp_files() is True
    store._remove_stale_temp_files()
    assert sorted(p.name for p in readers.iterdir() if p.name in others) == sorted(others)
    assert not (readers / ".local.json..tmp").exists()


# ------------------------------------------------------------------ refusing disks


@pytest.mark.parametrize(
    ("target", "code"),
    [("replace", errno.EACCES), ("writev", errno.ENOSPC), ("replace", errno.EROFS)],
)
def test_disk_refusing_writes_keeps_state_in_memory_then_writes_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, target: str, code: int
) -> None:
    store = StateStore(data_dir)
    store.save_position("s0", Position(0, 1), write_now=True)
    real = getattr(os, target)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, target, refuse)
    told: list[str] = []
    store.on_warning = told.append
    store.save_position("s1", Position(2, 3), write_now=True)
    store.add_bookmark("s1", "Moss", "/p", Position(2, 3), note="here")
    store.set_status("s1", "reading")
    store.flush()
    # nothing reached the disk, no temp file is left behind, everything is in memory
    assert StateStore(data_dir).position("s1") is None
    assert list((data_dir / "readers").glob(".*.tmp")) == []
    assert store.position("s1") == Position(2, 3) and store.status("s1") == "reading"
    assert len(store.warnings) == 1 and told == store.warnings
    assert os.strerror(code) in store.warnings[0]

    monkeypatch.setattr(os, target, real)  # the disk recovers
    store.set_fold("s1", "ch2-before-0", True)
    again = StateStore(data_dir)
    assert again.position("s1") == Position(2, 3)
    assert again.status("s1") == "reading"
    assert [b.note for b in again.bookmarks()] == ["here"]
    assert again.fold("s1", "ch2-before-0") is True
    assert again.position("s0") == Position(0, 1)


def test_flush_writes_pending_state_once_the_disk_recovers(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(data_dir)
    real = os.replace

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    store.acknowledge("s1")
    monkeypatch.setattr(os, "replace", real)
    assert not reader_file(data_dir).exists()
    store.flush()
    assert StateStore(data_dir).acknowledged("s1")


def test_failing_writes_merge_with_another_sessions_writes(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = StateStore(data_dir)
    other = StateStore(data_dir)
    real = os.replace

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    mine.set_status("a", "finished")
    monkeypatch.setattr(os, "replace", real)
    other.set_status("b", "dropped")  # lands while mine's change waits in memory
    mine.flush()
    assert StateStore(data_dir).statuses() == {"a": "finished", "b": "dropped"}


def test_write_warning_comes_again_after_a_recovery(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(data_dir)
    real = os.replace

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    store.acknowledge("a")
    store.acknowledge("b")
    assert len(store.warnings) == 1
    monkeypatch.setattr(os, "replace", real)
    store.acknowledge("c")
    monkeypatch.setattr(os, "replace", refuse)
    store.acknowledge("d")
    assert len(store.warnings) == 2


def test_read_only_readers_folder(data_dir: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    StateStore(data_dir).save_position("s1", Position(1, 1), write_now=True)
    readers = data_dir / "readers"
    readers.chmod(0o500)
    try:
        store = StateStore(data_dir)
        assert store.position("s1") == Position(1, 1)  # still read
        store.save_position("s1", Position(5, 5), write_now=True)
        assert store.position("s1") == Position(5, 5)
        assert len(store.warnings) == 1
    finally:
        readers.chmod(0o700)
    store.flush()
    assert StateStore(data_dir).position("s1") == Position(5, 5)


# ------------------------------------------------------------------ migrations


def test_migrates_a_version_0_file(data_dir: Path) -> None:
    v0 = {
        "positions": {
            "1": {"story": "ao3-1", "chapter": 2, "paragraph": 7},
            "2": {"story": "moss", "chapter": 0, "paragraph": 3},
        },
        "acks": {"1": {"story": "ao3-1"}},
    }
    path = write_raw(data_dir, json.dumps(v0).encode())
    store = StateStore(data_dir)
    assert store.position("ao3-1") == Position(2, 7, 0)
    assert store.position("moss") == Position(0, 3, 0)
    assert store.acknowledged("ao3-1") and not store.acknowledged("moss")
    assert store.warnings == []
    data = json.loads(path.read_text())  # written back in the current shape
    assert data["meta"]["1"]["schema_version"] == SCHEMA_VERSION
    assert "positions" not in data and "acks" not in data
    assert data["progress"][str(doc_id_for("moss"))]["paragraph"] == 3


# ------------------------------------------------------------------ debounce


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        """Start at 1000 s."""
        self.now = 1000.0
        """The current reading."""

    def __call__(self) -> float:
        """The current reading."""
        return self.now


def test_save_position_writes_at_most_every_two_seconds(data_dir: Path) -> None:
    store = StateStore(data_dir)
    clock = Clock()
    store.clock = clock
    store.save_position("s1", Position(0, 1))  # first save: written
    assert StateStore(data_dir).position("s1") == Position(0, 1)
    clock.now += 0.5
    store.save_position("s1", Position(0, 2))
    clock.now += 1.0
    store.save_position("s1", Position(0, 3))
    assert store.position("s1") == Position(0, 3)  # this session sees it at once
    assert StateStore(data_dir).position("s1") == Position(0, 1)  # the disk does not yet
    clock.now += 0.6
    store.save_position("s1", Position(0, 4))  # 2.1 s after the last write: due
    assert StateStore(data_dir).position("s1") == Position(0, 4)


def test_flush_and_write_now_and_choices_write_pending_positions(data_dir: Path) -> None:
    store = StateStore(data_dir)
    store.clock = Clock()
    store.save_position("s1", Position(0, 1))
    store.save_position("s1", Position(0, 2))
    assert StateStore(data_dir).position("s1") == Position(0, 1)
    store.flush()
    assert StateStore(data_dir).position("s1") == Position(0, 2)
    store.save_position("s1", Position(0, 3))
    store.save_position("s1", Position(0, 4), write_now=True)
    assert StateStore(data_dir).position("s1") == Position(0, 4)
    store.save_position("s1", Position(1, 0))
    store.mark_chapter_read("s1", 0)  # a choice: written now, with the pending place
    again = StateStore(data_dir)
    assert again.position("s1") == Position(1, 0) and again.chapters_read("s1") == {0}


def test_pending_position_survives_another_sessions_write(data_dir: Path) -> None:
    mine = StateStore(data_dir)
    mine.clock = Clock()
    mine.save_position("s1", Position(0, 1))
    mine.save_position("s1", Position(0, 9))  # pending
    StateStore(data_dir).set_status("s2", "reading")
    assert mine.status("s2") == "reading"  # picked up the other write...
    assert mine.position("s1") == Position(0, 9)  # ...without losing the pending place
    mine.flush()
    again = StateStore(data_dir)
    assert again.position("s1") == Position(0, 9) and again.status("s2") == "reading"


def test_lock_held_elsewhere_keeps_the_change_in_memory(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from filelock import FileLock

    monkeypatch.setattr(state_module, "LOCK_TIMEOUT", 0.05)
    store = StateStore(data_dir)
    store.acknowledge("s0")
    other = FileLock(str(reader_file(data_dir)) + ".lock", thread_local=False)
    with other:  # a stuck session holds the lock
        store.acknowledge("s1")
        assert store.acknowledged("s1")
        assert not StateStore(data_dir).acknowledged("s1")
        assert len(store.warnings) == 1
    store.flush()
    assert StateStore(data_dir).acknowledged("s1")
