"""The library: every story file under a folder, listed from a cached index.

Textual-free. :meth:`Library.scan` walks the folder, and for each story file either reuses the
cached entry (same size and modification time) or imports the file's metadata. The index is a
JSON file in ``<data_dir>/cache/`` so that a warm scan of thousands of stories only stats the
files. A file that fails to import is listed with its reason; it never stops the scan.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from tui_reader import __version__
from tui_reader.importers import IMPORTER_VERSION, load_story
from tui_reader.machine import processors
from tui_reader.model import Story, StoryError, needs_warning, rating_level
from tui_reader.paths import display_text, iter_story_files, title_from_filename
from tui_reader.text import title_key

_FAST = "tui_reader.library_fast"
"""The metadata fast path, imported on the first file a scan must read (not at start-up: it
brings the Markdown importer and the encoding detector, which a warm library never needs)."""

CACHE_VERSION = 6
"""Bumped whenever the cached entry's shape changes; a different version is rebuilt."""

Progress = Callable[[int, int], None]
"""``progress(done, total)``: called while scanning."""

_PLAIN = (str, int, float, type(None), Path)
"""Field values :meth:`LibraryEntry.to_json` keeps as they are."""

Known = Callable[[list["LibraryEntry"]], None]
"""``known(entries)``: what a scan already knows, before it imports the files left."""


@dataclass
class LibraryEntry:
    """One story file as the library lists it: metadata only, no chapter text."""

    path: Path
    """The story file (absolute)."""
    title: str
    """The story's title, or a readable name from the file name."""
    author: str | None = None
    """The author, when known."""
    rating: str | None = None
    """The site's rating verbatim, when known (:attr:`rating_level` is its AO3 level)."""
    warnings: list[str] = field(default_factory=list)
    """Archive warnings (AO3 names)."""
    site_warnings: list[str] = field(default_factory=list)
    """Every warning the site lists, verbatim."""
    content_notes: list[str] = field(default_factory=list)
    """The author's own warning sentences."""
    fandoms: list[str] = field(default_factory=list)
    """Fandom tags."""
    tags: list[str] = field(default_factory=list)
    """Relationship, character and additional tags."""
    chapters: int = 0
    """Chapters present in the file."""
    chapters_total: int | None = None
    """Chapters the author plans (None when unknown)."""
    words: int = 0
    """Words in the story's chapters."""
    story_id: str | None = None
    """The story's stable id for reader state (None for a broken file)."""
    format: str | None = None
    """The source format ("markdown", "ao3-html", ...)."""
    summary: str | None = None
    """The summary, when known."""
    error: str | None = None
    """Why the file could not be imported; None when it imported fine."""
    legacy_id: str | None = None
    """The id the story's reader state was kept under before identity by source (format,
    title and author), to move that state to :attr:`story_id`; None for a broken file."""
    also: list[str] = field(default_factory=list)
    """Other files of the same story (same :attr:`story_id`), older than this one: the library
    lists the story once, from its newest file (:func:`merge_same_story`)."""
    relationships: list[str] = field(default_factory=list)
    """Relationship tags (also in :attr:`tags`), for muting a relationship."""
    categories: list[str] = field(default_factory=list)
    """AO3 categories ("F/M", "Gen") or a site's category labels."""
    in_progress: bool = False
    """True when the source says the story is unfinished (AO3's "9/?", FanFicFare's
    "In-Progress"): its chapter total then reads "?" while unknown."""

    @property
    def rating_level(self) -> str | None:
        """The AO3 level of :attr:`rating` (unknown ratings count as "Not Rated")."""
        return rating_level(self.rating)

    @property
    def needs_warning(self) -> bool:
        """True when the story opens behind a warning screen (:func:`needs_warning`)."""
        return needs_warning(
            self.rating_level, self.warnings, self.site_warnings, self.content_notes
        )

    @classmethod
    def from_story(cls, path: Path, story: Story) -> LibraryEntry:
        """The entry for an imported story (reads metadata only, never chapter blocks)."""
        tags = story.tags
        return cls(
            path=path,
            title=display_text(story.title).strip()
            or title_from_filename(path.name, keep_name=True),
            author=story.author,
            rating=story.rating,
            warnings=list(story.warnings),
            site_warnings=list(story.site_warnings),
            content_notes=list(story.content_notes),
            fandoms=list(tags.fandoms),
            tags=[*tags.relationships, *tags.characters, *tags.additional],
            chapters=len(story.chapters),
            chapters_total=story.chapters_total,
            words=story.words,
            story_id=story.story_id,
            format=story.source.format,
            summary=story.summary,
            legacy_id=story.legacy_id,
            relationships=list(tags.relationships),
            categories=list(story.categories),
            in_progress=story.in_progress,
        )

    @classmethod
    def broken(cls, path: Path, reason: str) -> LibraryEntry:
        """The entry for a file that failed to import (the reason is made safe to show)."""
        return cls(
            path=path,
            title=display_text(path.name),
            error=display_text(reason),
        )

    def to_json(self) -> dict[str, Any]:
        """The entry as cached JSON (path left out: the cache key holds it; so is :attr:`also`,
        which each scan works out again)."""
        data: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, list):
                value = list(value)
            elif not isinstance(value, _PLAIN) and is_dataclass(value):
                value = asdict(value)  # type: ignore[arg-type]
            data[item.name] = value
        del data["path"]
        data.pop("also", None)
        return data

    @classmethod
    def from_json(cls, path: Path, data: dict[str, Any]) -> LibraryEntry:
        """An entry back from cached JSON."""
        return cls(path=path, **data)


