"""The reader file under real processes: killed writers and racing sessions lose nothing."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tui_reader.state import Position, StateStore, doc_id_for

WORKER = Path(__file__).with_name("state_worker.py")
"""The helper script."""


def start(*args: str) -> subprocess.Popen[str]:
    """Run the worker script with the checkout importable."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def target_record(path: Path) -> dict[str, Any]:
    """Parse the whole reader file (it must be valid JSON) and return the "target" record."""
    data = json.loads(path.read_bytes())
    assert data["meta"]["1"]["schema_version"] == 1
    rec: dict[str, Any] = data["progress"][str(doc_id_for("target"))]
    return rec


def test_writer_killed_at_random_moments_leaves_old_or_new_record(data_dir: Path) -> None:
    seed = StateStore(data_dir)
    for i in range(20):  # other records that must come through untouched
        seed.save_position(f"other-{i}", Position(i, i, i), title=f"other {i}", write_now=True)
    seed.save_position("target", Position(0, 0, 0), title="title 0", path="/p/0", write_now=True)
    assert seed.path is not None
    path = seed.path
    rng = random.Random(5)
    zygote = start("zygote", str(data_dir))
    assert zygote.stdin is not None and zygote.stdout is not None
    last = 0
    moved = 0
    kills = 0
    try:
        # At least 200 kills; on a loaded machine a writer may die before its first write, so
        # go on (up to 1,000) until more than 100 kills have landed while writing was going on.
        while kills < 200 or (moved <= 100 and kills < 1000):
            kills += 1
            zygote.stdin.write("go\n")
            zygote.stdin.flush()
            pid = int(zygote.stdout.readline())
            time.sleep(rng.uniform(0.005, 0.030))
            os.kill(pid, signal.SIGKILL)
            assert zygote.stdout.readline().strip() == "reaped"

            rec = target_record(path)  # valid JSON, every time
            n = rec["chapter"]
            assert n >= last  # the old record or a newer one, never an older one
            assert (rec["paragraph"], rec["offset"]) == (2 * n, 3 * n)  # never half of one
            assert (rec["title"], rec["path"]) == (f"title {n}", f"/p/{n}")
            moved += n > last
            last = n
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=10)
    assert moved > 100  # the writers really were writing when killed
    store = StateStore(data_dir)
    assert store.warnings == []
    for i in range(20):
        assert store.position(f"other-{i}") == Position(i, i, i)
    assert list(path.parent.glob(".*.tmp")) == []  # the one a kill interrupted is cleaned up


@pytest.mark.parametrize("mode", ["at once", "background"])
def test_two_processes_updating_different_stories_lose_no_update(data_dir: Path, mode: str) -> None:
    count = 500
    extra = ["background"] if mode == "background" else []
    workers = [start("updates", str(data_dir), name, str(count), base, *extra) for name, base in
               (("a", "0"), ("b", "1000"))]  # fmt: skip
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "done"
        assert worker.wait(timeout=60) == 0

    store = StateStore(data_dir)
    assert store.warnings == []
    for prefix in ("a", "b"):
        for i in range(count):
            assert store.position(f"{prefix}-{i}") == Position(i, i + 1, i + 2), (prefix, i)
    # both sessions changed one record ("shared") field by field: both sets of marks are there
    expected = set(range(count // 10)) | {1000 + i for i in range(count // 10)}
    assert store.chapters_read("shared") == expected
    assert len(store.history(limit=10_000)) == 2 * count
