"""A child process on its own pseudo-terminal, pumped by the asyncio loop.

The child gets a new session (setsid) with the PTY's slave side as its controlling terminal,
so the kernel delivers SIGWINCH on a resize and SIGHUP when the terminal goes away, exactly as
with a local terminal. The parent keeps only the master side, non-blocking.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import signal
import struct
import termios
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui_reader.ssh.warm_client import ForkedSession

RESET_TERMINAL = (
    b"\x1b[0m\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?1004l"
    b"\x1b[?2004l\x1b[?2048l\x1b[?1049l\x1b[?7h\x1b[?25h"
)
"""Bytes that undo what a full-screen app may leave on (mouse, paste, alt screen, cursor)."""


MAX_TERMINAL_SIDE = 4096
"""Most columns or rows a PTY is given, whatever the client asks for."""


def clamp_size(cols: int, rows: int) -> tuple[int, int]:
    """The window size actually applied for a requested (columns, rows)."""
    return (
        max(1, min(int(cols), MAX_TERMINAL_SIDE)),
        max(1, min(int(rows), MAX_TERMINAL_SIDE)),
    )


def set_winsize(fd: int, cols: int, rows: int, xpixel: int = 0, ypixel: int = 0) -> None:
    """Set a terminal's window size (the kernel signals SIGWINCH to its foreground group)."""
    cols, rows = clamp_size(cols, rows)
    packed = struct.pack("HHHH", rows, cols, max(0, xpixel) & 0xFFFF, max(0, ypixel) & 0xFFFF)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, packed)


