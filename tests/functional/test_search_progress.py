"""Index builds show their progress and can be stopped: the UI search screen and the CLI."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from tui_reader.search import SearchIndex


def write_stories(folder: Path, count: int, paragraphs: int = 3) -> None:
    """``count`` small native stories, each with the word ``lighthouse`` in its last paragraph."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        body = [
            f"Paragraph {p} of story {n}: the tide came in over the sand."
            for p in range(paragraphs)
        ]
        body.append(f"The lighthouse keeper of story {n} lit the lamp.")
        text = (
            f'+++\ntitle = "Tide {n:03d}"\nauthor = "Test Author"\n+++\n\n# One\n\n'
            + "\n\n".join(body)
        )
        (folder / f"tide-{n:03d}.md").write_text(text + "\n", encoding="utf-8")


def indexed_files(library: Path, data: Path) -> int:
    """How many files the on-disk index holds (read without updating it)."""
    index = SearchIndex(library, data)
    try:
        return int(index.db.execute("SELECT count(*) FROM docs").fetchone()[0])
    finally:
        index.close()


def test_a_stopped_build_keeps_what_it_stored_and_the_next_update_goes_on(
    tmp_path: Path, data_dir: Path
) -> None:
    """What escape in the search screen does: ``stop()`` turns true, no further file is stored."""
    library = tmp_path / "lib"
    write_stories(library, 5)
    seen: list[tuple[int, int]] = []
    index = SearchIndex(library, data_dir)
    assert (
        index.update(lambda done, total: seen.append((done, total)), stop=lambda: len(seen) >= 2)
        == 2
    )
    assert seen == [(1, 5), (2, 5)]
    index.close()
    assert indexed_files(library, data_dir) == 2
    index = SearchIndex(library, data_dir)
    assert index.update() == 3
    assert len(index.search("lighthouse", limit=50)) == 5
    index.close()


def _default_sigint() -> None:
    """(In the child, before it runs.) SIGINT back to its default: Python then turns it into
    KeyboardInterrupt, as for a reader pressing ctrl+c."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_on_a_terminal(args: list[str], until: bytes | None = None) -> tuple[int, bytes, bytes]:
    """Run ``tui-reader`` with stderr on a pseudo-terminal; ctrl+c once ``until`` shows there.

    Returns the exit code, stdout, and what the terminal showed.
    """
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_reader", *args],
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
        # ctrl+c as a terminal delivers it: a runner started in the background (no job control)
        # ignores SIGINT, and its children would inherit that
        preexec_fn=_default_sigint,
    )
    os.close(slave)
    shown = b""
    interrupted = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            if not chunk and proc.poll() is not None:
                break
            shown += chunk
        elif proc.poll() is not None:
            break
        if until is not None and not interrupted and until in shown:
            proc.send_signal(signal.SIGINT)
            interrupted = True
    out = proc.stdout.read() if proc.stdout else b""
    code = proc.wait(30)
    os.close(master)
    return code, out, shown


def test_cli_draws_a_progress_bar_on_a_terminal_only(tmp_path: Path, data_dir: Path) -> None:
    library = tmp_path / "lib"
    write_stories(library, 12)
    code, out, shown = run_on_a_terminal(["search", "lighthouse", "--library", str(library)])
    assert code == 0, shown
    assert b"indexing the library" in shown
    assert b"12/12" in shown
    assert out.count(b"The [lighthouse] keeper") == 12
    # searched again: nothing to index, no bar
    code, out, shown = run_on_a_terminal(["search", "tide", "--library", str(library)])
    assert code == 0 and b"indexing" not in shown
    # not a terminal: no bar at all
    write_stories(tmp_path / "lib2", 12)
    piped = subprocess.run(
        [sys.executable, "-m", "tui_reader", "search", "tide", "--library", str(tmp_path / "lib2")],
        capture_output=True,
        timeout=120,
    )
    assert piped.returncode == 0 and piped.stderr == b""


def test_ctrl_c_during_a_cli_build_leaves_a_consistent_index(
    tmp_path: Path, data_dir: Path
) -> None:
    library = tmp_path / "lib"
    write_stories(library, 200, paragraphs=400)
    code, out, shown = run_on_a_terminal(
        ["search", "lighthouse", "--library", str(library)], until=b"/200"
    )
    assert code == 130, shown
    assert b"search: interrupted; the files indexed so far are kept" in shown
    assert b"Traceback" not in shown and out == b""
    done = indexed_files(library, data_dir)
    assert 0 < done < 200
    index = SearchIndex(library, data_dir)
    assert index.update() == 200 - done
    hits = index.search("lighthouse", limit=300)
    assert sorted(h.title for h in hits) == [f"Tide {n:03d}" for n in range(200)]
    index.close()
