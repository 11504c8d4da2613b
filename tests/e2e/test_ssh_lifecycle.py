"""The reader's process life in a real terminal: a terminal that dies at the first frame.

The reader runs under tmux (local) or behind ``tui-reader serve-ssh`` and the OpenSSH client;
the terminal is killed just as the first frame of the story shows. Nothing may be left
running afterwards and the reader's place must be on disk.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.e2e.test_ssh_reader import TITLE, Server, first_mark, wait_for
from tests.e2e.test_terminal import TAG, write_story
from tests.fixtures.openssh import make_key

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def alive(pid: int) -> bool:
    """True while ``pid`` is a running (not zombie) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> list[int]:
    """The running children of ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def readers(server: int) -> list[int]:
    """The running reader processes of a serve-ssh ``server``: those it spawned, and those its
    warm host forked (the warm host itself is not a reader)."""
    found = []
    for pid in children(server):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"tui_reader.ssh.warm" in command:
            found += children(pid)
        else:
            found.append(pid)
    return found


class Pane:
    """A private tmux server with one session; killed (and its server stopped) on close."""

    def __init__(self, tmp: Path) -> None:
        """A tmux on its own socket."""
        self.socket = str(tmp / f"tmux-{uuid.uuid4().hex[:8]}")
        """The tmux socket."""

    def tmux(self, *args: str) -> str:
        """Run a tmux command; its output."""
        done = subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True)
        return done.stdout

    def start(self, line: str) -> None:
        """Run the shell ``line`` in a new 100x32 session."""
        self.tmux("new-session", "-d", "-s", "t", "-x", "100", "-y", "32", line)

    def screen(self) -> list[str]:
        """The visible lines."""
        return self.tmux("capture-pane", "-p", "-t", "t").splitlines()

    def kill(self) -> None:
        """Kill the session: the terminal goes away (its PTY is closed)."""
        self.tmux("kill-session", "-t", "t")

    def close(self) -> None:
        """Stop the tmux server."""
        self.tmux("kill-server")


def saved_progress(data: Path, reader: str) -> dict[str, object]:
    """The one progress record in ``reader``'s state file."""
    state = json.loads((data / "readers" / f"{reader}.json").read_text())
    (record,) = state["progress"].values()
    return dict(record)


def test_terminal_killed_at_first_frame_leaves_no_process_and_saves(tmp_path: Path) -> None:
    story, _texts = write_story(tmp_path)
    data = tmp_path / "data"
    pid_file = tmp_path / "pid"
    env = f"env -u COLUMNS -u LINES TERM=xterm-256color TUI_READER_DATA={shlex.quote(str(data))}"
    reader = shlex.join([sys.executable, "-m", "tui_reader", str(story)])
    line = f"{env} sh -c 'echo $$ > {shlex.quote(str(pid_file))}; exec {reader}'"
    pane = Pane(tmp_path)
    try:
        # first run: pass the warning, page on, quit: a saved place
        pane.start(line)
        wait_for(lambda: any("Yes, continue" in x for x in pane.screen()), 20, "warning", str)
        pane.tmux("send-keys", "-t", "t", "y")
        wait_for(lambda: any(TAG.search(x) for x in pane.screen()[2:]), 20, "text", str)
        for _ in range(3):
            pane.tmux("send-keys", "-t", "t", "Space")
            time.sleep(0.3)
        pane.tmux("send-keys", "-t", "t", "q")
        wait_for(lambda: not alive(int(pid_file.read_text())), 10, "quit", str)
        place = saved_progress(data, "local")
        assert int(str(place["paragraph"])) > 3

        left: list[int] = []
        for _ in range(10):
            pid_file.unlink()
            started = time.time()
            pane.start(line)
            wait_for(
                lambda: pid_file.exists() and any(TAG.search(x) for x in pane.screen()[2:]),
                20,
                "the first frame",
                lambda: "\n".join(pane.screen()),
            )
            pid = int(pid_file.read_text())
            pane.kill()
            time.sleep(3)
            if alive(pid):
                left.append(pid)
                os.kill(pid, 9)
            now = saved_progress(data, "local")
            assert (now["chapter"], now["paragraph"]) == (place["chapter"], place["paragraph"])
            assert float(str(now["when"])) >= started  # written by this run, as it ended
        assert left == []
    finally:
        pane.close()


