"""Reopening an unchanged story: the work before the first paint beyond the app itself.

In-process, no terminal: what the reader does between "open this file" and "show chapter 1"
when it has opened the same file before. With the story index cache
(``tui_reader.story_cache.open_cached(path, data_dir) -> Story``, issue 14 item 1) that is a
cache hit plus parsing the first chapter's blocks; the cache is warmed by two untimed calls
first, so the timed ones are hits. Without it (the module is not there yet) the case times
what the reader does today, ``load_story`` plus the first chapter's blocks, and says so in a
note ("no story cache yet").

Each figure is the median of 5 (wall time, ``time.perf_counter``). Stories: 5k and 500k-word
archive dumps and a 500k-word EPUB (quick: the 500k ones). Target (issue 14): ≤ 20 ms.
"""

from __future__ import annotations

import importlib
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.generate import make_story
from benchmarks.harness import row
from tui_reader.importers import load_story
from tui_reader.model import Story

CASE = "reopen"
"""The case name in result rows."""

TARGET_MS = 20.0
"""Milliseconds allowed for a reopen's work before the first paint."""

REPEATS = 5
"""Timed reopens per story (the figure is their median)."""

CACHE_MODULE = "tui_reader.story_cache"
"""Where the story index cache lives once it has landed."""


def opener() -> tuple[Callable[[Path, Path], Story], str | None]:
    """The reader's way of opening a story it has seen before, and a note when it is the old one.

    ``open_cached(path, data_dir)`` when the story cache is importable; else ``load_story``
    (which ignores the data dir) with the note "no story cache yet".
    """
    try:
        module = importlib.import_module(CACHE_MODULE)
        open_cached: Callable[[Path, Path], Story] = module.open_cached
    except (ImportError, AttributeError):
        return (lambda path, _data: load_story(path)), "no story cache yet"
    return open_cached, None


def _open_first_chapter(open_story: Callable[[Path, Path], Story], path: Path, data: Path) -> int:
    """Open the story and parse its first chapter's blocks; returns how many blocks."""
    story = open_story(path, data)
    return len(story.chapters[0].blocks)


def time_reopen(
    open_story: Callable[[Path, Path], Story], path: Path, data: Path, repeats: int = REPEATS
) -> tuple[float, float, list[float]]:
    """(first open ms, median reopen ms, every reopen in ms) for one story and data dir."""
    start = time.perf_counter()
    blocks = _open_first_chapter(open_story, path, data)
    first = (time.perf_counter() - start) * 1000
    if blocks == 0:
        raise RuntimeError(f"{path.name}: the first chapter has no blocks")
    _open_first_chapter(open_story, path, data)  # the cache is surely written by now
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        _open_first_chapter(open_story, path, data)
        runs.append((time.perf_counter() - start) * 1000)
    return first, statistics.median(runs), runs


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    """Time first open and reopen of each story in a fresh data dir."""
    open_story, note = opener()
    plan = [("dump", 500_000), ("epub", 500_000)]
    if not quick:
        plan.insert(0, ("dump", 5_000))
    rows: list[dict[str, Any]] = []
    for fmt, words in plan:
        story = make_story(workdir / "stories", words, fmt)
        data = workdir / f"data-{fmt}-{words}"
        data.mkdir(parents=True)
        first, median, runs = time_reopen(open_story, story.path, data)
        kind = "archive dump" if fmt == "dump" else "EPUB"
        name = f"{kind}, {words // 1000}k words"
        opened = row(CASE, f"first open, {name}: open + chapter 1 blocks", first, "ms", digits=2)
        again = row(
            CASE,
            f"reopen unchanged, {name}: open + chapter 1 blocks (median of {REPEATS})",
            median,
            "ms",
            f"≤ {TARGET_MS:g} ms",
            median <= TARGET_MS,
            digits=2,
        )
        again["runs_ms"] = [round(r, 2) for r in runs]
        for out in (opened, again):
            if note:
                out["note"] = note
        rows += [opened, again]
    return rows
