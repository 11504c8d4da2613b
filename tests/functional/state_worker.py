"""Helper processes for the state store's process tests (run as a script, not collected).

``state_worker.py updates DATA_DIR PREFIX COUNT SHARED_BASE [background]``
    Save COUNT positions for stories ``PREFIX-0`` .. ``PREFIX-<COUNT-1>`` (write_now each) and
    mark chapters ``SHARED_BASE + i`` read in the shared story "shared" every tenth step.
    Prints "ready" first and waits for a line on stdin so both workers start together. With
    "background" the store writes on its writer thread (as the app does) and is closed at the
    end; the worker then prints what could not be saved, if anything, before "done".

``state_worker.py zygote DATA_DIR``
    Import everything once, then for each line "go" on stdin fork a child that writes the story
    "target" in a loop forever (each record consistent: paragraph = 2 x chapter, offset =
    3 x chapter, title "title <chapter>"), print the child's pid, wait for it to die and print
    "reaped". The test kills the child with SIGKILL at a random moment.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from tui_reader.state import Position, StateStore


def updates(data_dir: Path, prefix: str, count: int, shared_base: int, background: bool) -> None:
    """Many quick writes of different stories, racing another process doing the same."""
    print("ready", flush=True)
    sys.stdin.readline()
    store = StateStore(data_dir, background=background)
    for i in range(count):
        store.save_position(f"{prefix}-{i}", Position(i, i + 1, i + 2), write_now=True)
        if i % 10 == 0:
            store.mark_chapter_read("shared", shared_base + i // 10)
    if background:
        unsaved = store.close(timeout=60)
        if unsaved is not None:
            print(unsaved, flush=True)
    print("done", flush=True)


def write_forever(data_dir: Path) -> None:
    """Keep moving the place in "target" forward, one write after another."""
    store = StateStore(data_dir)
    while True:
        pos = store.position("target")
        n = pos.chapter + 1 if pos else 1
        store.save_position(
            "target", Position(n, 2 * n, 3 * n), title=f"title {n}", path=f"/p/{n}", write_now=True
        )


def zygote(data_dir: Path) -> None:
    """Fork writers on request so each kill costs no interpreter start-up (nor the imports the
    store makes on its first write: a write in a scratch folder makes them here, once)."""
    with tempfile.TemporaryDirectory() as scratch:
        warm = StateStore(Path(scratch))
        warm.save_position("warm", Position(1, 2, 3), title="warm", write_now=True)
        warm.position("warm")
        del warm
    for line in sys.stdin:
        if line.strip() != "go":
            break
        pid = os.fork()
        if pid == 0:
            try:
                write_forever(data_dir)
            finally:
                os._exit(1)
        print(pid, flush=True)
        os.waitpid(pid, 0)
        print("reaped", flush=True)


def main(argv: list[str]) -> None:
    """Dispatch on the first argument."""
    if argv[0] == "updates":
        updates(Path(argv[1]), argv[2], int(argv[3]), int(argv[4]), argv[5:] == ["background"])
    elif argv[0] == "zygote":
        zygote(Path(argv[1]))
    else:
        raise SystemExit(f"unknown mode {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
