"""The server's side of the warm host: a fork request that is given up on leaves nothing open."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

import pytest

from tui_reader.ssh.warm_client import WarmHostClient, warm_host_env


def open_fds() -> set[str]:
    """This process's open file descriptors."""
    return set(os.listdir("/proc/self/fd"))


def test_a_fork_request_cancelled_while_waiting_for_the_answer_closes_its_socket(
    tmp_path: Path,
) -> None:
    """The ssh client leaving while its session is being forked cancels the request: the
    connection to the warm host is closed then, not left to the garbage collector."""

    async def scenario() -> set[str]:
        client = WarmHostClient(lambda line: None)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(tmp_path / "host.sock"))
        listener.listen(1)
        listener.setblocking(False)
        client.path = str(tmp_path / "host.sock")
        client.ready = True
        before = open_fds()
        task = asyncio.ensure_future(client.fork([], {}, "/", 80, 24))
        loop = asyncio.get_running_loop()
        conn, _ = await loop.sock_accept(listener)  # the "warm host" takes it, never answers
        conn.setblocking(False)
        while True:  # until the whole request arrived: the client now waits for the answer
            try:
                if conn.recv(1 << 16, socket.MSG_PEEK).endswith(b"\n"):
                    break
            except BlockingIOError:
                pass
            await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        conn.close()
        left = open_fds() - before
        listener.close()
        client.folder.rmdir()
        assert task.cancelled()
        return left

    assert asyncio.run(scenario()) == set()


def test_the_warm_host_runs_the_servers_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server run with ``PYTHONPATH`` (a source tree) starts its warm host with it, so the
    sessions run the server's code, not another installed copy; nothing else of the server's
    environment goes along."""
    monkeypatch.setenv("PYTHONPATH", "/srv/src")
    monkeypatch.setenv("SECRET_TOKEN", "x")
    env = warm_host_env(tmp_path)
    assert env["PYTHONPATH"] == "/srv/src"
    assert "SECRET_TOKEN" not in env
    assert env["HOME"] == str(tmp_path)
    monkeypatch.delenv("PYTHONPATH")
    assert "PYTHONPATH" not in warm_host_env(tmp_path)
