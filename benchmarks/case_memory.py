"""Peak memory reading a 500k-word story: ``VmHWM`` of the reader's Python process.

The reader runs in a detached tmux session at 100x40 on a generated 500k-word story (100
chapters of 5k words); once the first paragraph is on screen the case presses PageDown a few
times (waiting for each to redraw), then reads the process's peak resident set size
(``VmHWM`` in ``/proc/<pid>/status``) before ending it. The empty Textual app is measured the
same way as the floor. Target (issue 14): at most 45 MiB at 500k words.

The reader goes on working after that reading: the screens the first frame did not need are
imported in the background, and a first open writes the story's cache entry (every chapter
parsed again, one at a time). The note beside each row gives the peak once that is done too
(the entry written, or :data:`SETTLE_S` gone by), so a background peak is seen.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.floor_app import WORD
from benchmarks.generate import make_story
from benchmarks.terminal import Tmux, base_env, python_argv, words_pattern

REQUIRES = ("tmux",)
"""The harness makes sure tmux is there, or skips this case."""

CASE = "memory"
"""The case name in result rows."""

TARGET_MB = 45.0
"""Peak RSS allowed at 500k words, in MiB."""

PAGE_DOWNS = 5
"""PageDown presses before the reading."""

SETTLE_S = 6.0
"""Longest wait after the reading for the background work (cache entry, deferred screens)."""

HERE = Path(__file__).resolve().parent
"""The ``benchmarks/`` folder."""


def _cmdline(pid: int) -> str:
    """A process's command line ("" when it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def python_pid(pid: int) -> int:
    """``pid`` when it runs Python, else its first descendant that does."""
    if "python" in _cmdline(pid):
        return pid
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            child = int(stat.parent.name)
            found = python_pid(child)
            if found:
                return found
    return 0


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size (``VmHWM``) in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+)\s+kB", status, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no VmHWM in /proc/{pid}/status")
    return int(match.group(1)) / 1024


def _settled(data: Path) -> bool:
    """True once the reader has written a story cache entry in ``data``."""
    return any((data / "cache" / "stories").glob("*.story"))


def measure(
    tmux: Tmux, argv: list[str], pattern: re.Pattern[str], workdir: Path, data: Path, pages: int
) -> tuple[float, float]:
    """Launch, wait for the first frame, press PageDown ``pages`` times: the peak RSS (MiB)
    then, and once the background work is done (the cache entry written, or after
    :data:`SETTLE_S`; at once when no page is turned)."""
    data.mkdir(parents=True, exist_ok=True)
    _, session = tmux.time_to_text(argv, base_env(data), workdir, pattern, timeout=60.0)
    try:
        pid = python_pid(int(tmux.pane(session, "pane_pid")))
        if not pid:
            raise RuntimeError("could not find the Python process in the pane")
        for _ in range(pages):
            before = tmux.capture(session)
            tmux.send(session, "PageDown")
            deadline = time.perf_counter() + 3.0
            while tmux.capture(session) == before and time.perf_counter() < deadline:
                time.sleep(0.02)
        time.sleep(0.3)
        reading = peak_rss_mb(pid)
        if pages:
            start = time.perf_counter()
            while not _settled(data) and time.perf_counter() - start < SETTLE_S:
                time.sleep(0.05)
            # the deferred screens are imported 1.5 s after start; the entry's writer trims last
            time.sleep(max(0.5, 2.0 - (time.perf_counter() - start)))
        return reading, peak_rss_mb(pid)
    finally:
        tmux.kill(session)


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    """Peak RSS of the empty app and of the reader on 500k-word stories."""
    formats = ["dump"] if quick else ["dump", "epub"]
    stories = [make_story(workdir / "stories", 500_000, fmt) for fmt in formats]
    tmux = Tmux(workdir)
    rows: list[dict[str, Any]] = []
    try:
        floor, _ = measure(
            tmux,
            [sys.executable, str(HERE / "floor_app.py")],
            re.compile(WORD),
            workdir,
            workdir / "data-floor",
            0,
        )
        rows.append(
            {"case": CASE, "label": "empty Textual app (floor)", "value": floor, "unit": "MiB",
             "target": None, "ok": None}
        )  # fmt: skip
        for story in stories:
            kind = "archive dump" if story.format == "dump" else "EPUB"
            value, settled = measure(
                tmux,
                python_argv(str(story.path)),
                words_pattern(story.text.opening),
                workdir,
                workdir / f"data-{story.format}",
                PAGE_DOWNS,
            )
            rows.append(
                {
                    "case": CASE,
                    "label": f"tui-reader, {kind}, 500k words, {PAGE_DOWNS} page-downs",
                    "value": value,
                    "unit": "MiB",
                    "target": f"≤ {TARGET_MB:.0f} MiB",
                    "ok": value <= TARGET_MB,
                    "note": f"+{value - floor:.1f} over floor; {settled:.1f} MiB after the "
                    "background work",
                }
            )
    finally:
        tmux.close()
    return rows
