"""Hosted reading over ssh: concurrent sessions against ``tui-reader serve-ssh``.

The server runs as a subprocess on 127.0.0.1 with a small generated library. For 10, 25 and
50 concurrent sessions (quick: 10), asyncssh clients, each with its own ed25519 key, connect
at once and ask for a 100x32 PTY. Measured:

- time to first frame: from the connect until the library's story title arrives in the
  session's output (p50 and p95 over the sessions);
- memory: PSS of every reader process (``/proc/<pid>/smaps_rollup``), mean per session, the
  total, the server process itself and the warm host the sessions are forked from;
- CPU to first frame per session: the reader process's own (its start-up or, forked, its
  mount) and the server's (ssh key exchange, authentication, pumping), averaged;
- keystroke-to-echo: one session presses ``j``/``k`` (cursor down/up in the library) while
  the others are open and idle, then every session presses them at once, a fixed number of
  times; the time from the key until the first output byte of the repaint (p50 and p95).

Everything is bounded: a fixed number of presses, a time limit on every wait.

Sessions are forked from the warm host (the server's default; the case waits until it is
ready). ``python -m benchmarks.case_ssh --no-warm-host`` measures the old way, every session a
new process, for comparison. The server's pre-auth cap per address is raised to let 50
clients on 127.0.0.1 log in at once.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import asyncssh

from benchmarks.harness import row

CASE = "ssh"
"""The case name in result rows."""

TITLE = b"Harbour Lights"
"""Part of the generated story's title: the first frame is there when it arrives."""

SIZE = (100, 32)
"""Every client's terminal size."""

PRESSES = 12
"""Key presses per session for the latency figures."""

FIRST_FRAME_TARGET = 5.0
"""Seconds allowed for the p95 time to first frame (at 10 sessions)."""

KEY_TARGET_MS = 100.0
"""Milliseconds allowed for the p95 keystroke-to-echo (at 10 sessions)."""

PSS_TARGET_MB = 80.0
"""MiB of PSS allowed per reader session."""

BUSY = 50
"""The level the hosting targets are for (readers connecting at once)."""

BUSY_FIRST_FRAME_TARGET = 3.0
"""Seconds allowed for the p95 time to first frame with ``BUSY`` readers connecting at once."""

BUSY_PSS_TARGET_MB = 15.0
"""MiB of PSS allowed per reader session with ``BUSY`` open."""

BUSY_KEY_TARGET_MS = 50.0
"""Milliseconds the p95 keystroke-to-echo must stay under with ``BUSY`` sessions open."""

_WORDS = [
    *("tide", "rope", "gull", "lantern", "quay", "salt", "mast", "sail", "harbour", "net"),
    *("fog", "bell", "keel", "oar", "pier", "beacon", "drift", "shingle", "current", "anchor"),
]
"""Words of the generated story."""


def _write_library(root: Path) -> None:
    """Three small generated Markdown stories (deterministic)."""
    root.mkdir(parents=True, exist_ok=True)
    for n, name in enumerate(("Harbour Lights", "Quay Songs", "Anchor Weather")):
        lines = ["+++", f'title = "{name}"', 'author = "Bench"', 'rating = "General Audiences"']
        lines += ["+++", ""]
        for chapter in range(1, 4):
            lines += [f"# Chapter {chapter}", ""]
            for p in range(30):
                words = (_WORDS[(p * 5 + i * 3 + n) % len(_WORDS)] for i in range(60))
                lines += [" ".join(words).capitalize() + ".", ""]
        (root / f"story-{n}.md").write_text("\n".join(lines), encoding="utf-8")


def _free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pss_kb(pid: int) -> int:
    """A process's proportional set size in kB (0 when it is gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    match = re.search(r"^Pss:\s+(\d+)\s+kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def _children(pid: int) -> list[int]:
    """Direct child processes of ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _cpu(pid: int | None) -> float:
    """CPU seconds (user and system) a process has used so far (0 when it is gone)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _is_warm_host(pid: int) -> bool:
    """Whether ``pid`` is the warm host (it forks the sessions; it is not one)."""
    try:
        return b"tui_reader.ssh.warm" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _warm_host(server_pid: int) -> int | None:
    """The server's warm host process, if it runs."""
    return next((pid for pid in _children(server_pid) if _is_warm_host(pid)), None)


def _readers(server_pid: int) -> list[int]:
    """Every reader process: spawned by the server, or forked by its warm host."""
    found = []
    for pid in _children(server_pid):
        found += _children(pid) if _is_warm_host(pid) else [pid]
    return found


