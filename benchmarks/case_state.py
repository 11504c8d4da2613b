"""Reader state: saving a reading place with 5,000 stories in the reader's file.

A reader file with 5,000 stories' progress (titles and paths of realistic length, about 1 MB) is
generated in ``workdir``; then N ``save_position(..., write_now=True)`` calls (quick: 300, full:
2,000) each take the lock, check the file, write a temp file, fsync it, replace the reader file
and fsync the folder. Target (issue 5): p99 under 5 ms. Also reported, without targets: a save
that only goes into memory (the 2 s debounce), and a write right after another session wrote
(which re-reads the whole file to merge), and the disk's floor: the same bytes written the same
atomic way with no lock and no JSON, interleaved with the saves so machine noise hits both alike;
opening the file (read, every record checked); and how long a save takes to return to the caller
when the store writes on its writer thread, as the app's does.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import row
from tui_reader.state import Position, StateStore

CASE = "state"
"""The case name in result rows."""

STORIES = 5_000
"""Stories in the generated reader file."""

TARGET_MS = 5.0
"""p99 of a written save must be under this."""


def _percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _seed(data_dir: Path) -> StateStore:
    """A store whose file holds ``STORIES`` stories' progress."""
    store = StateStore(data_dir, "bench")
    store.clock = lambda: 0.0  # never due: all go to memory, then one write
    for i in range(STORIES):
        store.save_position(
            f"ao3-{4_000_000 + i * 37}",
            Position(i % 40, (i * 7) % 300, (i * 13) % 500),
            title=f"The Long Way Round the Harbour, Part {i % 9 + 1} (story {i})",
            path=f"/home/reader/fic/stories/fandom-{i % 50}/the-long-way-round-{i}.epub",
        )
    store.flush()
    store.clock = time.monotonic
    return store


def _bare_write(folder: Path, payload: bytes) -> float:
    """The disk's floor: write the same bytes to a temp file, fsync, replace, fsync the folder
    (no lock, no JSON); milliseconds."""
    folder.mkdir(exist_ok=True)
    start = time.perf_counter()
    fd = os.open(folder / "tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, payload)
    os.fsync(fd)
    os.close(fd)
    os.replace(folder / "tmp", folder / "file.json")
    dfd = os.open(folder, os.O_RDONLY)
    os.fsync(dfd)
    os.close(dfd)
    return (time.perf_counter() - start) * 1000


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    """Measure and return the rows."""
    data_dir = workdir / "state-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    store = _seed(data_dir)
    assert store.path is not None
    size_kb = store.path.stat().st_size / 1024
    n = 300 if quick else 2_000

    written: list[float] = []
    floor: list[float] = []
    payload = store.path.read_bytes()
    for k in range(n):
        story = f"ao3-{4_000_000 + (k * 7919 % STORIES) * 37}"
        pos = Position(k % 40, k % 300, k % 500)
        start = time.perf_counter()
        store.save_position(story, pos, write_now=True)
        written.append((time.perf_counter() - start) * 1000)
        floor.append(_bare_write(data_dir / "floor", payload))

    debounced: list[float] = []
    store.save_position("ao3-4000000", Position(1, 1), write_now=True)
    for k in range(n):
        start = time.perf_counter()
        store.save_position("ao3-4000000", Position(2, k % 300))  # within 2 s: memory only
        debounced.append((time.perf_counter() - start) * 1000)
    store.flush()

    other = StateStore(data_dir, "bench")
    merged: list[float] = []
    for k in range(30 if quick else 100):
        other.save_position("ao3-4000037", Position(3, k), write_now=True)
        start = time.perf_counter()
        store.save_position("ao3-4000074", Position(4, k), write_now=True)
        merged.append((time.perf_counter() - start) * 1000)

    opened: list[float] = []
    for _ in range(10 if quick else 30):
        start = time.perf_counter()
        StateStore(data_dir, "bench")  # reads the file and checks every record
        opened.append((time.perf_counter() - start) * 1000)

    background = StateStore(data_dir, "bench", background=True)
    queued: list[float] = []
    for k in range(n):
        start = time.perf_counter()
        background.save_position("ao3-4000111", Position(5, k % 300), write_now=True)
        queued.append((time.perf_counter() - start) * 1000)
    background.close()

    p99 = _percentile(written, 99)
    shutil.rmtree(data_dir, ignore_errors=True)
    return [
        row(CASE, f"reader file with {STORIES:,} stories", size_kb, "KiB"),
        row(CASE, f"save_position write_now p50 (n={n})", statistics.median(written), "ms"),
        row(
            CASE,
            f"save_position write_now p99 (n={n})",
            p99,
            "ms",
            f"p99 < {TARGET_MS:g} ms",
            p99 < TARGET_MS,
        ),
        row(CASE, "disk floor (same bytes, bare atomic write) p50", statistics.median(floor), "ms"),
        row(CASE, "disk floor (same bytes, bare atomic write) p99", _percentile(floor, 99), "ms"),
        row(CASE, "save_position debounced (memory) p99", _percentile(debounced, 99), "ms"),
        row(CASE, "write after another session wrote p50", statistics.median(merged), "ms"),
        row(CASE, "open (read + check every record) p50", statistics.median(opened), "ms"),
        row(
            CASE,
            "save_position write_now, writer thread (call returns) p99",
            _percentile(queued, 99),
            "ms",
        ),
    ]
