"""Full-text search across the library: a SQLite FTS5 index kept as a cache in the data dir.

The index is never needed to read: it is rebuilt incrementally from each file's size and mtime,
one row per paragraph (epigraphs and headings too), so a hit names its story, chapter and
paragraph and the reader can open the story right there. Queries are built from the reader's
words, never passed raw to FTS5: plain words must all appear, ``"a phrase"`` must appear as
written, and ``pref*`` matches any word starting with ``pref``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from tui_reader.importers import load_story
from tui_reader.library import Library, LibraryEntry
from tui_reader.library_query import mute_index, muted_by
from tui_reader.model import StoryError, hides
from tui_reader.paths import (
    data_dir,
    default_library_dir,
    display_path,
    display_text,
    iter_story_files,
)
from tui_reader.state import Mute, StateStore
from tui_reader.text import collapse_whitespace

if TYPE_CHECKING:
    import argparse
    import sqlite3
    from concurrent.futures import Future, ProcessPoolExecutor

SCHEMA_VERSION = 5
"""Bumped when the index layout changes; an index of another version is rebuilt.

2: ``docs.path`` holds the file name's bytes (``os.fsencode``), so names that are not UTF-8 fit.
3: ``passages.cjk`` holds the overlapping bigrams of each CJK run, so words inside a Chinese,
Japanese or Korean sentence are found, and ``passages.cjk1`` each CJK letter of the paragraph once.
4: ``docs.story_id`` is the story's id by source (``ao3:work:123``, issue 15), not the old hash.
5: a paragraph longer than :data:`ROW_CHARS` is stored as several rows (:func:`row_pieces`).
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
    text, cjk, cjk1, doc UNINDEXED, chapter UNINDEXED, block UNINDEXED, chapter_title UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO passages (passages, rank) VALUES ('pgsz', 8000);
INSERT INTO passages (passages, rank) VALUES ('automerge', 16);
INSERT OR IGNORE INTO meta VALUES ('schema', '{SCHEMA_VERSION}');
"""
# pgsz: FTS5 leaf pages that fill the 8 KiB database pages (see _connect): fewer, larger
# pages make the index build about a tenth cheaper. automerge 16 (FTS5's default is 4): segments
# are merged sixteen at a time, not four, so each posting is rewritten fewer times: the insert
# work of a 1,000-story build fell by a fifth (10.0 -> 8.1 s CPU) and the build by about 9 %
# (medians of four interleaved runs, 14.5 -> 13.2 s), queries unchanged (p95 12-13 ms).


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

_CJK_CHARS = (
    "\u3005-\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3\U00020000-\U0003134f"
)
_CJK_RUN = re.compile(f"[{_CJK_CHARS}]+")
"""A run of Han, kana or Hangul letters: written without spaces between words."""

_CJK_SPLIT = re.compile(f"([{_CJK_CHARS}]+)")


def cjk_terms(text: str) -> str:
    """The ``cjk`` column for ``text``: each CJK run of two or more letters as overlapping bigrams.

    FTS5's ``unicode61`` tokenizer makes a whole run one token, so ``星を数える人`` would only
    match itself. Stored as ``星を を数 数え える る人``, any two or more letters of the run are
    the phrase of their bigrams.
    """
    return _bigrams(_CJK_RUN.findall(text))


def cjk_letters(text: str) -> str:
    """The ``cjk1`` column for ``text``: each CJK letter it holds, once (a one-letter query)."""
    return _letters(_CJK_RUN.findall(text))


def _bigrams(runs: list[str]) -> str:
    """Each run's overlapping two-letter pieces, in order (:func:`cjk_terms`)."""
    return " ".join(run[i : i + 2] for run in runs for i in range(len(run) - 1))


def _letters(runs: list[str]) -> str:
    """Every letter of the runs once, sorted (:func:`cjk_letters`)."""
    return " ".join(sorted(set("".join(runs))))


