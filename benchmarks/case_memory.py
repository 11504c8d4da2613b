"""Peak memory reading a 500k-word story: ``VmHWM`` of the reader's Python process.

The reader runs in a detached tmux session at 100x40 on a generated 500k-word story (100
chapters of 5k words); once the first paragraph is on screen the case presses PageDown a few
times (waiting for each to redraw), then reads the process's peak resident set size
(``VmHWM`` in ``/proc/<pid>/status``) before ending it. The empty Textual app is measured the
same way as the floor. Target (issue 14): at most 45 MiB at 500k words.
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


def measure(
    tmux: Tmux, argv: list[str], pattern: re.Pattern[str], workdir: Path, data: Path, pages: int
) -> float:
    """Launch, wait for the first frame, press PageDown ``pages`` times, return peak RSS (MiB)."""
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
        return peak_rss_mb(pid)
    finally:
        tmux.kill(session)


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    """Peak RSS of the empty app and of the reader on 500k-word stories."""
    formats = ["dump"] if quick else ["dump", "epub"]
    stories = [make_story(workdir / "stories", 500_000, fmt) for fmt in formats]
    tmux = Tmux(workdir)
    rows: list[dict[str, Any]] = []
    try:
        floor = measure(
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
            value = measure(
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
                    "note": f"+{value - floor:.1f} over floor",
                }
            )
    finally:
        tmux.close()
    return rows
