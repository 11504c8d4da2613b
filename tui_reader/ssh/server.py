"""``tui-reader serve-ssh``: host the library over ssh with asyncssh.

Each ssh session with a terminal runs the reader in its own child process on its own PTY
(see ``pty_child``), forked from a warm host that has imported the app already (see ``warm``;
a new process while there is none); this module does authentication, identity, limits, logging, idle
timeouts and graceful shutdown. No shell, no forwarding, no subsystems: the only thing a
client can reach is the reader.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from tui_reader.config import config_path, load_settings
from tui_reader.paths import data_dir as resolve_data_dir
from tui_reader.paths import default_library_dir
from tui_reader.ssh.config import (
    CHANNEL_WINDOW,
    Limits,
    PreAuth,
    format_duration,
    parse_duration,
    parse_listen,
    reader_args,
    reader_argv,
    reader_id_for,
)
from tui_reader.ssh.gate import StartGate, default_slots
from tui_reader.ssh.keys import AuthorizedKeys, guest_id, load_or_create_host_key
from tui_reader.ssh.session import SHUTTING_DOWN, ReaderChannel, ReaderSession
from tui_reader.ssh.warm_client import WarmHostClient, page_merging_note

ChildArgv = Callable[[str, bool], list[str]]
"""Builds a child's command line from (reader id, guest)."""


def _log_line(message: str) -> None:
    """Write one log line to stderr with the local time."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    print(f"{stamp} {message}", file=sys.stderr, flush=True)


@dataclass
class Settings:
    """Everything the host needs, parsed and checked."""

    host: str
    """Address to listen on."""
    port: int
    """Port to listen on (0: any free port)."""
    host_key: Path
    """The ed25519 host key file (made on first run)."""
    library: Path
    """The library folder every reader sees."""
    data_dir: Path
    """Reader state and caches (one state file per identity)."""
    authorized_keys: Path | None = None
    """When set, only keys in this file get in."""
    allow_anonymous: bool = False
    """Let clients without an accepted key in as guests."""
    max_sessions: int = 50
    """Most sessions at once."""
    max_per_ip: int = 5
    """Most sessions at once from one address."""
    max_unauthenticated_per_ip: int = 8
    """Most connections at once from one address that have not logged in yet."""
    idle_timeout: float = 1800.0
    """Seconds without a key press before a session ends (0: never)."""
    login_timeout: float = 10.0
    """Seconds a client has to authenticate (the login grace)."""
    pty_deadline: float = 10.0
    """Seconds a session channel has to ask for a terminal before it is closed."""
    keepalive_interval: float = 30.0
    """Seconds between keepalive probes; three missed ones drop the connection."""
    session_wait: float = 20.0
    """Seconds an authenticated connection may go without opening a session (0: forever)."""
    shutdown_grace: float = 3.0
    """Seconds a child has to save and exit after SIGTERM/SIGHUP before it is killed."""
    config: Path | None = None
    """The host's config file every session reads (None: the defaults; readers cannot name one)."""
    child_argv: ChildArgv | None = None
    """The child's command line; None runs the reader (tests substitute a small script)."""
    warm_host: bool = True
    """Fork sessions from a warm host (the reader only: never with ``child_argv``)."""
    start_slots: int = field(default_factory=default_slots)
    """Sessions that may be starting (drawing their first screen) at once; 0: no limit."""
    log: Callable[[str], None] = field(default=_log_line)
    """Where connect/disconnect lines go."""

    def argv_for(self, reader_id: str, guest: bool) -> list[str]:
        """The command line of a session's child."""
        if self.child_argv is not None:
            return self.child_argv(reader_id, guest)
        return reader_argv(self.library, self.data_dir, reader_id, guest=guest, config=self.config)

    def args_for(self, reader_id: str, guest: bool) -> list[str]:
        """A session's reader arguments as the warm host takes them (after ``-m tui_reader``)."""
        return reader_args(self.library, self.data_dir, reader_id, guest=guest, config=self.config)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from the ``serve-ssh`` command line; ValueError with a one-line reason."""
    host, port = parse_listen(args.listen)
    data = resolve_data_dir(args.data_dir)
    library = Path(args.library).expanduser() if args.library else default_library_dir(data)
    if not library.is_dir():
        raise ValueError(f"{library}: no such library folder")
    authorized = Path(args.authorized_keys).expanduser() if args.authorized_keys else None
    if authorized is not None and not authorized.is_file():
        raise ValueError(f"{authorized}: no such authorized keys file")
    if args.max_sessions < 1 or args.max_per_ip < 1 or args.max_unauthenticated_per_ip < 1:
        raise ValueError(
            "--max-sessions, --max-per-ip and --max-unauthenticated-per-ip must be at least 1"
        )
    login_grace = parse_duration(args.login_grace)
    pty_deadline = parse_duration(args.pty_deadline)
    if login_grace <= 0 or pty_deadline <= 0:
        raise ValueError("--login-grace and --pty-deadline must be more than 0")
    host_key = Path(args.host_key).expanduser() if args.host_key else None
    starting = getattr(args, "max_starting", None)
    if starting is not None and starting < 0:
        raise ValueError("--max-starting must be 0 (no limit) or more")
    config = host_config(getattr(args, "config", None))
    return Settings(
        host=host,
        port=port,
        host_key=host_key or data / "ssh_host_ed25519_key",
        library=library.resolve(),
        data_dir=data.resolve(),
        authorized_keys=authorized,
        allow_anonymous=args.allow_anonymous,
        max_sessions=args.max_sessions,
        max_per_ip=args.max_per_ip,
        max_unauthenticated_per_ip=args.max_unauthenticated_per_ip,
        idle_timeout=parse_duration(args.idle_timeout),
        login_timeout=login_grace,
        pty_deadline=pty_deadline,
        config=config,
        warm_host=not getattr(args, "no_warm_host", False),
        start_slots=default_slots() if starting is None else starting,
    )


def host_config(explicit: str | None) -> Path | None:
    """The host's config file for every session; its problems are printed now, one line each."""
    path, _named = config_path(explicit)
    for problem in load_settings(explicit).problems:
        print(problem, file=sys.stderr)
    return path.resolve() if path.is_file() else None