MAX_WORKERS = 4
"""Most processes a scan reads files in."""


def _import_path(path: Path) -> dict[str, Any]:
    """One file's entry (:meth:`Library._import`) as JSON, in a pool's process (a dict of
    plain values crosses between processes more cheaply than the entry)."""
    return Library._import(path).to_json()


def sort_key(entry: LibraryEntry) -> tuple[str, str]:
    """Sort by title (:func:`~tui_reader.text.title_key`); the path breaks ties."""
    return (title_key(entry.title), str(entry.path))


def merge_same_story(entries: list[LibraryEntry]) -> list[LibraryEntry]:
    """One entry per story: files with the same :attr:`~LibraryEntry.story_id` (the same work
    as HTML and EPUB, a re-download) become the entry of the newest file — latest modification
    time, then more chapters, then the path — listing the others in its ``also``.

    Broken files and files without an id are kept as they are. The order of ``entries`` is
    kept (each story where its first file was).
    """
    groups: dict[str, list[LibraryEntry]] = {}
    for entry in entries:
        if entry.story_id and not entry.error:
            groups.setdefault(entry.story_id, []).append(entry)
    if all(len(group) == 1 for group in groups.values()):
        for entry in entries:
            entry.also = []
        return entries
    chosen: dict[str, LibraryEntry] = {}
    for story_id, group in groups.items():
        best = max(group, key=_newness) if len(group) > 1 else group[0]
        best.also = sorted(str(e.path) for e in group if e is not best)
        chosen[story_id] = best
    out: list[LibraryEntry] = []
    placed: set[str] = set()
    for entry in entries:
        if not entry.story_id or entry.error:
            out.append(entry)
        elif entry.story_id not in placed:
            placed.add(entry.story_id)
            out.append(chosen[entry.story_id])
    return out


def _one_per_story(entries: list[LibraryEntry]) -> list[LibraryEntry]:
    """The entries :func:`merge_same_story` keeps, without touching any (a scan still under
    way shows these; its end merges the whole list)."""
    best: dict[str, LibraryEntry] = {}
    for entry in entries:
        if entry.story_id and not entry.error:
            held = best.get(entry.story_id)
            if held is None or _newness(entry) > _newness(held):
                best[entry.story_id] = entry
    return [e for e in entries if not e.story_id or e.error or best[e.story_id] is e]


