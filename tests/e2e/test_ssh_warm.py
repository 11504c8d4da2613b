"""Sessions forked from the warm host: isolated from each other, and surviving crashes.

``tui-reader serve-ssh`` runs on 127.0.0.1 (see ``test_ssh_reader.Server``); real OpenSSH
clients connect from private tmux servers. Every session here must have been forked from the
warm host (its connect line says ``start=warm`` and its parent is the warm host process).
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.test_ssh_lifecycle import alive
from tests.e2e.test_ssh_reader import (
    TITLE,
    Server,
    Tmux,
    first_mark,
    open_story,
    pytestmark,  # noqa: F401 - the same skips (OpenSSH client, tmux)
    wait_for,
)
from tests.e2e.test_ssh_reader import server as server  # the fixture
from tests.fixtures.openssh import make_key

WARM_READY = re.compile(r"warm host ready pid=(\d+)")
"""The server's line once a warm host answers."""

CONNECT = re.compile(r" connect 127\.0\.0\.1 key=(\S+) .* pid=(\d+) start=(warm|spawn)")
"""A session's connect line: its key, its process and how it was started."""


@pytest.fixture
def panes(tmp_path: Path) -> Iterator[Callable[[], Tmux]]:
    """Makes private tmux servers (one client each); all are stopped."""
    made: list[Tmux] = []

    def _make() -> Tmux:
        made.append(Tmux(tmp_path))
        return made[-1]

    try:
        yield _make
    finally:
        for pane in made:
            pane.close()


def warm_pids(host: Server) -> list[int]:
    """Every warm host the server started so far, oldest first."""
    return [int(pid) for pid in WARM_READY.findall(host.log)]


def wait_warm(host: Server, count: int = 1) -> int:
    """Wait until the server has had ``count`` warm hosts ready; the newest one's pid."""
    wait_for(lambda: len(warm_pids(host)) >= count, 60, "warm host", host.log_text)
    return warm_pids(host)[-1]


def sessions(host: Server) -> list[tuple[str, int, str]]:
    """(key, pid, how started) of every session so far, in order."""
    return [(key, int(pid), how) for key, pid, how in CONNECT.findall(host.log)]


def wait_sessions(host: Server, count: int) -> list[tuple[str, int, str]]:
    """Wait until ``count`` sessions have connected; all of them."""
    wait_for(lambda: len(sessions(host)) >= count, 30, f"{count} sessions", host.log_text)
    return sessions(host)


def parent(pid: int) -> int:
    """The parent process id of ``pid``."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def readers_of(
    server: Callable[..., Server], panes: Callable[[], Tmux], tmp_path: Path, *names: str
) -> tuple[Server, int, list[Path], list[Tmux]]:
    """A server whose warm host is ready (and its pid), and a key and a client per name."""
    host = server()
    warm = wait_warm(host)
    keys = [make_key(tmp_path / name) for name in names]
    return host, warm, keys, [panes() for _ in names]


def raw_output(pane: Tmux, path: Path) -> None:
    """Copy everything the pane's program prints, raw, to ``path``."""
    pane._tmux("pipe-pane", "-t", "t", "-o", f"cat >> '{path}'")


def test_forked_sessions_keep_their_own_environment_and_state(
    server: Callable[..., Server], panes: Callable[[], Tmux], tmp_path: Path
) -> None:
    host, warm, (alice, bob), (first, second) = readers_of(server, panes, tmp_path, "alice", "bob")
    # alice's client asks for truecolor; bob's (connecting while alice reads) does not
    first.start(host.ssh(alice, "-t", "-o", "SetEnv=COLORTERM=truecolor"))
    raw_output(first, tmp_path / "alice.out")
    open_story(first)
    second.start(host.ssh(bob, "-t"))
    raw_output(second, tmp_path / "bob.out")
    open_story(second)
    (a_key, a_pid, a_how), (b_key, b_pid, b_how) = wait_sessions(host, 2)
    assert (a_how, b_how) == ("warm", "warm")
    assert parent(a_pid) == warm and parent(b_pid) == warm and a_pid != b_pid
    assert a_key != b_key
    # both offered to the kernel's same-page merging, as the warm host was (where it has it)
    for pid in (warm, a_pid, b_pid):
        stat = Path(f"/proc/{pid}/ksm_stat")
        if stat.exists() and "ksm_merge_any" in stat.read_text():
            assert "ksm_merge_any: yes" in stat.read_text()

    first.keys("Space", "Space", "Space", "Space")
    wait_for(lambda: first_mark(first.screen()) > 5, 10, "alice paging", first.screen)
    second.keys("Space")
    wait_for(lambda: first_mark(second.screen()) > 1, 10, "bob paging", second.screen)
    time.sleep(0.4)
    a_place, b_place = first_mark(first.screen()), first_mark(second.screen())
    assert a_place > b_place
    first.disconnect()
    second.disconnect()
    wait_for(lambda: not alive(a_pid) and not alive(b_pid), 10, "readers to end", host.log_text)

    # the colours each client's reader chose follow its own environment only
    alice_out = (tmp_path / "alice.out").read_bytes()
    bob_out = (tmp_path / "bob.out").read_bytes()
    assert TITLE.encode() in alice_out and TITLE.encode() in bob_out
    assert b"\x1b[38;2;" in alice_out or b";38;2;" in alice_out
    assert b"38;2;" not in bob_out and b"38;5;" in bob_out

    # each reader wrote its own state file, with its own place
    def saved(path: Path) -> int:
        (record,) = json.loads(path.read_text())["progress"].values()
        return int(record["paragraph"])

    states = sorted((host.data / "readers").glob("key-*.json"))
    assert len(states) == 2
    places = sorted(saved(path) for path in states)
    assert places[0] < places[1]
    assert places[1] >= a_place - 2 and places[0] <= b_place