def _take_controlling_terminal() -> None:  # pragma: no cover - runs in the forked child
    """In the child, after setsid: make stdin (the PTY slave) the controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class PtyChild:
    """One child process on its own PTY; output goes to ``on_output``, exit to ``on_exit``."""

    def __init__(
        self,
        argv: Sequence[str],
        env: dict[str, str],
        *,
        cols: int,
        rows: int,
        cwd: str | None = None,
        on_output: Callable[[bytes], None],
        on_exit: Callable[[int], None],
        on_input_drained: Callable[[], None] | None = None,
    ) -> None:
        """Remember what to run; ``start()`` runs it."""
        self.argv = list(argv)
        """The command line."""
        self.env = env
        """The child's entire environment."""
        self.size = (cols, rows)
        """Window size the child starts with."""
        self.cwd = cwd
        """Working directory of the child."""
        self.on_output = on_output
        """Called with each chunk the child writes to its terminal."""
        self.on_exit = on_exit
        """Called once with the exit status (negative signal number if killed)."""
        self.on_input_drained = on_input_drained
        """Called when input that had to be queued has all gone to the child."""
        self.master: int | None = None
        """Our side of the PTY (None once closed)."""
        self.process: asyncio.subprocess.Process | None = None
        """The running child."""
        self.returncode: int | None = None
        """Exit status once it ended."""
        self._pending = bytearray()
        """Input not yet accepted by the PTY (written when it drains)."""
        self._reading = False
        """Whether the loop watches the master for output."""
        self._paused = False
        """Whether output is paused because the client is slow to take it."""
        self._wait_task: asyncio.Task[None] | None = None
        """The task that waits for the child to end."""
        self._pid: int | None = None
        """The child's process id once started."""
        self.forked = False
        """True when the child was forked by the warm host rather than spawned."""

    @property
    def pid(self) -> int | None:
        """The child's process id."""
        return self._pid

    async def start(self) -> None:
        """Open the PTY and start the child on it."""
        master, slave = os.openpty()
        try:
            set_winsize(slave, *self.size)
            attrs = termios.tcgetattr(slave)
            attrs[3] |= termios.ECHO | termios.ICANON | termios.ISIG
            termios.tcsetattr(slave, termios.TCSANOW, attrs)
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=self.env,
                cwd=self.cwd,
                close_fds=True,
                start_new_session=True,
                preexec_fn=_take_controlling_terminal,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self._pid = self.process.pid
        self._watch(master, self.process.wait())

    def adopt(self, session: ForkedSession) -> None:
        """Take over a session the warm host forked (its PTY master, its pid, its exit)."""
        self.forked = True
        self._pid = session.pid
        self._watch(session.master, self._forked_exit(session))

    def _watch(self, master: int, ended: Coroutine[object, object, int]) -> None:
        """Pump ``master`` from now on and report once ``ended`` gives the exit status."""
        os.set_blocking(master, False)
        self.master = master
        self._resume_reading()
        self._wait_task = asyncio.ensure_future(self._wait(ended))

    async def _forked_exit(self, session: ForkedSession) -> int:
        """A forked child's status from the warm host; if the host died first, 1 once it ends."""
        status = await session.wait()
        if status is not None:
            return status
        while _running(session.pid) and self.master is not None:
            await asyncio.sleep(0.5)
        return 1

    async def _wait(self, ended: Coroutine[object, object, int]) -> None:
        """Wait for the child, drain what it wrote last, close the PTY and report."""
        code = await ended
        self._drain()
        self.returncode = code
        self.close_pty()
        self.on_exit(code)

    def _resume_reading(self) -> None:
        """Watch the master for output."""
        if self.master is not None and not self._reading and not self._paused:
            asyncio.get_running_loop().add_reader(self.master, self._read_ready)
            self._reading = True

    def _stop_reading(self) -> None:
        """Stop watching the master for output."""
        if self.master is not None and self._reading:
            asyncio.get_running_loop().remove_reader(self.master)
        self._reading = False

    def _read_ready(self) -> None:
        """Move what the child wrote to ``on_output``."""
        if self.master is None:
            return
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError as exc:  # EIO: every slave fd closed (the child is gone)
            if exc.errno in (errno.EIO, errno.EBADF):
                self._stop_reading()
                return
            raise
        if data:
            self.on_output(data)
        else:
            self._stop_reading()

    def _drain(self) -> None:
        """Read everything left in the PTY (the child has ended)."""
        for _ in range(64):
            if self.master is None:
                return
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.on_output(data)

    def pause_output(self) -> None:
        """Stop reading the child's output until ``resume_output`` (client flow control)."""
        self._paused = True
        self._stop_reading()

    def resume_output(self) -> None:
        """Read the child's output again."""
        self._paused = False
        self._resume_reading()

    @property
    def pending_input(self) -> int:
        """Bytes of input queued because the child is not reading them."""
        return len(self._pending)

    def write(self, data: bytes) -> None:
        """Send input (keys) to the child; what the PTY cannot take now is queued."""
        if self.master is None or not data:
            return
        if self._pending:
            self._pending += data
            return
        try:
            written = os.write(self.master, data)
        except BlockingIOError:
            written = 0
        except OSError:
            return
        if written < len(data):
            self._pending += data[written:]
            asyncio.get_running_loop().add_writer(self.master, self._write_ready)

    def _write_ready(self) -> None:
        """Write queued input now the PTY drained."""
        if self.master is None:
            return
        try:
            written = os.write(self.master, self._pending)
        except BlockingIOError:
            return
        except OSError:
            written = len(self._pending)
        del self._pending[:written]
        if not self._pending:
            asyncio.get_running_loop().remove_writer(self.master)
            if self.on_input_drained is not None:
                self.on_input_drained()

    def resize(self, cols: int, rows: int, xpixel: int = 0, ypixel: int = 0) -> None:
        """Forward a window change (TIOCSWINSZ on the master; the kernel sends SIGWINCH)."""
        self.size = (cols, rows)
        if self.master is not None:
            with contextlib.suppress(OSError):
                set_winsize(self.master, cols, rows, xpixel, ypixel)

    def send_signal(self, signum: int) -> None:
        """Send a signal to the child's whole process group (it leads its own session)."""
        if self._pid is None or self.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._pid, signum)

    async def stop(self, signum: int = signal.SIGHUP, grace: float = 3.0) -> int | None:
        """Signal the child, wait up to ``grace`` seconds, then kill it; returns its status."""
        if self._pid is None:
            return None
        if self.returncode is None:
            self.send_signal(signum)
            try:
                await asyncio.wait_for(asyncio.shield(self._finished()), grace)
            except TimeoutError:
                self.send_signal(signal.SIGKILL)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self._finished()), 2.0)
        return self.returncode

    async def _finished(self) -> None:
        """Until the child ended and was reported."""
        if self._wait_task is not None:
            await self._wait_task

    def close_pty(self) -> None:
        """Close our side of the PTY."""
        if self.master is None:
            return
        self._stop_reading()
        loop = asyncio.get_running_loop()
        if self._pending:
            loop.remove_writer(self.master)
            self._pending.clear()
        os.close(self.master)
        self.master = None
