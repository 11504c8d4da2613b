"""Instructions to the first frame (valgrind callgrind): the steady figure behind first_frame.

Wall times of a start move by ±15 % between runs on a shared machine; the instructions a
process executes until its first frame do not (the same binary, input and environment give
the same count to within a fraction of a per cent, whatever else the machine does). This case
runs each program under ``valgrind --tool=callgrind`` in a detached tmux session (100x40, as the
first-frame case) through :mod:`benchmarks.first_render_probe`, which ends it right after the
first full render of its reading screen (the floor: of its only screen), and reads two figures
from callgrind's dumps: the instructions until Textual's ``App.run`` (imports, the story's
reading, the app's preparation) and from there to the first frame.

Subjects: the empty Textual app (the floor), then 500k-word stories, archive dump and EPUB,
each a first open on a fresh data dir and a reopen on the same data dir (after a plain run
has written its cache entry; quick: the EPUB only). A run takes ~10 s under valgrind; the
whole case ~50 s. No
targets (the first-frame case carries them); the note gives the ratio to the floor.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.case_first_frame import settle
from benchmarks.generate import make_story
from benchmarks.harness import row
from benchmarks.terminal import Tmux, base_env, python_argv, words_pattern

REQUIRES = ("tmux", "valgrind")
"""The harness makes sure both are there, or skips this case."""

CASE = "instructions"
"""The case name in result rows."""

RUN_LIMIT = 300.0
"""Seconds one run under valgrind may take."""

FLOOR = Path(__file__).resolve().parent / "floor_app.py"
"""The empty Textual app."""

_TOTALS = re.compile(r"^(?:summary|totals):\s*(\d+)", re.MULTILINE)
"""The instruction count of a callgrind dump."""


def _count(dump: Path) -> int | None:
    """The instructions a callgrind dump file counts (None when it is missing)."""
    try:
        found = _TOTALS.search(dump.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
    return int(found.group(1)) if found else None


def measure(
    tmux: Tmux, program: list[str], screen: str, data: Path, workdir: Path, tag: str
) -> tuple[int, int, int]:
    """Run ``program`` under callgrind until its first frame; (to App.run, App.run to frame,
    the instructions of the processes it started: a story's first read, beside the start)."""
    out = workdir / f"callgrind-{tag}-%p.out"  # (one file per process)
    argv = [
        "valgrind",
        "--tool=callgrind",
        "--dump-before=getpgrp",
        "--dump-before=getppid",
        "--dump-before=fork",  # (a forked helper's counts then start at zero: its own work)
        f"--callgrind-out-file={out}",
        sys.executable,
        "-m",
        "benchmarks.first_render_probe",
        *program,
    ]
    env = base_env(data) | {"PROBE_SCREEN": screen, "PYTHONPATH": str(Path.cwd())}
    session = tmux.launch(argv, env, Path.cwd())
    deadline = time.perf_counter() + RUN_LIMIT
    try:
        while tmux.pane(session, "pane_dead") != "1":
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{tag}: no first frame under valgrind in {RUN_LIMIT:.0f} s")
            time.sleep(0.2)
    finally:
        tmux.kill(session)
    marked = sorted(workdir.glob(f"callgrind-{tag}-*.out.1"))
    if len(marked) != 1:
        raise RuntimeError(f"{tag}: callgrind wrote no dump at the marks")
    main = str(marked[0])[: -len(".1")]
    dumps = sorted(workdir.glob(f"callgrind-{tag}-*.out.*"), key=lambda p: int(p.suffix[1:]))
    counts = [_count(dump) for dump in dumps if str(dump).startswith(f"{main}.")]
    if len(counts) < 2 or None in counts:
        raise RuntimeError(f"{tag}: callgrind wrote no dump at the marks")
    # the last two marks are App.run and the first frame; one before them is a fork
    before, after = sum(c or 0 for c in counts[:-1]), counts[-1] or 0
    forked = sum(
        _count(dump) or 0 for dump in workdir.glob(f"callgrind-{tag}-*.out") if str(dump) != main
    )
    return before, after, forked


def _warm(tmux: Tmux, story: Path, data: Path, workdir: Path) -> None:
    """Open ``story`` once without valgrind and wait for its cache entry (for a reopen)."""
    session = tmux.launch(python_argv(str(story)), base_env(data), workdir)
    try:
        tmux.wait_for(session, words_pattern("Chapter 1"), 60.0)
        settle(data, expect_cache=True)
    finally:
        tmux.kill_and_wait(session)


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    """Floor, then the 500k-word dump and EPUB, first open and reopen."""
    tmux = Tmux(workdir)
    rows: list[dict[str, Any]] = []
    try:
        fb, fa, _ = measure(tmux, [str(FLOOR)], "", workdir / "data-floor", workdir, "floor")
        floor = fb + fa
        rows.append(
            row(CASE, "empty Textual app (floor): to first frame", floor / 1e6, "M instr", digits=1)
            | {"note": f"to App.run {fb / 1e6:.0f} M, then {fa / 1e6:.0f} M"}
        )
        for fmt in ("epub",) if quick else ("dump", "epub"):
            story = make_story(workdir / "stories", 500_000, fmt).path
            kind = "archive dump" if fmt == "dump" else "EPUB"
            for label in ("first open", "reopen"):
                tag = f"{fmt}-{label.replace(' ', '-')}"
                data = workdir / f"data-{tag}"
                data.mkdir(parents=True)
                if label == "reopen":
                    _warm(tmux, story, data, workdir)
                program = ["-m", "tui_reader", str(story)]
                before, after, forked = measure(tmux, program, "ReaderScreen", data, workdir, tag)
                total = before + after
                beside = (
                    f"; {forked / 1e6:.0f} M in the first read's helper, beside" if forked else ""
                )
                rows.append(
                    row(
                        CASE,
                        f"tui-reader, {kind}, 500k words, {label}: to first frame",
                        total / 1e6,
                        "M instr",
                        digits=1,
                    )
                    | {
                        "note": f"{total / floor:.2f}× floor; to App.run {before / 1e6:.0f} M, "
                        f"then {after / 1e6:.0f} M{beside}"
                    }
                )
    finally:
        tmux.close()
    return rows
