"""Search: FTS5 index build time and query latency on a generated library.

Full run: 1,000 stories of 50,000 words (50M words), as issue 6 asks. Quick run: 100 stories of
20,000 words. Query latency is the median and p95 over a fixed set of word, phrase and prefix
queries, each run against a warm index.
"""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

from benchmarks.harness import row
from tui_reader.search import SearchIndex

_SYLLABLES = ["ka", "lo", "mi", "ren", "sto", "va", "quil", "dor", "an", "bel", "tis", "or", "fen"]
_REAL = ["lantern", "heron", "ferry", "orchard", "harbour", "willow", "copper", "sparrow", "the"]


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """About 5,000 words with Zipf-like weights; a few real words sit at chosen ranks."""
    words = {"".join(rng.choices(_SYLLABLES, k=rng.randint(1, 4))) for _ in range(6000)}
    vocab = sorted(words)
    rng.shuffle(vocab)
    for rank, word in zip((0, 40, 90, 150, 300, 600, 1200, 2500, 4000), _REAL, strict=True):
        vocab.insert(rank, word)
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    return vocab, weights


_QUERIES = (
    "heron",
    "lantern willow",
    '"the lantern"',
    "ferr*",
    "orchard harbour",
    "sparrow",
    "zeppelin",
)


def _paragraph(rng: random.Random, vocab: list[str], weights: list[float]) -> str:
    """A paragraph of 40-80 words drawn from the vocabulary, in sentences of 6-14 words."""
    sentences = []
    left = rng.randint(40, 80)
    while left > 0:
        n = min(left, rng.randint(6, 14))
        words = rng.choices(vocab, weights, k=n)
        sentences.append(" ".join(words).capitalize() + ".")
        left -= n
    return " ".join(sentences)


def _write_library(root: Path, stories: int, words_each: int) -> int:
    """Generate ``stories`` native-format stories; returns the total word count."""
    rng = random.Random(1234)
    vocab, weights = _vocabulary(rng)
    total = 0
    chapters = 10
    for n in range(stories):
        parts = [f'+++\ntitle = "Generated Story {n:04d}"\nauthor = "Bench"\n+++\n']
        for c in range(1, chapters + 1):
            parts.append(f"# Chapter {c}\n")
            written = 0
            while written < words_each // chapters:
                para = _paragraph(rng, vocab, weights)
                written += len(para.split())
                parts.append(para + "\n")
        total += sum(len(p.split()) for p in parts[1:])
        (root / f"story-{n:04d}.md").write_text("\n".join(parts), encoding="utf-8")
    return total


def run(workdir: Path, quick: bool) -> list[dict[str, object]]:
    """Build the index for a generated library, then time queries."""
    stories, words_each = (100, 20_000) if quick else (1_000, 50_000)
    library = workdir / "library"
    library.mkdir()
    words = _write_library(library, stories, words_each)
    data = workdir / "data"
    data.mkdir()
    index = SearchIndex(library, data)
    start = time.perf_counter()
    index.update()
    build = time.perf_counter() - start
    start = time.perf_counter()
    index.update()
    noop = time.perf_counter() - start
    latencies = []
    for _round in range(5):
        for query in _QUERIES:
            t0 = time.perf_counter()
            index.search(query, limit=20)
            latencies.append((time.perf_counter() - t0) * 1000)
    index.close()
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    label = f"{stories} stories, {words / 1e6:.1f}M words"
    p50 = statistics.median(latencies)
    return [
        row("search", f"index build ({label})", build, "s", digits=2),
        row("search", f"index re-check, nothing changed ({label})", noop * 1000, "ms", digits=1),
        row("search", f"query p50 ({label})", p50, "ms", "< 100 ms", p50 < 100, digits=2),
        row("search", f"query p95 ({label})", p95, "ms", "< 100 ms", p95 < 100, digits=2),
    ]
