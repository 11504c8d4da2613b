"""The reading engine, Textual-free: where the reader is in a story and every rule of reading.

:class:`ReadingSession` owns the position, gates, pace and time left, mark-read and the
"finished?" offer, note folds, in-story search and the whole-work view. The reader screen only
maps keys and view messages onto it and shows what it says.
"""

from __future__ import annotations

from tui_reader.reading.session import (
    Anchor,
    Arrived,
    HeaderInfo,
    ReadingSession,
    Target,
    load_chapters,
    opening_chapter,
)

__all__ = [
    "Anchor",
    "Arrived",
    "HeaderInfo",
    "ReadingSession",
    "Target",
    "load_chapters",
    "opening_chapter",
]
