"""The store: :class:`StateStore`, the only way the program reads or changes a reader's state."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from tinydb import TinyDB

from tui_reader.config import PREFERENCE_NAMES, Preferences, preference_problem
from tui_reader.state import storage as disk
from tui_reader.state.migrations import NewerSchemaError
from tui_reader.state.records import (
    BOOKMARK_FIELDS,
    MUTE_KINDS,
    PREF_DEFAULTS,
    RECORD_SHAPES,
    STATUSES,
    Bookmark,
    HistoryEntry,
    Mute,
    Position,
    RawDoc,
    StateFileError,
    _free_id,
    doc_id_for,
    mute_key,
    safe_reader_id,
)
from tui_reader.state.storage import _OPEN_STORES, ReaderStorage, _Closing, _write_all, _writer_loop

if TYPE_CHECKING:  # (filelock is imported when the lock is first taken: not to start)
    from filelock import FileLock

_MAKING_LOCK = threading.Lock()
"""Held while a store makes its file lock (the writer thread and a flush may both want it)."""

PACE_SAMPLES = 50
"""How many recent reading-pace samples are kept."""


Op = Callable[["TinyDB"], None]
"""One change to one record, applied to the database; replayed if the file changed meanwhile."""


def _get(db: TinyDB, table: str, key: str, field: str = "story_id") -> RawDoc | None:
    """The record whose ``field`` is ``key`` (a copy), or None."""
    doc_id = doc_id_for(key)
    tbl = db.table(table)
    while True:
        doc = tbl.get(doc_id=doc_id)
        if doc is None:
            return None
        if doc.get(field) == key:
            return dict(doc)
        doc_id += 1


def _put(db: TinyDB, table: str, key: str, fields: RawDoc, field: str = "story_id") -> None:
    """Set some fields of the record keyed ``key`` (created when missing).

    Changes go straight into the storage's memory copy of the TinyDB table (TinyDB's own update
    path rebuilds the whole table twice per call, too slow with thousands of stories).
    """
    storage = cast(ReaderStorage, db.storage)
    raw = storage.data.setdefault(table, {})
    doc_id = str(_free_id(raw, key, field))
    doc = raw.get(doc_id)
    if doc is None:
        raw[doc_id] = {field: key, **copy.deepcopy(fields)}
    else:
        doc.update(copy.deepcopy(fields))
    storage.touch(table, doc_id)


def _remove(db: TinyDB, table: str, key: str, field: str = "story_id") -> None:
    """Delete the record keyed ``key`` if there is one."""
    storage = cast(ReaderStorage, db.storage)
    raw = storage.data.get(table, {})
    doc_id = str(_free_id(raw, key, field))
    if raw.pop(doc_id, None) is not None:
        storage.touch(table, doc_id)


def _drop_field(db: TinyDB, table: str, key: str, name: str, field: str = "story_id") -> None:
    """Remove the field ``name`` from the record keyed ``key`` (nothing when it has none)."""
    storage = cast(ReaderStorage, db.storage)
    raw = storage.data.get(table, {})
    doc_id = str(_free_id(raw, key, field))
    doc = raw.get(doc_id)
    if doc is not None and doc.pop(name, None) is not None:
        storage.touch(table, doc_id)


def _adopt(db: TinyDB, renames: dict[str, str]) -> int:
    """Move every record of every table that names an old story id (a key of ``renames``) to
    its new id; the number of records moved.

    A record *keyed* by its story id (progress, acknowledgements, folds, statuses, and a table
    this code does not know whose record sits where its story id hashes to) moves to the new
    id's slot, merged with a record already there (:func:`_merged`); a record that only
    *mentions* a story (a bookmark) gets the new id. Idempotent: once moved, nothing names an
    old id.
    """
    storage = cast(ReaderStorage, db.storage)
    moved = 0
    for name, raw in list(storage.data.items()):
        if name == "meta":
            continue
        hits = [(doc_id, doc) for doc_id, doc in raw.items() if doc.get("story_id") in renames]
        shape = RECORD_SHAPES.get(name)
        for doc_id, doc in hits:
            old = doc["story_id"]
            new = renames[old]
            if shape is not None:
                keyed = shape.key == "story_id"
            else:
                keyed = doc_id == str(_free_id(raw, old))
            if not keyed:
                doc["story_id"] = new
                storage.touch(name, doc_id)
                moved += 1
                continue
            if raw.get(doc_id) is not doc:
                continue
            del raw[doc_id]
            storage.touch(name, doc_id)
            target = str(_free_id(raw, new))
            existing = raw.get(target)
            raw[target] = {**doc, "story_id": new} if existing is None else _merged(existing, doc)
            storage.touch(name, target)
            moved += 1
    return moved


def _merged(kept: RawDoc, other: RawDoc) -> RawDoc:
    """Two records of one story as one: the newer one's values (by ``when``; ``kept`` on a tie),
    with what only the other has, lists joined (chapters read, gates passed) and objects
    joined (note folds, the newer one's choices first). Keeps ``kept``'s story id."""
    newer, older = (other, kept) if _when(other) > _when(kept) else (kept, other)
    out = copy.deepcopy(newer)
    for field, value in older.items():
        mine = out.get(field)
        if field not in out:
            out[field] = copy.deepcopy(value)
        elif isinstance(mine, list) and isinstance(value, list):
            joined = mine + [v for v in value if v not in mine]
            if all(type(v) is int for v in joined):
                joined.sort()
            out[field] = copy.deepcopy(joined)
        elif isinstance(mine, dict) and isinstance(value, dict):
            out[field] = {**copy.deepcopy(value), **mine}
    if "chapter" in newer and "fingerprint" not in newer:
        out.pop("fingerprint", None)  # the older place's paragraph, not the newer place's
    out["story_id"] = kept["story_id"]
    return out


def _when(doc: RawDoc) -> float:
    """A record's ``when`` (0 when it has none or a bad one)."""
    when = doc.get("when")
    return float(when) if isinstance(when, (int, float)) and not isinstance(when, bool) else 0.0


class StateStore:
    """One reader's saved state, the only way the program reads or changes it.

    Reading never takes the file lock: the file is only ever replaced whole (``os.replace``), so
    a reader sees the old version or the new one. Writing takes the lock. With
    ``background=True`` (the app) every write happens on a writer thread that retries until it
    succeeds, so a stuck session holding the lock or a refusing disk never stalls the caller;
    otherwise (scripts, tests) a change is written before the call returns.
    """

    PREF_DEFAULTS = PREF_DEFAULTS
    """Preference values used while unset."""

    def __init__(
        self,
        data_dir: Path,
        reader_id: str = "local",
        *,
        persist: bool = True,
        on_warning: Callable[[str], None] | None = None,
        background: bool = False,
        dispatch: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        """Open ``<data_dir>/readers/<reader_id>.json``; ``persist=False`` keeps all in memory.

        ``background`` writes on a thread of the store's own; ``dispatch`` is then given each
        callback the writer makes (warnings, :meth:`when_saved`) to run it where the caller
        wants (the app: on its event loop). By default callbacks run on the writer thread.
        """
        self.reader_id = safe_reader_id(reader_id)
        """The reader id as used in the file name."""
        self.path: Path | None = (
            Path(data_dir) / "readers" / f"{self.reader_id}.json" if persist else None
        )
        """The reader file (None for a memory-only store)."""
        self.warnings: list[str] = []
        """One-line messages for the reader (file set aside, disk refusing writes...)."""
        self.on_warning = on_warning
        """Called with each new warning (the app shows it)."""
        self.clock: Callable[[], float] = time.monotonic
        """Monotonic clock for the write debounce (tests may replace it)."""
        self.write_error: str | None = None
        """Why the last write failed (None once a write succeeds)."""
        self.read_only: str | None = None
        """Why this session's changes are not saved at all (file unreadable or newer), or None."""
        self.pref_defaults: dict[str, Any] = copy.deepcopy(PREF_DEFAULTS)
        """Preference values while unset: :data:`PREF_DEFAULTS`, the config file's over them."""
        self._persist = persist
        self._dispatch = dispatch
        self._mutex = threading.RLock()
        self._one_write = threading.RLock()  # one write at a time; never taken under _mutex
        self._journal: list[Op] = []
        self._warned: set[str] = set()
        self._last_write = float("-inf")
        self._last_created = 0.0
        self._changed_unsaved = False
        self._tidied = False
        self._writing = False
        self._db = TinyDB(self.path, storage=ReaderStorage)
        self._storage = cast(ReaderStorage, self._db.storage)
        self._lock: FileLock | None = None
        """The reader file's lock, made when first taken (:meth:`_file_lock`)."""
        self._held = False
        """True while writes wait (:meth:`hold_writes`)."""
        self._wake = threading.Condition()
        self._want_write = False
        self._closing = False
        self._attempts = 0
        self._after_save: list[Callable[[str | None], None]] = []
        self._writer: threading.Thread | None = None
        if self.path is not None:
            self._open()
            _OPEN_STORES.add(self)
            if background:
                self._writer = threading.Thread(
                    target=_writer_loop,
                    args=(weakref.ref(self), self._wake),
                    name=f"state-writer-{self.reader_id}",
                    daemon=True,
                )
                self._writer.start()
                if self._pending():
                    self._request_write()

    # ------------------------------------------------------------------ plumbing
    def _call(self, callback: Callable[[], None]) -> None:
        """Run a callback for the caller (through ``dispatch`` when on the writer thread)."""
        if self._dispatch is not None and threading.current_thread() is self._writer:
            with contextlib.suppress(Exception):
                self._dispatch(callback)
            return
        with contextlib.suppress(Exception):
            callback()

    def _warn(self, kind: str, message: str) -> None:
        """Tell the reader once per kind of trouble."""
        if kind in self._warned:
            return
        self._warned.add(kind)
        self.warnings.append(message)
        on_warning = self.on_warning
        if on_warning is not None:
            self._call(lambda: on_warning(message))

    def _stop_saving(self, reason: str) -> None:
        """From now on keep changes in memory only (the file must not be touched)."""
        self._persist = False
        self.read_only = reason
        if self._journal:  # changes of this session that will now never reach the file
            self._changed_unsaved = self.path is not None
        self._journal.clear()

    @contextlib.contextmanager
    def _locked(self, timeout: float) -> Iterator[None]:
        """Hold the reader file's exclusive lock (OSError or Timeout when it cannot be had)."""
        assert self.path is not None
        lock = self._file_lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=timeout, poll_interval=0.001)
        try:
            yield
        finally:
            lock.release()

    def _file_lock(self) -> FileLock:
        """The reader file's lock, made the first time it is taken (a start that only reads
        never imports filelock)."""
        assert self.path is not None
        with _MAKING_LOCK:
            if self._lock is None:
                from filelock import FileLock

                self._lock = FileLock(
                    str(self.path) + ".lock", timeout=disk.LOCK_TIMEOUT, thread_local=False
                )
            return self._lock

    def _open(self) -> None:
        """First load, without the lock; then tidy up and write repairs if the lock is free."""
        with self._mutex:
            self._load(initial=True)
        if not self._persist:
            return
        if not self._storage.dirty and not self._stale_temp_files():
            return  # nothing to repair or tidy: no lock to take (the first write tidies too)
        try:
            with self._locked(timeout=0):  # never wait at start-up: a later write does this
                self._remove_stale_temp_files()
                with self._mutex:
                    self._sync()
                    if self._persist and self._storage.dirty:
                        self._storage.commit()
        except OSError as exc:
            if self._storage.dirty:
                self._write_failed(exc)

    def _load(self, *, initial: bool) -> bool:
        """Read the file into memory, handling a bad file; True when memory was replaced."""
        try:
            self._storage.load()
        except NewerSchemaError as exc:
            self._stop_saving(f"it was written by a newer tui-reader ({exc})")
            self._warn(
                "newer",
                f"Reader state file {self.path} was written by a newer tui-reader ({exc}); "
                "it is left untouched and changes this session are not saved.",
            )
            return False
        except StateFileError as exc:
            self._set_aside(exc.reason, initial=initial)
            return False
        except OSError as exc:
            # Not damage: the file may be fine and only out of reach (permissions, a bad disk).
            reason = exc.strerror or type(exc).__name__
            self._stop_saving(f"it cannot be read ({reason})")
            self._warn(
                "unreadable",
                f"Reader state file {self.path} cannot be read ({reason}); it is kept as it is "
                "and changes this session are not saved.",
            )
            return False
        if self._storage.dropped:
            self._keep_damaged()
        return True

    def _keep_damaged(self) -> None:
        """Records were left out: keep the whole original aside before a clean file replaces it."""
        assert self.path is not None
        dropped = self._storage.dropped
        original = self._storage.damaged_original
        first = dropped[0]
        more = f" and {len(dropped) - 1} more" if len(dropped) > 1 else ""
        try:
            aside = self._aside_path()
            fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            try:
                _write_all(fd, [original])
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            self._stop_saving(f"damaged records could not be kept aside ({exc.strerror})")
            self._warn(
                "damaged",
                f"Reader state file {self.path} holds damaged records ({first}{more}); they are "
                f"left out, and as no copy could be kept aside ({exc.strerror}) the file is left "
                "untouched and changes this session are not saved.",
            )
            return
        self._warn(
            "damaged",
            f"Reader state file {self.path} held {len(dropped)} damaged record(s) ({first}{more}); "
            f"they were left out and the whole original file was kept as {aside.name}.",
        )

    def _aside_path(self) -> Path:
        """A free ``<name>.corrupt-<timestamp>`` beside the reader file."""
        assert self.path is not None
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            n += 1
        return aside

    def _set_aside(self, reason: str, *, initial: bool) -> None:
        """Move an unreadable file to ``<name>.corrupt-<timestamp>``; keep what memory holds."""
        assert self.path is not None
        aside = self._aside_path()
        try:
            os.rename(self.path, aside)
        except OSError as exc:
            self._stop_saving(f"it could not be read ({reason}) nor moved aside")
            self._warn(
                "corrupt",
                f"Reader state file {self.path} could not be read ({reason}) nor moved aside "
                f"({exc.strerror}); it is left untouched and changes this session are not saved.",
            )
            return
        self._warn(
            "corrupt",
            f"Reader state file {self.path} could not be read ({reason}); it was moved aside to "
            f"{aside.name} and {'a fresh one was started' if initial else 'memory was kept'}.",
        )
        self._storage.signature = None
        self._storage.dirty = True  # write what memory holds (fresh, or the last good state)

    def _stale_temp_files(self) -> bool:
        """True when a killed process left temp files beside the reader file."""
        assert self.path is not None
        return any(self._temp_files())

    def _temp_files(self) -> Iterator[Path]:
        """The temp files beside the reader file (``.NAME.*.tmp``): matched by prefix and
        suffix, not a glob, which would compile a regular expression for each reader's name."""
        assert self.path is not None
        prefix, suffix = f".{self.path.name}.", ".tmp"
        try:
            with os.scandir(self.path.parent) as entries:
                names = [entry.name for entry in entries]
        except OSError:
            return
        for name in names:
            if name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix) + 3:
                yield self.path.parent / name

    def _remove_stale_temp_files(self) -> None:
        """Delete temp files a killed process left (safe: we hold the lock, nobody is writing)."""
        assert self.path is not None
        self._tidied = True
        for stale in self._temp_files():
            with contextlib.suppress(OSError):
                stale.unlink()

    def _sync(self) -> bool:
        """Re-read the file if it changed on disk and replay unsaved operations; True if so."""
        if self._storage.changed_on_disk() and self._load(initial=False):
            for op in self._journal:
                op(self._db)
            return True
        return False

    def _refresh(self) -> None:
        """Before a read: pick up what another session wrote (a stat and 256 bytes otherwise).

        No lock: the file is replaced whole, so what is read is one complete version. Changes
        not yet written are applied again on top and stay pending.
        """
        if not self._persist or self._writing:
            return
        with contextlib.suppress(OSError):
            self._sync()

    def _write_failed(self, exc: OSError) -> None:
        """Keep going in memory and say so once (until writing works again)."""
        from filelock import Timeout  # (a write was tried: it is imported already)

        if isinstance(exc, Timeout):
            reason = "another tui-reader session is holding its lock"
        else:
            reason = exc.strerror or type(exc).__name__
        self.write_error = reason
        self._warn(
            "write",
            f"Could not save your place and reading state to {self.path} ({reason}); keeping "
            "them in memory and trying again.",
        )

    def _pending(self) -> bool:
        """True when memory holds changes the file does not."""
        return self._persist and bool(self._journal or self._storage.dirty)

    def _apply(self, op: Op, *, write: bool) -> None:
        """Apply one operation now; have it written (with everything pending) when ``write``."""
        with self._mutex:
            op(self._db)
            if not self._persist:
                self._changed_unsaved = self.path is not None
                return
            self._journal.append(op)
            _OPEN_STORES.add(self)  # pending again: written at exit if not before
            if not write or self._held:
                return
            here = self._writer is None
        if here:
            self._write(timeout=disk.LOCK_TIMEOUT)
        else:
            self._request_write()

    def _request_write(self) -> None:
        """Wake the writer thread."""
        with self._wake:
            self._want_write = True
            self._wake.notify_all()

    def _write(self, *, timeout: float) -> bool:
        """Lock, re-read if changed (replaying the journal), write the file; True when written.

        When the lock or the disk refuses, everything stays in memory for the next try. Writes
        happen one at a time (a close whose wait for the writer thread ran out waits here).
        """
        with self._one_write:
            return self._write_once(timeout=timeout)

    def _write_once(self, *, timeout: float) -> bool:
        """:meth:`_write`, with the write turn held."""
        with self._mutex:
            waiting = list(self._after_save)
            del self._after_save[: len(waiting)]
        try:
            with self._locked(timeout):
                with self._mutex:
                    if not self._tidied:
                        self._remove_stale_temp_files()
                    self._sync()
                    job = self._storage.prepare() if self._persist and self._storage.dirty else None
                    written = len(self._journal)
                    self._writing = True  # the file is ours: a read needs no re-read meanwhile
                # The disk write runs without the store's mutex: a change or read made
                # meanwhile (a keypress on the event loop) does not wait for the disk.
                try:
                    if job is not None:
                        self._storage.write_out(job)
                finally:
                    with self._mutex:
                        self._writing = False
                        if job is not None and job.signature is not None:
                            self._storage.finish(job)
                with self._mutex:
                    self._wrote(written)
        except OSError as exc:
            with self._mutex:
                self._write_failed(exc)
            ok = False
        else:
            ok = True
        error = None if ok else self.write_error
        if not ok and not self._persist:
            error = self.read_only
        for callback in waiting:
            self._call(lambda callback=callback: callback(error))  # type: ignore[misc]
        with self._wake:
            self._attempts += 1
            self._wake.notify_all()
        return ok

    def _wrote(self, written: int) -> None:
        """After a successful write of the first ``written`` journal entries (later ones were
        made during the write and are pending still)."""
        del self._journal[:written]
        self._last_write = self.clock()
        self.write_error = None
        self._warned.discard("write")

    def _background_write(self) -> None:
        """One round of the writer thread: write, and on failure retry until done or closed."""
        delay = disk.RETRY_INTERVAL
        while True:
            if self._writer is not threading.current_thread():
                return  # replaced: a close stopped waiting for this thread and writes itself
            if not self._pending() and not self._after_save:
                return
            try:
                self._lock_patiently()
            except _Closing:
                return
            # The lock is ours: a write now only waits for the disk.
            try:
                ok = self._write(timeout=0)
            finally:
                self._release_patient_lock()
            if ok:
                return
            with self._wake:  # the disk refused: try again later, or at once on a new change
                self._want_write = False
                self._wake.wait_for(lambda: self._want_write or self._closing, delay)
                if self._closing:
                    return
            delay = min(delay * 2, 60.0)

    def _lock_patiently(self) -> None:
        """Take the file lock, however long another session holds it (warned once after
        disk.LOCK_TIMEOUT); raises _Closing when the store is closed meanwhile."""
        from filelock import Timeout

        assert self.path is not None
        lock = self._file_lock()
        waited = 0.0
        while True:
            if self._closing:
                raise _Closing
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                lock.acquire(timeout=disk.LOCK_POLL, poll_interval=0.005)
                return
            except Timeout:
                waited += disk.LOCK_POLL
                if waited >= disk.LOCK_TIMEOUT:
                    with self._mutex:
                        self._write_failed(Timeout(str(lock.lock_file)))
            except OSError:
                return  # no lock to be had at all (read-only folder): the write says why

    def _release_patient_lock(self) -> None:
        """Let go of the lock :meth:`_lock_patiently` took (the write took it once more)."""
        lock = self._lock
        if lock is not None and lock.is_locked:
            lock.release()

    def hold_writes(self) -> None:
        """Keep changes in memory (pending, and written by :meth:`flush` or :meth:`close` as
        ever) until :meth:`release_writes`: start-up paints its first frame before the state
        file is written."""
        self._held = True

    def release_writes(self) -> None:
        """End :meth:`hold_writes`: what waited is written now."""
        if self._held:
            self._held = False
            if self._pending():
                self.flush()

    def flush(self) -> None:
        """Write everything pending (debounced positions, changes kept after a failed write).

        With a writer thread this only asks it to write now; :meth:`wait_saved` waits.
        """
        if self._writer is not None:
            self._request_write()
            return
        if self._pending():
            self._write(timeout=disk.LOCK_TIMEOUT)

    def when_saved(self, callback: Callable[[str | None], None]) -> None:
        """Call ``callback(None)`` once every change made so far is on disk, or
        ``callback(reason)`` when the attempt to write it failed."""
        with self._mutex:
            if not self._pending():
                error = self.read_only if self._changed_unsaved else None
                done = True
            elif self._writer is None:
                error, done = self.write_error, True
            else:
                self._after_save.append(callback)
                done = False
        if done:
            self._call(lambda: callback(error))
        else:
            self._request_write()

    def wait_saved(self, timeout: float = disk.LOCK_TIMEOUT) -> bool:
        """Write what is pending and wait for it (at most ``timeout`` s); True when on disk."""
        if self._writer is None:
            self.flush()
            return self.unsaved() is None
        with self._wake:
            start = self._attempts
        self._request_write()
        with self._wake:
            self._wake.wait_for(
                lambda: not self._pending() or (self._attempts > start and bool(self.write_error)),
                timeout,
            )
        return self.unsaved() is None

    def close(self, timeout: float = disk.LOCK_TIMEOUT) -> str | None:
        """Stop the writer thread, write what is pending (waiting at most ``timeout`` s for the
        lock) and say what could not be saved: one line naming the file and the reason, or None.

        The store stays usable; later changes are written before each call returns.
        """
        _OPEN_STORES.discard(self)  # closed: nothing left for the exit handler to retry
        writer = self._writer
        if writer is not None:
            with self._wake:
                self._closing = True
                self._wake.notify_all()
            writer.join(timeout)
            self._writer = None
            self._closing = False
        if self._pending():
            self._write(timeout=timeout)
        return self.unsaved()

    def unsaved(self) -> str | None:
        """One line saying that this session's changes could not be saved and why, or None."""
        if self.path is None:
            return None
        if self._pending():
            return (
                f"Could not save your place and reading state to {self.path} "
                f"({self.write_error or 'not written yet'}); this session's changes are lost."
            )
        if self.read_only is not None and self._changed_unsaved:
            return f"Your place and reading state were not saved to {self.path}: {self.read_only}."
        return None

    def _read(self, table: str, key: str, field: str = "story_id") -> RawDoc | None:
        """A record after picking up other sessions' writes."""
        with self._mutex:
            self._refresh()
            return _get(self._db, table, key, field)

    def _all(self, table: str) -> list[RawDoc]:
        """All records of a table after picking up other sessions' writes."""
        with self._mutex:
            self._refresh()
            return [dict(doc) for doc in self._db.table(table).all()]

    def _due(self) -> bool:
        """True when the debounce interval since the last write has passed."""
        return self.clock() - self._last_write >= disk.WRITE_INTERVAL

    # ------------------------------------------------------------------ progress
    def position(self, story_id: str) -> Position | None:
        """The saved place in a story, or None."""
        rec = self._read("progress", story_id)
        if rec is None or "chapter" not in rec:
            return None
        fingerprint = rec.get("fingerprint")
        return Position(
            int(rec["chapter"]),
            int(rec["paragraph"]),
            int(rec.get("offset", 0)),
            fingerprint if isinstance(fingerprint, str) else None,
        )

    def save_position(
        self,
        story_id: str,
        pos: Position,
        *,
        title: str = "",
        path: str = "",
        write_now: bool = False,
    ) -> None:
        """Remember the place; written at most every 2 s (or now with ``write_now``).

        The place's fingerprint is kept with it; a place without one drops the one saved before
        (it belonged to another paragraph)."""
        fields: RawDoc = {
            "chapter": int(pos.chapter),
            "paragraph": int(pos.paragraph),
            "offset": int(pos.offset),
            "when": round(time.time(), 3),
        }
        if title:
            fields["title"] = title
        if path:
            fields["path"] = path

        if pos.fingerprint is not None:
            fields["fingerprint"] = pos.fingerprint

        def op(db: TinyDB) -> None:
            _put(db, "progress", story_id, fields)
            if pos.fingerprint is None:
                _drop_field(db, "progress", story_id, "fingerprint")

        self._apply(op, write=write_now or self._due())

    def mark_chapter_read(self, story_id: str, chapter: int) -> None:
        """Record that a chapter was read to its end (written now)."""

        def op(db: TinyDB) -> None:
            rec = _get(db, "progress", story_id) or {}
            read = set(rec.get("read", [])) | {int(chapter)}
            _put(db, "progress", story_id, {"read": sorted(read)})

        self._apply(op, write=True)

    def chapters_read(self, story_id: str) -> set[int]:
        """Chapters marked read."""
        rec = self._read("progress", story_id)
        return {int(c) for c in rec.get("read", [])} if rec else set()

    def history(self, limit: int = 20) -> list[HistoryEntry]:
        """Stories with a saved place, most recent first, one entry per story."""
        entries = [
            HistoryEntry(
                story_id=str(rec["story_id"]),
                title=str(rec.get("title", "")),
                path=str(rec.get("path", "")),
                chapter=int(rec["chapter"]),
                when=float(rec.get("when", 0.0)),
            )
            for rec in self._all("progress")
            if "chapter" in rec
        ]
        entries.sort(key=lambda e: e.when, reverse=True)
        return entries[:limit]

    # ------------------------------------------------------------------ warnings, gates, stops
    def acknowledged(self, story_id: str) -> bool:
        """True when the reader accepted the story's warnings."""
        rec = self._read("acknowledgements", story_id)
        return bool(rec and rec.get("acknowledged"))

    def acknowledge(self, story_id: str) -> None:
        """Remember that the reader accepted the story's warnings (written now)."""
        when = time.time()
        self._apply(
            lambda db: _put(db, "acknowledgements", story_id, {"acknowledged": True, "when": when}),
            write=True,
        )

    def gate_passed(self, story_id: str, before_chapter: int) -> bool:
        """True when the reader chose to continue past the author's gate before that chapter."""
        rec = self._read("acknowledgements", story_id) or {}
        return int(before_chapter) in rec.get("gates", [])

    def pass_gate(self, story_id: str, before_chapter: int) -> None:
        """Remember continuing past a gate (and forget a stop at that gate); written now."""

        def op(db: TinyDB) -> None:
            rec = _get(db, "acknowledgements", story_id) or {}
            fields: RawDoc = {"gates": sorted(set(rec.get("gates", [])) | {int(before_chapter)})}
            if rec.get("stopped_at") == int(before_chapter):
                fields["stopped_at"] = None
            _put(db, "acknowledgements", story_id, fields)

        self._apply(op, write=True)

    def stopped_at(self, story_id: str) -> int | None:
        """The chapter where the reader chose to stop at a gate, or None."""
        rec = self._read("acknowledgements", story_id)
        value = rec.get("stopped_at") if rec else None
        return int(value) if value is not None else None

    def stop_at(self, story_id: str, chapter: int) -> None:
        """Remember that the reader stopped before ``chapter`` (written now)."""
        self._apply(
            lambda db: _put(db, "acknowledgements", story_id, {"stopped_at": int(chapter)}),
            write=True,
        )

    # ------------------------------------------------------------------ folds
    def fold(self, story_id: str, key: str) -> bool | None:
        """Whether the reader folded (True) or unfolded (False) a note; None when never chosen."""
        rec = self._read("folds", story_id)
        value = rec.get("folds", {}).get(key) if rec else None
        return bool(value) if value is not None else None

    def set_fold(self, story_id: str, key: str, folded: bool) -> None:
        """Remember a note's fold choice (written now)."""

        def op(db: TinyDB) -> None:
            rec = _get(db, "folds", story_id) or {}
            _put(db, "folds", story_id, {"folds": {**rec.get("folds", {}), key: bool(folded)}})

        self._apply(op, write=True)

    # ------------------------------------------------------------------ statuses
    def status(self, story_id: str) -> str | None:
        """The story's reading status, or None."""
        rec = self._read("statuses", story_id)
        value = rec.get("status") if rec else None
        return value if value in STATUSES else None

    def set_status(self, story_id: str, status: str | None) -> None:
        """Set (or with None clear) the reading status; ValueError for one not in STATUSES."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
        when = time.time()
        if status is None:
            self._apply(lambda db: _remove(db, "statuses", story_id), write=True)
        else:
            self._apply(
                lambda db: _put(db, "statuses", story_id, {"status": status, "when": when}),
                write=True,
            )

    def statuses(self) -> dict[str, str]:
        """Every story's status."""
        return {
            str(rec["story_id"]): str(rec["status"])
            for rec in self._all("statuses")
            if rec.get("status") in STATUSES
        }

    # ------------------------------------------------------------------ bookmarks
    def add_bookmark(
        self,
        story_id: str,
        story_title: str,
        path: str,
        pos: Position,
        note: str = "",
        snippet: str = "",
    ) -> Bookmark:
        """Mark a place (written now) and return the bookmark."""
        created = max(time.time(), self._last_created + 1e-6)
        self._last_created = created
        mark = Bookmark(
            id=uuid.uuid4().hex[:16],
            story_id=story_id,
            story_title=story_title,
            path=path,
            chapter=int(pos.chapter),
            paragraph=int(pos.paragraph),
            offset=int(pos.offset),
            note=note,
            snippet=snippet,
            created=created,
            fingerprint=pos.fingerprint,
        )
        fields = {
            k: v
            for k, v in mark.to_dict().items()
            if k != "id" and not (k == "fingerprint" and v is None)
        }
        self._apply(lambda db: _put(db, "bookmarks", mark.id, fields, "id"), write=True)
        return mark

    def bookmarks(self, story_id: str | None = None) -> list[Bookmark]:
        """Bookmarks (of one story, or all), newest first."""
        marks = []
        for rec in self._all("bookmarks"):
            if story_id is not None and rec.get("story_id") != story_id:
                continue
            try:
                fields = {f: rec[f] for f in BOOKMARK_FIELDS if f != "fingerprint"}
                marks.append(Bookmark(**fields, fingerprint=rec.get("fingerprint")))
            except (KeyError, TypeError):
                continue
        marks.sort(key=lambda m: m.created, reverse=True)
        return marks

    def update_bookmark(self, bookmark_id: str, note: str) -> None:
        """Change a bookmark's note (nothing when it was deleted meanwhile); written now."""

        def op(db: TinyDB) -> None:
            if _get(db, "bookmarks", bookmark_id, "id") is not None:
                _put(db, "bookmarks", bookmark_id, {"note": note}, "id")

        self._apply(op, write=True)

    def delete_bookmark(self, bookmark_id: str) -> None:
        """Delete a bookmark (written now)."""
        self._apply(lambda db: _remove(db, "bookmarks", bookmark_id, "id"), write=True)

    # ------------------------------------------------------------------ preferences
    def pref(self, key: str) -> Any:
        """A preference, or its default (None for an unknown key never set)."""
        rec = self._read("preferences", key, "key")
        if rec is not None and "value" in rec:
            return copy.deepcopy(rec["value"])
        return copy.deepcopy(self.pref_defaults.get(key))

    def prefs(self) -> Preferences:
        """Every preference, typed: the reader's choice, else the default (config file's first).

        A stored value that is not a usable value (a note mode this code does not know, say) is
        read as its default.
        """
        defaults = Preferences.from_values(self.pref_defaults)
        return Preferences.from_values(
            {name: self.pref(name) for name in PREFERENCE_NAMES}, defaults
        )

    def set_pref(self, key: str, value: Any) -> None:
        """Set a preference (written now).

        TypeError/ValueError when not JSON-storable; ValueError for a value a known preference
        cannot hold (:func:`~tui_reader.config.preference_problem`).
        """
        json.dumps(value)
        if key in PREFERENCE_NAMES:
            problem = preference_problem(key, value)
            if problem is not None:
                raise ValueError(problem)
        stored = copy.deepcopy(value)
        self._apply(lambda db: _put(db, "preferences", key, {"value": stored}, "key"), write=True)

    # ------------------------------------------------------------------ pace
    def record_pace(self, words: int, seconds: float) -> None:
        """Add a reading-pace sample (ignored when implausible); written with the next write."""
        if words <= 0 or seconds <= 0 or words / seconds * 60 > 3000 or seconds > 3600:
            return
        sample_id = uuid.uuid4().hex[:16]
        fields = {"words": int(words), "seconds": float(seconds), "when": time.time()}

        def op(db: TinyDB) -> None:
            _put(db, "pace", sample_id, fields, "id")
            samples = sorted(db.table("pace").all(), key=lambda d: d.get("when", 0.0))
            for old in samples[:-PACE_SAMPLES]:
                _remove(db, "pace", str(old.get("id")), "id")

        self._apply(op, write=self._due())

    def words_per_minute(self) -> int:
        """Measured reading speed over recent samples (the ``wpm`` preference until 2 min known)."""
        samples = self._all("pace")
        words = sum(int(s.get("words", 0)) for s in samples)
        seconds = sum(float(s.get("seconds", 0.0)) for s in samples)
        if seconds < 120 or words <= 0:
            return self.prefs().wpm
        return max(1, round(words / seconds * 60))

    # ------------------------------------------------------------------ chapters seen
    def seen_chapters(self, story_id: str) -> int | None:
        """How many chapters the story had when this reader last had it open (None: never
        recorded)."""
        rec = self._read("seen", story_id)
        return int(rec["chapters"]) if rec is not None else None

    def seen(self) -> dict[str, int]:
        """Every story's chapter count when this reader last had it open, by story id."""
        return {str(rec["story_id"]): int(rec["chapters"]) for rec in self._all("seen")}

    def mark_seen(self, story_id: str, chapters: int) -> None:
        """Remember that the story had ``chapters`` chapters when the reader opened it.

        Nothing changes (and nothing is written) when that count is already recorded; a new
        count is written with the next write (the place is saved as soon as reading starts).
        """
        if self.seen_chapters(story_id) == int(chapters):
            return
        fields: RawDoc = {"chapters": int(chapters), "when": round(time.time(), 3)}
        self._apply(lambda db: _put(db, "seen", story_id, fields), write=self._due())

    # ------------------------------------------------------------------ identity
    def adopt_ids(self, pairs: Iterable[tuple[str, str]]) -> int:
        """Move the reader's state kept under old story ids to new ones; the records moved.

        ``pairs`` are ``(old id, new id)``: a story's ``legacy_id`` and its ``story_id`` since
        ids come from the story's source (issue 15). In every table whose records carry a
        ``story_id`` (place and chapters read, warnings and gates, folds, statuses, bookmarks,
        and tables added later) a record under an old id moves to the new one; when the new id
        has its own record already the two are merged (the newer place by ``when``, chapters
        read and gates joined). An old id given twice keeps its first new id. Idempotent, and
        nothing is written when no record names an old id (so every scan may call it). The
        change goes through the normal path: journalled, replayed over another session's
        write, written by the writer thread.
        """
        renames: dict[str, str] = {}
        for old, new in pairs:
            if old and new and old != new:
                renames.setdefault(old, new)
        if not renames:
            return 0
        with self._mutex:
            self._refresh()
            due = any(
                doc.get("story_id") in renames
                for name, table in self._storage.data.items()
                if name != "meta"
                for doc in table.values()
            )
        if not due:
            return 0
        first: list[int] = []

        def op(db: TinyDB) -> None:
            moved = _adopt(db, renames)
            if not first:  # a replay over another session's write counts nothing new
                first.append(moved)

        self._apply(op, write=True)
        return first[0] if first else 0

    # ------------------------------------------------------------------ mutes
    def mute(self, kind: str, value: str) -> Mute:
        """Leave stories by this author, fandom, relationship or tag out of the library and
        search (written now); the mute. ValueError for an unknown kind or an empty name.

        Names are compared casefolded: muting one already muted in another case keeps the first.
        """
        if kind not in MUTE_KINDS:
            raise ValueError(f"unknown mute {kind!r}; expected one of {', '.join(MUTE_KINDS)}")
        name = value.strip()
        if not name:
            raise ValueError("nothing to mute: the name is empty")
        key = mute_key(kind, name)
        fields: RawDoc = {"kind": kind, "value": name, "when": time.time()}

        def op(db: TinyDB) -> None:
            if _get(db, "mutes", key, "key") is None:
                _put(db, "mutes", key, fields, "key")

        self._apply(op, write=True)
        found = self._read("mutes", key, "key") or fields
        return Mute(kind, str(found["value"]), float(found.get("when", 0.0)))

    def unmute(self, kind: str, value: str) -> None:
        """Show this author's, fandom's, relationship's or tag's stories again (written now)."""
        key = mute_key(kind, value)
        self._apply(lambda db: _remove(db, "mutes", key, "key"), write=True)

    def mutes(self) -> list[Mute]:
        """Every mute, by kind (as in :data:`MUTE_KINDS`) then name."""
        found = [
            Mute(str(rec["kind"]), str(rec["value"]), float(rec.get("when", 0.0)))
            for rec in self._all("mutes")
            if rec.get("kind") in MUTE_KINDS
            and rec.get("key") == mute_key(rec["kind"], rec["value"])
        ]
        found.sort(key=lambda m: (MUTE_KINDS.index(m.kind), m.value.casefold(), m.value))
        return found
