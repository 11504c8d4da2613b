"""The ssh host against a stand-in child (a tiny script that reports its terminal and keys).

The server runs in the test's event loop on 127.0.0.1 and a free port; clients are asyncssh
and the real OpenSSH ``ssh``/``sftp`` (skipped when missing). The real reader is driven in
``test_ssh_reader.py``.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from asyncssh.packet import String, UInt32

from tests.fixtures.openssh import free_port, make_key, ssh_options
from tui_reader.ssh.config import (
    CHANNEL_WINDOW,
    INPUT_HIGH_WATER,
    MAX_ENV_BYTES,
    MAX_ENV_VARS,
)
from tui_reader.ssh.server import ReaderHost, Settings
from tui_reader.ssh.session import NEEDS_TERMINAL, SHUTTING_DOWN

pytestmark = pytest.mark.e2e

CHILD = r"""
import os, signal, sys, tty
def size():
    cols, rows = os.get_terminal_size(0)
    return f"{cols}x{rows}"
def winch(*_):
    os.write(1, f"SIZE {size()}\r\n".encode())
def bye(signum, _frame):
    with open(os.path.join(os.environ["HOME"], "signals.txt"), "a") as out:
        out.write(f"{sys.argv[1]} {signal.Signals(signum).name}\n")
    sys.exit(0)
signal.signal(signal.SIGWINCH, winch)
signal.signal(signal.SIGHUP, bye)
signal.signal(signal.SIGTERM, bye)
tty.setraw(0)
ctty = os.tcgetpgrp(0) == os.getpgrp() and os.open("/dev/tty", os.O_RDWR) > 0
os.write(1,
    f"READY id={sys.argv[1]} kind={sys.argv[2]} SIZE {size()} TERM={os.environ.get('TERM')} "
    f"ENV={','.join(sorted(os.environ))} CTTY={ctty} SID={os.getsid(0) == os.getpid()}\r\n".encode()
)
while True:
    data = os.read(0, 1024)
    if not data or b"q" in data:
        break
    os.write(1, ("KEY " + data.hex() + "\r\n").encode())
"""
"""The stand-in reader: prints its id, size, TERM and environment, echoes keys, logs signals."""

Start = Callable[..., Awaitable[ReaderHost]]
"""Starts a host with settings overrides."""


@pytest.fixture
async def start(tmp_path: Path, data_dir: Path) -> AsyncIterator[Start]:
    """Start hosts on free ports; all are shut down after the test."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    library = tmp_path / "library"
    library.mkdir()
    hosts: list[ReaderHost] = []

    async def _start(**overrides: Any) -> ReaderHost:
        logs: list[str] = []
        options: dict[str, Any] = {
            "child_argv": lambda rid, guest: [
                sys.executable,
                str(script),
                rid,
                "guest" if guest else "key",
            ],
            "shutdown_grace": 2.0,
            **overrides,
        }
        settings = Settings(
            host="127.0.0.1",
            port=0,
            host_key=data_dir / "ssh_host_ed25519_key",
            library=library,
            data_dir=data_dir,
            log=logs.append,
            **options,
        )
        host = ReaderHost(settings)
        await host.start()
        host.logs = logs  # type: ignore[attr-defined]
        hosts.append(host)
        return host

    yield _start
    for host in hosts:
        await host.shutdown()


class GuestClient(asyncssh.SSHClient):
    """A client that answers keyboard-interactive with nothing (the guest door)."""

    def kbdint_auth_requested(self) -> str:
        """Offer keyboard-interactive auth."""
        return ""

    def kbdint_challenge_received(self, name: str, instructions: str, lang: str, prompts: Any):
        """No answers (the server asks nothing)."""
        return []


async def connect(host: ReaderHost, key: asyncssh.SSHKey | None, **kw: Any) -> Any:
    """An asyncssh client connection (no agent, no default keys, no known_hosts)."""
    return await asyncssh.connect(
        "127.0.0.1",
        host.port,
        known_hosts=None,
        agent_path=None,
        client_keys=[key] if key is not None else None,
        client_factory=GuestClient,
        **{"username": "anyone", **kw},
    )


