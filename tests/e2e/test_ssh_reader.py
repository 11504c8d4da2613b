"""The real reader over ssh: ``tui-reader serve-ssh`` in a subprocess, OpenSSH clients in tmux.

Each test starts the server on 127.0.0.1 and a free port with its own data dir and a small
generated library, and always stops it (SIGTERM, which must exit 0).
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fixtures.openssh import free_port, make_key, ssh_options

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not all(shutil.which(tool) for tool in ("ssh", "ssh-keygen", "tmux")),
        reason="needs the OpenSSH client and tmux",
    ),
]

TITLE = "The Lamplighter's Ledger"
"""Title of the generated story (it appears in the library list)."""

MARK = re.compile(r"Mark (\d+)\.")
"""Every paragraph starts with its own number, so a screen says where the reader is."""

WORDS = [
    *("wick", "brass", "ember", "lantern", "gutter", "alley", "rain", "copper", "ledger"),
    *("tally", "dusk", "kettle", "shutter", "moth", "harbour", "chimney", "soot", "cobble"),
    *("evening", "glass", "flame", "oil", "ladder", "pole", "hook", "street", "bridge"),
]
"""Words the generated paragraphs are made of (deterministic, original)."""


def write_story(folder: Path) -> Path:
    """A two-chapter Markdown story whose paragraphs are numbered ``Mark N.``."""
    lines = [
        "+++",
        f'title = "{TITLE}"',
        'author = "Test Fixture"',
        'rating = "General Audiences"',
        'warnings = ["No Archive Warnings Apply"]',
        "+++",
        "",
    ]
    number = 0
    for chapter in (1, 2):
        lines += [f"# Chapter {chapter}: Round {chapter}", ""]
        for _ in range(40):
            number += 1
            body = " ".join(WORDS[(number * 7 + i * 3) % len(WORDS)] for i in range(45))
            lines += [f"Mark {number}. The lamplighter counted {body}.", ""]
    path = folder / "lamplighters-ledger.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class Server:
    """A ``tui-reader serve-ssh`` subprocess and its log."""

    def __init__(self, tmp: Path, *extra: str) -> None:
        """Start the server and wait until it listens."""
        self.port = free_port()
        """The port it listens on."""
        self.data = tmp / "data"
        """Its data dir (reader state)."""
        self.log_path = tmp / f"server-{self.port}.log"
        """Its stderr."""
        library = tmp / "library"
        library.mkdir(exist_ok=True)
        write_story(library)
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "tui_reader", "serve-ssh"),
                *("--listen", f"127.0.0.1:{self.port}", "--data-dir", str(self.data)),
                *("--library", str(library), *extra),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        """The server process."""
        wait_for(lambda: "host key SHA256:" in self.log, 15, "server start", self.log_text)

    @property
    def log(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text()

    def log_text(self) -> str:
        """The log, for failure messages."""
        return self.log

    def stop(self) -> int:
        """SIGTERM, then wait; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return int(self.proc.returncode)

    def ssh(self, key: Path, *extra: str, command: tuple[str, ...] = ()) -> list[str]:
        """An OpenSSH command line for this server with ``key`` (then ``command``)."""
        return ["ssh", *ssh_options(key, self.port), *extra, "127.0.0.1", *command]


