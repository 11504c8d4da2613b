"""Reader-file storage: the TinyDB storage writing the file atomically, lock timing, writer thread.

:class:`ReaderStorage` keeps each table's JSON text per record and writes the whole file through a
temporary file, fsync and ``os.replace``. The lock and retry timings used by the store live here
(tests shorten them on this module), and so does the background writer thread.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from tinydb.storages import Storage

from tui_reader.state.migrations import (
    MIGRATIONS,
    SCHEMA_VERSION,
    NewerSchemaError,
    _check_shape,
    _schema_version,
)
from tui_reader.state.records import (
    RawData,
    RawDoc,
    StateFileError,
    _dumps,
    drop_bad_records,
)

if TYPE_CHECKING:
    from tui_reader.state.store import StateStore


WRITE_INTERVAL = 2.0
"""Debounce: seconds between two writes caused by :meth:`StateStore.save_position`."""

LOCK_TIMEOUT = 10.0
"""Seconds to wait for another session's lock before saying so (the writer thread keeps trying;
a store without one keeps the change in memory for the next write)."""

LOCK_POLL = 0.2
"""How long the writer thread waits for the lock at a time (it notices closing in between)."""

RETRY_INTERVAL = 2.0
"""Seconds before the writer thread tries a refused write again (doubling, up to a minute)."""


Signature = tuple[int, int, int, str]
"""What identifies one version of the file on disk: inode, size, mtime_ns, write token."""

_TOKEN_RE = re.compile(rb'"write":"([0-9a-f]+)"')
_HEAD_BYTES = 256


# --------------------------------------------------------------------------------------------
# The storage


class _TableText:
    """The JSON text of one table, kept per record and in chunks of records.

    A changed record is dumped again and only its chunk re-joined, so writing one record of a
    table with thousands costs little more than the disk write.
    """

    CHUNK = 128
    """Records per chunk."""

    def __init__(self, name: str, table: dict[str, RawDoc], reuse: dict[str, str]) -> None:
        """Build from ``table``, taking ``reuse[doc_id]`` as a record's text where given."""
        self.table = table
        """The table object the text was made from (TinyDB replacing it means: build again)."""
        self._prefix = f"{_dumps(name)}:{{".encode()
        self._chunks: list[dict[str, str]] = []
        self._bytes: list[bytes | None] = []
        self._chunk_of: dict[str, int] = {}
        for doc_id, doc in table.items():
            self.put(doc_id, reuse.get(doc_id) or _fragment(doc_id, doc))

    def fragment(self, doc_id: str) -> str | None:
        """The stored text of one record."""
        index = self._chunk_of.get(doc_id)
        return None if index is None else self._chunks[index][doc_id]

    def put(self, doc_id: str, fragment: str) -> None:
        """Set one record's text."""
        index = self._chunk_of.get(doc_id)
        if index is None:
            if not self._chunks or len(self._chunks[-1]) >= self.CHUNK:
                self._chunks.append({})
                self._bytes.append(None)
            index = len(self._chunks) - 1
            self._chunk_of[doc_id] = index
        self._chunks[index][doc_id] = fragment
        self._bytes[index] = None

    def remove(self, doc_id: str) -> None:
        """Drop one record's text."""
        index = self._chunk_of.pop(doc_id, None)
        if index is not None:
            del self._chunks[index][doc_id]
            self._bytes[index] = None

    def pieces(self) -> list[bytes]:
        """``"name":{...}`` for the whole table, as byte strings to write one after the other."""
        out = [self._prefix]
        for index, cached in enumerate(self._bytes):
            if cached is None:
                text = ",".join(self._chunks[index].values())
                cached = self._bytes[index] = text.encode("utf-8", "surrogatepass")
            if cached:
                if len(out) > 1:
                    out.append(b",")
                out.append(cached)
        out.append(b"}")
        return out


def _fragment(doc_id: str, doc: RawDoc) -> str:
    """One record as it appears in its table's JSON object."""
    return f'"{doc_id}":{_dumps(doc)}'