async def read_until(stream: Any, needle: bytes, seen: bytearray, timeout: float = 10) -> bytes:
    """Read ``stream`` into ``seen`` until ``needle`` shows up; the text so far."""

    async def _loop() -> bytes:
        while needle not in seen:
            chunk = await stream.read(4096)
            if not chunk:
                raise AssertionError(f"stream ended before {needle!r}: {bytes(seen)!r}")
            seen.extend(chunk)
        return bytes(seen)

    return await asyncio.wait_for(_loop(), timeout)


class Held(asyncssh.SSHClientSession):  # type: ignore[type-arg]
    """A client session that notes when the server closes it."""

    def __init__(self, closed: list[Held]) -> None:
        """Report into ``closed``."""
        self.closed = closed

    def connection_lost(self, exc: Exception | None) -> None:
        """The server closed the channel."""
        self.closed.append(self)


async def open_bare_channel(conn: Any, closed: list[Held]) -> Any:
    """Open a session channel and send no request at all (no PTY, no shell): a stuck client.

    asyncssh's public API always follows the open with requests, so this uses its channel's
    ``_open`` directly.
    """
    loop = asyncio.get_running_loop()
    chan = asyncssh.SSHClientChannel(conn, loop, "strict", None, "strict", 2**20, 32768)
    await chan._open(b"session")
    session = Held(closed)
    chan._session = session
    session.connection_made(chan)
    return chan


async def open_reader(conn: Any, command: str | None = None, size: tuple[int, int] = (100, 32)):
    """A session with a PTY; returns (process, seen buffer) after the child's READY line."""
    proc = await conn.create_process(
        command, term_type="xterm-256color", term_size=size, encoding=None
    )
    seen = bytearray()
    await read_until(proc.stdout, b"\r\n", seen)
    return proc, seen


async def signals(data_dir: Path, count: int = 1, timeout: float = 5.0) -> list[str]:
    """The signal lines the stand-in children wrote, once ``count`` are there."""
    path = data_dir / "signals.txt"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if path.exists() and len(lines := path.read_text().splitlines()) >= count:
            return lines
        await asyncio.sleep(0.05)
    return path.read_text().splitlines() if path.exists() else []


async def test_session_runs_child_on_its_own_pty(start: Start, data_dir: Path) -> None:
    host = await start()
    key = asyncssh.generate_private_key("ssh-ed25519")
    async with await connect(host, key) as conn:
        proc, seen = await open_reader(conn)
        ready = bytes(seen).decode()
        expected_id = "key-sha256-" + key.get_fingerprint().split(":", 1)[1].replace(
            "+", "-"
        ).replace("/", "_")
        assert f"id={expected_id} kind=key" in ready
        assert "SIZE 100x32" in ready and "TERM=xterm-256color" in ready
        assert "ENV=HOME,LANG,LC_ALL,PATH,TERM " in ready
        assert "CTTY=True SID=True" in ready
        proc.stdin.write(b"ab")
        await read_until(proc.stdout, b"KEY 6162", seen)
        proc.change_terminal_size(120, 40)
        await read_until(proc.stdout, b"SIZE 120x40", seen)
    assert await signals(data_dir) == [f"{expected_id} SIGHUP"]
    await asyncio.sleep(0.1)
    connect_line, disconnect_line = host.logs  # type: ignore[attr-defined]
    assert connect_line.startswith("connect 127.0.0.1 key=SHA256:")
    assert "term=xterm-256color size=100x32" in connect_line
    assert disconnect_line.startswith("disconnect 127.0.0.1 key=SHA256:")
    assert "size=120x40 duration=" in disconnect_line
    assert host.limits.total == 0 and not host.sessions


