"""Page turns in the reading screen: CPU per ``pagedown`` on 5k, 50k and 500k-word chapters.

A one-chapter story of N words (made-up words, deterministic) is built in memory; the reading
screen runs under Textual's Pilot at 100x32 with animations off and the state store in
``workdir``. Each figure is the median CPU time (``time.process_time``) of one ``pagedown``
press, keypress to screen refreshed, over 50 presses (quick: 20); when the end of the chapter
is reached the view is sent back to the top untimed. Also reported: the one-time cost of
wrapping the whole chapter (items and lines, cold cache), and the floor: a key bound to
nothing, through the same Pilot round trip. Target: ≤ 8 ms per page turn and
flat across sizes (the 500k median within 1.5x of the 5k one).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import row

CASE = "page_turn"
"""The case name in result rows."""

TARGET_MS = 8.0
"""A page turn may cost at most this much CPU."""

FLAT_RATIO = 1.5
"""The largest chapter's page turn may cost at most this many times the smallest's."""

SYLLABLES = ("ta", "ren", "lo", "vi", "sha", "mor", "ek", "du", "lin", "ca", "os", "bel")
"""Syllables for made-up words."""


def make_story(words: int) -> Any:
    """A one-chapter story of about ``words`` words, deterministic."""
    from tui_reader.model import Block, Chapter, Source, Story

    rng = random.Random(words)
    vocabulary = [
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))) for _ in range(800)
    ]
    blocks = []
    total = 0
    while total < words:
        n = rng.randint(25, 160)
        text = " ".join(rng.choice(vocabulary) for _ in range(n))
        blocks.append(Block("paragraph", text.capitalize() + "."))
        total += n
        if len(blocks) % 40 == 0:
            blocks.append(Block("scene_break", ""))
    chapter = Chapter(1, "The Long Chapter", total)
    chapter.blocks = blocks
    return Story(f"Bench {words}", Source(f"bench-{words}.md", "markdown"), chapters=[chapter])


def wrap_seconds(story: Any) -> float:
    """CPU seconds to build and wrap the chapter's items at 72 cells with a cold cache."""
    from tui_reader.layout import chapter_items, wrap_items, wrap_text

    wrap_text.cache_clear()
    start = time.process_time()
    wrap_items(chapter_items(story, 0), 72)
    return time.process_time() - start


async def _page_turns(story: Any, data_dir: Path, presses: int) -> tuple[list[float], list[float]]:
    """CPU milliseconds of each timed ``pagedown`` press, and of a key bound to nothing."""
    from textual.app import App

    from tui_reader.state import StateStore
    from tui_reader.ui.screens.reader import ReaderScreen
    from tui_reader.ui.widgets.chapter_view import ChapterView

    store = StateStore(data_dir, "bench")

    class BenchApp(App[None]):
        """Opens the reading screen on the bench story."""

        def on_mount(self) -> None:
            """Push the reader."""
            self.animation_level = "none"
            self.push_screen(ReaderScreen(story, store, path=Path(story.source.path)))

    app = BenchApp()
    times: list[float] = []
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ChapterView)
        while len(times) < presses:
            if view.top_line >= view.max_top:
                await pilot.press("home")
                await pilot.pause()
            start = time.process_time()
            await pilot.press("pagedown")
            await pilot.pause()
            times.append((time.process_time() - start) * 1000)
        floor: list[float] = []
        for _ in range(presses):
            start = time.process_time()
            await pilot.press("z")
            await pilot.pause()
            floor.append((time.process_time() - start) * 1000)
    store.flush()
    return times, floor


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    """Measure and return the rows."""
    sizes = (5_000, 500_000) if quick else (5_000, 50_000, 500_000)
    presses = 20 if quick else 50
    rows: list[dict[str, Any]] = []
    medians: dict[int, float] = {}
    for words in sizes:
        story = make_story(words)
        rows.append(
            row(CASE, f"wrap {words // 1000}k words (one-time)", wrap_seconds(story) * 1000, "ms")
        )
        times, floor = asyncio.run(_page_turns(story, workdir / f"page-turn-{words}", presses))
        median = statistics.median(times)
        medians[words] = median
        rows.append(
            row(
                CASE,
                f"pagedown {words // 1000}k words (median CPU)",
                median,
                "ms",
                f"<= {TARGET_MS:g} ms",
                median <= TARGET_MS,
            )
        )
    rows.append(row(CASE, "unbound key (Pilot floor, median CPU)", statistics.median(floor), "ms"))
    ratio = medians[sizes[-1]] / max(medians[sizes[0]], 1e-9)
    rows.append(
        row(
            CASE,
            f"pagedown {sizes[-1] // 1000}k / {sizes[0] // 1000}k",
            ratio,
            "x",
            f"<= {FLAT_RATIO:g}x",
            ratio <= FLAT_RATIO,
        )
    )
    return rows


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for result in run(Path(tmp), "--quick" in sys.argv):
            print(result)