def _cjk_columns(text: str) -> tuple[str | None, str | None]:
    """The ``cjk`` and ``cjk1`` columns of one paragraph (None for text without CJK letters).

    :func:`cjk_terms` and :func:`cjk_letters` with the text searched once, and not at all when
    it is ASCII (most paragraphs of most libraries).
    """
    if text.isascii():
        return None, None
    runs = _CJK_RUN.findall(text)
    if not runs:
        return None, None
    return _bigrams(runs) or None, _letters(runs)


def _cjk_query(run: str) -> str:
    """The FTS5 query for a run of CJK letters: the phrase of its bigrams, or the one letter."""
    if len(run) == 1:
        return f'cjk1 : "{run}"'
    return 'cjk : "' + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + '"'


def _word_terms(words: list[str], phrase: bool, prefix: bool) -> list[str]:
    """FTS5 terms for words: CJK runs go to the bigram column, the rest stay (phrase) words."""
    terms: list[str] = []
    plain: list[str] = []

    def flush(star: bool) -> None:
        """Emit the plain words gathered so far (as one phrase when asked)."""
        if not plain:
            return
        if phrase:
            terms.append('"' + " ".join(plain) + '"')
        else:
            terms.extend(f'"{w}"' for w in plain)
            if star:
                terms[-1] += "*"
        plain.clear()

    for word in words:
        for piece in _CJK_SPLIT.split(word):
            if not piece:
                continue
            if _CJK_RUN.fullmatch(piece):
                flush(False)
                terms.append(_cjk_query(piece))
            else:
                plain.append(piece)
    flush(prefix and bool(words) and not _CJK_RUN.search(words[-1][-1]))
    return terms


def query_terms(text: str) -> list[str]:
    """What the reader typed as safe FTS5 terms, all required (empty when nothing searchable).

    ``"a phrase"`` stays a phrase, ``word*`` is a prefix, other words are all required.
    Punctuation inside words splits them (FTS5's tokenizer would too). A run of CJK letters
    matches anywhere inside a sentence (see :func:`cjk_terms`).
    """
    parts: list[str] = []
    for match in _TOKEN.finditer(text):
        phrase, word = match.groups()
        if phrase is not None:
            parts.extend(_word_terms(_WORD.findall(phrase), phrase=True, prefix=False))
            continue
        prefix = word.endswith("*")
        parts.extend(_word_terms(_WORD.findall(word), phrase=False, prefix=prefix))
    return parts


def build_query(text: str) -> str | None:
    """Turn what the reader typed into a safe FTS5 query, or None when nothing is searchable."""
    parts = query_terms(text)
    return " ".join(parts) if parts else None