async def test_identity_is_the_key_not_the_user_name(start: Start) -> None:
    host = await start()
    first, second = (asyncssh.generate_private_key("ssh-ed25519") for _ in range(2))
    ids = []
    for key, user in ((first, "alice"), (first, "bob"), (second, "alice")):
        async with await connect(host, key, username=user) as conn:
            proc, seen = await open_reader(conn)
            ids.append(bytes(seen).split(b"id=")[1].split()[0])
            proc.stdin.write(b"q")
    assert ids[0] == ids[1] != ids[2]


async def test_exec_command_runs_the_reader_not_a_shell(start: Start, data_dir: Path) -> None:
    host = await start()
    (data_dir / "marker").write_text("x")
    async with await connect(host, asyncssh.generate_private_key("ssh-ed25519")) as conn:
        proc, seen = await open_reader(conn, command="ls; touch /tmp/owned-by-test")
        assert b"READY" in seen and b"marker" not in seen
        proc.stdin.write(b"q")
        await proc.wait_closed()
    assert not Path("/tmp/owned-by-test").exists()


async def test_no_terminal_gets_one_line_and_a_failure(start: Start) -> None:
    host = await start()
    async with await connect(host, asyncssh.generate_private_key("ssh-ed25519")) as conn:
        result = await conn.run("ls", encoding="utf-8")
    assert result.stdout == NEEDS_TERMINAL + "\n"
    assert result.exit_status == 1


async def test_authorized_keys_only(start: Start, tmp_path: Path) -> None:
    listed, other = (asyncssh.generate_private_key("ssh-ed25519") for _ in range(2))
    allowed = tmp_path / "authorized_keys"
    allowed.write_bytes(listed.export_public_key())
    host = await start(authorized_keys=allowed)
    async with await connect(host, listed) as conn:
        proc, seen = await open_reader(conn)
        assert b"kind=key" in seen
        proc.stdin.write(b"q")
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(host, other)
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(host, None)
    await asyncio.sleep(0.2)
    failed = [line for line in host.logs if line.startswith("login failed")]  # type: ignore[attr-defined]
    assert failed == [
        f"login failed 127.0.0.1 key={other.get_fingerprint('sha256')}: key not accepted",
        "login failed 127.0.0.1 key=-: left before logging in",
    ]


async def test_anonymous_guests(start: Start, tmp_path: Path) -> None:
    listed, other = (asyncssh.generate_private_key("ssh-ed25519") for _ in range(2))
    allowed = tmp_path / "authorized_keys"
    allowed.write_bytes(listed.export_public_key())
    host = await start(authorized_keys=allowed, allow_anonymous=True)
    guests = []
    for key in (None, other, None):
        async with await connect(host, key) as conn:
            proc, seen = await open_reader(conn)
            assert b"kind=guest" in seen
            guests.append(bytes(seen).split(b"id=")[1].split()[0])
            proc.stdin.write(b"q")
    assert all(g.startswith(b"guest-") for g in guests)
    assert len(set(guests)) == 3
    assert any("key=guest" in line for line in host.logs)  # type: ignore[attr-defined]


async def test_session_limits(start: Start) -> None:
    host = await start(max_sessions=1)
    key = asyncssh.generate_private_key("ssh-ed25519")
    async with await connect(host, key) as first:
        proc, _ = await open_reader(first)
        async with await connect(host, key) as second:
            refused = await second.create_process(
                term_type="xterm", term_size=(80, 24), encoding="utf-8"
            )
            text = await asyncio.wait_for(refused.stdout.read(), 5)
            assert "the server is full (1 readers at once)" in text
            assert (await refused.wait()).exit_status == 1
        proc.stdin.write(b"q")
        await proc.wait_closed()
    # the slot is free again
    async with await connect(host, key) as again:
        proc, seen = await open_reader(again)
        assert b"READY" in seen
        proc.stdin.write(b"q")