class ReaderHost:
    """The running server: listener, live sessions and their limits."""

    def __init__(self, settings: Settings) -> None:
        """Prepare (nothing listens until ``start``)."""
        self.settings = settings
        """What to serve and how."""
        self.limits = Limits(settings.max_sessions, settings.max_per_ip)
        """Session slots taken per address."""
        self.pre_auth = PreAuth(
            self.max_connections - settings.max_sessions, settings.max_unauthenticated_per_ip
        )
        """Slots of connections not logged in yet: never the whole connection cap."""
        self._refusals: dict[str, tuple[float, int]] = {}
        """Per address: when a refusal was last logged and how many were not logged since."""
        self.sessions: set[ReaderSession] = set()
        """Sessions with a running child."""
        self.connections: set[Connection] = set()
        """Open ssh connections (authenticated or not)."""
        self.acceptor: asyncssh.SSHAcceptor | None = None
        """The listener once started."""
        self.host_fingerprint = ""
        """SHA256 fingerprint of the host key."""
        self.closing = False
        """True once shutdown started: no new sessions."""
        self.tasks: set[asyncio.Future[object]] = set()
        """Background tasks kept alive until done."""
        self.warm: WarmHostClient | None = None
        """The warm host sessions are forked from (None: every session is a new process)."""
        self.start_gate = StartGate(settings.start_slots)
        """How many sessions may be starting at once."""

    def spawn(self, coro: Coroutine[object, object, object]) -> None:
        """Run ``coro`` in the background, holding a reference until it finishes."""
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    @property
    def port(self) -> int:
        """The port actually listened on."""
        assert self.acceptor is not None
        return int(self.acceptor.get_port())

    @property
    def max_connections(self) -> int:
        """Hard cap on connections (authenticating ones included), against floods.

        Connections not logged in yet may hold all but ``max_sessions`` of it, so clients that
        never authenticate can never keep readers out.
        """
        return self.settings.max_sessions + max(8, self.settings.max_sessions)

    def log_refusal(self, peer: str, reason: str) -> None:
        """Log a refused connection, at most once per address every 10 s (with a count)."""
        now = time.monotonic()
        last, skipped = self._refusals.get(peer, (-1e9, 0))
        if now - last < 10.0:
            self._refusals[peer] = (last, skipped + 1)
            return
        more = f" ({skipped} more refused since)" if skipped else ""
        self._refusals[peer] = (now, 0)
        self.settings.log(f"refused {peer}: {reason}{more}")

    async def start(self) -> None:
        """Load or make the host key and start listening."""
        key = load_or_create_host_key(self.settings.host_key)
        self.host_fingerprint = key.get_fingerprint("sha256")
        self.acceptor = await asyncssh.create_server(
            lambda: Connection(self),
            self.settings.host,
            self.settings.port,
            server_host_keys=[key],
            encoding=None,
            line_editor=False,
            allow_pty=True,
            agent_forwarding=False,
            x11_forwarding=False,
            allow_scp=False,
            sftp_factory=None,
            login_timeout=self.settings.login_timeout,
            keepalive_interval=self.settings.keepalive_interval,
            keepalive_count_max=3,
            server_version="tui-reader",
        )
        if self.settings.warm_host and self.settings.child_argv is None:
            self.warm = WarmHostClient(self.settings.log)
            self.warm.start()

    async def shutdown(self) -> None:
        """Stop listening, tell every session, let children save (SIGTERM), close."""
        self.closing = True
        if self.acceptor is not None:
            self.acceptor.close()
        await asyncio.gather(
            *(
                session.end(SHUTTING_DOWN + session.saved_note, signal.SIGTERM)
                for session in list(self.sessions)
            ),
            return_exceptions=True,
        )
        if self.warm is not None:
            await self.warm.close()
        await asyncio.sleep(0.2)  # let the farewell bytes leave
        for connection in list(self.connections):
            if connection.conn is not None:
                connection.conn.close()
        if self.acceptor is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.acceptor.wait_closed(), 2.0)
        if self.tasks:  # readers that left just before: their children are still saving
            await asyncio.wait(list(self.tasks), timeout=self.settings.shutdown_grace + 2.0)