class ReaderStorage(Storage):
    """A TinyDB storage holding the reader file in memory and writing it atomically.

    TinyDB reads and writes through :meth:`read`/:meth:`write`, which only touch the memory copy;
    :meth:`load` and :meth:`commit` move it to and from the disk. Each record's JSON text is kept
    between writes, so a write only re-serialises the records that changed.
    """

    def __init__(self, path: Path | None) -> None:
        """Start empty; ``path`` None means memory only."""
        super().__init__()
        self.path = path
        """The JSON file, or None for a memory-only store."""
        self.data: RawData = {}
        """The memory copy of the whole file."""
        self.signature: Signature | None = None
        """The on-disk version the memory copy was read from or last written as."""
        self.dirty = False
        """The memory copy holds changes not yet on disk."""
        self.dropped: list[str] = []
        """Why each record left out at the last :meth:`load` could not be used."""
        self.damaged_original = b""
        """The whole file as read when :meth:`load` left records out (else empty)."""
        self.changes = 0
        """Counts changes to the memory copy (a write tells what came after it was made)."""
        self._texts: dict[str, _TableText] = {}
        self._touched: dict[str, set[str]] = {}

    # TinyDB's side ---------------------------------------------------------------------------
    def read(self) -> RawData:
        """The memory copy (TinyDB may update it in place, then calls :meth:`write`)."""
        return self.data

    def write(self, data: RawData) -> None:
        """Take TinyDB's updated data into memory; :meth:`commit` puts it on disk."""
        self.data = data
        self.dirty = True
        self.changes += 1

    def touch(self, table: str, doc_id: str) -> None:
        """Note that one record changed, so its JSON is made again at the next commit."""
        self._touched.setdefault(table, set()).add(doc_id)
        self.dirty = True
        self.changes += 1

    # Disk side ---------------------------------------------------------------------------------
    def disk_signature(self) -> Signature | None:
        """The current file's identity (None when there is no file); cheap: a stat and 256 bytes."""
        assert self.path is not None
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        try:
            st = os.fstat(fd)
            head = os.read(fd, _HEAD_BYTES)
        finally:
            os.close(fd)
        return _signature(st, head)

    def changed_on_disk(self) -> bool:
        """True when the file is not the version the memory copy came from."""
        return self.disk_signature() != self.signature

    def load(self) -> bool:
        """Replace the memory copy with the file (empty when there is none).

        Records that cannot be used are left out (:attr:`dropped` says why, :attr:`damaged_original`
        keeps the bytes read, the memory copy is marked dirty so the clean version gets written).
        Returns True when the file was migrated from an older schema. Raises StateFileError when
        the file is not reader state (the memory copy is then unchanged), NewerSchemaError when a
        newer program wrote it, and OSError when it cannot be read.
        """
        assert self.path is not None
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            self._replace({}, None)
            return False
        try:
            st = os.fstat(fd)
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(fd)
        raw = b"".join(chunks)
        if not raw.strip():
            raise StateFileError("the file is empty")
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise StateFileError(f"not valid JSON ({str(exc)[:80]})") from None
        data = _check_shape(parsed)
        version = _schema_version(data)
        if version > SCHEMA_VERSION:
            raise NewerSchemaError(f"schema version {version} is newer than {SCHEMA_VERSION}")
        migrated = version < SCHEMA_VERSION
        try:
            for step in MIGRATIONS[version:SCHEMA_VERSION]:
                data = _check_shape(step(data))
        except StateFileError:
            raise
        except Exception as exc:
            raise StateFileError(f"could not upgrade from schema {version} ({exc})") from None
        dropped = drop_bad_records(data, self.data)
        self._replace(data, _signature(st, raw[:_HEAD_BYTES]))
        self.dropped = dropped
        self.damaged_original = raw if dropped else b""
        if migrated or dropped:
            self.dirty = True
        return migrated

    def _replace(self, data: RawData, signature: Signature | None) -> None:
        """Swap in freshly read data, keeping the JSON text of records that did not change."""
        old = self.data
        ordered: RawData = {"meta": data.pop("meta", {})}
        ordered.update(data)
        texts: dict[str, _TableText] = {}
        for name, table in ordered.items():
            reuse: dict[str, str] = {}
            previous = self._texts.get(name)
            if previous is not None and previous.table is old.get(name):
                old_table = previous.table
                touched = self._touched.get(name, set())
                for doc_id, doc in table.items():
                    frag = previous.fragment(doc_id)
                    if frag is not None and doc_id not in touched and old_table.get(doc_id) == doc:
                        reuse[doc_id] = frag
            texts[name] = _TableText(name, table, reuse)
        self.data = ordered
        self.dropped = []
        self.damaged_original = b""
        self._texts = texts
        self._touched = {}
        self.signature = signature
        self.dirty = False

    def pieces(self) -> list[bytes]:
        """The whole memory copy as compact JSON (``meta`` first) in pieces, re-using the text
        of unchanged records (no copy of the whole file is made: the pieces go to ``writev``)."""
        out = [b"{"]
        for name, table in self.data.items():
            touched = self._touched.pop(name, set())
            text = self._texts.get(name)
            if text is None or text.table is not table:
                # A new table, or TinyDB replaced it: nothing cached can be trusted.
                text = self._texts[name] = _TableText(name, table, {})
            else:
                for doc_id in touched:
                    doc = table.get(doc_id)
                    if doc is None:
                        text.remove(doc_id)
                    else:
                        text.put(doc_id, _fragment(doc_id, doc))
            if len(out) > 1:
                out.append(b",")
            out.extend(text.pieces())
        out.append(b"}")
        for name in [n for n in self._texts if n not in self.data]:
            del self._texts[name]
        return out

    def commit(self) -> None:
        """Write the memory copy: temp file in the same folder, fsync, replace, fsync the folder.

        Raises OSError (nothing replaced) when the disk refuses.
        """
        job = self.prepare()
        self.write_out(job)
        self.finish(job)

    def prepare(self) -> _Commit:
        """The memory copy as it is now, ready for :meth:`write_out` (which needs no lock on the
        memory copy: the pieces are bytes made here)."""
        token = os.urandom(8).hex()
        if "meta" not in self.data:
            self.data = {"meta": {}, **self.data}
        self.data["meta"]["1"] = {"schema_version": SCHEMA_VERSION, "write": token}
        self.touch("meta", "1")
        return _Commit(token, self.pieces(), self.changes)

    def write_out(self, job: _Commit) -> None:
        """Put a prepared copy on disk: temp file in the same folder, fsync, replace, fsync the
        folder; sets ``job.signature``. Raises OSError (nothing replaced) when the disk refuses."""
        assert self.path is not None
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{self.path.name}.{os.getpid()}.{job.token}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            try:
                _write_all(fd, job.pieces)
                os.fsync(fd)
                st = os.fstat(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        job.signature = (st.st_ino, st.st_size, st.st_mtime_ns, job.token)
        with contextlib.suppress(OSError):
            dfd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)

    def finish(self, job: _Commit) -> None:
        """After :meth:`write_out`: the file is this version; clean unless changed meanwhile."""
        self.signature = job.signature
        self.dirty = self.changes != job.changes