def _pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class _Session:
    """One client session: its output reader and timing hooks."""

    def __init__(self, key: asyncssh.SSHKey) -> None:
        """A session that will authenticate with ``key``."""
        self.key = key
        """The client key (its own identity)."""
        self.conn: Any = None
        """The asyncssh connection."""
        self.proc: Any = None
        """The session process."""
        self.seen = bytearray()
        """Output so far (until the first frame)."""
        self.first_frame: float | None = None
        """Seconds from connect to the title."""
        self.last_output = 0.0
        """Monotonic time of the last output chunk."""
        self.output = asyncio.Event()
        """Set whenever output arrives."""
        self.delays: list[float] = []
        """Keystroke-to-echo delays in seconds."""
        self.pump: asyncio.Future[None] | None = None
        """The output reader task."""

    async def open(self, port: int, frame_timeout: float) -> None:
        """Connect, ask for a PTY and wait for the first frame."""
        start = time.monotonic()
        self.conn = await asyncssh.connect(
            "127.0.0.1",
            port,
            username="bench",
            known_hosts=None,
            agent_path=None,
            client_keys=[self.key],
        )
        self.proc = await self.conn.create_process(
            term_type="xterm-256color", term_size=SIZE, encoding=None
        )
        self.pump = asyncio.ensure_future(self._pump())
        deadline = start + frame_timeout
        while TITLE not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no first frame")
            self.output.clear()
            await asyncio.wait_for(self.output.wait(), left)
        self.first_frame = time.monotonic() - start

    async def _pump(self) -> None:
        """Read output forever (until the session ends)."""
        while True:
            chunk = await self.proc.stdout.read(65536)
            if not chunk:
                return
            if self.first_frame is None:
                self.seen += chunk
            self.last_output = time.monotonic()
            self.output.set()

    async def quiet(self, gap: float = 0.3, limit: float = 10.0) -> None:
        """Wait until no output came for ``gap`` seconds (at most ``limit``)."""
        end = time.monotonic() + limit
        while time.monotonic() < end and time.monotonic() - self.last_output < gap:
            await asyncio.sleep(gap / 3)

    async def press(self, count: int) -> None:
        """Press j/k ``count`` times, timing each until the first output byte."""
        for i in range(count):
            await self.quiet(0.05, 2.0)
            self.output.clear()
            sent = time.monotonic()
            self.proc.stdin.write(b"j" if i % 2 == 0 else b"k")
            try:
                await asyncio.wait_for(self.output.wait(), 5.0)
            except TimeoutError:
                continue
            self.delays.append(self.last_output - sent)

    def close(self) -> None:
        """Disconnect."""
        if self.conn is not None:
            self.conn.close()


async def _level(port: int, server_pid: int, count: int) -> dict[str, float]:
    """Open ``count`` sessions at once; measure; close them all."""
    keys = [asyncssh.generate_private_key("ssh-ed25519") for _ in range(count)]
    sessions = [_Session(key) for key in keys]
    server_cpu = _cpu(server_pid)
    try:
        results = await asyncio.gather(
            *(s.open(port, 30.0 + count) for s in sessions), return_exceptions=True
        )
        failed = sum(isinstance(r, BaseException) for r in results)
        live = [s for s in sessions if s.first_frame is not None]
        await asyncio.gather(*(s.quiet(0.5, 20.0) for s in live))
        server_cpu = _cpu(server_pid) - server_cpu
        children = _readers(server_pid)
        reader_cpu = [_cpu(pid) for pid in children]
        pss = [_pss_kb(pid) / 1024 for pid in children]
        server_pss = _pss_kb(server_pid) / 1024
        warm = _warm_host(server_pid)
        warm_pss = _pss_kb(warm) / 1024 if warm is not None else 0.0
        alone = []
        if live:  # one reader types while the others are open and idle
            await live[0].press(PRESSES * 3)
            alone, live[0].delays = live[0].delays, []
        await asyncio.gather(*(s.press(PRESSES) for s in live))
    finally:
        for s in sessions:
            s.close()
    frames = [s.first_frame for s in live if s.first_frame is not None]
    delays = [d * 1000 for s in live for d in s.delays]
    alone_ms = [d * 1000 for d in alone]
    return {
        "failed": float(failed),
        "frame_p50": _pct(frames, 0.5),
        "frame_p95": _pct(frames, 0.95),
        "pss_mean": statistics.fmean(pss) if pss else float("nan"),
        "pss_total": sum(pss),
        "server_pss": server_pss,
        "warm_pss": warm_pss,
        "children": float(len(children)),
        "key_p50": _pct(delays, 0.5),
        "key_p95": _pct(delays, 0.95),
        "presses": float(len(delays)),
        "alone_p50": _pct(alone_ms, 0.5),
        "alone_p95": _pct(alone_ms, 0.95),
        "alone_presses": float(len(alone_ms)),
        "reader_cpu": statistics.fmean(reader_cpu) if reader_cpu else float("nan"),
        "server_cpu": server_cpu / max(1, len(live)),
    }


