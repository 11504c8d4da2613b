"""First frame in a real terminal: launch to the first chapter's first paragraph on screen.

Each program runs in a detached tmux session at 100x40 (fresh ``TUI_READER_DATA``,
``TERM=xterm-256color``); the screen is captured every ~10 ms until the opening words of the
first chapter's first paragraph show. Rounds interleave the programs so machine noise falls
on all of them alike; each figure is the median.

Programs timed: an empty Textual app (the floor), Textual's ``Markdown`` widget showing the
same first chapter (the baseline), and ``python -m tui_reader FILE`` on generated stories of
5k, 50k and 500k words as archive dumps and EPUBs (quick: 5k and 500k dumps, 3 rounds; a full
run: :data:`ROUNDS`). Each story is opened twice per round: a first open on a fresh data dir,
then (once the first session has written what it writes, and has been ended) a reopen with the
same data dir.
Target (issue 14): every first open and every reopen within 1.15x the empty app. The empty app
is launched once more at the end of each round, as a control: its row's ratio to the floor is
how far apart two medians of the very same program fall in that run (no target).

Side by side with epy (PyPI ``epy-reader``, installed by the suite into its own venv, see
:mod:`benchmarks.peers`): both readers open the same 473k-word EPUB on a fresh data dir
(epy: a fresh ``HOME``), in the same rounds. Target (issue 14): tui-reader within 0.6x epy.
When epy cannot be installed, its rows say why and carry no verdict.
"""

from __future__ import annotations

import importlib.util
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.floor_app import WORD
from benchmarks.generate import chapter_markdown, make_story
from benchmarks.harness import PartialFailure, ratio_check
from benchmarks.peers import ensure_epy, peer_env
from benchmarks.terminal import (
    ScreenTimeout,
    Tmux,
    base_env,
    cpu_seconds,
    python_argv,
    words_pattern,
)

REQUIRES = ("tmux",)
"""The harness makes sure tmux is there, or skips this case."""

CASE = "first_frame"
"""The case name in result rows."""

TARGET_RATIO = 1.15
"""A story's first frame (first open or reopen) may take at most this many times the empty app's."""

EPY_RATIO = 0.6
"""tui-reader's first frame on the peer story may take at most this many times epy's."""

PEER_WORDS = 473_000
"""Words in the EPUB both readers open (the size issue 14 measured)."""

HERE = Path(__file__).resolve().parent
"""The ``benchmarks/`` folder (the floor and baseline scripts live here)."""

ROUNDS = 15
"""Rounds of a full run (each program launched once per round; the figure is the median). On
this shared 2-core machine one launch of the empty app takes 180-330 ms within minutes (a fixed
CPU loop of ~160 ms took 150-266 ms): with 5 rounds a row's median moved by ±8 % between whole
runs, against a 15 % margin, and with 9 the noise control (the empty app timed twice) still
read 0.94x."""

STORY_ENTRIES = "cache/stories/"
"""Where in the data dir the story cache's entries are (the reopen waits for one)."""

SETTLE_LIMIT = 10.0
"""Seconds at most to wait, after a first open, for the reader to finish writing its data dir."""


@dataclass
class Subject:
    """One program to time."""

    label: str
    """Its row label."""
    argv: list[str]
    """The command line."""
    pattern: re.Pattern[str]
    """What on screen counts as the first frame."""
    role: str
    """"floor", "baseline", "story" (against the floor), "vs-epy", "peer" or "control" (the
    floor's program again, last in each round: the ratio two medians of one program reach)."""
    reopen: str | None = None
    """The reopen row's label, when the program is launched again on the same data dir."""
    fresh_home: bool = False
    """True to point ``HOME`` and the XDG folders at ``<data dir>/home`` (a peer's state)."""


def _kind(fmt: str) -> str:
    """A story format as a row label says it."""
    return "archive dump" if fmt == "dump" else "EPUB"