class Connection(asyncssh.SSHServer):
    """One ssh connection: authentication and identity; forwarding is refused."""

    def __init__(self, host: ReaderHost) -> None:
        """A connection to ``host``, not yet authenticated."""
        self.host = host
        """The server."""
        self.conn: asyncssh.SSHServerConnection | None = None
        """The asyncssh connection."""
        self.peer = "?"
        """The client's address."""
        self.fingerprint: str | None = None
        """SHA256 fingerprint of the key the client authenticated with (None: guest)."""
        self.reader_id = ""
        """The state file name of this identity."""
        self.guest = False
        """Whether the client got in without an accepted key."""
        self._offered: str | None = None
        """Fingerprint of the key last accepted (its signature decides)."""
        self._authorized: AuthorizedKeys | None = None
        """The authorized keys as read when the connection was made."""
        self.sessions_opened = 0
        """Session channels opened on this connection so far."""
        self.channels_open = 0
        """Session channels open on this connection now (at most ``max_per_ip``)."""
        self.authenticating = False
        """True while this connection holds a pre-auth slot (accepted, not logged in)."""
        self._rejected: str | None = None
        """Fingerprint of the last key refused (for the failed-login line)."""

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        """Note the peer; drop floods over the caps (all, and not logged in per address)."""
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.peer = str(peer[0]) if peer else "?"
        reason = None
        if self.host.closing:
            reason = "shutting down"
        elif len(self.host.connections) >= self.host.max_connections:
            reason = "too many connections"
        else:
            reason = self.host.pre_auth.acquire(self.peer)
        if reason is not None:
            self.host.log_refusal(self.peer, reason)
            conn.abort()
            return
        self.authenticating = True
        self.host.connections.add(self)
        if self.host.settings.authorized_keys is not None:
            self._authorized = AuthorizedKeys.read(self.host.settings.authorized_keys)
            for problem in self._authorized.problems:
                self.host.settings.log(problem)

    def connection_lost(self, exc: Exception | None) -> None:
        """Give back the connection slot; a connection that never logged in is logged."""
        if self not in self.host.connections:
            return
        self.host.connections.discard(self)
        if self.authenticating:
            self._end_pre_auth()
            if "Login timeout" in str(exc):
                reason = f"no login within {format_duration(self.host.settings.login_timeout)}"
            elif self._rejected is not None:
                reason = "key not accepted"
            elif self.host.closing:
                reason = "server shutting down"
            else:
                reason = "left before logging in"
            self.host.settings.log(
                f"login failed {self.peer} key={self._rejected or '-'}: {reason}"
            )

    def _end_pre_auth(self) -> None:
        """Give back the pre-auth slot (once)."""
        if self.authenticating:
            self.authenticating = False
            self.host.pre_auth.release(self.peer)

    def begin_auth(self, username: str) -> bool:
        """Authentication is always required (the user name does not matter)."""
        return True

    def public_key_auth_supported(self) -> bool:
        """Keys are the identities."""
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        """Any key (or only listed ones with --authorized-keys); remember which."""
        if self._authorized is not None and not self._authorized.allows(key):
            self._rejected = key.get_fingerprint("sha256")
            return False
        self._offered = key.get_fingerprint("sha256")
        return True

    def password_auth_supported(self) -> bool:
        """No passwords."""
        return False

    def kbdint_auth_supported(self) -> bool:
        """Keyboard-interactive with no prompt is the guest door (--allow-anonymous)."""
        return self.host.settings.allow_anonymous

    def get_kbdint_challenge(self, username: str, lang: str, submethods: str) -> bool:
        """Guests get in without a prompt."""
        if not self.host.settings.allow_anonymous:
            return False
        self._offered = None
        self.guest = True
        return True

    def validate_kbdint_response(self, username: str, responses: object) -> bool:
        """No prompt was sent, so no answer is valid."""
        return False

    def auth_completed(self) -> None:
        """Fix the identity: the key's fingerprint, or a fresh guest; free the pre-auth slot."""
        self._end_pre_auth()
        if self.guest or self._offered is None:
            self.guest = True
            self.fingerprint = None
            self.reader_id = guest_id()
        else:
            self.fingerprint = self._offered
            self.reader_id = reader_id_for(self._offered)
        if self.host.settings.session_wait > 0:
            self.host.spawn(self._expect_session())

    def session_requested(self) -> tuple[asyncssh.SSHServerChannel, ReaderSession]:
        """Every session channel is a reader session, on a channel with bounded input.

        One connection may hold at most ``max_per_ip`` channels at once (it could never run
        more readers than that); more are refused.
        """
        assert self.conn is not None
        if self.channels_open >= self.host.settings.max_per_ip:
            self.host.log_refusal(self.peer, f"more than {self.channels_open} channels at once")
            raise asyncssh.ChannelOpenError(
                asyncssh.OPEN_RESOURCE_SHORTAGE, "too many sessions on this connection"
            )
        self.sessions_opened += 1
        self.channels_open += 1
        chan = self.conn.create_server_channel(window=CHANNEL_WINDOW)
        return ReaderChannel.adopt(chan), ReaderSession(self)

    async def _expect_session(self) -> None:
        """Close a connection that opened no session in time (``ssh -N``: nothing to do here)."""
        await asyncio.sleep(self.host.settings.session_wait)
        if self.sessions_opened == 0 and self.conn is not None:
            self.host.settings.log(f"closed {self.peer} key={self.key_label}: no session opened")
            self.conn.close()

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int):
        """Local port forwarding (ssh -L) is refused."""
        self.host.settings.log(f"refused {self.peer}: port forwarding to {dest_host}:{dest_port}")
        raise asyncssh.ChannelOpenError(
            asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, "port forwarding is disabled here"
        )

    def server_requested(self, listen_host: str, listen_port: int):
        """Remote port forwarding (ssh -R) is refused."""
        self.host.settings.log(f"refused {self.peer}: remote forwarding {listen_port}")
        return False

    def unix_connection_requested(self, dest_path: str):
        """Forwarding to unix sockets is refused."""
        return False

    def unix_server_requested(self, listen_path: str):
        """Remote unix socket forwarding is refused."""
        return False

    @property
    def key_label(self) -> str:
        """Short identity for the log: a fingerprint prefix or ``guest``."""
        if self.fingerprint is None:
            return "guest"
        return self.fingerprint[:19]


async def serve(settings: Settings, ready: Callable[[ReaderHost], None] | None = None) -> int:
    """Run the host until SIGTERM/SIGINT; returns the exit status."""
    host = ReaderHost(settings)
    await host.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(
        f"tui-reader: serving {settings.library} on {settings.host}:{host.port}\n"
        f"tui-reader: host key {host.host_fingerprint} ({settings.host_key})",
        file=sys.stderr,
        flush=True,
    )
    note = page_merging_note() if host.warm is not None else None
    if note is not None:
        print(note, file=sys.stderr, flush=True)
    if ready is not None:
        ready(host)
    try:
        await stop.wait()
    finally:
        settings.log(f"shutting down ({len(host.sessions)} sessions)")
        await host.shutdown()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    return 0


def run_server(args: argparse.Namespace) -> int:
    """Entry point of ``tui-reader serve-ssh``."""
    try:
        settings = settings_from_args(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(serve(settings))
    except (OSError, asyncssh.Error, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