async def _settle(server_pid: int, limit: float = 30.0) -> None:
    """Wait until the previous level's children are gone."""
    end = time.monotonic() + limit
    while _readers(server_pid) and time.monotonic() < end:
        await asyncio.sleep(0.2)


_row = partial(row, CASE, digits=2)
"""One result row of this case, values to two places."""


def _target(
    count: int, value: float, at_ten: float, busy: float, unit: str, strict: bool = False
) -> tuple[str | None, bool | None]:
    """The (target text, met) of a row: the 10-session target, or the busy one at ``BUSY``."""
    if count == 10:
        return f"<= {at_ten:g} {unit}", value <= at_ten
    if count == BUSY:
        return (
            (f"< {busy:g} {unit}", value < busy)
            if strict
            else (f"<= {busy:g} {unit}", value <= busy)
        )
    return None, None


def run(workdir: Path, quick: bool, warm: bool = True) -> list[dict[str, Any]]:
    """Run the levels; one row per figure."""
    library, data = workdir / "library", workdir / "data"
    _write_library(library)
    port = _free_port()
    log = (workdir / "server.log").open("w")
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "tui_reader", "serve-ssh", "--listen", f"127.0.0.1:{port}"),
            *("--data-dir", str(data), "--library", str(library)),
            *("--max-sessions", "60", "--max-per-ip", "60", "--idle-timeout", "10m"),
            *("--max-unauthenticated-per-ip", "60"),
            *(() if warm else ("--no-warm-host",)),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    rows: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + 20
        while "host key" not in (workdir / "server.log").read_text():
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "serve-ssh did not start: " + (workdir / "server.log").read_text()
                )
            time.sleep(0.1)
        while warm and "warm host ready" not in (workdir / "server.log").read_text():
            if server.poll() is not None or time.monotonic() > deadline + 60:
                raise RuntimeError("no warm host: " + (workdir / "server.log").read_text())
            time.sleep(0.1)
        for count in (10,) if quick else (10, 25, 50):
            asyncio.run(_settle(server.pid))
            got = asyncio.run(_level(port, server.pid, count))
            n = f"{count} sessions" + ("" if warm else " (no warm host)")
            frame = _target(
                count, got["frame_p95"], FIRST_FRAME_TARGET, BUSY_FIRST_FRAME_TARGET, "s"
            )
            pss = _target(count, got["pss_mean"], PSS_TARGET_MB, BUSY_PSS_TARGET_MB, "MiB")
            if count not in (10, BUSY):
                pss = (f"<= {PSS_TARGET_MB:g} MiB", got["pss_mean"] <= PSS_TARGET_MB)
            key = _target(count, got["alone_p95"], KEY_TARGET_MS, BUSY_KEY_TARGET_MS, "ms", True)
            rows += [
                _row(f"{n}: sessions that failed to open", got["failed"], "", "0",
                     got["failed"] == 0),
                _row(f"{n}: first frame p50", got["frame_p50"], "s"),
                _row(f"{n}: first frame p95", got["frame_p95"], "s", *frame),
                _row(f"{n}: PSS per session (mean of {int(got['children'])})",
                     got["pss_mean"], "MiB", *pss),
                _row(f"{n}: PSS all readers", got["pss_total"], "MiB"),
                _row(f"{n}: PSS of the server", got["server_pss"], "MiB"),
                _row(f"{n}: PSS of the warm host", got["warm_pss"], "MiB"),
                _row(f"{n}: CPU per session to first frame, reader", got["reader_cpu"], "s"),
                _row(f"{n}: CPU per session to first frame, server (ssh)", got["server_cpu"], "s"),
                _row(f"{n}: one reader typing, the others open: keystroke-to-echo p50",
                     got["alone_p50"], "ms"),
                _row(f"{n}: one reader typing, the others open: keystroke-to-echo p95 "
                     f"({int(got['alone_presses'])} presses)", got["alone_p95"], "ms", *key),
                _row(f"{n}: all typing at once: keystroke-to-echo p50", got["key_p50"], "ms"),
                _row(f"{n}: all typing at once: keystroke-to-echo p95 "
                     f"({int(got['presses'])} presses)", got["key_p95"], "ms"),
            ]  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    return rows


if __name__ == "__main__":  # pragma: no cover - manual run
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for line in run(Path(tmp), "--quick" in sys.argv, "--no-warm-host" not in sys.argv):
            print(json.dumps(line))