def _subjects(workdir: Path, quick: bool, epy: list[str] | None) -> list[Subject]:
    """Generate the inputs and list the programs to time."""
    plan = [("dump", 5_000), ("dump", 500_000)]
    if not quick:
        plan = [(fmt, words) for fmt in ("dump", "epub") for words in (5_000, 50_000, 500_000)]
    stories = [make_story(workdir / "stories", words, fmt) for fmt, words in plan]
    first = stories[0].text
    chapter_file = workdir / "chapter-1.md"
    chapter_file.write_text(chapter_markdown(first.chapters[0]), encoding="utf-8")
    opening = words_pattern(first.opening)
    chapter_words = sum(len(p.split()) for p in first.chapters[0].paragraphs)
    out = [
        Subject(
            "empty Textual app (floor)",
            [sys.executable, str(HERE / "floor_app.py")],
            re.compile(WORD),
            "floor",
        ),
        Subject(
            f"Textual Markdown widget, chapter 1 ({chapter_words // 1000}k words, baseline)",
            [sys.executable, str(HERE / "markdown_baseline.py"), str(chapter_file)],
            opening,
            "baseline",
        ),
    ]
    for story in stories:
        name = f"tui-reader, {_kind(story.format)}, {story.text.words // 1000}k words"
        out.append(
            Subject(
                f"{name}, first open",
                python_argv(str(story.path)),
                words_pattern(story.text.opening),
                "story",
                reopen=f"{name}, reopen",
            )
        )
    peer = make_story(workdir / "peer", PEER_WORDS, "epub")
    words = words_pattern(peer.text.opening)
    label = f"EPUB, {PEER_WORDS // 1000}k words, fresh data dir"
    out.append(Subject(f"tui-reader, {label}", python_argv(str(peer.path)), words, "vs-epy"))
    if epy is not None:
        out.append(Subject(f"epy, {label}", [*epy, str(peer.path)], words, "peer", fresh_home=True))
    out.append(
        Subject(
            "empty Textual app again, last in each round (noise control)",
            out[0].argv,
            out[0].pattern,
            "control",
        )
    )
    return out


def _files(folder: Path) -> tuple[tuple[str, int], ...]:
    """Every file under ``folder`` with its size (what the reader has written so far)."""
    out = []
    for path in sorted(folder.rglob("*")):
        try:
            if path.is_file():
                out.append((str(path.relative_to(folder)), path.stat().st_size))
        except OSError:
            continue
    return tuple(out)


def settle(data: Path, expect_cache: bool, limit: float = SETTLE_LIMIT) -> None:
    """Wait until the reader has written its data dir: unchanged for 0.3 s (and a cache entry).

    Untimed: between a first open and the reopen, so the reopen finds what a reader who closed
    the story a moment after it showed would leave behind.
    """
    deadline = time.perf_counter() + limit
    last, since = _files(data), time.perf_counter()
    while time.perf_counter() < deadline:
        time.sleep(0.05)
        now = _files(data)
        if now != last:
            last, since = now, time.perf_counter()
            continue
        cached = not expect_cache or any(name.startswith(STORY_ENTRIES) for name, _ in now)
        if cached and time.perf_counter() - since >= 0.3:
            return


def measure(
    workdir: Path, subjects: list[Subject], rounds: int, timeout: float
) -> tuple[dict[str, list[float]], dict[str, str], dict[str, list[float]]]:
    """Time every subject ``rounds`` times.

    Returns (seconds per label, error per label, CPU seconds per label): the CPU time the
    program had used when its first frame was seen, which machine load does not inflate.
    """
    labels = [s.label for s in subjects] + [s.reopen for s in subjects if s.reopen]
    times: dict[str, list[float]] = {label: [] for label in labels}
    cpu: dict[str, list[float]] = {label: [] for label in labels}
    errors: dict[str, str] = {}
    expect_cache = importlib.util.find_spec("tui_reader.story_cache") is not None
    tmux = Tmux(workdir)

    def launch(subject: Subject, label: str, data: Path) -> bool:
        """One timed launch; True when it showed the pattern (the session is then ended)."""
        env = base_env(data) | (peer_env(data / "home") if subject.fresh_home else {})
        try:
            seconds, session = tmux.time_to_text(
                subject.argv, env, workdir, subject.pattern, timeout
            )
        except ScreenTimeout as exc:
            errors[label] = str(exc)
            return False
        times[label].append(seconds)
        pid = tmux.pane(session, "pane_pid")
        used = cpu_seconds(int(pid)) if pid.isdigit() else None
        if used is not None:
            cpu[label].append(used)
        if subject.reopen and label == subject.label:
            settle(data, expect_cache)
        tmux.kill_and_wait(session)  # the next launch must not race its exit
        time.sleep(0.05)
        return True

    try:
        for rnd in range(rounds):
            for index, subject in enumerate(subjects):
                if subject.label in errors:
                    continue
                data = workdir / "data" / f"r{rnd}-s{index}"
                (data / "home").mkdir(parents=True)
                opened = launch(subject, subject.label, data)
                if opened and subject.reopen and subject.reopen not in errors:
                    launch(subject, subject.reopen, data)
    finally:
        tmux.close()
    return times, errors, cpu