async def test_readers_connecting_at_once_all_start_through_one_start_slot(
    start: Start, data_dir: Path
) -> None:
    """The start gate queues readers, it never drops them; each still gets its own reader."""
    host = await start(start_slots=1)
    keys = [asyncssh.generate_private_key("ssh-ed25519") for _ in range(4)]
    conns = [await connect(host, key) for key in keys]
    try:
        opened = await asyncio.wait_for(asyncio.gather(*(open_reader(conn) for conn in conns)), 30)
        ids = {bytes(seen).split(b"id=", 1)[1].split(b" ", 1)[0] for _, seen in opened}
        assert len(ids) == 4
        for proc, _ in opened:
            proc.stdin.write(b"q")
            await proc.wait_closed()
    finally:
        for conn in conns:
            conn.close()


async def test_a_client_that_leaves_while_waiting_to_start_gets_no_reader(
    start: Start, data_dir: Path
) -> None:
    """Queued behind a starting reader, a client that goes away never gets a child."""
    host = await start(start_slots=1)
    key = asyncssh.generate_private_key("ssh-ed25519")
    async with await connect(host, key) as first:
        proc, _ = await open_reader(first)  # holds the only slot (its output is small)
        async with await connect(host, key) as second:
            await second.create_process(term_type="xterm", term_size=(80, 24))
            while not host.tasks:  # the second session is queued at the gate
                await asyncio.sleep(0.01)
        proc.stdin.write(b"q")  # the first reader ends: its slot goes to the queue
        await proc.wait_closed()
    for _ in range(500):
        if not host.tasks and not host.sessions:
            break
        await asyncio.sleep(0.01)
    assert not host.sessions
    connects = [line for line in host.logs if line.startswith("connect")]  # type: ignore[attr-defined]
    assert len(connects) == 1


async def test_per_address_limit(start: Start) -> None:
    host = await start(max_sessions=10, max_per_ip=1)
    key = asyncssh.generate_private_key("ssh-ed25519")
    async with await connect(host, key) as first, await connect(host, key) as second:
        await open_reader(first)
        refused = await second.create_process(term_type="xterm", encoding="utf-8")
        text = await asyncio.wait_for(refused.stdout.read(), 5)
        assert "too many sessions from your address" in text


async def test_log_and_pty_get_the_size_actually_applied(start: Start) -> None:
    host = await start()
    async with await connect(host, asyncssh.generate_private_key("ssh-ed25519")) as conn:
        proc, seen = await open_reader(conn, size=(100_000, 30))
        assert b"SIZE 4096x30" in seen
        proc.change_terminal_size(50_000, 70_000)
        await read_until(proc.stdout, b"SIZE 4096x4096", seen)
    await asyncio.sleep(0.1)
    connect_line, disconnect_line = host.logs  # type: ignore[attr-defined]
    assert "size=4096x30" in connect_line
    assert "size=4096x4096 " in disconnect_line