@pytest.mark.skipif(shutil.which("ssh") is None, reason="needs the OpenSSH client")
def test_ssh_client_killed_at_first_frame_leaves_no_child(tmp_path: Path) -> None:
    host = Server(tmp_path)
    key = make_key(tmp_path / "key")
    pane = Pane(tmp_path)
    try:
        pane.start(shlex.join(host.ssh(key, "-t")))
        wait_for(lambda: TITLE in "\n".join(pane.screen()), 20, "library", host.log_text)
        pane.tmux("send-keys", "-t", "t", "Enter")
        wait_for(lambda: "Mark " in "\n".join(pane.screen()), 20, "text", host.log_text)
        for _ in range(2):
            pane.tmux("send-keys", "-t", "t", "Space")
            time.sleep(0.3)
        place = first_mark("\n".join(pane.screen()))
        pane.kill()
        wait_for(lambda: not readers(host.proc.pid), 10, "the child to end", host.log_text)
        for _ in range(3):
            pane.start(shlex.join(host.ssh(key, "-t")))
            wait_for(lambda: TITLE in "\n".join(pane.screen()), 20, "first frame", host.log_text)
            kids = readers(host.proc.pid)
            assert kids, host.log
            pane.kill()
            time.sleep(3)
            assert not [pid for pid in kids if alive(pid)], host.log
        assert "did not exit" not in host.log
        (state,) = (host.data / "readers").glob("key-*.json")
        (record,) = json.loads(state.read_text())["progress"].values()
        assert record["paragraph"] in (place - 1, place - 2, place)
    finally:
        pane.close()
        assert host.stop() == 0


@pytest.mark.parametrize("hosted", [True, False])
async def test_a_hosted_reader_never_sees_a_traceback(
    tmp_path: Path, data_dir: Path, hosted: bool
) -> None:
    from io import StringIO

    from rich.console import Console

    from tui_reader.ui.app import HOSTED_ERROR, HOSTED_ERROR_LOG, TuiReaderApp

    library = tmp_path / "library"
    library.mkdir()
    write_story(library)
    app = TuiReaderApp(library, data_dir=data_dir, hosted=hosted)
    shown = StringIO()
    app.error_console = Console(file=shown, width=100)

    def boom() -> None:
        raise RuntimeError(f"broken while reading {library}")

    with pytest.raises(RuntimeError):
        async with app.run_test(size=(100, 32)) as pilot:
            app.call_later(boom)
            await pilot.pause()
    app._print_error_renderables()  # what the terminal gets as the app ends
    if hosted:
        assert shown.getvalue() == HOSTED_ERROR + "\n"
        assert "broken while reading" in (data_dir / HOSTED_ERROR_LOG).read_text()
    else:  # a local reader still gets Textual's traceback
        assert "Traceback" in shown.getvalue() and str(tmp_path) in shown.getvalue()


STUCK = r"""
import queue, sys, threading, time
from pathlib import Path
from tui_reader.ui.shutdown import ShutdownGuard

out = Path(sys.argv[1])
guard = ShutdownGuard(lambda: out.write_text("saved"))
guard.install()
guard.request_exit = lambda signum: None  # the app's loop never runs the request
if sys.argv[2] == "writer-dies":
    def writer() -> None:
        time.sleep(0.3)
        raise OSError(5, "Input/output error")  # a terminal that went away
    threading.Thread(target=writer, name="textual-output", daemon=True).start()
print("blocked", flush=True)
full = queue.Queue(1)
full.put("frame")
full.put("frame")  # blocks for ever, as Textual's shutdown does on a dead terminal
"""
"""The main thread stuck in ``Queue.put`` on a full queue whose consumer is gone."""


@pytest.mark.parametrize("cause", ["SIGTERM", "SIGHUP", "writer-dies"])
def test_guard_saves_and_exits_when_the_main_thread_is_stuck(tmp_path: Path, cause: str) -> None:
    import signal

    script = tmp_path / "stuck.py"
    script.write_text(STUCK)
    saved = tmp_path / "saved"
    proc = subprocess.Popen(
        [sys.executable, str(script), str(saved), cause],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "blocked\n"
        if cause != "writer-dies":
            proc.send_signal(getattr(signal, cause))
        status = proc.wait(timeout=10)  # without the guard it never ends
    finally:
        if proc.poll() is None:
            proc.kill()
    assert status == 0
    assert saved.read_text() == "saved"
