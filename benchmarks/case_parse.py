"""Parsing speed of plain-text archive dumps: index time and full (every chapter's blocks) time.

Inputs are generated deterministically: archive-style dumps with a title, ``Total Chapters``,
a summary, an author's note, rating-widget residue, chapter headings, an epigraph, curly
quotes, scene breaks (double blank lines and ``***``) and a few scraping artifacts.
Target (issue 3): a 9 MB dump of 200 chapters parses in under 1 s.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import row
from tui_reader.importers import load_story

_WORDS = [
    "lamp",
    "harbour",
    "keeper",
    "bread",
    "morning",
    "salt",
    "window",
    "gull",
    "ferry",
    "rope",
    "quiet",
    "evening",
    "stair",
    "door",
    "letter",
    "island",
    "tide",
    "lantern",
    "kettle",
    "rain",
    "stone",
    "wind",
    "road",
    "river",
    "bell",
    "shadow",
    "field",
    "garden",
    "she",
    "he",
    "they",
    "it",
    "was",
    "had",
    "would",
    "could",
    "never",
    "always",
    "slowly",
    "almost",
    "together",
    "again",
    "here",
    "there",
    "the",
    "a",
    "an",
    "and",
    "but",
    "of",
    "to",
    "in",
    "on",
    "with",
    "under",
    "over",
    "before",
    "after",
    "because",
    "while",
]
_NAMES = ("Marisol", "Tomas", "Ilse", "Oren", "Wren")

SIZES_MB: tuple[tuple[float, int], ...] = ((1.0, 20), (9.0, 200), (50.0, 500))
"""(approximate megabytes, chapters) of the generated dumps."""


def _sentence(rng: random.Random) -> str:
    """One made-up sentence."""
    words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 18))]
    words[0] = words[0].capitalize()
    text = " ".join(words)
    roll = rng.random()
    if roll < 0.2:
        return f"“{text},” {rng.choice(_NAMES)} said."
    if roll < 0.25:
        return f"{text} by {rng.choice(_NAMES)} ‘s {rng.choice(_WORDS)}."
    if roll < 0.3:
        return f"{text}—{rng.choice(_WORDS)}…"
    return f"{text}."


def make_dump(path: Path, megabytes: float, chapters: int, seed: int = 7) -> int:
    """Write a deterministic archive dump of about ``megabytes``; returns its size in bytes."""
    rng = random.Random(seed)
    pool = [" ".join(_sentence(rng) for _ in range(rng.randint(2, 7))) for _ in range(3000)]
    target = int(megabytes * 1024 * 1024)
    per_chapter = target // chapters
    out = [
        "The Lamp Keepers\n\nTotal Chapters: 240\n\n",
        "A keeper, a baker and a lamp that nobody switches off.\n\n",
        "Enjoying this story? Share your rating!\n[Total: 0 Average: 0]\n\n",
        "Author’s Notes: Written over a long winter. Thanks for reading.\n\n",
    ]
    size = sum(len(s.encode()) for s in out)
    for n in range(1, chapters + 1):
        parts = [
            f"Chapter {n}: Part {n}\n\n",
            "“Salt on the stair.” ~The Harbour Band, “Low Tide”\n\n",
        ]
        written = 0
        k = 0
        while written < per_chapter:
            para = pool[rng.randrange(len(pool))]
            parts.append(para)
            written += len(para.encode()) + 2
            k += 1
            if k % 40 == 0:
                parts.append("\n\n\n")
            elif k % 97 == 0:
                parts.append("\n\n***\n\n")
            else:
                parts.append("\n\n")
        chunk = "".join(parts)
        out.append(chunk)
        size += len(chunk.encode())
    path.write_text("".join(out), encoding="utf-8")
    return size


def _time(fn: Any, repeat: int) -> float:
    """Best wall time of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    """Generate the dumps and time indexing and full parsing."""
    rows: list[dict[str, Any]] = []
    sizes = SIZES_MB[:2] if quick else SIZES_MB
    for megabytes, chapters in sizes:
        path = workdir / f"dump_{int(megabytes)}mb.txt"
        size = make_dump(path, megabytes, chapters)
        real_mb = size / (1024 * 1024)
        repeat = 3 if megabytes < 20 else 1

        def index_only(p: Path = path) -> None:
            load_story(p)

        def full(p: Path = path) -> None:
            story = load_story(p)
            for chapter in story.chapters:
                _ = chapter.blocks

        t_index = _time(index_only, repeat)
        t_full = _time(full, repeat)
        story = load_story(path)
        assert len(story.chapters) == chapters
        label = f"{real_mb:.1f} MB, {chapters} chapters"
        is_target = chapters == 200
        target = "< 1 s" if is_target else None
        rows += [
            row("parse", f"index (load_story), {label}", t_index, "s", target,
                t_index < 1.0 if is_target else None),
            row("parse", f"full parse (every chapter's blocks), {label}", t_full, "s", target,
                t_full < 1.0 if is_target else None),
            row("parse", f"chapters indexed per second, {label}", chapters / t_index,
                "chapters/s", digits=1),
        ]  # fmt: skip
    return rows


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for result in run(Path(tmp), quick="--quick" in sys.argv):
            print(result)