def make_snippet(marked: str, width: int = 160) -> str:
    """About ``width`` characters of ``marked`` around its first match, cut at spaces.

    The matches keep their :data:`MARK_START`/:data:`MARK_END` pairs (a pair cut by the window is
    closed or reopened); a cut end shows ``…``.
    """
    if len(marked) <= width:
        return marked
    first = marked.find(MARK_START)
    start = max(0, first - width // 3) if first >= 0 else 0
    end = min(len(marked), start + width)
    start = max(0, end - width)
    if start > 0:
        space = marked.find(" ", start, start + 20)
        if space >= 0 and (first < 0 or space < first):
            start = space + 1
    if end < len(marked):
        space = marked.rfind(" ", max(start, end - 20), end)
        if space > max(start, first):
            end = space
    piece = marked[start:end]
    before = marked[:start]
    if before.count(MARK_START) > before.count(MARK_END):
        piece = MARK_START + piece
    if piece.count(MARK_START) > piece.count(MARK_END):
        piece += MARK_END
    return ("…" if start > 0 else "") + piece + ("…" if end < len(marked) else "")


def _mark_runs(marked: str, runs: list[str]) -> str:
    """Mark each occurrence of the CJK ``runs`` (highlight() marks only the text column's words)."""
    if not runs:
        return marked
    pattern = re.compile("|".join(re.escape(r) for r in sorted(set(runs), key=len, reverse=True)))
    return pattern.sub(lambda m: MARK_START + m.group(0) + MARK_END, marked)


COMMON_TERM_ROWS = 1000
"""A term found in more paragraphs than this is common: bm25 over all of them is not paid."""

SAMPLE_ROWS = 400
"""How many paragraphs are ranked when every term of a query is common."""

SAMPLE_WINDOWS = 8
"""The sample is drawn from this many stretches of the index, so it spans the library."""

_K1 = 1.2
_B = 0.75


BUSY_TIMEOUT = 60.0
"""Seconds a connection waits for another writer's transaction (each is one file) to end."""

BUILD_LOCK_WAIT = 600.0
"""Seconds :meth:`SearchIndex.update` waits for another builder before building alongside it
(safe, only slower: every file's transaction re-checks its row)."""


@dataclass(frozen=True, slots=True)
class _Parsed:
    """One story file read for the index."""

    story_id: str | None = None
    """The story's id."""
    title: str | None = None
    """The story's title, made safe to show."""
    warnings: str = "[]"
    """The story's warnings as JSON."""
    rows: tuple[tuple[str, str | None, str | None, int, int, str], ...] = ()
    """(text, cjk bigrams, cjk letters, chapter, block, chapter title): one per block with text."""
    error: str | None = None
    """Why the file could not be read (None when it could)."""


def _parse(path: str) -> _Parsed:
    """Read one story into index rows (a file that fails to import gives its reason)."""
    try:
        story = load_story(path)
    except StoryError as exc:
        return _Parsed(error=exc.reason)
    rows = []
    for index, chapter in enumerate(story.chapters):
        title = chapter.display_title
        for block_index, block in enumerate(chapter.blocks):
            text = block.text
            if block.attribution:
                text = f"{text}\n{block.attribution}"
            if text.strip():
                for piece in row_pieces(text):
                    cjk, letters = _cjk_columns(piece)
                    rows.append((piece, cjk, letters, index, block_index, title))
    return _Parsed(
        story_id=story.story_id,
        title=display_text(story.title),
        warnings=json.dumps(story.warnings),
        rows=tuple(rows),
    )


ROW_CHARS = 8_000
"""The longest text one index row holds: a longer paragraph is stored as several rows (of the
same chapter and paragraph). FTS5's ``highlight()`` costs the square of a row's length, so one
paragraph of 50 MB (a book that is a single line) kept a search busy for minutes."""


def row_pieces(text: str, limit: int = ROW_CHARS) -> Iterator[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at a space where there is one in
    the second half of a piece (CJK text without spaces is cut anywhere)."""
    start, end = 0, len(text)
    while end - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        cut = start + limit if cut < 0 else cut + 1
        yield text[start:cut]
        start = cut
    yield text[start:]


PARALLEL_MIN_FILES = 16
"""A build of at least this many files reads them in worker processes (fewer: in its own)."""

READ_AHEAD = 3
"""Files each worker process may always have queued or in hand beyond the one being stored."""

READ_AHEAD_BYTES = 48 << 20
"""Beyond :data:`READ_AHEAD` files a worker, the workers read ahead while the story files asked
for and not yet stored come to at most this many bytes (a parsed story takes about as much
memory as its file). The writer stores a batch (about :data:`BATCH_SECONDS` and more) while the
workers read on: with only three files each ahead they stood idle through every batch, and a
1,000-story build waited ~6 s of its ~18 s on them."""

BATCH_ROWS = 50_000
"""A build in workers stores files in transactions of about this many paragraphs..."""

BATCH_SECONDS = 0.5
"""...or of about this long, whichever comes first (each transaction holds whole files)."""


def build_workers() -> int:
    """How many worker processes read stories for a large build: one per core."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def _parse_all(paths: list[str]) -> Generator[tuple[str, _Parsed], None, None]:
    """Each path with its parsed story, in order, one at a time (memory stays bounded however
    large the library; closing the generator, as an interrupted build does, stops the reading).
    """
    for path in paths:
        yield path, _parse(path)


def _pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes for reading stories, started clean (``forkserver``, else ``spawn``).

    Not forked from this process: the app calls :meth:`SearchIndex.update` from a thread, and
    forking a process that has threads is unsafe.
    """
    # (multiprocessing and the pool are imported here, by a build that reads in parallel:
    # a reader who never builds an index never holds them, ~1 MiB)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import resource_tracker

    with _stderr_with_a_file():
        resource_tracker.ensure_running()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(["tui_reader.search"])
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_start)


@contextlib.contextmanager
def _stderr_with_a_file() -> Iterator[None]:
    """``sys.stderr`` with a real file descriptor while multiprocessing starts its helper.

    The resource tracker hands ``sys.stderr``'s descriptor to its process; inside the app,
    Textual's stand-in for stderr has none (``-1``), which the start refuses. There the helper
    gets ``/dev/null`` instead (nothing it could say belongs on the reader's screen).
    """
    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable:
        yield
        return
    with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stderr(sink):
        yield


def _worker_start() -> None:
    """A worker leaves ctrl+c to the build (which stops and drains them), printing nothing."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(5)  # the one writer, not the readers, is what the build waits for


def _parse_parallel(
    paths: list[str], workers: int, sizes: Mapping[str, int]
) -> Generator[tuple[str, _Parsed], None, None]:
    """:func:`_parse_all` with the reading done by ``workers`` processes, results in order.

    :data:`READ_AHEAD` files per worker are asked for ahead of the one being stored, and more
    while the files asked for and not yet stored come to :data:`READ_AHEAD_BYTES` (``sizes``:
    each file's size; a file missing there counts as all of it), so memory stays bounded.
    Closing the generator (a stopped or interrupted build) submits nothing more, drops what
    was queued and waits for the files in hand. When worker processes cannot be started or
    die, the files left are read in this process.
    """
    try:
        pool = _pool(workers)
    except (OSError, ValueError, ImportError, NotImplementedError):
        yield from _parse_all(paths)
        return
    from concurrent.futures.process import BrokenProcessPool  # (loaded by the pool already)

    todo = deque(paths)
    pending: deque[tuple[str, Future[_Parsed]]] = deque()
    always = workers * (READ_AHEAD + 1)
    in_flight = 0
    try:
        while todo or pending:
            try:
                while todo and (
                    len(pending) < always
                    or in_flight + sizes.get(todo[0], READ_AHEAD_BYTES) <= READ_AHEAD_BYTES
                ):
                    pending.append((todo[0], pool.submit(_parse, todo[0])))
                    in_flight += sizes.get(todo.popleft(), READ_AHEAD_BYTES)
                path, future = pending[0]
                parsed = future.result()
            except (OSError, ValueError, BrokenProcessPool):
                break  # the workers are gone: what is left is read here
            pending.popleft()
            in_flight -= sizes.get(path, READ_AHEAD_BYTES)
            yield path, parsed
        left = [path for path, _future in pending] + list(todo)
        pending.clear()
        todo.clear()
        yield from _parse_all(left)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


WAL_RETRY_SECONDS = (0.005, 0.1)
"""First and longest pause between two tries at switching the index file to WAL mode."""


def _journal_wal(db: sqlite3.Connection) -> None:
    """Put the index file in WAL mode, waiting while another connection is doing the same.

    The switch is written to the file once and kept. When several processes open a new index
    at the same moment (readers of one hosted library searching a cold data dir), SQLite can
    answer the switch with SQLITE_BUSY at once, without waiting in its busy handler; the switch
    is tried again, with growing pauses, for up to :data:`BUSY_TIMEOUT` like any other wait
    on a lock, and only then is the error raised (the index then lives in memory).
    """
    import sqlite3

    deadline = time.monotonic() + BUSY_TIMEOUT
    pause, longest = WAL_RETRY_SECONDS
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            code = getattr(exc, "sqlite_errorcode", None)  # (extended: the primary in the low byte)
            busy = code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, longest)


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
        # (SQLite is loaded by the first index opened: a reader who never searches never holds it)
        import sqlite3

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
        import sqlite3

        db = sqlite3.connect(
            self.db_path, timeout=BUSY_TIMEOUT, check_same_thread=False, isolation_level=None
        )
        try:
            db.execute("PRAGMA page_size=8192")  # a new file only: see pgsz in the schema
            _journal_wal(db)
            db.execute("PRAGMA synchronous=NORMAL")  # a cache: a lost commit is re-indexed
            db.execute("PRAGMA cache_size=-16384")  # 16 MiB: a query's doclist pages stay hot
            db.execute("PRAGMA mmap_size=268435456")  # read pages in place, not copied
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
        import sqlite3

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
        import sqlite3

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

    def update(
        self,
        progress: Callable[[int, int], None] | None = None,
        stop: Callable[[], bool] | None = None,
        workers: int | None = None,
    ) -> int:
        """Bring the index up to date with the files; returns how many files were (re)indexed.

        ``progress(done, total)`` is called after each file is committed; once ``stop()`` turns
        true no further file is stored (a transaction holds whole files, so the index stays
        consistent and the next update carries on). A build of :data:`PARALLEL_MIN_FILES` or
        more reads the stories in ``workers`` processes (default: :func:`build_workers`; 1
        reads them here) while this process alone writes, several files per transaction. A
        disk that fills up or turns read-only while indexing moves the index into memory (see
        :attr:`problem`) and indexing starts again there.
        """
        import sqlite3

        try:
            with self._build_lock():
                return self._update(progress, stop, workers)
        except (OSError, sqlite3.OperationalError) as exc:
            if self.in_memory:
                raise
            with self._lock:
                self.db.close()
                self.db = self._in_memory(exc)
            return self._update(progress, stop, workers)

    def _update(
        self,
        progress: Callable[[int, int], None] | None,
        stop: Callable[[], bool] | None,
        workers: int | None,
    ) -> int:
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
        todo = sorted(
            p
            for p, st in files.items()
            if p not in known or known[p][1:] != (st.st_size, st.st_mtime_ns)
        )
        with self._lock, self._write():
            for path in stale:
                self._forget(known[path][0])
        if workers is None:
            workers = build_workers() if len(todo) >= PARALLEL_MIN_FILES else 1
        if workers > 1:
            parsed_files = _parse_parallel(todo, workers, {p: files[p].st_size for p in todo})
            batch_rows, batch_seconds = BATCH_ROWS, BATCH_SECONDS
        else:
            parsed_files = _parse_all(todo)
            batch_rows, batch_seconds = 0, 0.0  # one file per transaction
        done = 0
        if todo:
            self._tune_for_build(True)
        try:
            batch: list[tuple[str, os.stat_result, _Parsed]] = []
            rows = 0
            began = time.monotonic()
            for path, parsed in parsed_files:
                if stop is not None and stop():
                    break
                if not batch:
                    began = time.monotonic()
                batch.append((path, files[path], parsed))
                rows += len(parsed.rows)
                if rows >= batch_rows or time.monotonic() - began >= batch_seconds:
                    done = self._store_batch(batch, done, len(todo), progress)
                    batch, rows = [], 0
            done = self._store_batch(batch, done, len(todo), progress)
        finally:
            parsed_files.close()
            if todo:
                self._tune_for_build(False)
        return done

    def _tune_for_build(self, building: bool) -> None:
        """While building: no syncs (the index is a cache; a lost commit is re-indexed) and a
        64 MiB page cache; afterwards the settings queries use (see :meth:`_connect`)."""
        import sqlite3

        with self._lock, contextlib.suppress(sqlite3.Error):
            self.db.execute(f"PRAGMA synchronous={'OFF' if building else 'NORMAL'}")
            self.db.execute(f"PRAGMA cache_size={-65536 if building else -16384}")

    def _store_batch(
        self,
        batch: list[tuple[str, os.stat_result, _Parsed]],
        done: int,
        total: int,
        progress: Callable[[int, int], None] | None,
    ) -> int:
        """Store whole files in one transaction, then report each; returns the new ``done``."""
        if not batch:
            return done
        with self._lock, self._write():
            for path, st, parsed in batch:
                self._store(path, st, parsed)
        for _file in batch:
            done += 1
            if progress is not None:
                progress(done, total)
        return done

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

    def _store(self, path: str, st: os.stat_result, parsed: _Parsed) -> None:
        """Store one parsed file (a file that failed to import is remembered with its reason).

        Called inside a write transaction; there, a row another builder wrote for the same file
        as it is now is kept, any older row replaced.
        """
        key = os.fsencode(path)
        with self._lock:
            row = self.db.execute(
                "SELECT id, size, mtime_ns FROM docs WHERE path = ?", (key,)
            ).fetchone()
            if row is not None:
                if tuple(row[1:]) == (st.st_size, st.st_mtime_ns):
                    return
                self._forget(row[0])
            if parsed.error is not None:
                self.db.execute(
                    "INSERT INTO docs (path, size, mtime_ns, error) VALUES (?, ?, ?, ?)",
                    (key, st.st_size, st.st_mtime_ns, parsed.error),
                )
                return
            cur = self.db.execute(
                "INSERT INTO docs (path, size, mtime_ns, story_id, title, warnings)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key, st.st_size, st.st_mtime_ns, parsed.story_id, parsed.title, parsed.warnings),
            )
            doc_id = cur.lastrowid
            self.db.executemany(
                "INSERT INTO passages (text, cjk, cjk1, doc, chapter, block, chapter_title)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((text, cjk, one, doc_id, *rest) for text, cjk, one, *rest in parsed.rows),
            )

    def search(
        self,
        text: str,
        limit: int = 20,
        hide_warnings: frozenset[str] = frozenset(),
        hide_stories: frozenset[str] = frozenset(),
        hide_files: frozenset[str] = frozenset(),
    ) -> list[SearchHit]:
        """The best ``limit`` paragraphs for what the reader typed.

        Stories carrying any warning in ``hide_warnings`` are left out, and so are the stories
        whose id is in ``hide_stories`` (the reader's mutes) and the files in ``hide_files``
        (the other files of a story the library lists from its newest, :func:`other_files`,
        so a story is found once). The bm25 work is capped:
        a query whose terms are all rare is ranked over every match (exact); a common term
        (in more than :data:`COMMON_TERM_ROWS` paragraphs) adds nothing to the rank but must
        still match, and when every term is common a bounded sample spread over the library
        (:data:`SAMPLE_ROWS`) is ranked instead of every paragraph.
        """
        import sqlite3

        parts = query_terms(text)
        if not parts:
            return []
        query = " ".join(parts)
        runs = [run for match in _TOKEN.finditer(text) for run in _CJK_RUN.findall(match[0])]
        try:
            with self._lock:
                hidden = (
                    self._hidden_docs(hide_warnings)
                    + self._story_docs(hide_stories)
                    + self._file_docs(hide_files)
                )
                rare = [part for part in parts if not self._is_common(part)]
                if len(rare) == len(parts):
                    rows = self._ranked(query, hidden, limit)
                elif rare:
                    rows = self._ranked_by_rare(" ".join(rare), query, hidden, limit)
                else:
                    rows = self._ranked_sample(query, hidden, limit, runs)
                docs = self._docs({int(row[1]) for row in rows})
        except sqlite3.DatabaseError:
            return []
        hits = []
        for _rowid, doc, chapter, block, chapter_title, marked, score in rows:
            path, story_id, title = docs[int(doc)]
            hits.append(
                SearchHit(
                    path=os.fsdecode(path),
                    story_id=story_id,
                    title=title,
                    chapter=int(chapter),
                    chapter_title=chapter_title,
                    paragraph=int(block),
                    snippet=make_snippet(_mark_runs(marked, runs)),
                    score=float(score),
                )
            )
        return hits

    _COLUMNS = (
        "rowid, doc, chapter, block, chapter_title,"
        f" highlight(passages, 0, '{MARK_START}', '{MARK_END}')"
    )

    @staticmethod
    def _not_hidden(hidden: list[int]) -> str:
        """The SQL that leaves the ``hidden`` stories out."""
        return f" AND doc NOT IN ({','.join(map(str, hidden))})" if hidden else ""

    def _is_common(self, part: str) -> bool:
        """True when the term matches more than :data:`COMMON_TERM_ROWS` paragraphs.

        Reads only the term's row ids up to that count, never its bm25.
        """
        row = self.db.execute(
            "SELECT 1 FROM passages WHERE passages MATCH ? LIMIT 1 OFFSET ?",
            (part, COMMON_TERM_ROWS),
        ).fetchone()
        return row is not None

    def _ranked(self, query: str, hidden: list[int], limit: int) -> list[tuple[Any, ...]]:
        """Every match ranked by FTS5's bm25 (the terms are rare, so the work is bounded)."""
        return self.db.execute(
            f"SELECT {self._COLUMNS}, rank FROM passages WHERE passages MATCH ?"
            f"{self._not_hidden(hidden)} ORDER BY rank LIMIT ?",
            (query, limit),
        ).fetchall()

    def _ranked_by_rare(
        self, rare: str, query: str, hidden: list[int], limit: int
    ) -> list[tuple[Any, ...]]:
        """Matches of the whole query ranked by bm25 of its rare terms alone.

        Common terms weigh almost nothing in bm25, yet counting their matches for it costs a
        pass over all of them; here they only filter. The rows ranked are the rare terms'.
        """
        matching = {
            int(rowid)
            for (rowid,) in self.db.execute(
                "SELECT rowid FROM passages WHERE passages MATCH ?", (query,)
            )
        }
        chosen: list[tuple[int, float]] = []
        for rowid, score in self.db.execute(
            f"SELECT rowid, rank FROM passages WHERE passages MATCH ?{self._not_hidden(hidden)}"
            " ORDER BY rank",
            (rare,),
        ):
            if int(rowid) in matching:
                chosen.append((int(rowid), float(score)))
                if len(chosen) >= limit:
                    break
        rows = []
        for rowid, score in chosen:
            row = self.db.execute(
                f"SELECT {self._COLUMNS} FROM passages WHERE passages MATCH ? AND rowid = ?",
                (query, rowid),
            ).fetchone()
            if row is not None:
                rows.append((*row, score))
        return rows

    def _ranked_sample(
        self, query: str, hidden: list[int], limit: int, runs: list[str]
    ) -> list[tuple[Any, ...]]:
        """Up to :data:`SAMPLE_ROWS` matches drawn from stretches across the index, ranked.

        The rank is bm25's term-frequency part (how often the terms occur for the paragraph's
        length); the inverse document frequency is the same for every row of such a query.
        """
        top = self.db.execute("SELECT max(id) FROM passages_content").fetchone()[0] or 0
        per = max(1, SAMPLE_ROWS // SAMPLE_WINDOWS)
        rows: list[tuple[Any, ...]] = []
        for window in range(SAMPLE_WINDOWS):
            low = window * top // SAMPLE_WINDOWS + 1
            high = (window + 1) * top // SAMPLE_WINDOWS
            rows += self.db.execute(
                f"SELECT {self._COLUMNS} FROM passages WHERE passages MATCH ?"
                f" AND rowid BETWEEN ? AND ?{self._not_hidden(hidden)} LIMIT ?",
                (query, low, high, per),
            ).fetchall()
        if not rows:
            return []
        marked = [_mark_runs(str(row[5]), runs) for row in rows]
        lengths = [max(1, len(text) - 2 * text.count(MARK_START)) for text in marked]
        average = sum(lengths) / len(lengths)
        scored = []
        for row, text, length in zip(rows, marked, lengths, strict=True):
            tf = text.count(MARK_START)
            norm = _K1 * (1 - _B + _B * length / average)
            scored.append((*row, -(tf * (_K1 + 1)) / (tf + norm)))
        scored.sort(key=lambda row: (float(row[6]), int(row[0])))
        return scored[:limit]

    def _docs(self, ids: set[int]) -> dict[int, tuple[bytes, str, str]]:
        """Path, story id and title of the given documents."""
        if not ids:
            return {}
        return {
            int(doc_id): (path, story_id, title)
            for doc_id, path, story_id, title in self.db.execute(
                "SELECT id, path, story_id, title FROM docs"
                f" WHERE id IN ({','.join(map(str, sorted(ids)))})"
            )
        }

    def _story_docs(self, story_ids: frozenset[str]) -> list[int]:
        """Ids of indexed stories whose story id is in ``story_ids``."""
        if not story_ids:
            return []
        rows = self.db.execute("SELECT id, story_id FROM docs")
        return [int(doc_id) for doc_id, story_id in rows if story_id in story_ids]

    def _file_docs(self, paths: frozenset[str]) -> list[int]:
        """Ids of the indexed files among ``paths``."""
        if not paths:
            return []
        keys = {os.fsencode(path) for path in paths}
        rows = self.db.execute("SELECT id, path FROM docs")
        return [int(doc_id) for doc_id, path in rows if bytes(path) in keys]

    def has_shared_ids(self) -> bool:
        """True when two indexed files hold one story (the same story id)."""
        with self._lock:
            row = self.db.execute(
                "SELECT 1 FROM docs WHERE story_id IS NOT NULL"
                " GROUP BY story_id HAVING count(*) > 1 LIMIT 1"
            ).fetchone()
        return row is not None

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


def other_files(entries: Iterable[LibraryEntry]) -> frozenset[str]:
    """The files of stories the library lists from another, newer file (each entry's
    :attr:`~tui_reader.library.LibraryEntry.also`): search leaves them out, so a story kept as
    EPUB and HTML is found once, in the file the library opens."""
    return frozenset(path for entry in entries for path in entry.also)


def muted_stories(entries: Iterable[LibraryEntry], mutes: Iterable[Mute]) -> frozenset[str]:
    """Ids of the stories among ``entries`` that the reader's ``mutes`` leave out."""
    index = mute_index(mutes)
    if not index:
        return frozenset()
    return frozenset(
        e.story_id for e in entries if e.story_id and not e.error and muted_by(e, index)
    )


def _reader_filters(data: Path, show_all: bool) -> tuple[frozenset[str], list[Mute]]:
    """The reader's hidden warnings and mutes (none of either when asked to show all)."""
    if show_all:
        return frozenset(), []
    try:
        store = StateStore(data, "local")
        return store.prefs().hidden_warnings, store.mutes()
    except Exception:  # the preferences are a nicety: search works without them
        return frozenset(), []


def _library_filters(
    index: SearchIndex, data: Path, mutes: list[Mute]
) -> tuple[frozenset[str], frozenset[str]]:
    """The muted stories' ids and the files search leaves out (:func:`other_files`), from a
    scan of the library (its cache makes that cheap); no scan when neither can be needed."""
    if not mutes and not index.has_shared_ids():
        return frozenset(), frozenset()
    entries = Library(index.library, data).scan()
    return muted_stories(entries, mutes), other_files(entries)


class _CliProgress:
    """A Rich progress bar on stderr for an index build, shown from the first indexed file."""

    def __init__(self) -> None:
        """Nothing is drawn until there is something to index."""
        self._progress: Any = None
        self._task: Any = None

    def advance(self, done: int, total: int) -> None:
        """Show ``done`` of ``total`` files indexed."""
        if self._progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("indexing the library"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task("index", total=total)
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        """Stop drawing (the bar stays as it last was)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


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
    bar = _CliProgress() if sys.stderr.isatty() else None
    try:
        index.update(bar.advance if bar is not None else None)
        if bar is not None:
            bar.close()
        hide_warnings, mutes = _reader_filters(data, args.all)
        hide_stories, hide_files = _library_filters(index, data, mutes)
        hits = index.search(args.query, args.limit, hide_warnings, hide_stories, hide_files)
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        print(
            "search: interrupted; the files indexed so far are kept, the next search goes on",
            file=sys.stderr,
        )
        return 130
    finally:
        index.close()
    if index.problem:
        print(index.problem, file=sys.stderr)
    if hide_stories:
        count = len(hide_stories)
        stories, them = ("story", "it") if count == 1 else ("stories", "them")
        print(f"{count} muted {stories} left out (--all includes {them})", file=sys.stderr)
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
