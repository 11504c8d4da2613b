"""Giving freed memory back to the system after a big import.

Textual-free. Importing a long story allocates its text line by line and frees most of it once
the chapters are indexed; the C allocator (glibc) keeps those freed pages, so the reader's
resident size stayed near its peak although Python no longer used them, and Python's own small
objects never reuse them. :func:`trim` hands whole free pages back (``malloc_trim``). It is a
no-op where the C library has no such call (macOS, musl, Windows).

A pass over a long story (the EPUB index, the cache fill) parses one document after another,
each into a tree many times its text, freed before the next: the pages those trees leave free
are not all reused (the allocator's heap fragments), so the resident size climbs a little with
each document. :class:`Pacer` trims every :data:`TRIM_EVERY` bytes of text handled, which
keeps the pass's peak near one document's worth (about 0.2 ms a trim).

:func:`tune` sets the allocator up for that work, once, before a long story is parsed whole
(glibc only; a first chapter read before the first frame is not worth loading ``ctypes`` for):
every thread allocates from the one heap (:data:`ARENA_MAX`), so the thread that indexes the
whole book reuses pages another thread's parse freed instead of touching a heap of its own,
and blocks of :data:`MMAP_THRESHOLD` or more (the parser's tables and buffers)
are mapped on their own and unmapped when freed, rather than left in the heap once the
allocator's adaptive threshold has grown past them. Measured (the ``memory`` benchmark's
method, medians of 5, A/B in the same minutes): the reader's peak on a 500k-word EPUB 47.4 ->
46.9 MiB (after the background work 50.1 -> 49.4), on a 5k-word one 46.8 -> 46.2 MiB. No
change in the first frame's CPU time.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

TRIM_EVERY = 16 * 1024
"""Bytes of text a :class:`Pacer` lets through between two trims."""

ARENA_MAX = 1
"""Heaps (glibc "arenas") the threads allocate from: one, shared."""

MMAP_THRESHOLD = 32 * 1024
"""Blocks this large or larger are mapped on their own (glibc's ``M_MMAP_THRESHOLD``)."""

_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
"""``mallopt`` parameter numbers (glibc's ``malloc.h``)."""

_TRIM: list[Callable[[int], int] | None] = []
"""The C library's ``malloc_trim`` once looked up (None when there is none)."""

_MALLOPT: list[Callable[[int, int], int] | None] = []
"""The C library's ``mallopt`` once looked up (None when there is none)."""

_TUNED: list[bool] = []
"""Whether :func:`tune` has run (and what it returned)."""


def _lookup() -> None:
    """Look the C library's ``malloc_trim`` and ``mallopt`` up, once."""
    if _TRIM:
        return
    trim_function: Callable[[int], int] | None
    mallopt: Callable[[int, int], int] | None
    try:
        ctypes = importlib.import_module("ctypes")  # (0.2 MiB: only once a big file is read)
        libc = ctypes.CDLL(None)
    except OSError:
        trim_function = mallopt = None
    else:
        trim_function = getattr(libc, "malloc_trim", None)
        mallopt = getattr(libc, "mallopt", None) if trim_function is not None else None
    _TRIM.append(trim_function)
    _MALLOPT.append(mallopt)


def _malloc_trim() -> Callable[[int], int] | None:
    """The C library's ``malloc_trim``, or None."""
    _lookup()
    return _TRIM[0]


def _mallopt() -> Callable[[int, int], int] | None:
    """The C library's ``mallopt`` (glibc's, beside its ``malloc_trim``), or None."""
    _lookup()
    return _MALLOPT[0]


def tune() -> bool:
    """Set glibc's allocator up for parsing a long story beside the interface (once; later
    calls only say how it went): one heap for every thread (:data:`ARENA_MAX`) and a fixed
    :data:`MMAP_THRESHOLD`. True when set; False where the C library has no ``mallopt`` with
    ``malloc_trim`` (not glibc: macOS, musl, Windows), and nothing is changed there."""
    if not _TUNED:
        function = _mallopt()
        done = False
        if function is not None:
            try:
                done = bool(function(_M_ARENA_MAX, ARENA_MAX))
                done = bool(function(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and done
            except (OSError, ValueError):
                done = False
        _TUNED.append(done)
    return _TUNED[0]


def trim() -> bool:
    """Give the allocator's free pages back to the system; True when the C library could."""
    function = _malloc_trim()
    if function is None:
        return False
    try:
        function(0)
    except (OSError, ValueError):
        return False
    return True


class Pacer:
    """Trims after every :data:`TRIM_EVERY` bytes of text a long pass has handled."""

    def __init__(self, every: int = TRIM_EVERY, *, deferred: bool = False) -> None:
        """Start counting from nothing; ``deferred``: count only, never trim (a pass before the
        first frame, whose caller owes one trim for later, when ``ctypes`` may load)."""
        self.every = every
        """Bytes between two trims."""
        self.deferred = deferred
        """Trims are left to the caller (counted in :attr:`trims`, not made)."""
        self.pending = 0
        """Bytes handled since the last trim."""
        self.trims = 0
        """Trims made so far."""

    def add(self, size: int) -> None:
        """Count ``size`` more bytes handled; trim once :attr:`every` have gone by."""
        self.pending += size
        if self.pending >= self.every:
            self.pending = 0
            self.trims += 1
            if not self.deferred:
                trim()
