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
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

TRIM_EVERY = 16 * 1024
"""Bytes of text a :class:`Pacer` lets through between two trims."""

_TRIM: list[Callable[[int], int] | None] = []
"""The C library's ``malloc_trim`` once looked up (None when there is none)."""


def _malloc_trim() -> Callable[[int], int] | None:
    """The C library's ``malloc_trim``, or None."""
    if not _TRIM:
        try:
            ctypes = importlib.import_module("ctypes")  # (0.2 MiB: only once a big file is read)
            function: Callable[[int], int] | None = ctypes.CDLL(None).malloc_trim
        except (OSError, AttributeError):
            function = None
        _TRIM.append(function)
    return _TRIM[0]


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

    def __init__(self, every: int = TRIM_EVERY) -> None:
        """Start counting from nothing."""
        self.every = every
        """Bytes between two trims."""
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
            trim()