def test_host_key_readable_by_others_is_refused(tmp_path: Path, data_dir: Path) -> None:
    key = data_dir / "host_key"
    key.write_bytes(asyncssh.generate_private_key("ssh-ed25519").export_private_key())
    key.chmod(0o644)
    (tmp_path / "lib").mkdir()
    done = subprocess.run(
        [
            *(sys.executable, "-m", "tui_reader", "serve-ssh", "--listen", "127.0.0.1:0"),
            *("--host-key", str(key), "--library", str(tmp_path / "lib")),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"error: {key}: the host key is readable by others (mode 0644); "
        f"fix it with: chmod 600 {key}\n"
    )


async def test_channels_without_a_terminal_are_bounded_and_closed(start: Start) -> None:
    # A deadline long enough that a loaded machine opens the fourth channel before it passes.
    host = await start(max_per_ip=3, pty_deadline=2.0)
    closed: list[Held] = []
    async with await connect(host, asyncssh.generate_private_key("ssh-ed25519")) as conn:
        for _ in range(3):
            await open_bare_channel(conn, closed)
        with pytest.raises(asyncssh.ChannelOpenError, match="too many sessions"):
            await open_bare_channel(conn, closed)
        for _ in range(200):  # the PTY deadline closes the three held ones
            if len(closed) == 3:
                break
            await asyncio.sleep(0.1)
        assert len(closed) == 3
        await open_bare_channel(conn, closed)  # their places are free again
        # a terminal but never a shell is held no longer
        chan = await open_bare_channel(conn, closed)
        modes = String(b"\x00")  # no terminal modes
        sizes = (UInt32(80), UInt32(24), UInt32(0), UInt32(0))
        assert await chan._make_request(b"pty-req", String(b"xterm"), *sizes, modes)
        for _ in range(200):
            if len(closed) == 5:
                break
            await asyncio.sleep(0.1)
        assert len(closed) == 5
    logs = host.logs  # type: ignore[attr-defined]
    assert sum("no terminal requested within 2.0s" in line for line in logs) == 4
    assert sum("no shell requested within 2.0s" in line for line in logs) == 1
    assert any("more than 3 channels at once" in line for line in logs)


async def test_idle_timeout_ends_the_session(start: Start, data_dir: Path) -> None:
    host = await start(idle_timeout=0.6)
    async with await connect(host, asyncssh.generate_private_key("ssh-ed25519")) as conn:
        proc, seen = await open_reader(conn)
        await asyncio.sleep(0.3)
        proc.stdin.write(b"x")  # a key press restarts the clock
        await read_until(proc.stdout, b"no key pressed for 0.6s", seen, timeout=5)
        assert (await proc.wait()).exit_status == 0
    assert b"KEY 78" in seen
    assert (await signals(data_dir))[0].endswith("SIGHUP")
    assert b"\x1b[?1049l" in seen  # the client's terminal is put back


async def test_shutdown_tells_sessions_and_lets_children_save(start: Start, data_dir: Path) -> None:
    host = await start()
    async with await connect(host, asyncssh.generate_private_key("ssh-ed25519")) as conn:
        proc, seen = await open_reader(conn)
        await host.shutdown()
        await read_until(proc.stdout, SHUTTING_DOWN.encode(), seen)
    assert (await signals(data_dir))[0].endswith("SIGTERM")


SLEEPER = r"""
import os, sys, time, tty
tty.setraw(0)  # like the reader: raw input, so the PTY takes keys until its buffer is full
os.write(1, b"READY\r\n")
time.sleep(120)
"""
"""A stand-in reader that never reads its input."""


def rss() -> int:
    """This process's resident memory in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


async def test_env_requests_are_capped(start: Start) -> None:
    host = await start()
    env = {f"FLOOD_{i}": "v" * 10_000 for i in range(3000)}  # 30 MB of env requests
    env.update({f"LONG_NAME_{'n' * 100}_{i}": "x" for i in range(100)})
    env.update({f"SMALL_{i}": "x" for i in range(100)})
    async with await connect(host, asyncssh.generate_private_key("ssh-ed25519")) as conn:
        proc = await conn.create_process(
            term_type="xterm", term_size=(80, 24), encoding=None, env=env
        )
        seen = bytearray()
        await read_until(proc.stdout, b"READY", seen)
        (session,) = host.sessions
        assert session.chan is not None
        kept = session.chan.get_environment_bytes()
        assert len(kept) <= MAX_ENV_VARS
        assert sum(len(k) + len(v) for k, v in kept.items()) <= MAX_ENV_BYTES
        assert all(name.startswith(b"SMALL_") for name in kept)
        proc.stdin.write(b"q")
        await proc.wait_closed()
    await asyncio.sleep(0.1)
    assert any("env requests over the caps" in line for line in host.logs)  # type: ignore[attr-defined]


async def test_input_to_a_child_that_does_not_read_is_bounded(start: Start, tmp_path: Path) -> None:
    script = tmp_path / "sleeper.py"
    script.write_text(SLEEPER)
    host = await start(child_argv=lambda rid, guest: [sys.executable, str(script)])
    before = rss()
    sent = 0
    chunk = b"k" * 65536
    async with await connect(host, asyncssh.generate_private_key("ssh-ed25519")) as conn:
        proc = await conn.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
        await read_until(proc.stdout, b"READY", bytearray())
        while sent < 100 * 2**20:
            proc.stdin.write(chunk)
            try:
                await asyncio.wait_for(proc.stdin.drain(), 2)
            except TimeoutError:
                break  # the server stopped reading: the client is held back
            sent += len(chunk)
        grown = rss() - before
        assert sent < 100 * 2**20  # held back, not swallowed
        assert grown < 16 * 2**20, grown
        (session,) = host.sessions
        assert session.child is not None
        assert session.child.pending_input <= INPUT_HIGH_WATER + CHANNEL_WINDOW
        proc.close()


# -- the real OpenSSH client --------------------------------------------------------------------

needs_openssh = pytest.mark.skipif(
    not (shutil.which("ssh") and shutil.which("sftp") and shutil.which("ssh-keygen")),
    reason="OpenSSH client not installed",
)


@pytest.fixture
def client_key(tmp_path: Path) -> Path:
    """An ed25519 client key made by ssh-keygen."""
    return make_key(tmp_path / "key")


async def run(*argv: str, timeout: float = 10) -> tuple[int, str, str]:
    """Run a command; (status, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode or 0, out.decode(), err.decode()


@needs_openssh
async def test_openssh_without_terminal_gets_the_message(start: Start, client_key: Path) -> None:
    host = await start()
    status, out, _err = await run("ssh", *ssh_options(client_key, host.port), "127.0.0.1", "ls")
    assert out == NEEDS_TERMINAL + "\n"
    assert status == 1


@needs_openssh
async def test_openssh_sftp_fails(start: Start, client_key: Path, tmp_path: Path) -> None:
    host = await start()
    batch = tmp_path / "batch"
    batch.write_text("ls\n")
    status, _out, err = await run(
        "sftp", *ssh_options(client_key, host.port, "-P"), "-b", str(batch), "127.0.0.1"
    )
    assert status != 0
    assert "subsystem request failed" in err
    assert any("subsystem 'sftp'" in line for line in host.logs)  # type: ignore[attr-defined]


@needs_openssh
async def test_openssh_local_forward_is_refused(start: Start, client_key: Path) -> None:
    host = await start(session_wait=3)
    target = await asyncio.start_server(lambda r, w: w.write(b"secret"), "127.0.0.1", 0)
    target_port = target.sockets[0].getsockname()[1]
    local = free_port()
    proc = await asyncio.create_subprocess_exec(
        "ssh",
        *ssh_options(client_key, host.port, log="INFO"),
        "-N",
        "-L",
        f"{local}:127.0.0.1:{target_port}",
        "127.0.0.1",
        stdin=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        got = b""
        for _ in range(100):  # until the client listens
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", local)
                break
            except OSError:
                await asyncio.sleep(0.05)
        got = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        assert got == b""  # closed, nothing from the target
    finally:
        proc.terminate()
        _, err = await proc.communicate()
        target.close()
    assert "administratively prohibited" in err.decode()
    assert any("port forwarding" in line for line in host.logs)  # type: ignore[attr-defined]


@needs_openssh
async def test_openssh_remote_forward_is_refused(start: Start, client_key: Path) -> None:
    host = await start()
    status, _out, err = await run(
        "ssh",
        *ssh_options(client_key, host.port),
        "-N",
        "-o",
        "ExitOnForwardFailure=yes",
        "-R",
        f"{free_port()}:127.0.0.1:9",
        "127.0.0.1",
    )
    assert status != 0
    assert "forwarding failed" in err


@needs_openssh
async def test_connection_without_session_is_closed(start: Start, client_key: Path) -> None:
    host = await start(session_wait=0.5)
    status, _out, _err = await run("ssh", *ssh_options(client_key, host.port), "-N", "127.0.0.1")
    assert status == 255
    assert any("no session opened" in line for line in host.logs)  # type: ignore[attr-defined]