def _row(label: str, value: float | None, **extra: Any) -> dict[str, Any]:
    """A result row with this case's name and unit."""
    return {"case": CASE, "label": label, "value": value, "unit": "ms", **extra}


def _median_ms(values: list[float]) -> float:
    """The median of seconds, in milliseconds."""
    return statistics.median(values) * 1000


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    """Time the floor, the baseline, the reader on every story (open and reopen) and epy."""
    peer = ensure_epy()
    subjects = _subjects(workdir, quick, peer.argv)
    times, errors, cpu = measure(workdir, subjects, 3 if quick else ROUNDS, 30.0 if quick else 60.0)
    floor = subjects[0].label
    if floor in errors:
        raise RuntimeError(f"the empty Textual app did not start: {errors[floor]}")
    floor_ms = _median_ms(times[floor])
    target = f"≤ {TARGET_RATIO}× empty app"
    rows = [_row(floor, floor_ms, target=None, ok=None, runs_ms=_ms(times[floor]))]
    if cpu[floor]:
        rows[0] |= {
            "cpu_ms": _median_ms(cpu[floor]),
            "note": f"CPU {_median_ms(cpu[floor]):.0f} ms",
        }
    epy = next((s for s in subjects if s.role == "peer"), None)
    epy_ms = None if epy is None or epy.label in errors else _median_ms(times[epy.label])
    for subject in subjects[1:]:
        for label in (subject.label, subject.reopen):
            if label is None:
                continue
            goal = target if subject.role == "story" else None
            if subject.role == "vs-epy":
                goal = f"≤ {EPY_RATIO}× epy"
            if label in errors or not times[label]:
                why = "did not open" if label in errors else "not measured"
                rows.append(_row(label, None, target=goal, ok=False if goal else None, note=why))
                continue
            value = _median_ms(times[label])
            ratio, met = ratio_check(value, floor_ms, TARGET_RATIO)
            ok: bool | None = met
            extra: dict[str, Any] = {"ratio": ratio, "ratio_to": "empty app"}
            note = f"{ratio:.2f}× floor"
            if cpu[label]:
                extra["cpu_ms"] = _median_ms(cpu[label])
                note += f", CPU {extra['cpu_ms']:.0f} ms"
            if subject.role == "vs-epy":
                if epy_ms is None:
                    why = peer.note if epy is None else "epy did not open"
                    note += f"; no epy: {why}"
                    ok, goal = None, None
                else:
                    vs, ok = ratio_check(value, epy_ms, EPY_RATIO)
                    note = f"{vs:.2f}× epy, {note}"
                    extra |= {"ratio": vs, "ratio_to": "epy", "ratio_floor": extra["ratio"]}
            elif subject.role != "story":
                ok = None
            rows.append(
                _row(
                    label, value, target=goal, ok=ok, note=note, **extra, runs_ms=_ms(times[label])
                )
            )
    if epy is None:
        rows.append(
            _row(f"epy, EPUB, {PEER_WORDS // 1000}k words", None, target=None, ok=None,
                 note=f"skipped: {peer.note}")
        )  # fmt: skip
    if errors:
        reasons = "; ".join(f"{label}: {why}" for label, why in errors.items())
        raise PartialFailure(reasons, rows)
    return rows


def _ms(values: list[float]) -> list[float]:
    """Seconds as rounded milliseconds."""
    return [round(v * 1000, 1) for v in values]