class _Commit:
    """One write of the reader file: made under the store's lock, written outside it.

    (A plain class, not a dataclass: those cost a quarter millisecond each to define at start.)
    """

    __slots__ = ("changes", "pieces", "signature", "token")

    def __init__(self, token: str, pieces: list[bytes], changes: int) -> None:
        """A write of ``pieces``, made at change count ``changes``, not yet written."""
        self.token = token
        """The write token put in ``meta`` (tells this version from another with the same
        stat)."""
        self.pieces = pieces
        """The whole file, in pieces for ``writev``."""
        self.changes = changes
        """The storage's change count when the pieces were made."""
        self.signature: Signature | None = None
        """The written file's identity, once written."""


def _write_all(fd: int, pieces: list[bytes]) -> None:
    """Write the pieces in order (one ``writev`` call normally)."""
    total = sum(len(p) for p in pieces)
    done = 0
    for start in range(0, len(pieces), 512):  # stay under IOV_MAX
        done += os.writev(fd, pieces[start : start + 512])
    if done < total:  # a short write: finish the rest plainly
        view = memoryview(b"".join(pieces))[done:]
        while view:
            view = view[os.write(fd, view) :]


def _signature(st: os.stat_result, head: bytes) -> Signature:
    """A file version's identity from its stat and first bytes (the write token)."""
    match = _TOKEN_RE.search(head)
    token = match.group(1).decode() if match else ""
    return (st.st_ino, st.st_size, st.st_mtime_ns, token)


_OPEN_STORES: weakref.WeakSet[StateStore] = weakref.WeakSet()


@atexit.register
def _flush_open_stores() -> None:
    """Write what is still pending in every open store when the program ends normally."""
    for store in list(_OPEN_STORES):
        with contextlib.suppress(Exception):
            store.close()


class _Closing(Exception):
    """The store is being closed while its writer thread waits for the lock."""


def _writer_loop(ref: weakref.ref[StateStore], wake: threading.Condition) -> None:
    """The writer thread: write whenever asked, until the store is closed or forgotten."""
    me = threading.current_thread()
    while True:
        with wake:
            store = ref()
            while (
                store is not None
                and store._writer is me
                and not store._closing
                and not store._want_write
            ):
                del store
                wake.wait(1.0)  # timed: a store nobody holds any more ends the thread
                store = ref()
            # Closed, forgotten, or replaced (a close that stopped waiting for this thread).
            if store is None or store._closing or store._writer is not me:
                return
            store._want_write = False
        store._background_write()
        del store
