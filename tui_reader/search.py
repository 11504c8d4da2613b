"""Full-text search across the library: a SQLite FTS5 index kept as a cache in the data dir.

The index is never needed to read: it is rebuilt incrementally from each file's size and mtime,
one row per paragraph (epigraphs and headings too), so a hit names its story, chapter and
paragraph and the reader can open the story right there. Queries are built from the reader's
words, never passed raw to FTS5: plain words must all appear, ``"a phrase"`` must appear as
written, and ``pref*`` matches any word starting with ``pref``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from tui_reader.importers import load_story
from tui_reader.model import Story, StoryError, hides
from tui_reader.paths import (
    data_dir,
    default_library_dir,
    display_path,
    display_text,
    iter_story_files,
)
from tui_reader.state import StateStore
from tui_reader.text import collapse_whitespace

SCHEMA_VERSION = 2
"""Bumped when the index layout changes; an index of another version is rebuilt.

2: ``docs.path`` holds the file name's bytes (``os.fsencode``), so names that are not UTF-8 fit.
"""

MARK_START = "\x02"
"""Marks the start of a match inside a snippet (a control character no story text keeps)."""

MARK_END = "\x03"
"""Marks the end of a match inside a snippet."""

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY,
    path BLOB UNIQUE NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    story_id TEXT,
    title TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',
    error TEXT
);
CREATE VIRTUAL TABLE IF NOT EXISTS passages USING fts5(
    text, doc UNINDEXED, chapter UNINDEXED, block UNINDEXED, chapter_title UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT OR IGNORE INTO meta VALUES ('schema', '{SCHEMA_VERSION}');
"""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching paragraph."""

    path: str
    """The story file."""
    story_id: str
    """The story's id (for reader state)."""
    title: str
    """The story's title."""
    chapter: int
    """0-based chapter index (``Position.chapter``)."""
    chapter_title: str
    """"Chapter 3: Title" as the reader shows it."""
    paragraph: int
    """Block index within the chapter (``Position.paragraph``)."""
    snippet: str
    """Text around the match, matches wrapped in :data:`MARK_START`/:data:`MARK_END`."""
    score: float
    """FTS5 bm25 rank: lower is better."""

    def plain_snippet(self) -> str:
        """The snippet without match marks."""
        return self.snippet.replace(MARK_START, "").replace(MARK_END, "")

    def highlights(self) -> list[tuple[int, int]]:
        """(start, end) of each match in :meth:`plain_snippet`."""
        spans: list[tuple[int, int]] = []
        plain_pos = 0
        start = 0
        for ch in self.snippet:
            if ch == MARK_START:
                start = plain_pos
            elif ch == MARK_END:
                spans.append((start, plain_pos))
            else:
                plain_pos += 1
        return spans

    def to_dict(self) -> dict[str, object]:
        """The hit as ``search --json`` prints it."""
        return {
            "path": self.path,
            "story_id": self.story_id,
            "title": self.title,
            "chapter": self.chapter + 1,
            "chapter_index": self.chapter,
            "chapter_title": self.chapter_title,
            "paragraph": self.paragraph,
            "snippet": self.plain_snippet(),
            "highlights": [list(span) for span in self.highlights()],
            "score": round(self.score, 4),
        }


_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


def build_query(text: str) -> str | None:
    """Turn what the reader typed into a safe FTS5 query, or None when nothing is searchable.

    ``"a phrase"`` stays a phrase, ``word*`` is a prefix, other words are all required.
    Punctuation inside words splits them (FTS5's tokenizer would too).
    """
    parts: list[str] = []
    for match in _TOKEN.finditer(text):
        phrase, word = match.groups()
        if phrase is not None:
            words = _WORD.findall(phrase)
            if words:
                parts.append('"' + " ".join(words) + '"')
            continue
        prefix = word.endswith("*")
        words = _WORD.findall(word)
        for i, w in enumerate(words):
            star = "*" if prefix and i == len(words) - 1 else ""
            parts.append(f'"{w}"{star}')
    return " ".join(parts) if parts else None


BUSY_TIMEOUT = 60.0
"""Seconds a connection waits for another writer's transaction (each is one file) to end."""