def test_a_crashed_session_touches_no_other(
    server: Callable[..., Server], panes: Callable[[], Tmux], tmp_path: Path
) -> None:
    host, warm, (alice, bob, carol), (first, second, third) = readers_of(
        server, panes, tmp_path, "alice", "bob", "carol"
    )
    first.start(host.ssh(alice, "-t"))
    open_story(first)
    second.start(host.ssh(bob, "-t"))
    open_story(second)
    (_, a_pid, _), (_, b_pid, b_how) = wait_sessions(host, 2)
    assert b_how == "warm" and parent(b_pid) == warm

    os.kill(a_pid, signal.SIGKILL)
    wait_for(lambda: host.log.count("disconnect 127.0.0.1") == 1, 10, "alice gone", host.log_text)
    # bob reads on
    before = first_mark(second.screen())
    second.keys("Space", "Space")
    wait_for(lambda: first_mark(second.screen()) > before, 10, "bob paging", second.screen)
    # the warm host is still the same process, and a new reader gets the library from it
    third.start(host.ssh(carol, "-t"))
    third.wait(TITLE)
    (_, c_pid, c_how) = wait_sessions(host, 3)[-1]
    assert c_how == "warm" and parent(c_pid) == warm
    assert warm_pids(host) == [warm]


def test_a_dead_warm_host_is_replaced(
    server: Callable[..., Server], panes: Callable[[], Tmux], tmp_path: Path
) -> None:
    host, warm, (alice, bob), (first, second) = readers_of(server, panes, tmp_path, "alice", "bob")
    first.start(host.ssh(alice, "-t"))
    open_story(first)
    ((_, a_pid, _),) = wait_sessions(host, 1)

    os.kill(warm, signal.SIGKILL)
    wait_for(lambda: f"warm host pid={warm} ended" in host.log, 10, "noticed", host.log_text)
    replacement = wait_warm(host, 2)
    assert replacement != warm

    # a reader forked from the dead host reads on, and its place is saved when it leaves
    first.keys("Space", "Space", "Space")
    wait_for(lambda: first_mark(first.screen()) > 3, 10, "alice paging", first.screen)
    time.sleep(0.4)
    place = first_mark(first.screen())
    first.disconnect()
    wait_for(lambda: not alive(a_pid), 10, "alice's reader to end", host.log_text)
    assert "did not exit" not in host.log
    (state,) = (host.data / "readers").glob("key-*.json")
    (record,) = json.loads(state.read_text())["progress"].values()
    assert record["paragraph"] in (place - 2, place - 1, place)

    # new readers are forked from the new warm host
    second.start(host.ssh(bob, "-t"))
    second.wait(TITLE)
    (_, b_pid, b_how) = wait_sessions(host, 2)[-1]
    assert b_how == "warm" and parent(b_pid) == replacement


def test_shutdown_saves_every_forked_readers_place(
    server: Callable[..., Server], panes: Callable[[], Tmux], tmp_path: Path
) -> None:
    host, warm, keys, clients = readers_of(server, panes, tmp_path, "alice", "bob")
    for key, pane, pages in zip(keys, clients, (2, 4), strict=True):
        pane.start(host.ssh(key, "-t"))
        open_story(pane)
        pane.keys(*["Space"] * pages)
        wait_for(lambda p=pane, n=pages: first_mark(p.screen()) > n, 10, "paging", pane.screen)
    time.sleep(0.4)
    places = [first_mark(pane.screen()) for pane in clients]
    readers = wait_sessions(host, 2)
    assert all(how == "warm" and parent(pid) == warm for _, pid, how in readers)

    assert host.stop() == 0
    for pane in clients:
        pane.wait("server is shutting down")
    assert "did not exit" not in host.log  # each forked reader saved and left in time
    saved = {}
    for path in (host.data / "readers").glob("key-*.json"):
        (record,) = json.loads(path.read_text())["progress"].values()
        saved[path.stem] = int(record["paragraph"])
    assert len(saved) == 2
    for place in places:
        assert any(value in (place - 2, place - 1, place) for value in saved.values())
    assert not any(alive(pid) for _, pid, _ in readers) and not alive(warm)
