"""One ssh session of the host: a PTY and a reader child, pumped both ways.

The child is forked from the warm host when one is ready (see ``warm``), else spawned as a new
process; either way it runs the same reader entry point with the same arguments.

Also the idle timeout, the farewell lines and the one-line refusals (no terminal, limits).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from typing import TYPE_CHECKING, Any, cast

import asyncssh

from tui_reader.ssh.config import (
    INPUT_HIGH_WATER,
    EnvBudget,
    child_env,
    format_duration,
    safe_term,
)
from tui_reader.ssh.gate import StartTicket
from tui_reader.ssh.pty_child import RESET_TERMINAL, PtyChild, clamp_size

if TYPE_CHECKING:
    from tui_reader.ssh.server import Connection
    from tui_reader.ssh.warm_client import ForkedSession

NEEDS_TERMINAL = "tui-reader needs a terminal: connect with ssh -t"
"""The one line a session without a PTY gets before it is closed."""

SHUTTING_DOWN = "tui-reader: the server is shutting down"
"""What sessions are told when the server stops."""


class ReaderChannel(asyncssh.SSHServerChannel):
    """A session channel whose ``env`` requests are capped in number and size."""

    env_budget: EnvBudget
    """What this channel may still send as environment variables."""

    @classmethod
    def adopt(cls, chan: asyncssh.SSHServerChannel) -> ReaderChannel:
        """Make a channel from ``create_server_channel`` one of ours (same state, capped env)."""
        chan.__class__ = cls
        adopted = cast(ReaderChannel, chan)
        adopted.env_budget = EnvBudget()
        return adopted

    def _process_env_request(self, packet: Any) -> bool:
        """An ``env`` request: kept while within the caps (see ``EnvBudget``), else refused.

        asyncssh would keep every variable a client sends, without limit.
        """
        name = packet.get_string()
        value = packet.get_string()
        packet.check_end()
        if not self.env_budget.admit(name, value):
            return False
        self._env[name] = value
        return True


class ReaderSession(asyncssh.SSHServerSession):
    """One session channel: a PTY and a reader child, pumped both ways."""

    def __init__(self, owner: Connection) -> None:
        """A session on ``owner``'s connection."""
        self.owner = owner
        """The connection (identity, peer)."""
        self.host = owner.host
        """The server."""
        self.chan: asyncssh.SSHServerChannel | None = None
        """The ssh channel."""
        self.child: PtyChild | None = None
        """The reader child once started."""
        self.term = safe_term(None)
        """The client's TERM."""
        self.size = (80, 24)
        """The client's window (columns, rows)."""
        self.started = time.monotonic()
        """When the session began."""
        self.last_input = time.monotonic()
        """When the client last sent a key."""
        self.farewell: str | None = None
        """A line to show after the child ended (idle, shutdown)."""
        self.command: str | None = None
        """The exec command the client asked for (ignored: the reader runs)."""
        self._slot = False
        """Whether this session holds a limits slot."""
        self._logged = False
        """Whether the connect line was written."""
        self._closed = False
        """Whether the channel is gone."""
        self._idle_task: asyncio.Task[None] | None = None
        """The idle watcher."""
        self._pty_timer: asyncio.TimerHandle | None = None
        """Closes the channel if no terminal is asked for in time."""
        self._input_paused = False
        """Whether reading the channel is paused because the child is not taking input."""
        self._ticket: StartTicket | None = None
        """This session's place at the start gate while its reader starts."""

    # -- requests ------------------------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        """Keep the channel; it must ask for a terminal within the PTY deadline."""
        self.chan = chan
        deadline = self.host.settings.pty_deadline
        if deadline > 0:
            self._pty_timer = asyncio.get_running_loop().call_later(deadline, self._no_terminal)

    def _no_terminal(self) -> None:
        """The PTY deadline passed and no reader started (no terminal, or no shell after it)."""
        self._pty_timer = None
        if self.chan is None or self._closed:
            return
        missing = "terminal" if self.chan.get_terminal_type() is None else "shell"
        self.host.settings.log(
            f"closed {self.owner.peer} key={self.owner.key_label}: no {missing} requested within "
            f"{format_duration(self.host.settings.pty_deadline)}"
        )
        self.chan.close()

    def _cancel_pty_timer(self) -> None:
        """The session started (or the channel ended): no deadline any more."""
        if self._pty_timer is not None:
            self._pty_timer.cancel()
            self._pty_timer = None

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes):
        """Accept a PTY; remember TERM and the size."""
        self.term = safe_term(term_type)
        if term_size[0] and term_size[1]:
            self.size = clamp_size(term_size[0], term_size[1])
        return True

    def shell_requested(self) -> bool:
        """A shell request runs the reader."""
        return True

    def exec_requested(self, command: str) -> bool:
        """A command runs the reader too (never a shell); the command is ignored."""
        self.command = command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        """sftp and every other subsystem are refused."""
        self.host.settings.log(f"refused {self.owner.peer}: subsystem {subsystem[:40]!r}")
        return False

    def break_received(self, msec: int) -> bool:
        """Breaks are ignored."""
        return False

    def signal_received(self, signal_name: str) -> None:
        """Clients do not signal the reader."""

    # -- life ----------------------------------------------------------------------------------

    def session_started(self) -> None:
        """Start the reader, or say why not and close."""
        assert self.chan is not None
        self._cancel_pty_timer()
        if self.chan.get_terminal_type() is None:
            self._refuse(NEEDS_TERMINAL, 1, crlf=False)
            self.host.settings.log(
                f"refused {self.owner.peer} key={self.owner.key_label}: no terminal"
            )
            return
        if self.host.closing:
            self._refuse(SHUTTING_DOWN + ".", 1)
            return
        reason = self.host.limits.acquire(self.owner.peer)
        if reason is not None:
            self.host.settings.log(f"refused {self.owner.peer} key={self.owner.key_label}: limit")
            self._refuse(reason, 1)
            return
        self._slot = True
        self.host.spawn(self._start_child())

    def _refuse(self, message: str, status: int, *, crlf: bool = True) -> None:
        """Send one line and end the session with ``status``."""
        assert self.chan is not None
        self.chan.write((message + ("\r\n" if crlf else "\n")).encode())
        self.chan.exit(status)

    async def _start_child(self) -> None:
        """Spawn the reader on its own PTY at the client's size."""
        argv = self.host.settings.argv_for(self.owner.reader_id, self.owner.guest)
        env = self._child_env()
        self.child = PtyChild(
            argv,
            env,
            cols=self.size[0],
            rows=self.size[1],
            cwd=str(self.host.settings.data_dir),
            on_output=self._child_output,
            on_exit=self._child_exit,
            on_input_drained=self._resume_input,
        )
        self._ticket = await self.host.start_gate.enter()
        if self._closed or self.host.closing:  # the client left, or the server is stopping
            self._end_start()
            self._release()
            if not self._closed:
                self._refuse(SHUTTING_DOWN + ".", 1)
            return
        try:
            forked = await self._fork_from_warm_host(env)
            if forked is not None:
                self.child.adopt(forked)
            else:
                await self.child.start()
        except OSError as exc:
            self.child = None
            self._end_start()
            self._release()
            self.host.settings.log(f"error starting reader for {self.owner.peer}: {exc}")
            if not self._closed:
                self._refuse("tui-reader: the reader could not start; try again later", 1)
            return
        if self._closed:  # the client left while we were starting
            await self._stop_child(signal.SIGHUP)
            return
        self.host.sessions.add(self)
        self._logged = True
        self.host.settings.log(
            f"connect {self.owner.peer} key={self.owner.key_label} term={self.term} "
            f"size={self.size[0]}x{self.size[1]}"
            + (f" exec={self.command[:40]!r}" if self.command else "")
            + f" pid={self.child.pid} start={'warm' if self.child.forked else 'spawn'}"
        )
        if self.host.settings.idle_timeout > 0:
            self._idle_task = asyncio.ensure_future(self._watch_idle())

    async def _fork_from_warm_host(self, env: dict[str, str]) -> ForkedSession | None:
        """The reader forked from the warm host, or None (no warm host: spawn it instead)."""
        warm = self.host.warm
        if warm is None:
            return None
        args = self.host.settings.args_for(self.owner.reader_id, self.owner.guest)
        cwd = str(self.host.settings.data_dir)
        return await warm.fork(args, env, cwd, *self.size)

    def _child_env(self) -> dict[str, str]:
        """The child's environment: built from nothing (see ``config.child_env``)."""
        assert self.chan is not None
        colorterm = None
        with contextlib.suppress(Exception):
            colorterm = self.chan.get_environment().get("COLORTERM")
        return child_env(self.term, self.host.settings.data_dir, colorterm)

    def _child_output(self, data: bytes) -> None:
        """Pass the child's output to the client (and tell the start gate how far it got)."""
        if self._ticket is not None:
            self._ticket.output(len(data))
            if not self._ticket.held:
                self._ticket = None
        if self.chan is not None and not self._closed:
            self.chan.write(data)

    def _child_exit(self, status: int) -> None:
        """The reader ended: restore the client's terminal, say goodbye, close."""
        self.host.sessions.discard(self)
        self._end_start()
        if self._idle_task is not None:
            self._idle_task.cancel()
        if self.chan is not None and not self._closed:
            farewell = RESET_TERMINAL
            if self.farewell:
                farewell += b"\r\n" + self.farewell.encode() + b"\r\n"
            self.chan.write(farewell)
            self.chan.exit(status if status >= 0 else 1)
        self._release()

    async def _watch_idle(self) -> None:
        """End the session when nobody typed for the idle timeout."""
        limit = self.host.settings.idle_timeout
        while True:
            left = self.last_input + limit - time.monotonic()
            if left <= 0:
                break
            await asyncio.sleep(left)
        self.host.settings.log(f"idle {self.owner.peer} key={self.owner.key_label}")
        await self.end(
            f"tui-reader: no key pressed for {format_duration(limit)}, "
            f"so the session ended{self.saved_note}",
            signal.SIGHUP,
        )

    @property
    def saved_note(self) -> str:
        """What to add to a farewell about the reader's place (guests keep nothing)."""
        return "." if self.owner.guest else "; your place is saved."

    async def end(self, message: str, signum: int) -> None:
        """Ask the child to save and exit (``signum``), then show ``message`` and close."""
        self.farewell = message
        await self._stop_child(signum)

    async def _stop_child(self, signum: int) -> None:
        """Signal the child to save and exit; log it when it had to be killed."""
        child = self.child
        if child is None or child.returncode is not None:
            return
        grace = self.host.settings.shutdown_grace
        status = await child.stop(signum, grace)
        if status == -signal.SIGKILL:
            self.host.settings.log(
                f"killed reader of {self.owner.peer} key={self.owner.key_label}: "
                f"did not exit {grace:g}s after {signal.Signals(signum).name}"
            )

    # -- data ----------------------------------------------------------------------------------

    def data_received(self, data: bytes, datatype: int | None) -> None:
        """Keys from the client go to the child; stop reading while it does not take them."""
        self.last_input = time.monotonic()
        if self.child is not None:
            self.child.write(data)
            if self.child.pending_input > INPUT_HIGH_WATER and self.chan is not None:
                self._input_paused = True
                self.chan.pause_reading()

    def _resume_input(self) -> None:
        """The child took the queued keys: read the channel again."""
        if self._input_paused and self.chan is not None and not self._closed:
            self._input_paused = False
            self.chan.resume_reading()

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int):
        """Forward a window change to the child's PTY."""
        if width and height:
            self.size = clamp_size(width, height)
            if self.child is not None:
                self.child.resize(*self.size, pixwidth, pixheight)

    def pause_writing(self) -> None:
        """The client is slow: stop reading the child's output."""
        if self.child is not None:
            self.child.pause_output()

    def resume_writing(self) -> None:
        """The client caught up."""
        if self.child is not None:
            self.child.resume_output()

    def eof_received(self) -> bool:
        """The client's input ended: end the session."""
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        """The client left: the child gets SIGHUP (it saves), the slot is freed, and one log
        line is written when the child has exited."""
        self._closed = True
        self.owner.channels_open -= 1
        self._cancel_pty_timer()
        refused_env = getattr(self.chan, "env_budget", EnvBudget()).refused
        if refused_env:
            self.host.settings.log(
                f"refused {self.owner.peer} key={self.owner.key_label}: "
                f"{refused_env} env requests over the caps"
            )
        if self._idle_task is not None:
            self._idle_task.cancel()
        duration = time.monotonic() - self.started
        if self.child is not None and self.child.returncode is None:
            self.host.spawn(self._stop_then_log(duration))
        else:
            self._log_disconnect(duration)
        self._release()

    async def _stop_then_log(self, duration: float) -> None:
        """SIGHUP the child, and write the disconnect line once it has saved and exited."""
        try:
            await self._stop_child(signal.SIGHUP)
        finally:
            self._log_disconnect(duration)

    def _log_disconnect(self, duration: float) -> None:
        """The one disconnect line (once): by then the reader's place is on disk."""
        if self._logged:
            self._logged = False
            self.host.settings.log(
                f"disconnect {self.owner.peer} key={self.owner.key_label} term={self.term} "
                f"size={self.size[0]}x{self.size[1]} duration={format_duration(duration)}"
            )

    def _end_start(self) -> None:
        """Give back the place at the start gate, if still held."""
        if self._ticket is not None:
            self._ticket.release()
            self._ticket = None

    def _release(self) -> None:
        """Give back the limits slot (once)."""
        if self._slot:
            self._slot = False
            self.host.limits.release(self.owner.peer)
