"""Reader state: place, bookmarks, choices and preferences in one TinyDB JSON file per reader.

The file is ``<data dir>/readers/<reader id>.json``. Every change is a small *operation* on one
record. Writing means: take the exclusive lock beside the file, re-read the file if another session
changed it, apply the pending operations, write a temporary file, fsync it, ``os.replace`` it over
the old one and fsync the folder. A process killed at any moment leaves the old file or the new one,
never half of one, and two sessions of one reader merge per record instead of overwriting each
other.

Operations that could not be written (read-only or full disk) stay in memory, in a journal, and are
replayed and written on the next write or :meth:`StateStore.flush`. Reading takes no lock (the
file is only ever replaced whole); the app writes on a background thread that retries, so neither a
stuck session holding the lock nor a refusing disk stalls it.

Every record is checked when read (:data:`RECORD_SHAPES`): records this code cannot use are left
out and the whole original file is kept as ``<name>.corrupt-<timestamp>``. A file that is not
reader state at all is moved there. A file that cannot be read for lack of permission (or a disk
error) is not damaged: it is left alone and the session runs without saving. Each time the reader
is told once through :attr:`StateStore.warnings` and ``on_warning``.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import dataclasses
import hashlib
import json
import math
import os
import re
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage

from tui_reader.config import Settings

STATUSES = ("reading", "plan to read", "on hold", "finished", "dropped")
"""The reading statuses a story can carry."""

PREF_DEFAULTS: dict[str, Any] = {
    **Settings().preferences(),
    "wpm": 200,
    "hidden_warnings": [],
    "whole_work": False,
}
"""Preference values used while a reader has not set them (the config file's from ``Settings``)."""

SCHEMA_VERSION = 1
"""The shape of the reader file this code writes (stored in the ``meta`` table)."""

WRITE_INTERVAL = 2.0
"""Debounce: seconds between two writes caused by :meth:`StateStore.save_position`."""

LOCK_TIMEOUT = 10.0
"""Seconds to wait for another session's lock before saying so (the writer thread keeps trying;
a store without one keeps the change in memory for the next write)."""

LOCK_POLL = 0.2
"""How long the writer thread waits for the lock at a time (it notices closing in between)."""

RETRY_INTERVAL = 2.0
"""Seconds before the writer thread tries a refused write again (doubling, up to a minute)."""

PACE_SAMPLES = 50
"""How many recent reading-pace samples are kept."""

RawDoc = dict[str, Any]
"""One stored record."""

RawData = dict[str, dict[str, RawDoc]]
"""The whole file: table name -> document id (a decimal string) -> record."""

Signature = tuple[int, int, int, str]
"""What identifies one version of the file on disk: inode, size, mtime_ns, write token."""

_TOKEN_RE = re.compile(rb'"write":"([0-9a-f]+)"')
_HEAD_BYTES = 256


@dataclass(frozen=True)
class Position:
    """A place in a story, independent of the window's width."""

    chapter: int
    """0-based index into ``story.chapters``."""
    paragraph: int
    """Index into ``chapter.blocks``."""
    offset: int = 0
    """Character offset inside that block's text."""


@dataclass(frozen=True)
class Bookmark:
    """A place the reader marked, with an optional note."""

    id: str
    """Stable identifier (hex)."""
    story_id: str
    """The story's id."""
    story_title: str
    """The story's title when the bookmark was made."""
    path: str
    """The story file's path when the bookmark was made."""
    chapter: int
    """0-based chapter index."""
    paragraph: int
    """Block index in that chapter."""
    offset: int
    """Character offset inside the block."""
    note: str
    """The reader's note."""
    snippet: str
    """A few words of the marked text."""
    created: float
    """When it was made (seconds since the epoch)."""


@dataclass(frozen=True)
class HistoryEntry:
    """A story the reader opened recently (one per story)."""

    story_id: str
    """The story's id."""
    title: str
    """Its title as last seen."""
    path: str
    """Its file as last seen."""
    chapter: int
    """The chapter the reader was in."""
    when: float
    """When the place was last saved (seconds since the epoch)."""


class StateFileError(Exception):
    """The reader file exists but does not hold reader state (truncated, garbage, wrong shape)."""

    def __init__(self, reason: str) -> None:
        """Keep the one-line reason."""
        super().__init__(reason)
        self.reason = reason
        """Why the file was refused."""


class NewerSchemaError(Exception):
    """The reader file was written by a newer tui-reader (schema version above ours)."""


# --------------------------------------------------------------------------------------------
# Schema migrations


def _migrate_0_to_1(data: RawData) -> RawData:
    """Version 0 (before the ``meta`` table): ``positions`` records ``{story, chapter, paragraph}``
    and ``acks`` records ``{story}``, both with sequential ids. Version 1 keys every record by a
    hash of its story id and names the tables as they are now."""
    out: RawData = {}
    for old in data.get("positions", {}).values():
        story = str(old.get("story", ""))
        if story:
            rec = {
                "story_id": story,
                "chapter": int(old.get("chapter", 0)),
                "paragraph": int(old.get("paragraph", 0)),
                "offset": 0,
                "when": float(old.get("when", 0.0)),
            }
            out.setdefault("progress", {})[str(_free_id(out.get("progress", {}), story))] = rec
    for old in data.get("acks", {}).values():
        story = str(old.get("story", ""))
        if story:
            rec = {"story_id": story, "acknowledged": True, "gates": [], "stopped_at": None}
            table = out.setdefault("acknowledgements", {})
            table[str(_free_id(table, story))] = rec
    for name, table in data.items():
        if name not in ("positions", "acks", "meta"):
            out[name] = table
    return out


MIGRATIONS: list[Callable[[RawData], RawData]] = [_migrate_0_to_1]
"""``MIGRATIONS[v]`` turns a version ``v`` file into version ``v + 1``."""


def _free_id(table: dict[str, RawDoc], key: str, field: str = "story_id") -> int:
    """The document id for ``key`` in a raw table: its hash, probing on past a collision."""
    doc_id = doc_id_for(key)
    while True:
        doc = table.get(str(doc_id))
        if doc is None or doc.get(field) == key:
            return doc_id
        doc_id += 1


def doc_id_for(key: str) -> int:
    """The document id of a record: a stable 62-bit hash of its key, the same in every process."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 2) or 1


def safe_reader_id(reader_id: str) -> str:
    """A file-name-safe form of a reader id ("local" when empty); unsafe ids get a hash suffix."""
    clean = re.sub(r"[^A-Za-z0-9._-]", "_", reader_id).lstrip(".")[:64]
    if not clean:
        return "local" if not reader_id else "reader-" + _short_hash(reader_id)
    if clean != reader_id:
        clean = f"{clean}-{_short_hash(reader_id)}"
    return clean


def _short_hash(text: str) -> str:
    """Eight hex digits naming ``text``."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()


def _dumps(value: Any) -> str:
    """Compact JSON, as stored."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _check_shape(data: Any) -> RawData:
    """``data`` as reader state, or StateFileError naming what is wrong."""
    if not isinstance(data, dict):
        raise StateFileError(f"not a JSON object but {type(data).__name__}")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise StateFileError(f"table {name!r} is not an object")
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or not isinstance(doc, dict):
                raise StateFileError(f"table {name!r} holds a malformed record {doc_id!r}")
    return data


def _schema_version(data: RawData) -> int:
    """The schema version recorded in the ``meta`` table (0 when there is none)."""
    meta = data.get("meta", {}).get("1", {})
    version = meta.get("schema_version", 0)
    if not isinstance(version, int) or version < 0:
        raise StateFileError(f"bad schema version {version!r}")
    return version


# --------------------------------------------------------------------------------------------
# Record validation: a file that is valid JSON may still hold records this code cannot use

_MAX_INDEX = 2**31 - 1
"""The largest chapter, paragraph or offset index accepted from the file."""

_MAX_MOMENT = 2**53
"""The largest whole number accepted where a time or duration is stored."""

Check = Callable[[Any], bool]
"""Whether one stored value is usable."""


def _is_int(value: Any) -> bool:
    """A JSON integer (``true``/``false`` are not numbers here)."""
    return type(value) is int


def _index(value: Any) -> bool:
    """A chapter, paragraph or character index: a whole number from 0."""
    return type(value) is int and 0 <= value <= _MAX_INDEX


def _optional_index(value: Any) -> bool:
    """An index or null."""
    return value is None or _index(value)


def _indexes(value: Any) -> bool:
    """A list of indexes."""
    return type(value) is list and all(type(v) is int and 0 <= v <= _MAX_INDEX for v in value)


def _moment(value: Any) -> bool:
    """A finite number (seconds since the epoch, or a duration) that fits a float."""
    kind = type(value)
    if kind is float:
        return math.isfinite(value)
    return kind is int and -_MAX_MOMENT <= value <= _MAX_MOMENT


def _positive(value: Any) -> bool:
    """A finite number above 0."""
    return _moment(value) and value > 0


def _count(value: Any) -> bool:
    """A whole number above 0."""
    return type(value) is int and 0 < value <= _MAX_INDEX


def _text(value: Any) -> bool:
    """A string."""
    return type(value) is str


def _flag(value: Any) -> bool:
    """true or false."""
    return type(value) is bool


def _texts(value: Any) -> bool:
    """A list of strings."""
    return type(value) is list and all(type(v) is str for v in value)


def _folds(value: Any) -> bool:
    """An object of note keys to true/false."""
    return type(value) is dict and all(type(v) is bool for v in value.values())


def _width(value: Any) -> bool:
    """A reading width in cells."""
    return type(value) is int and 1 <= value <= 10_000


@dataclass(frozen=True)
class RecordShape:
    """What a usable record of one table holds."""

    key: str
    """The field naming the record (a non-empty string)."""
    fields: dict[str, Check]
    """Fields that must pass their check when present."""
    required: tuple[str, ...] = ()
    """Fields that must be present."""
    needs: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    """Fields that must be present when another one is (``chapter`` needs ``paragraph``)."""


RECORD_SHAPES: dict[str, RecordShape] = {
    "progress": RecordShape(
        "story_id",
        {
            "chapter": _index,
            "paragraph": _index,
            "offset": _index,
            "when": _moment,
            "title": _text,
            "path": _text,
            "read": _indexes,
        },
        needs={"chapter": ("paragraph",), "paragraph": ("chapter",)},
    ),
    "acknowledgements": RecordShape(
        "story_id",
        {"acknowledged": _flag, "when": _moment, "gates": _indexes, "stopped_at": _optional_index},
    ),
    "folds": RecordShape("story_id", {"folds": _folds}),
    "statuses": RecordShape("story_id", {"status": _text, "when": _moment}, ("status",)),
    "bookmarks": RecordShape(
        "id",
        {
            "story_id": _text,
            "story_title": _text,
            "path": _text,
            "chapter": _index,
            "paragraph": _index,
            "offset": _index,
            "note": _text,
            "snippet": _text,
            "created": _moment,
        },
        tuple(f.name for f in dataclasses.fields(Bookmark) if f.name != "id"),
    ),
    "preferences": RecordShape("key", {}, ("value",)),
    "pace": RecordShape(
        "id", {"words": _count, "seconds": _positive, "when": _moment}, ("words", "seconds")
    ),
}
"""The tables this code reads and what their records must hold; other tables are kept as found."""

PREF_CHECKS: dict[str, Check] = {
    "reading_width": _width,
    "warn_mode": _text,
    "notes": _text,
    "theme": _text,
    "wpm": _count,
    "hidden_warnings": _texts,
    "whole_work": _flag,
}
"""What a known preference's value must be (an unknown preference may hold any JSON value)."""


def record_problem(table: str, doc: RawDoc) -> str | None:
    """Why a record of ``table`` cannot be used (one short phrase), or None when it can."""
    shape = RECORD_SHAPES.get(table)
    if shape is None:
        return None
    key = doc.get(shape.key)
    if type(key) is not str or not key:
        return f"a {table} record has no {shape.key}"
    checks = shape.fields
    for field, value in doc.items():
        check = checks.get(field)
        if check is not None and not check(value):
            return f"{table} record {key[:40]!r} has a bad {field} ({_dumps(value)[:30]})"
    for field in shape.required:
        if field not in doc:
            return f"{table} record {key[:40]!r} has no {field}"
    for field, needed in shape.needs.items():
        for other in needed:
            if field in doc and other not in doc:
                return f"{table} record {key[:40]!r} has {field} but no {other}"
    if table == "preferences":
        value_check = PREF_CHECKS.get(key)
        if value_check is not None and not value_check(doc["value"]):
            return f"preference {key!r} has a bad value ({_dumps(doc['value'])[:30]})"
    return None


def drop_bad_records(data: RawData, known: RawData | None = None) -> list[str]:
    """Remove every record that cannot be used from ``data``; the reasons, one per record.

    Records equal to the same record in ``known`` (the memory copy, already checked) are not
    checked again, so re-reading a file another session changed costs little.
    """
    problems: list[str] = []
    known = known or {}
    for table_name, table in data.items():
        if table_name not in RECORD_SHAPES:
            continue
        seen = known.get(table_name, {})
        for doc_id in list(table):
            doc = table[doc_id]
            if seen.get(doc_id) == doc:
                continue
            problem = record_problem(table_name, doc)
            if problem is not None:
                problems.append(problem)
                del table[doc_id]
    return problems


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

    def touch(self, table: str, doc_id: str) -> None:
        """Note that one record changed, so its JSON is made again at the next commit."""
        self._touched.setdefault(table, set()).add(doc_id)
        self.dirty = True

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
        assert self.path is not None
        token = os.urandom(8).hex()
        if "meta" not in self.data:
            self.data = {"meta": {}, **self.data}
        self.data["meta"]["1"] = {"schema_version": SCHEMA_VERSION, "write": token}
        self.touch("meta", "1")
        pieces = self.pieces()
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{self.path.name}.{os.getpid()}.{token}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            try:
                _write_all(fd, pieces)
                os.fsync(fd)
                st = os.fstat(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self.signature = (st.st_ino, st.st_size, st.st_mtime_ns, token)
        self.dirty = False
        with contextlib.suppress(OSError):
            dfd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)


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


# --------------------------------------------------------------------------------------------
# The store

Op = Callable[["TinyDB"], None]
"""One change to one record, applied to the database; replayed if the file changed meanwhile."""

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
    while True:
        with wake:
            store = ref()
            while store is not None and not store._closing and not store._want_write:
                del store
                wake.wait(1.0)  # timed: a store nobody holds any more ends the thread
                store = ref()
            if store is None or store._closing:
                return
            store._want_write = False
        store._background_write()
        del store


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
        self._journal: list[Op] = []
        self._warned: set[str] = set()
        self._last_write = float("-inf")
        self._last_created = 0.0
        self._changed_unsaved = False
        self._tidied = False
        self._db = TinyDB(self.path, storage=ReaderStorage)
        self._storage = cast(ReaderStorage, self._db.storage)
        self._lock: FileLock | None = None
        self._wake = threading.Condition()
        self._want_write = False
        self._closing = False
        self._attempts = 0
        self._after_save: list[Callable[[str | None], None]] = []
        self._writer: threading.Thread | None = None
        if self.path is not None:
            self._lock = FileLock(
                str(self.path) + ".lock", timeout=LOCK_TIMEOUT, thread_local=False
            )
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
        assert self._lock is not None and self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock.acquire(timeout=timeout, poll_interval=0.001)
        try:
            yield
        finally:
            self._lock.release()

    def _open(self) -> None:
        """First load, without the lock; then tidy up and write repairs if the lock is free."""
        with self._mutex:
            self._load(initial=True)
        if not self._persist:
            return
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

    def _remove_stale_temp_files(self) -> None:
        """Delete temp files a killed process left (safe: we hold the lock, nobody is writing)."""
        assert self.path is not None
        self._tidied = True
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
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
        if not self._persist:
            return
        with contextlib.suppress(OSError):
            self._sync()

    def _write_failed(self, exc: OSError) -> None:
        """Keep going in memory and say so once (until writing works again)."""
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
            if not write:
                return
            if self._writer is None:
                self._write(timeout=LOCK_TIMEOUT)
                return
        self._request_write()

    def _request_write(self) -> None:
        """Wake the writer thread."""
        with self._wake:
            self._want_write = True
            self._wake.notify_all()

    def _write(self, *, timeout: float) -> bool:
        """Lock, re-read if changed (replaying the journal), write the file; True when written.

        When the lock or the disk refuses, everything stays in memory for the next try.
        """
        with self._mutex:
            waiting = list(self._after_save)
            del self._after_save[: len(waiting)]
        try:
            with self._locked(timeout), self._mutex:
                if not self._tidied:
                    self._remove_stale_temp_files()
                self._sync()
                if self._persist and self._storage.dirty:
                    self._storage.commit()
                self._wrote()
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

    def _wrote(self) -> None:
        """After a successful write: nothing is pending any more."""
        self._journal.clear()
        self._last_write = self.clock()
        self.write_error = None
        self._warned.discard("write")

    def _background_write(self) -> None:
        """One round of the writer thread: write, and on failure retry until done or closed."""
        delay = RETRY_INTERVAL
        while True:
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
        LOCK_TIMEOUT); raises _Closing when the store is closed meanwhile."""
        assert self._lock is not None and self.path is not None
        waited = 0.0
        while True:
            if self._closing:
                raise _Closing
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._lock.acquire(timeout=LOCK_POLL, poll_interval=0.005)
                return
            except Timeout:
                waited += LOCK_POLL
                if waited >= LOCK_TIMEOUT:
                    with self._mutex:
                        self._write_failed(Timeout(str(self._lock.lock_file)))
            except OSError:
                return  # no lock to be had at all (read-only folder): the write says why

    def _release_patient_lock(self) -> None:
        """Let go of the lock :meth:`_lock_patiently` took (the write took it once more)."""
        assert self._lock is not None
        if self._lock.is_locked:
            self._lock.release()

    def flush(self) -> None:
        """Write everything pending (debounced positions, changes kept after a failed write).

        With a writer thread this only asks it to write now; :meth:`wait_saved` waits.
        """
        if self._writer is not None:
            self._request_write()
            return
        with self._mutex:
            if self._pending():
                self._write(timeout=LOCK_TIMEOUT)

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

    def wait_saved(self, timeout: float = LOCK_TIMEOUT) -> bool:
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

    def close(self, timeout: float = LOCK_TIMEOUT) -> str | None:
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
        with self._mutex:
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
        return self.clock() - self._last_write >= WRITE_INTERVAL

    # ------------------------------------------------------------------ progress
    def position(self, story_id: str) -> Position | None:
        """The saved place in a story, or None."""
        rec = self._read("progress", story_id)
        if rec is None or "chapter" not in rec:
            return None
        return Position(int(rec["chapter"]), int(rec["paragraph"]), int(rec.get("offset", 0)))

    def save_position(
        self,
        story_id: str,
        pos: Position,
        *,
        title: str = "",
        path: str = "",
        write_now: bool = False,
    ) -> None:
        """Remember the place; written at most every 2 s (or now with ``write_now``)."""
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

        def op(db: TinyDB) -> None:
            _put(db, "progress", story_id, fields)

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
        )
        fields = {k: v for k, v in dataclasses.asdict(mark).items() if k != "id"}
        self._apply(lambda db: _put(db, "bookmarks", mark.id, fields, "id"), write=True)
        return mark

    def bookmarks(self, story_id: str | None = None) -> list[Bookmark]:
        """Bookmarks (of one story, or all), newest first."""
        marks = []
        for rec in self._all("bookmarks"):
            if story_id is not None and rec.get("story_id") != story_id:
                continue
            try:
                marks.append(Bookmark(**{f: rec[f] for f in Bookmark.__dataclass_fields__}))
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

    def set_pref(self, key: str, value: Any) -> None:
        """Set a preference (written now); TypeError/ValueError when not JSON-storable."""
        json.dumps(value)
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
            return int(self.pref("wpm"))
        return max(1, round(words / seconds * 60))
