"""A few clients must not lock every reader out of ``tui-reader serve-ssh``.

127.0.0.2 (loopback, a bound source address) plays the flooding client: idle TCP connections
that never log in, and a key holder's session channels that never ask for a terminal. A reader
on 127.0.0.1 with the real OpenSSH client must still get the library.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

import asyncssh

from tests.e2e.test_ssh_reader import TITLE, Server, Tmux, pytestmark, tmux, wait_for
from tests.e2e.test_ssh_server import Held, open_bare_channel
from tests.fixtures.openssh import make_key

__all__ = ["pytestmark", "tmux"]  # the same marks (e2e, needs ssh and tmux) and tmux fixture

FLOOD = "127.0.0.2"
"""The flooding client's address."""


class Flood:
    """Idle TCP connections and terminal-less session channels from 127.0.0.2, in a thread."""

    def __init__(self, port: int, key: asyncssh.SSHKey, idle: int, channels: int) -> None:
        """Open ``channels`` channels (5 per connection), then ``idle`` TCP connections."""
        self.port = port
        self.key = key
        self.idle = idle
        self.channels = channels
        self.ready = threading.Event()
        """Set once everything is open."""
        self.stop = threading.Event()
        """Set to end the flood."""
        self.closed: list[Held] = []
        """Channels the server closed."""
        self.idle_open = 0
        """Idle connections the server kept open (not refused at once)."""
        self.error: BaseException | None = None
        """What went wrong in the thread."""
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        """The thread: run the flood on its own event loop."""
        try:
            asyncio.run(self._flood())
        except BaseException as exc:  # reported by the test
            self.error = exc
            self.ready.set()

    async def _flood(self) -> None:
        """Channels first (their connections log in), then the idle connections."""
        conns = []
        for _ in range(self.channels // 5):
            conn = await asyncssh.connect(
                "127.0.0.1",
                self.port,
                local_addr=(FLOOD, 0),
                known_hosts=None,
                agent_path=None,
                client_keys=[self.key],
                username="flood",
            )
            conns.append(conn)
            for _ in range(5):
                await open_bare_channel(conn, self.closed)
        writers = []
        for _ in range(self.idle):
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", self.port, local_addr=(FLOOD, 0)
            )
            writers.append((reader, writer))
        await asyncio.sleep(0.5)
        self.idle_open = sum(1 for reader, _ in writers if not reader.at_eof())
        self.ready.set()
        while not self.stop.is_set():
            await asyncio.sleep(0.1)
        for _, writer in writers:
            writer.close()
        for conn in conns:
            conn.close()


def test_flood_from_one_address_does_not_lock_readers_out(tmp_path: Path, tmux: Tmux) -> None:
    host = Server(tmp_path, "--pty-deadline", "2s", "--login-grace", "3s")
    flood: Flood | None = None
    try:
        flood = Flood(host.port, asyncssh.generate_private_key("ssh-ed25519"), 120, 20)
        assert flood.ready.wait(60), host.log
        assert flood.error is None, repr(flood.error)
        assert flood.idle_open <= 8  # the per-address cap on connections not logged in

        key = make_key(tmp_path / "reader")
        tmux.start(host.ssh(key, "-t"))
        wait_for(lambda: TITLE in tmux.screen(), 5, "the library", tmux.screen)

        check: Callable[[], bool] = lambda: len(flood.closed) == 20  # noqa: E731
        wait_for(check, 15, "the held channels to be closed", host.log_text)
        wait_for(lambda: f"login failed {FLOOD} key=-: no login" in host.log, 15, "", host.log_text)
        log = host.log
        assert log.count(f"closed {FLOOD} key=SHA256:") == 20
        assert log.count("no terminal requested within 2.0s") == 20
        assert f"refused {FLOOD}: too many connections not logged in from this address" in log
        assert "connect 127.0.0.1 key=SHA256:" in log
        assert TITLE in tmux.screen()  # the reader is undisturbed
    finally:
        if flood is not None:
            flood.stop.set()
            flood.thread.join(10)
        assert host.stop() == 0
