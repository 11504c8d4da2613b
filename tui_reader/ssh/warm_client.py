"""The server's side of the warm host: start it, ask it for sessions, restart it when it dies.

See :mod:`tui_reader.ssh.warm` for the protocol. While the warm host is not ready (starting,
or dead and waiting to be restarted) :meth:`WarmHostClient.fork` returns None and the server
starts the reader the old way, as a new process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tui_reader.ssh.config import child_env

KSM_RUN = Path("/sys/kernel/mm/ksm/run")
"""Whether the kernel runs its same-page merging (``1``); absent where it has none."""


def page_merging_note(run_file: Path = KSM_RUN) -> str | None:
    """A line for the server's start when the kernel's same-page merging is off; else None.

    The warm host offers its memory, and so every session's, for merging
    (:func:`tui_reader.ssh.warm.offer_pages_for_merging`); only the host's administrator can
    turn the merging on. Measured with 50 sessions (``python -m benchmarks.mount_profile --pss
    50 --settle S``): 16.8 MiB of PSS each without it; with it at the kernel's default pace
    (100 pages every 20 ms), nothing merged at 2 minutes and 5.0 MiB each at 4 (ksmd used 2 %
    of a core); scanning ten times faster (``pages_to_scan`` 1000), 5.1 MiB at 1 minute (10 %).
    """
    try:
        run = run_file.read_text().strip()
    except OSError:
        return None  # no KSM in this kernel (or not Linux): nothing to suggest
    if run == "1":
        return None
    return (
        "tui-reader: the kernel's same-page merging (KSM) is off; with it on, sessions share "
        f"about two thirds of their memory within minutes (as root: echo 1 > {run_file})"
    )


def warm_host_env(folder: Path) -> dict[str, str]:
    """The warm host's environment: a reader's, built from nothing (:func:`child_env`), plus
    the server's ``PYTHONPATH`` when it has one.

    The warm host imports the app anew (``python -m tui_reader.ssh.warm``), so without the
    server's ``PYTHONPATH`` a server run from a source tree (``PYTHONPATH=src tui-reader
    serve-ssh``) would fork its sessions from whatever ``tui_reader`` the interpreter finds on
    its own (an installed one): other code than the server's. A session's environment is still
    the one the server gives it for each session (the warm host's is replaced at the fork).
    """
    env = child_env(None, folder)
    path = os.environ.get("PYTHONPATH")
    if path:
        env["PYTHONPATH"] = path
    return env


READY_TIMEOUT = 60.0
"""Seconds the warm host has to import the app and say it is ready."""

FORK_TIMEOUT = 10.0
"""Seconds the warm host has to answer one fork request."""

RESTART_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
"""Waits before restarting a warm host that died, longer each time it dies young."""

STABLE_AFTER = 60.0
"""A warm host that lived this long before dying is restarted after the shortest wait."""


async def _readable(sock: socket.socket, timeout: float) -> None:
    """Until ``sock`` has something to read (TimeoutError after ``timeout`` seconds)."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        """Something to read: let the waiter go (once)."""
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(sock.fileno(), wake)
    try:
        await asyncio.wait_for(ready, timeout)
    finally:
        loop.remove_reader(sock.fileno())


class ForkedSession:
    """A session process forked by the warm host: its pid, PTY master and exit report."""

    def __init__(self, pid: int, master: int, sock: socket.socket, buffered: bytes) -> None:
        """What the warm host answered (``buffered``: bytes read past the answer)."""
        self.pid = pid
        """The session's process id (it leads its own process group)."""
        self.master = master
        """Our side of its PTY."""
        self.sock = sock
        """The connection its exit status comes on."""
        self._buffer = bytearray(buffered)
        """What was read from ``sock`` and not parsed yet."""

    async def wait(self) -> int | None:
        """The exit status once it ended; None when the warm host died first (status lost)."""
        try:
            while b"\n" not in self._buffer:
                await _readable(self.sock, 1e9)
                try:
                    chunk = self.sock.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    return None
                if not chunk:
                    return None
                self._buffer += chunk
        finally:
            self.sock.close()
        line = bytes(self._buffer).split(b"\n", 1)[0].decode("ascii", "replace")
        word, _, value = line.partition(" ")
        if word == "exit" and value.lstrip("-").isdigit():
            return int(value)
        return None


class WarmHostClient:
    """Runs the warm host process for the server and forks sessions from it."""

    def __init__(self, log: Callable[[str], None]) -> None:
        """Nothing runs until ``start``; ``log`` gets one line per start, death and restart."""
        self.log = log
        """The server's log."""
        self.folder = Path(tempfile.mkdtemp(prefix="tui-reader-warm-"))
        """A private folder (mode 0700) for the socket."""
        self.path = str(self.folder / "host.sock")
        """The Unix socket the warm host listens on."""
        self.process: asyncio.subprocess.Process | None = None
        """The warm host process."""
        self.ready = False
        """True while the warm host answers fork requests."""
        self.closing = False
        """True once the server is shutting down (no restarts)."""
        self.starts = 0
        """How many warm hosts were started."""
        self._deaths_in_a_row = 0
        """Warm hosts that died young, one after another (picks the restart wait)."""
        self._task: asyncio.Task[None] | None = None
        """Starts, watches and restarts the warm host."""

    def start(self) -> None:
        """Start the warm host in the background (sessions spawn until it is ready)."""
        self._task = asyncio.ensure_future(self._run())

    @property
    def pid(self) -> int | None:
        """The warm host's process id while it runs."""
        return self.process.pid if self.process is not None else None

    async def _run(self) -> None:
        """Start the warm host; whenever it dies, restart it after a short wait."""
        while not self.closing:
            started = time.monotonic()
            try:
                await self._start_once()
            except (OSError, TimeoutError) as exc:
                self.log(f"warm host could not start: {exc}")
            if self.process is not None:
                status = await self.process.wait()
                self.ready = False
                if self.closing:
                    return
                self.log(f"warm host pid={self.process.pid} ended (status {status}); restarting")
            if time.monotonic() - started >= STABLE_AFTER:
                self._deaths_in_a_row = 0
            delay = RESTART_DELAYS[min(self._deaths_in_a_row, len(RESTART_DELAYS) - 1)]
            self._deaths_in_a_row += 1
            await asyncio.sleep(delay)

    async def _start_once(self) -> None:
        """Start one warm host and wait for its ``ready`` line."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        env = warm_host_env(self.folder)
        self.process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "tui_reader.ssh.warm", self.path),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
            cwd=str(self.folder),
            close_fds=True,
        )
        self.starts += 1
        assert self.process.stdout is not None
        try:
            line = await asyncio.wait_for(self.process.stdout.readline(), READY_TIMEOUT)
        except TimeoutError:
            self.process.kill()
            raise
        if line.strip() == b"ready":
            self.ready = True
            self.log(f"warm host ready pid={self.process.pid}")

    async def fork(
        self, args: list[str], env: dict[str, str], cwd: str, cols: int, rows: int
    ) -> ForkedSession | None:
        """A new session forked from the warm host; None when it cannot give one now."""
        if not self.ready:
            return None
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        request = {"args": args, "env": env, "cwd": cwd, "cols": cols, "rows": rows}
        fds: list[int] = []
        try:
            await asyncio.wait_for(loop.sock_connect(sock, self.path), FORK_TIMEOUT)
            await loop.sock_sendall(sock, json.dumps(request).encode() + b"\n")
            data = bytearray()
            deadline = time.monotonic() + FORK_TIMEOUT
            while b"\n" not in data:
                await _readable(sock, max(0.0, deadline - time.monotonic()))
                try:
                    chunk, got, _flags, _addr = socket.recv_fds(sock, 4096, 1)
                except BlockingIOError:
                    continue
                fds += got
                if not chunk:
                    break
                data += chunk
            line, _, rest = bytes(data).partition(b"\n")
            answer = json.loads(line or b"{}")
            pid = answer.get("pid") if isinstance(answer, dict) else None
            if not isinstance(pid, int) or len(fds) != 1:
                reason = answer.get("error") if isinstance(answer, dict) else None
                self.log(f"warm host refused a session: {reason or 'no answer'}")
                raise ValueError(reason)
        except BaseException as exc:  # refused, or given up on (cancelled): nothing left open
            for fd in fds:
                os.close(fd)
            sock.close()
            if isinstance(exc, (OSError, TimeoutError, ValueError)):
                return None
            raise
        return ForkedSession(pid, fds[0], sock, rest)

    async def close(self) -> None:
        """Stop the warm host (the sessions it forked are not touched) and remove the socket."""
        self.closing = True
        self.ready = False
        process = self.process
        if process is not None and process.returncode is None:
            if process.stdin is not None:
                process.stdin.close()  # it ends when its stdin closes
            try:
                await asyncio.wait_for(process.wait(), 3.0)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        shutil.rmtree(self.folder, ignore_errors=True)
