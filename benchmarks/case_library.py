"""Library scan: cold (no index cache, every file imported) and warm (files only stat'ed).

Full run: 100, 1,000 and 10,000 small stories; quick run: 100 and 1,000. The stories are small
native-format files in nested folders (one in fifty is broken, so error entries are cached too),
generated deterministically. Target (issue 4): a warm scan of 10,000 stories under 0.5 s.
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

from benchmarks.harness import row
from tui_reader.library import Library

WARM_TARGET_S = 0.5
"""A warm scan of 10,000 stories must take less than this."""

_WORDS = [
    "lantern",
    "heron",
    "ferry",
    "orchard",
    "harbour",
    "willow",
    "copper",
    "sparrow",
    "river",
    "bell",
    "salt",
    "tide",
    "glass",
    "road",
    "map",
    "key",
    "moss",
    "stone",
    "winter",
    "thaw",
    "bread",
    "letter",
    "rope",
    "candle",
    "quiet",
    "slow",
    "bright",
    "old",
]
_RATINGS = ("General Audiences", "Teen And Up Audiences", "Mature", "Explicit")


def _story(rng: random.Random, n: int) -> str:
    """One small Markdown story (about 300 words in three chapters)."""
    title = " ".join(w.capitalize() for w in rng.sample(_WORDS, 3))
    lines = [
        "+++",
        f'title = "{title} {n}"',
        f'author = "Author {n % 97}"',
        f'summary = "A story about {rng.choice(_WORDS)} and {rng.choice(_WORDS)}."',
        f'rating = "{rng.choice(_RATINGS)}"',
        'warnings = ["No Archive Warnings Apply"]',
        f"chapters_total = {rng.randint(3, 6)}",
        "[tags]",
        f'fandoms = ["Fandom {n % 13}"]',
        f'additional = ["{rng.choice(_WORDS)}", "{rng.choice(_WORDS)}"]',
        "+++",
    ]
    for chapter in range(1, 4):
        lines += ["", f"# Chapter {chapter}: {rng.choice(_WORDS).capitalize()}", ""]
        for _ in range(4):
            lines += [" ".join(rng.choices(_WORDS, k=25)) + ".", ""]
    return "\n".join(lines)


def _write_library(root: Path, count: int) -> None:
    """``count`` stories in folders of 100, one in fifty broken."""
    rng = random.Random(count)
    for n in range(count):
        folder = root / f"shelf-{n // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        if n % 50 == 49:
            (folder / f"broken_{n}.md").write_text('+++\ntitle = "unclosed\n+++\n', "utf-8")
        else:
            (folder / f"story_{n}.md").write_text(_story(rng, n), "utf-8")


def _timed_scan(root: Path, data: Path) -> tuple[float, int, int]:
    """Seconds for one scan, entries found, entries taken from the cache."""
    library = Library(root, data)
    start = time.perf_counter()
    entries = library.scan()
    return time.perf_counter() - start, len(entries), library.cache_hits


def run(workdir: Path, quick: bool) -> list[dict]:
    """Time cold and warm scans for each library size."""
    rows: list[dict] = []
    sizes: tuple[int, ...] = (100, 1000) if quick else (100, 1000, 10_000)
    for count in sizes:
        root = workdir / f"library-{count}"
        data = workdir / f"data-{count}"
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)
        _write_library(root, count)
        cold, found, _ = _timed_scan(root, data)
        assert found == count, f"cold scan found {found} of {count}"
        warm_runs = [_timed_scan(root, data) for _ in range(3)]
        assert all(hits == count for _, _, hits in warm_runs), "warm scan missed the cache"
        warm = min(t for t, _, _ in warm_runs)
        target = f"< {WARM_TARGET_S} s" if count == 10_000 else None
        rows += [
            row("library", f"cold scan, {count:,} stories", cold, "s"),
            row("library", f"warm scan, {count:,} stories", warm, "s", target,
                (warm < WARM_TARGET_S) if count == 10_000 else None, digits=4),
        ]  # fmt: skip
    return rows
