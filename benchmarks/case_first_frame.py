"""First frame in a real terminal: launch to the first chapter's first paragraph on screen.

Each program runs in a detached tmux session at 100x40 (fresh ``TUI_READER_DATA``,
``TERM=xterm-256color``); the screen is captured every ~10 ms until the opening words of the
first chapter's first paragraph show. Rounds interleave the programs so machine noise falls
on all of them alike; each figure is the median.

Programs timed: an empty Textual app (the floor), Textual's ``Markdown`` widget showing the
same first chapter (the baseline), and ``python -m tui_reader FILE`` on generated stories of
5k, 50k and 500k words as archive dumps and EPUBs (quick: 5k and 500k dumps, 3 rounds).
Target: every story within 1.3x the empty app.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.floor_app import WORD
from benchmarks.generate import chapter_markdown, make_story
from benchmarks.harness import PartialFailure
from benchmarks.terminal import ScreenTimeout, Tmux, base_env, python_argv, words_pattern

REQUIRES = ("tmux",)
"""The harness makes sure tmux is there, or skips this case."""

CASE = "first_frame"
"""The case name in result rows."""

TARGET_RATIO = 1.3
"""A story's first frame may take at most this many times the empty app's."""

HERE = Path(__file__).resolve().parent
"""The ``benchmarks/`` folder (the floor and baseline scripts live here)."""


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
    """"floor", "baseline" or "story"."""


def _subjects(workdir: Path, quick: bool) -> list[Subject]:
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
        kind = "archive dump" if story.format == "dump" else "EPUB"
        out.append(
            Subject(
                f"tui-reader, {kind}, {story.text.words // 1000}k words",
                python_argv(str(story.path)),
                words_pattern(story.text.opening),
                "story",
            )
        )
    return out


def measure(
    workdir: Path, subjects: list[Subject], rounds: int, timeout: float
) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Time every subject ``rounds`` times; returns (seconds per label, error per label)."""
    times: dict[str, list[float]] = {s.label: [] for s in subjects}
    errors: dict[str, str] = {}
    tmux = Tmux(workdir)
    try:
        for rnd in range(rounds):
            for index, subject in enumerate(subjects):
                if subject.label in errors:
                    continue
                data = workdir / "data" / f"r{rnd}-s{index}"
                data.mkdir(parents=True)
                try:
                    seconds, session = tmux.time_to_text(
                        subject.argv, base_env(data), workdir, subject.pattern, timeout
                    )
                except ScreenTimeout as exc:
                    errors[subject.label] = str(exc)
                    continue
                tmux.kill(session)
                times[subject.label].append(seconds)
                time.sleep(0.15)  # let the killed program go before the next launch
    finally:
        tmux.close()
    return times, errors


def _row(label: str, value: float | None, **extra: Any) -> dict[str, Any]:
    """A result row with this case's name and unit."""
    return {"case": CASE, "label": label, "value": value, "unit": "ms", **extra}


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    """Time the floor, the baseline and the reader on every story; median per program."""
    subjects = _subjects(workdir, quick)
    times, errors = measure(workdir, subjects, 3 if quick else 5, 30.0 if quick else 60.0)
    floor = subjects[0].label
    if floor in errors:
        raise RuntimeError(f"the empty Textual app did not start: {errors[floor]}")
    floor_ms = statistics.median(times[floor]) * 1000
    target = f"≤ {TARGET_RATIO}× empty app"
    rows = [_row(floor, floor_ms, target=None, ok=None, runs_ms=_ms(times[floor]))]
    for subject in subjects[1:]:
        goal = target if subject.role == "story" else None
        if subject.label in errors:
            rows.append(_row(subject.label, None, target=goal, ok=False, note="did not open"))
            continue
        value = statistics.median(times[subject.label]) * 1000
        ratio = value / floor_ms
        rows.append(
            _row(
                subject.label,
                value,
                target=goal,
                ok=(ratio <= TARGET_RATIO) if goal else None,
                note=f"{ratio:.2f}× floor",
                ratio=round(ratio, 3),
                runs_ms=_ms(times[subject.label]),
            )
        )
    if errors:
        reasons = "; ".join(f"{label}: {why}" for label, why in errors.items())
        raise PartialFailure(reasons, rows)
    return rows


def _ms(values: list[float]) -> list[float]:
    """Seconds as rounded milliseconds."""
    return [round(v * 1000, 1) for v in values]
