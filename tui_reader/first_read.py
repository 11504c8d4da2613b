"""A story's first read, made by a helper process while the app starts (first chapter first).

Opening a story file for the first time costs its importer's modules and the read of its first
chapter: for a 500k-word EPUB about 70 M instructions (its parsers' imports, the package, the
contents, the first chapter's documents), some 20 ms. Importing Textual and the app costs more
than ten times that, and needs none of it. On a machine with two processors or more the two can
run side by side, and the story costs the first frame no more than a reopen from the cache does.

:func:`start` looks the story up in the cache first (a hit needs no reading at all). On a miss,
before Textual is imported, it forks a helper that reads the first chapter
(:func:`~tui_reader.importers.load_first_chapter`, its blocks parsed) and writes the story to a
pipe, pickled: objects this program made, never a file's bytes. The parent picks the story up in
:meth:`FirstRead.first`, just before the app is built; by then the helper is long done.

Forked, not spawned: a fresh interpreter (``posix_spawn`` of ``python -c``) must start Python and
import the core again, ~210 M instructions against the forked copy's ~70 M, all of it on the
processor the terminal and the app share with it. The fork's own cost is the pages the parent
writes after it and must copy then (about 1,400 page faults, ~3 ms of system time).

The helper reads the story file and writes the pipe, nothing else: no data dir, no state, no
screen (its standard output and errors go to the null device; Ctrl-C ends it without a word),
and it leaves with ``os._exit``, running none of the parent's exit handlers and flushing none of
its buffers. Its failure is never the reader's: a crash, a signal, a short or damaged payload,
and the parent reads the first chapter itself, as it does where there is no ``fork`` (Windows),
one processor only, or forking fails.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import select
import signal
import stat as stat_module
import time
from pathlib import Path

from tui_reader import importers
from tui_reader.machine import processors
from tui_reader.model import Story
from tui_reader.paths import FIRST_CHAPTER_SUFFIXES

_CHUNK = 1 << 16
"""Bytes read from the pipe at a time."""

HELPER_LIMIT = 30.0
"""Seconds the parent waits for the helper's story before ending it and reading here (a helper
stuck where a forked copy can be: a lock another thread held at the fork)."""

_STORY_CACHE = "tui_reader.story_cache"
"""The story cache, loaded by :func:`start`."""


class FirstRead:
    """A story file's first read: its cache hit, or the helper reading its first chapter."""

    def __init__(self, path: Path, cached: Story | None, pid: int = 0, fd: int = -1) -> None:
        """The read of ``path``: ``cached`` on a cache hit, else the helper ``pid`` writing the
        story to the pipe's end ``fd`` (no helper: ``pid`` 0, the first chapter read here)."""
        self.path = path
        """The story file."""
        self.cached = cached
        """The story from the cache (a hit), else None."""
        self._pid = pid
        self._fd = fd

    @property
    def forked(self) -> bool:
        """True while a helper is reading (until :meth:`first` has taken its story)."""
        return self._pid > 0

    def first(self) -> Story | None:
        """The story with its first chapter (None where its importer cannot read that much
        quickly: the whole story is then read before the first frame). The helper's, when it
        sent one; read here otherwise. Called once, on a miss."""
        if self._pid <= 0:
            return importers.load_first_chapter(self.path)
        payload = self._collect()
        if payload is not None:
            try:
                story, handoff = pickle.loads(payload)
            except Exception:  # (a short or damaged pipe: read here)
                story, handoff = False, None
            if story is None or isinstance(story, Story):
                if isinstance(handoff, bytes):
                    importers.adopt_first_read(handoff)
                return story
        return importers.load_first_chapter(self.path)

    def _collect(self) -> bytes | None:
        """The helper's payload (None when it failed, or had not ended after
        :data:`HELPER_LIMIT`: it is then ended), once it has ended."""
        chunks: list[bytes] = []
        deadline = time.monotonic() + HELPER_LIMIT
        try:
            while (left := deadline - time.monotonic()) > 0:
                if not select.select([self._fd], [], [], left)[0]:
                    continue
                chunk = os.read(self._fd, _CHUNK)
                if not chunk:
                    break
                chunks.append(chunk)
            else:
                chunks = []
                with contextlib.suppress(OSError):
                    os.kill(self._pid, signal.SIGKILL)
        except OSError:
            chunks = []
        finally:
            os.close(self._fd)
            pid, self._pid, self._fd = self._pid, 0, -1
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:  # (already reaped: a SIGCHLD handler of an embedder's)
            status = 0
        return b"".join(chunks) if status == 0 and chunks else None


def start(path: Path, data_dir: Path) -> FirstRead:
    """Begin reading the story file ``path``: its cache entry if fresh, else a helper reading
    its first chapter (where its format has a first-chapter reader and the platform forks).
    Call it before any thread is started (a fork copies only the calling thread)."""
    cached: Story | None = importlib.import_module(_STORY_CACHE).cached_story(path, data_dir)
    if cached is not None or not _worth_a_helper(path):
        return FirstRead(path, cached)
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return FirstRead(path, None)
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return FirstRead(path, None)
    if pid == 0:  # the helper: never returns
        os.close(read_end)
        _helper(path, write_end)
    os.close(write_end)
    return FirstRead(path, None, pid, read_end)


def _worth_a_helper(path: Path) -> bool:
    """True for a regular file in a format with a first-chapter reader, on a platform that
    forks, with a second processor to run the helper on (on one, its work would only be added
    to the app's start, plus the fork's)."""
    if not hasattr(os, "fork") or path.suffix.lower() not in FIRST_CHAPTER_SUFFIXES:
        return False
    if processors() < 2:
        return False
    try:
        return stat_module.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _helper(path: Path, fd: int) -> None:
    """The helper: read the first chapter of ``path`` and write it to ``fd``, pickled with what
    the whole import will want of this read; end the process, status 0 once it is all written,
    1 on any failure (the parent then reads for itself)."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # (Ctrl-C at start: no traceback here)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        story = importers.load_first_chapter(path)
        if story is not None:
            for chapter in story.chapters:
                _ = chapter.blocks  # (parsed here: a chapter's loader is not sent)
        payload = pickle.dumps((story, importers.first_read_handoff()), pickle.HIGHEST_PROTOCOL)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        status = 0
    except BaseException:  # (whatever it is, the parent reads for itself)
        status = 1
    finally:
        os._exit(status)
