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

The package is split by job: :mod:`.records` (typed records and their validation),
:mod:`.migrations` (schema version and upgrades), :mod:`.storage` (the atomic file, lock timings,
the writer thread) and :mod:`.store` (:class:`StateStore`). Import from the package.
"""

from __future__ import annotations

from tui_reader.state.migrations import MIGRATIONS, SCHEMA_VERSION, NewerSchemaError
from tui_reader.state.records import (
    MUTE_KINDS,
    PREF_CHECKS,
    PREF_DEFAULTS,
    RECORD_SHAPES,
    STATUSES,
    Bookmark,
    HistoryEntry,
    Mute,
    Position,
    RawData,
    RawDoc,
    RecordShape,
    StateFileError,
    doc_id_for,
    drop_bad_records,
    mute_key,
    record_problem,
    safe_reader_id,
)
from tui_reader.state.storage import ReaderStorage
from tui_reader.state.store import PACE_SAMPLES, StateStore

__all__ = [
    "MIGRATIONS",
    "MUTE_KINDS",
    "PACE_SAMPLES",
    "PREF_CHECKS",
    "PREF_DEFAULTS",
    "RECORD_SHAPES",
    "SCHEMA_VERSION",
    "STATUSES",
    "Bookmark",
    "HistoryEntry",
    "Mute",
    "NewerSchemaError",
    "Position",
    "RawData",
    "RawDoc",
    "ReaderStorage",
    "RecordShape",
    "StateFileError",
    "StateStore",
    "doc_id_for",
    "drop_bad_records",
    "mute_key",
    "record_problem",
    "safe_reader_id",
]