def wait_for(check: Callable[[], bool], timeout: float, what: str, show: Callable[[], str]) -> None:
    """Poll ``check`` until true; fail with ``show()`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}:\n{show()}")


class Tmux:
    """A private tmux server with one window running an ssh client."""

    def __init__(self, tmp: Path) -> None:
        """A tmux server on its own socket (nothing shared with the user's tmux)."""
        self.socket = str(tmp / f"tmux-{uuid.uuid4().hex[:8]}")
        """The tmux socket path."""

    def _tmux(self, *args: str) -> str:
        """Run a tmux command; its output."""
        done = subprocess.run(
            ["tmux", "-S", self.socket, *args], capture_output=True, text=True, check=False
        )
        return done.stdout

    def start(self, argv: list[str], cols: int = 100, rows: int = 32) -> None:
        """Run ``argv`` in a fresh detached window of ``cols`` x ``rows``."""
        self._tmux("kill-session", "-t", "t")
        command = " ".join(f"'{a}'" for a in argv)
        self._tmux("new-session", "-d", "-s", "t", "-x", str(cols), "-y", str(rows), command)
        self._tmux("set-option", "-t", "t", "remain-on-exit", "on")

    def keys(self, *keys: str) -> None:
        """Press keys (tmux names: Enter, Space, j...)."""
        for key in keys:
            self._tmux("send-keys", "-t", "t", key)
            time.sleep(0.15)

    def screen(self) -> str:
        """What the window shows now."""
        return self._tmux("capture-pane", "-p", "-t", "t")

    def wait(self, text: str, timeout: float = 20) -> str:
        """Wait until ``text`` is on screen; the screen."""
        wait_for(lambda: text in self.screen(), timeout, repr(text), self.screen)
        return self.screen()

    def disconnect(self) -> None:
        """Kill the window (and the ssh client in it), as a closed laptop lid would."""
        self._tmux("kill-session", "-t", "t")

    def resize(self, cols: int, rows: int) -> None:
        """Resize the window (the ssh client forwards the change)."""
        self._tmux("resize-window", "-t", "t", "-x", str(cols), "-y", str(rows))

    def close(self) -> None:
        """Stop the tmux server."""
        self._tmux("kill-server")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    """A private tmux, always stopped."""
    mux = Tmux(tmp_path)
    try:
        yield mux
    finally:
        mux.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Starts servers with extra options; each is stopped and must exit 0."""
    started: list[Server] = []

    def _start(*extra: str) -> Server:
        started.append(Server(tmp_path, *extra))
        return started[-1]

    try:
        yield _start
    finally:
        statuses = [s.stop() for s in started]
    assert statuses == [0] * len(started)


def first_mark(screen: str) -> int:
    """The first paragraph number on screen."""
    found = MARK.search(screen)
    assert found, screen
    return int(found.group(1))


def open_story(tmux: Tmux) -> str:
    """From the library (story selected), open it; the screen once text shows."""
    tmux.wait(TITLE)
    tmux.keys("Enter")
    return tmux.wait("Mark ")


def test_key_reads_disconnects_and_resumes_others_do_not(
    server: Callable[..., Server], tmux: Tmux, tmp_path: Path
) -> None:
    host = server()
    alice, bob = make_key(tmp_path / "alice"), make_key(tmp_path / "bob")
    tmux.start(host.ssh(alice, "-t"))
    first = open_story(tmux)
    assert first_mark(first) == 1
    tmux.keys("Space", "Space", "Space")
    wait_for(lambda: first_mark(tmux.screen()) > 4, 10, "paging", tmux.screen)
    time.sleep(0.4)
    place = first_mark(tmux.screen())
    tmux.disconnect()
    wait_for(lambda: "disconnect 127.0.0.1" in host.log, 10, "disconnect line", host.log_text)

    tmux.start(host.ssh(alice, "-t"))
    library = tmux.wait(TITLE)
    assert "Continue" in library
    tmux.keys("Enter")
    resumed = tmux.wait("Mark ")
    assert first_mark(resumed) == place
    tmux.disconnect()

    tmux.start(host.ssh(bob, "-t"))
    library = tmux.wait(TITLE)
    assert "Continue" not in library
    tmux.keys("Enter")
    assert first_mark(tmux.wait("Mark ")) == 1
    tmux.disconnect()
    wait_for(lambda: host.log.count("disconnect 127.0.0.1") == 3, 10, "disconnects", host.log_text)
    states = {p.stem: p.read_text() for p in (host.data / "readers").glob("*.json")}
    assert len(states) == 2 and all(name.startswith("key-sha256-") for name in states)
    connects = [line for line in host.log.splitlines() if " connect 127.0.0.1 " in line]
    assert len(connects) == 3 and all("term=" in c and "size=100x32" in c for c in connects)


def test_exec_command_shows_the_reader_not_a_shell(
    server: Callable[..., Server], tmux: Tmux, tmp_path: Path
) -> None:
    host = server()
    key = make_key(tmp_path / "key")
    tmux.start(host.ssh(key, "-t", command=("ls", "-la", "/")))
    screen = tmux.wait(TITLE)
    assert "ssh_host_ed25519_key" not in screen and "drwx" not in screen
    tmux.disconnect()
    done = subprocess.run(
        host.ssh(key, command=("ls",)), capture_output=True, text=True, timeout=20, check=False
    )
    assert done.stdout == "tui-reader needs a terminal: connect with ssh -t\n"
    assert done.returncode == 1


def test_session_cap_holds(server: Callable[..., Server], tmux: Tmux, tmp_path: Path) -> None:
    host = server("--max-sessions", "1")
    key = make_key(tmp_path / "key")
    tmux.start(host.ssh(key, "-t"))
    tmux.wait(TITLE)
    second = subprocess.run(
        [*host.ssh(key, "-tt")],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert "the server is full (1 readers at once)" in second.stdout
    assert second.returncode == 1
    assert TITLE in tmux.screen()  # the first reader is undisturbed


def test_window_resize_relays_out_the_reader(
    server: Callable[..., Server], tmux: Tmux, tmp_path: Path
) -> None:
    host = server()
    key = make_key(tmp_path / "key")
    tmux.start(host.ssh(key, "-t"))
    wide = open_story(tmux)
    tmux.keys("Space")
    time.sleep(0.5)
    wide = tmux.screen()
    widest = max(len(line.rstrip()) for line in wide.splitlines())
    assert widest > 70
    tmux.resize(56, 20)
    wait_for(
        lambda: max(len(line.rstrip()) for line in tmux.screen().splitlines()) <= 56,
        10,
        "re-layout",
        tmux.screen,
    )
    narrow = tmux.screen()
    assert len(narrow.splitlines()) == 20
    assert first_mark(narrow) == first_mark(wide)  # the same place, re-wrapped
    # the text is re-wrapped, not cut: every word line is a full narrow line of story words
    words = [w for line in narrow.splitlines()[2:8] for w in line.split()]
    assert any(w in WORDS for w in words)


def test_sigterm_tells_the_reader_and_saves_its_place(
    server: Callable[..., Server], tmux: Tmux, tmp_path: Path
) -> None:
    host = server()
    key = make_key(tmp_path / "key")
    tmux.start(host.ssh(key, "-t"))
    open_story(tmux)
    tmux.keys("Space", "Space")
    wait_for(lambda: first_mark(tmux.screen()) > 2, 10, "paging", tmux.screen)
    time.sleep(0.3)
    place = first_mark(tmux.screen())
    assert host.stop() == 0
    tmux.wait("server is shutting down")
    states = list((host.data / "readers").glob("key-*.json"))
    assert len(states) == 1
    progress = json.loads(states[0].read_text())["progress"]
    (saved,) = progress.values()
    assert saved["chapter"] == 0 and saved["paragraph"] in (place - 1, place - 2, place)


def test_anonymous_guest_leaves_no_state(
    server: Callable[..., Server], tmux: Tmux, tmp_path: Path
) -> None:
    nobody = tmp_path / "authorized_keys"
    nobody.write_text("# no keys: everyone is a guest\n")
    host = server("--allow-anonymous", "--authorized-keys", str(nobody))
    tmux.start(["ssh", *ssh_options(None, host.port), "-t", "127.0.0.1"])
    open_story(tmux)
    tmux.keys("Space", "Space")
    time.sleep(0.5)
    tmux.disconnect()
    wait_for(lambda: "disconnect 127.0.0.1 key=guest" in host.log, 10, "guest", host.log_text)
    time.sleep(0.5)
    readers = host.data / "readers"
    assert not (readers.exists() and any(readers.glob("*.json")))