def _newness(entry: LibraryEntry) -> tuple[int, int, str]:
    """How new a file of a story is: its modification time, then its chapters, then its path
    (a file that cannot be stat'ed counts as oldest)."""
    try:
        mtime = entry.path.stat().st_mtime_ns
    except OSError:
        mtime = -1
    return (mtime, entry.chapters, str(entry.path))


def id_changes(entries: list[LibraryEntry]) -> list[tuple[str, str]]:
    """``(legacy id, story id)`` of every entry whose reader state may sit under its old id
    (what :meth:`~tui_reader.state.StateStore.adopt_ids` takes)."""
    return [
        (e.legacy_id, e.story_id)
        for e in entries
        if e.legacy_id and e.story_id and e.legacy_id != e.story_id and not e.error
    ]


class Library:
    """The stories under one folder, with an index cache in the data dir."""

    PARALLEL_MIN = 2000
    """Files to import from which a scan reads them in a pool of processes."""

    def __init__(self, root: Path, data_dir: Path) -> None:
        """Use the stories under ``root``; keep the index in ``<data_dir>/cache/``."""
        self.root = Path(root).expanduser().resolve()
        """The library folder."""
        digest = hashlib.sha256(os.fsencode(self.root)).hexdigest()[:16]
        self.cache_path = Path(data_dir) / "cache" / f"library-{digest}.json"
        """The index cache file for this folder."""
        self.entries: list[LibraryEntry] = []
        """The entries of the last scan, sorted by title."""
        self.cache_hits = 0
        """How many entries the last scan took from the cache (the rest were imported)."""
        self.id_changes: list[tuple[str, str]] = []
        """``(legacy id, story id)`` of every file of the last scan, merged files included
        (:func:`id_changes`): the reader state to move to the new ids."""

    # --- scanning ---------------------------------------------------------------------------

    def scan(
        self,
        progress: Progress | None = None,
        known: Known | None = None,
        first: Iterable[str] = (),
    ) -> list[LibraryEntry]:
        """List every story under the root, sorted by title; may run in a worker thread.

        Cached entries are reused when the file's size and mtime are unchanged; other files are
        imported (metadata only), the files named in ``first`` (full paths: the stories the
        reader has read) before the rest. ``known(entries)`` is called once, when files remain
        to import, with what is known by then (sorted): a library can show those at once.
        ``progress(done, total)`` is called now and then and at the end.
        """
        found = list(iter_story_files(self.root))
        total = len(found)
        cached = self._read_cache()
        fresh: dict[str, dict[str, Any]] = {}
        entries: list[LibraryEntry] = []
        step = max(1, total // 100)
        changed = len(cached) != total
        hits = 0
        if progress is not None:
            progress(0, total)
        todo: list[tuple[str, Path, os.stat_result]] = []
        for rel, full, stat in found:
            path = Path(full)
            record = cached.get(rel) or {}
            entry = None
            if record.get("size") == stat.st_size and record.get("mtime_ns") == stat.st_mtime_ns:
                try:
                    entry = LibraryEntry.from_json(path, record["entry"])
                    hits += 1
                except (TypeError, KeyError):
                    entry = None
            if entry is None:
                todo.append((rel, path, stat))
                continue
            fresh[rel] = record
            entries.append(entry)
        done = len(entries)
        if progress is not None and todo:
            progress(done, total)
        wanted = frozenset(first)
        todo.sort(key=lambda item: str(item[1]) not in wanted)  # stable: walk order kept
        read_first = sum(1 for item in todo if str(item[1]) in wanted)
        imported = self._import_all([path for _, path, _ in todo])
        for i, (rel, _path, stat) in enumerate(todo):
            if i == read_first and known is not None:
                known(sorted(_one_per_story(entries), key=sort_key))
            entry, data = next(imported)
            changed = True
            fresh[rel] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "entry": data}
            entries.append(entry)
            done += 1
            if progress is not None and (done % step == 0 or done == total):
                progress(done, total)
        if changed:
            self._write_cache(fresh)
        self.id_changes = id_changes(entries)
        entries = merge_same_story(entries)
        entries.sort(key=sort_key)
        self.entries = entries
        self.cache_hits = hits
        return entries

    def _import_all(self, paths: list[Path]) -> Iterator[tuple[LibraryEntry, dict[str, Any]]]:
        """Each file's entry and its JSON (:meth:`LibraryEntry.to_json`), in order, as each is
        read.

        Many files (:attr:`PARALLEL_MIN` or more) are read by a pool of processes, one per
        core, when the process may fork safely (no other thread running: a scan in the app's
        worker thread reads in the thread); a pool that cannot start or breaks hands the files
        left back to this process.
        """
        workers = min(processors(), MAX_WORKERS)
        if len(paths) < self.PARALLEL_MIN or workers < 2 or threading.active_count() > 1:
            for path in paths:
                entry = self._import(path)
                yield entry, entry.to_json()
            return
        # (imported here, by a command-line scan of many files: the app scans in a thread and
        # never holds them, ~1 MiB)
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        done = 0
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                chunk = max(1, min(500, len(paths) // (workers * 8)))
                results = pool.map(_import_path, paths, chunksize=chunk)
                for path, data in zip(paths, results, strict=True):
                    yield LibraryEntry.from_json(path, data), data
                    done += 1
        except (OSError, ValueError, BrokenProcessPool):
            for path in paths[done:]:
                entry = self._import(path)
                yield entry, entry.to_json()

    @staticmethod
    def _import(path: Path) -> LibraryEntry:
        """Read one file's metadata (the fast path when the format has one, else the full
        import), or an entry carrying the reason it failed."""
        story = importlib.import_module(_FAST).fast_story(path)
        if story is not None:
            return LibraryEntry.from_story(path, story)
        return Library._import_full(path)

    @staticmethod
    def _import_full(path: Path) -> LibraryEntry:
        """Import one file in full, or an entry carrying the reason it failed."""
        try:
            story = load_story(path)
        except StoryError as exc:
            return LibraryEntry.broken(path, exc.reason)
        return LibraryEntry.from_story(path, story)

    def load(self, entry_or_path: LibraryEntry | Path) -> Story:
        """Open a story for reading (raises StoryError with a one-line reason)."""
        path = entry_or_path.path if isinstance(entry_or_path, LibraryEntry) else entry_or_path
        return load_story(path)

    # --- the index cache --------------------------------------------------------------------

    def _read_cache(self) -> dict[str, dict[str, Any]]:
        """The cached records by relative path; empty when missing, stale or corrupt."""
        try:
            data = json.loads(self.cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if (
            not isinstance(data, dict)
            or data.get("version") != CACHE_VERSION
            or data.get("program") != __version__
            or data.get("importer") != IMPORTER_VERSION
            or data.get("root") != str(self.root)
            or not isinstance(data.get("files"), dict)
        ):
            return {}
        files: dict[str, dict[str, Any]] = data["files"]
        return {k: v for k, v in files.items() if isinstance(v, dict)}

    def _write_cache(self, files: dict[str, dict[str, Any]]) -> None:
        """Write the index atomically (temp file + rename); a read-only or full disk is not fatal.

        The JSON is ASCII with escapes, so a file name that is not UTF-8 (a string carrying
        surrogate escapes) is kept exactly and read back as the same name.
        """
        payload = {
            "version": CACHE_VERSION,
            "program": __version__,
            "importer": IMPORTER_VERSION,
            "root": str(self.root),
            "files": files,
        }
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(
                prefix=self.cache_path.name + ".", suffix=".tmp", dir=self.cache_path.parent
            )
        except OSError:
            return
        try:
            text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, self.cache_path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
