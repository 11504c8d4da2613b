"""Giving freed memory back to the system after a big import.

Textual-free. Importing a long story allocates its text line by line and frees most of it once
the chapters are indexed; the C allocator (glibc) keeps those freed pages, so the reader's
resident size stayed near its peak although Python no longer used them, and Python's own small
objects never reuse them. :func:`trim` hands whole free pages back (``malloc_trim``). It is a
no-op where the C library has no such call (macOS, musl, Windows).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

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