BUILD_LOCK_WAIT = 600.0
"""Seconds :meth:`SearchIndex.update` waits for another builder before building alongside it
(safe, only slower: every file's transaction re-checks its row)."""


class SearchIndex:
    """The FTS5 index of one library, stored under ``<data dir>/cache/``.

    The index file is shared by every process and session that searches the same library. One
    writer at a time builds it: :meth:`update` holds a build lock (a lock file beside the index)
    while it works, and every change is a ``BEGIN IMMEDIATE`` transaction that re-checks the
    file's row first, so two builders that race anyway never index a file twice. Readers use
    SQLite's WAL mode and never wait for a build. When the data dir cannot hold the index
    (read-only, full, not a folder), the index lives in memory for this session instead and
    :attr:`problem` says so in one line.

    One object may be shared by threads (an indexing worker and query workers): each call
    holds the object's lock for one short transaction at a time.
    """

    def __init__(self, library: Path, data: Path) -> None:
        """Open (or create) the index for ``library``."""
        self.library = library.resolve()
        """The library folder the index covers."""
        self.cache_dir = data / "cache"
        """The folder holding the index file."""
        key = hashlib.sha256(os.fsencode(self.library)).hexdigest()[:12]
        self.db_path = self.cache_dir / f"search-{key}.sqlite"
        """The index file."""
        self.lock_path = self.cache_dir / f"search-{key}.lock"
        """The build lock: held by the one process bringing the index up to date."""
        self.problem: str | None = None
        """Why the index is kept in memory rather than in the data dir (None when it is not)."""
        self._lock = threading.RLock()
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            self.db = self._open()
            """The connection."""
        except (OSError, sqlite3.Error) as exc:
            self.db = self._in_memory(exc)

    # --- opening ----------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        """Connect to the index file in WAL mode (no transaction opened implicitly)."""
        db = sqlite3.connect(
            self.db_path, timeout=BUSY_TIMEOUT, check_same_thread=False, isolation_level=None
        )
        try:
            db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error:
            db.close()
            raise
        return db

    def _open(self) -> sqlite3.Connection:
        """Connect, creating the schema; a damaged or outdated index is rebuilt.

        The schema is made (or replaced) in one ``BEGIN IMMEDIATE`` transaction, so two
        processes opening a cold data dir at once cannot trip over each other. Only a file that
        is not a database at all is deleted.
        """
        try:
            db = self._connect()
            self._ensure_schema(db)
            return db
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorcode", None) not in (sqlite3.SQLITE_NOTADB, 11):
                raise  # locked, read-only, full: not damage, and not ours to delete
        for leftover in (self.db_path, Path(f"{self.db_path}-wal"), Path(f"{self.db_path}-shm")):
            leftover.unlink(missing_ok=True)
        db = self._connect()
        self._ensure_schema(db)
        return db

    @staticmethod
    def _ensure_schema(db: sqlite3.Connection) -> None:
        """Create the tables, or drop and recreate them when they are of another version."""
        db.execute("BEGIN IMMEDIATE")
        try:
            has_meta = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
            ).fetchone()
            row = (
                db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
                if has_meta
                else None
            )
            if row is not None and row[0] != str(SCHEMA_VERSION):
                for table in ("passages", "docs", "meta"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")
            if row is None or row[0] != str(SCHEMA_VERSION):
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite ends some failed transactions (a full disk) itself
                db.execute("ROLLBACK")
            raise

    def _in_memory(self, exc: BaseException) -> sqlite3.Connection:
        """An index in memory for this session, recording why the data dir could not hold it."""
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self.problem = display_text(
            f"The search index cannot be saved in the data dir ({why}); "
            "searching without it (slower)."
        )
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._ensure_schema(db)
        return db

    @property
    def in_memory(self) -> bool:
        """True when the index is not kept on disk."""
        return self.problem is not None

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self.db.close()

    # --- building ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _build_lock(self) -> Iterator[None]:
        """Hold the build lock, waiting for another builder; without it if it cannot be made."""
        if self.in_memory:
            yield
            return
        lock = FileLock(self.lock_path, thread_local=False)
        try:
            lock.acquire(timeout=BUILD_LOCK_WAIT)
        except (OSError, Timeout):
            yield
            return
        try:
            yield
        finally:
            lock.release()

    def update(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Bring the index up to date with the files; returns how many files were (re)indexed.

        A disk that fills up or turns read-only while indexing moves the index into memory
        (see :attr:`problem`) and indexing starts again there.
        """
        try:
            with self._build_lock():
                return self._update(progress)
        except (OSError, sqlite3.OperationalError) as exc:
            if self.in_memory:
                raise
            with self._lock:
                self.db.close()
                self.db = self._in_memory(exc)
            return self._update(progress)

    def _update(self, progress: Callable[[int, int], None] | None) -> int:
        """Index what changed since the index last saw the files."""
        files = {full: st for _rel, full, st in iter_story_files(self.library)}
        with self._lock:
            known = {
                os.fsdecode(path): (doc_id, size, mtime)
                for doc_id, path, size, mtime in self.db.execute(
                    "SELECT id, path, size, mtime_ns FROM docs"
                )
            }
        stale = [p for p in known if p not in files]
        todo = [
            p
            for p, st in files.items()
            if p not in known or known[p][1:] != (st.st_size, st.st_mtime_ns)
        ]
        with self._lock, self._write():
            for path in stale:
                self._forget(known[path][0])
        for done, path in enumerate(sorted(todo), start=1):
            self._index(path, files[path])
            if progress is not None:
                progress(done, len(todo))
        return len(todo)

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, begun IMMEDIATE so that writers queue rather than collide."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _forget(self, doc_id: int) -> None:
        """Drop one file's rows."""
        self.db.execute("DELETE FROM passages WHERE doc = ?", (doc_id,))
        self.db.execute("DELETE FROM docs WHERE id = ?", (doc_id,))

    def _index(self, path: str, st: os.stat_result) -> None:
        """Index one file (a file that fails to import is remembered with its reason).

        The file is read before the transaction; inside it, a row another builder wrote for
        the same file as it is now is kept, any older row replaced.
        """
        key = os.fsencode(path)
        story: Story | None = None
        error: str | None = None
        try:
            story = load_story(path)
        except StoryError as exc:
            error = exc.reason
        with self._lock, self._write():
            row = self.db.execute(
                "SELECT id, size, mtime_ns FROM docs WHERE path = ?", (key,)
            ).fetchone()
            if row is not None:
                if tuple(row[1:]) == (st.st_size, st.st_mtime_ns):
                    return
                self._forget(row[0])
            if story is None:
                self.db.execute(
                    "INSERT INTO docs (path, size, mtime_ns, error) VALUES (?, ?, ?, ?)",
                    (key, st.st_size, st.st_mtime_ns, error),
                )
                return
            cur = self.db.execute(
                "INSERT INTO docs (path, size, mtime_ns, story_id, title, warnings)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    st.st_size,
                    st.st_mtime_ns,
                    story.story_id,
                    display_text(story.title),
                    json.dumps(story.warnings),
                ),
            )
            self.db.executemany(
                "INSERT INTO passages (text, doc, chapter, block, chapter_title)"
                " VALUES (?, ?, ?, ?, ?)",
                self._rows(story, cur.lastrowid),
            )

    @staticmethod
    def _rows(story: Story, doc_id: int | None) -> Iterator[tuple[str, int | None, int, int, str]]:
        """One row per block with text, chapter by chapter."""
        for index, chapter in enumerate(story.chapters):
            for block_index, block in enumerate(chapter.blocks):
                text = block.text
                if block.attribution:
                    text = f"{text}\n{block.attribution}"
                if text.strip():
                    yield (text, doc_id, index, block_index, chapter.display_title)

    def search(
        self, text: str, limit: int = 20, hide_warnings: frozenset[str] = frozenset()
    ) -> list[SearchHit]:
        """The best ``limit`` paragraphs for what the reader typed.

        Stories carrying any warning in ``hide_warnings`` are left out.
        """
        query = build_query(text)
        if query is None:
            return []
        try:
            with self._lock:
                hidden = self._hidden_docs(hide_warnings)
                sql = (
                    "SELECT docs.path, docs.story_id, docs.title, passages.chapter,"
                    " passages.chapter_title, passages.block,"
                    f" snippet(passages, 0, '{MARK_START}', '{MARK_END}', '…', 16),"
                    " passages.rank"
                    " FROM passages JOIN docs ON docs.id = passages.doc"
                    " WHERE passages MATCH ?"
                )
                params: list[object] = [query]
                if hidden:
                    sql += f" AND passages.doc NOT IN ({','.join('?' * len(hidden))})"
                    params.extend(hidden)
                sql += " ORDER BY passages.rank LIMIT ?"
                params.append(limit)
                rows = self.db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError:
            return []
        return [
            SearchHit(
                path=os.fsdecode(row[0]),
                story_id=row[1],
                title=row[2],
                chapter=int(row[3]),
                chapter_title=row[4],
                paragraph=int(row[5]),
                snippet=row[6],
                score=float(row[7]),
            )
            for row in rows
        ]

    def _hidden_docs(self, hide_warnings: frozenset[str]) -> list[int]:
        """Ids of indexed stories that carry any of ``hide_warnings``."""
        if not hide_warnings:
            return []
        hidden = []
        for doc_id, warnings in self.db.execute("SELECT id, warnings FROM docs"):
            if hides(json.loads(warnings), hide_warnings):
                hidden.append(int(doc_id))
        return hidden

    def failures(self) -> list[tuple[str, str]]:
        """Files that could not be indexed, with their reasons."""
        with self._lock:
            return [
                (os.fsdecode(path), str(error))
                for path, error in self.db.execute(
                    "SELECT path, error FROM docs WHERE error IS NOT NULL ORDER BY path"
                )
            ]


def _hidden_warnings(data: Path, show_all: bool) -> frozenset[str]:
    """The reader's "hide stories with these warnings" preference, unless asked to show all."""
    if show_all:
        return frozenset()
    try:
        store = StateStore(data, "local")
        return store.prefs().hidden_warnings
    except Exception:  # the preference is a nicety: search works without it
        return frozenset()


def run_search_cli(args: argparse.Namespace) -> int:
    """``tui-reader search QUERY``: update the index, print ranked hits.

    Everything printed that comes from the files (titles, chapter titles, snippets, paths)
    passes :func:`display_text`; a data dir that cannot hold the index costs one line on stderr.
    """
    try:
        data = data_dir(args.data_dir)
    except OSError as exc:
        print(f"error: cannot use the data dir: {display_text(str(exc))}", file=sys.stderr)
        return 1
    library = Path(args.library).expanduser() if args.library else default_library_dir(data)
    if not library.is_dir():
        print(f"error: {display_path(library)}: no such library folder", file=sys.stderr)
        return 1
    if build_query(args.query) is None:
        print(f"error: nothing to search for in {display_text(repr(args.query))}", file=sys.stderr)
        return 1
    index = SearchIndex(library, data)
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        """Show indexing progress on a terminal."""
        if tty:
            print(f"\rindexing {done}/{total}", end="" if done < total else "\n", file=sys.stderr)

    try:
        index.update(progress)
        hits = index.search(args.query, args.limit, _hidden_warnings(data, args.all))
    finally:
        index.close()
    if index.problem:
        print(index.problem, file=sys.stderr)
    if args.json:
        text = json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2)
        print(display_text(text))
        return 0
    if not hits:
        print(display_text(f"No matches for {args.query!r} in {os.fspath(library)}."))
        return 0
    bold = sys.stdout.isatty()
    for hit in hits:
        plain = display_text(hit.plain_snippet())
        marked = ""
        last = 0
        for start, end in hit.highlights():
            word = plain[start:end]
            marked += plain[last:start] + (f"\x1b[1;7m{word}\x1b[0m" if bold else f"[{word}]")
            last = end
        marked += plain[last:]
        marked = collapse_whitespace(marked)
        heading = f"{hit.title} — {hit.chapter_title}, paragraph {hit.paragraph + 1}"
        print(display_text(heading))
        print(f"    {marked}")
        print(f"    {display_path(hit.path)}")
    return 0
