"""A lock held by another session, and a refusing disk, never make the caller wait: reading
takes no lock, and a store with a writer thread saves there, retrying until it succeeds."""

from __future__ import annotations

import errno
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from tests.fixtures.state_lock import forbid_lock_waits, let_go, lock_held_elsewhere
from tui_reader.state import Position, StateStore
from tui_reader.state import storage as state_module


def reader_file(data_dir: Path) -> Path:
    """Where the local reader's file lives."""
    return data_dir / "readers" / "local.json"


@pytest.fixture
def held_lock(data_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the reader file's lock until :func:`let_go`."""
    with lock_held_elsewhere(reader_file(data_dir)) as holder:
        yield holder


@pytest.fixture
def no_waiting_here(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Any wait for the lock on the test's own thread fails the test at once."""
    return forbid_lock_waits(monkeypatch)


def test_opening_and_reading_while_another_session_holds_the_lock(
    data_dir: Path, no_waiting_here: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state_module, "LOCK_TIMEOUT", 0.0)  # the seeding store below may lock
    seed = StateStore(data_dir)
    seed.save_position("s1", Position(3, 4), title="Moss", write_now=True)
    seed.set_pref("reading_width", 90)
    monkeypatch.setattr(state_module, "LOCK_TIMEOUT", 3600.0)
    holder_code = FileLock(str(reader_file(data_dir)) + ".lock", thread_local=False)
    holder_code.acquire(timeout=0)  # this test's own other session holds the lock...
    try:
        store = StateStore(data_dir)  # ...and start-up does not wait for it
        assert store.position("s1") == Position(3, 4)
        assert store.pref("reading_width") == 90
        assert [e.title for e in store.history()] == ["Moss"]
        assert store.warnings == []
    finally:
        holder_code.release()


def test_saving_while_another_process_holds_the_lock_waits_on_the_writer_thread(
    data_dir: Path, no_waiting_here: list[float], held_lock: subprocess.Popen[str]
) -> None:
    store = StateStore(data_dir, background=True)
    saved: list[str | None] = []
    store.save_position("s1", Position(2, 7), title="Moss", write_now=True)
    store.acknowledge("s1")
    mark = store.add_bookmark("s1", "Moss", "/p", Position(2, 7), note="here")
    store.when_saved(saved.append)
    store.flush()
    # every call returned while the lock is still held; this session sees its changes
    assert store.position("s1") == Position(2, 7) and store.acknowledged("s1")
    assert [b.id for b in store.bookmarks()] == [mark.id]
    assert saved == []  # not claimed saved while it is not on disk
    assert StateStore(data_dir).position("s1") is None  # and indeed it is not yet

    let_go(held_lock)
    assert store.wait_saved()
    assert saved == [None]
    again = StateStore(data_dir)
    assert again.position("s1") == Position(2, 7) and again.acknowledged("s1")
    assert [b.note for b in again.bookmarks()] == ["here"]
    assert store.warnings == []
    assert no_waiting_here  # the waiting happened on the writer thread
    assert store.close() is None


def test_writer_thread_retries_a_refused_write_by_itself(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state_module, "RETRY_INTERVAL", 0.01)
    real = os.replace
    refusing = threading.Event()
    refusing.set()
    written = threading.Event()

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if refusing.is_set():
            raise OSError(errno.EROFS, "Read-only file system")
        real(src, dst, *args, **kwargs)
        written.set()

    monkeypatch.setattr(os, "replace", replace)
    store = StateStore(data_dir, background=True)
    outcome: list[str | None] = []
    store.set_status("s1", "reading")
    store.when_saved(outcome.append)
    assert not store.wait_saved()
    assert outcome == ["Read-only file system"]  # the failure, never a success
    assert len(store.warnings) == 1 and "Read-only file system" in store.warnings[0]
    assert StateStore(data_dir).status("s1") is None

    refusing.clear()  # the disk recovers; nobody asks again: the writer retries on its own
    assert written.wait(timeout=60)
    assert StateStore(data_dir).status("s1") == "reading"
    assert store.close() is None


def test_close_says_what_could_not_be_saved_and_why(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    store = StateStore(data_dir, background=True)
    assert store.close() is None  # nothing to save
    monkeypatch.setattr(os, "replace", refuse)
    store = StateStore(data_dir, background=True)
    store.save_position("s1", Position(4, 0), write_now=True)
    message = store.close(timeout=1.0)
    assert message is not None and "\n" not in message
    assert str(reader_file(data_dir)) in message and "Read-only file system" in message


def test_read_only_data_dir_reads_the_place_and_says_at_close_it_was_not_saved(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    StateStore(data_dir).save_position("s1", Position(3, 2), write_now=True)
    real_open = os.open

    def read_only(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):  # no new lock, temp or aside file
            raise OSError(errno.EROFS, "Read-only file system", str(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    store = StateStore(data_dir, background=True)
    assert store.position("s1") == Position(3, 2)  # the place is read without any lock
    store.save_position("s1", Position(4, 0), write_now=True)
    assert not store.wait_saved()
    assert store.position("s1") == Position(4, 0)
    assert len(store.warnings) == 1 and "Read-only file system" in store.warnings[0]
    message = store.close(timeout=1.0)
    assert message is not None and str(reader_file(data_dir)) in message
    assert "Read-only file system" in message
    monkeypatch.setattr(os, "open", real_open)
    assert StateStore(data_dir).position("s1") == Position(3, 2)


def stall_the_writer(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Make the writer thread stop inside its disk write (fsync): (it is there, let it go on)."""
    real_fsync = os.fsync
    on_disk = threading.Event()
    go_on = threading.Event()

    def fsync(fd: int) -> None:
        if threading.current_thread().name.startswith("state-writer") and not go_on.is_set():
            on_disk.set()
            go_on.wait(120)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return on_disk, go_on


def test_a_keypress_while_the_writer_thread_is_on_the_disk_does_not_wait_for_the_disk(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer holds no store-wide lock across its file write: a change and a read made
    meanwhile (the app's event loop) return at once, and the change is written next."""
    on_disk, go_on = stall_the_writer(monkeypatch)
    store = StateStore(data_dir, background=True)
    store.set_status("s1", "reading")
    assert on_disk.wait(120)  # the writer thread is now inside its disk write

    seen: list[object] = []
    returned = threading.Event()

    def keypress() -> None:
        store.set_pref("reading_width", 90)
        store.save_position("s1", Position(4, 2), title="Moss", write_now=True)
        seen.extend([store.status("s1"), store.pref("reading_width"), store.position("s1")])
        returned.set()

    threading.Thread(target=keypress, daemon=True).start()
    came_back = returned.wait(30)  # a deadlock guard, not a speed measurement
    go_on.set()
    assert came_back, "a change made while the writer was on the disk waited for the disk"
    assert seen == ["reading", 90, Position(4, 2)]
    assert store.wait_saved()
    again = StateStore(data_dir)
    assert again.status("s1") == "reading" and again.pref("reading_width") == 90
    assert again.position("s1") == Position(4, 2)
    assert store.close() is None


def test_a_close_that_stops_waiting_for_a_stuck_writer_never_has_its_save_undone(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the writer thread is stuck on the disk past close's wait, close's own write waits
    its turn: the writer's older version never replaces the newer one close wrote."""
    on_disk, go_on = stall_the_writer(monkeypatch)
    store = StateStore(data_dir, background=True)
    writer = store._writer
    assert writer is not None
    store.set_status("s1", "reading")
    assert on_disk.wait(120)
    store.set_status("s2", "finished")  # made while the writer is stuck with s1 only

    outcome: list[str | None] = []
    closer = threading.Thread(target=lambda: outcome.append(store.close(timeout=0.05)))
    closer.start()
    while store._writer is not None:  # close gave up waiting for the writer thread
        closer.join(0.01)
    closer.join(2.0)  # the old code wrote here, ahead of the stuck writer
    go_on.set()
    closer.join(120)
    writer.join(120)
    assert outcome == [None]
    again = StateStore(data_dir)
    assert again.status("s1") == "reading" and again.status("s2") == "finished"
