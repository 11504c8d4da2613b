"""Plain helpers of the ssh host: durations, listen addresses, reader ids, limits, child env/argv.

Nothing here touches the network, so it is all unit-tested in milliseconds.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_TERM = "xterm-256color"
"""TERM for clients that send none (or one we will not pass on)."""

SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
"""PATH the reader child gets: a fixed safe default, never the server's own."""

_TERM_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
"""What a TERM value may look like to be passed on to the child."""

_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)([a-z]*)")
"""One number-and-unit piece of a duration such as ``1h30m``."""

_B64_RE = re.compile(r"[A-Za-z0-9+/]+")
"""The body of a SHA256 fingerprint (base64 without padding)."""

_URLSAFE = str.maketrans("+/", "-_")
"""Base64 to its URL- and filename-safe alphabet."""

MAX_ENV_VARS = 32
"""Most ``env`` requests a session channel may make (more are refused)."""

MAX_ENV_NAME = 64
"""Longest environment variable name accepted, in bytes."""

MAX_ENV_VALUE = 1024
"""Longest environment variable value accepted, in bytes."""

MAX_ENV_BYTES = 8192
"""Most bytes of names and values one session channel may send in ``env`` requests."""

CHANNEL_WINDOW = 256 * 1024
"""The ssh receive window of a session channel: most unread input in flight."""

INPUT_HIGH_WATER = 64 * 1024
"""Keys queued for a child that does not read them before the channel stops reading."""

_UNITS = {"": 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
"""Seconds per duration unit."""


def parse_duration(text: str) -> float:
    """Seconds in ``text`` such as ``"30m"``, ``"90s"``, ``"1h"``, ``"1h30m"`` or ``"45"``.

    ``"0"``, ``"off"`` and ``"none"`` mean no limit (0.0). Raises ValueError on anything else.
    """
    value = text.strip().lower()
    if value in ("off", "none", "never"):
        return 0.0
    if not value:
        raise ValueError("empty duration")
    total = 0.0
    pos = 0
    while pos < len(value):
        match = _DURATION_RE.match(value, pos)
        if not match or match.end() == pos or match.group(2) not in _UNITS:
            raise ValueError(f"not a duration: {text!r} (use e.g. 30m, 90s, 1h)")
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    return total


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:2222`` for IPv6, ``:2222`` for all addresses) → (host, port)."""
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit():
        raise ValueError(f"--listen wants HOST:PORT, not {text!r}")
    port = int(port_text)
    if not 0 <= port <= 65535:
        raise ValueError(f"port out of range in {text!r}")
    host = host.strip("[]")
    return host or "0.0.0.0", port


def reader_id_for(fingerprint: str) -> str:
    """A filename-safe reader id for a key fingerprint such as ``SHA256:Ab+/cd...``.

    The base64 body becomes URL-safe base64 (``+`` → ``-``, ``/`` → ``_``), so two keys never
    share an id and the id never holds a path separator.
    """
    algo, _, body = fingerprint.partition(":")
    body = body.rstrip("=")
    if not body or not _B64_RE.fullmatch(body) or not algo.isalnum():
        raise ValueError(f"not a key fingerprint: {fingerprint!r}")
    safe = body.translate(_URLSAFE)
    return f"key-{algo.lower()}-{safe}"


def safe_term(term: str | None) -> str:
    """The client's TERM if it looks like a terminal name, else the default."""
    if term and _TERM_RE.fullmatch(term):
        return term
    return DEFAULT_TERM


def child_env(term: str | None, data_dir: Path, colorterm: str | None = None) -> dict[str, str]:
    """The whole environment of a reader child: built from nothing, never the server's."""
    env = {
        "TERM": safe_term(term),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PATH": SAFE_PATH,
        "HOME": str(data_dir),
    }
    if colorterm in ("truecolor", "24bit"):
        env["COLORTERM"] = colorterm
    return env


def reader_argv(
    library: Path, data_dir: Path, reader_id: str, *, guest: bool, config: Path | None = None
) -> list[str]:
    """The command line of a reader child (the app in hosted mode, with the host's config)."""
    args = reader_args(library, data_dir, reader_id, guest=guest, config=config)
    return [sys.executable, "-m", "tui_reader", *args]


def reader_args(
    library: Path, data_dir: Path, reader_id: str, *, guest: bool, config: Path | None = None
) -> list[str]:
    """The reader's arguments (after ``python -m tui_reader``), spawned or forked alike."""
    args = ["--hosted", "--reader-id", reader_id, "--data-dir", str(data_dir)]
    args += ["--config", str(config)] if config is not None else ["--no-config"]
    if guest:
        args.append("--guest")
    args.append(str(library))
    return args


def _give_back(by_ip: Counter[str], ip: str) -> None:
    """One slot of ``ip`` back (the address is forgotten at zero)."""
    if by_ip[ip] <= 1:
        by_ip.pop(ip, None)
    else:
        by_ip[ip] -= 1


@dataclass
class Limits:
    """Session accounting: at most ``max_total`` sessions, ``max_per_ip`` from one address."""

    max_total: int
    """Most sessions at once over all clients."""
    max_per_ip: int
    """Most sessions at once from one peer address."""
    by_ip: Counter[str] = field(default_factory=Counter)
    """Open sessions per peer address."""

    @property
    def total(self) -> int:
        """Sessions open now."""
        return sum(self.by_ip.values())

    def acquire(self, ip: str) -> str | None:
        """Take a slot for ``ip``; None when granted, else the one-line reason for the client."""
        if self.total >= self.max_total:
            return (
                f"tui-reader: the server is full ({self.max_total} readers at once); "
                "try again later"
            )
        if self.by_ip[ip] >= self.max_per_ip:
            return (
                f"tui-reader: too many sessions from your address ({self.max_per_ip} at once); "
                "close one and try again"
            )
        self.by_ip[ip] += 1
        return None

    def release(self, ip: str) -> None:
        """Give back a slot taken by ``acquire``."""
        _give_back(self.by_ip, ip)


@dataclass
class EnvBudget:
    """What one session channel may still send in ``env`` requests."""

    count: int = 0
    """Requests accepted so far."""
    size: int = 0
    """Bytes of names and values accepted so far."""
    refused: int = 0
    """Requests refused."""

    def admit(self, name: bytes, value: bytes) -> bool:
        """Whether to accept one more variable (counted when accepted, else refused)."""
        size = len(name) + len(value)
        if (
            len(name) > MAX_ENV_NAME
            or len(value) > MAX_ENV_VALUE
            or self.count >= MAX_ENV_VARS
            or self.size + size > MAX_ENV_BYTES
        ):
            self.refused += 1
            return False
        self.count += 1
        self.size += size
        return True


@dataclass
class PreAuth:
    """Connections that have not logged in yet: at most ``max_total``, ``max_per_ip`` each."""

    max_total: int
    """Most unauthenticated connections at once (the rest of the cap stays for readers)."""
    max_per_ip: int
    """Most unauthenticated connections at once from one address."""
    by_ip: Counter[str] = field(default_factory=Counter)
    """Unauthenticated connections per address."""

    def acquire(self, ip: str) -> str | None:
        """Take a slot for ``ip``; None when granted, else the reason for the log."""
        if sum(self.by_ip.values()) >= self.max_total:
            return f"too many connections not logged in ({self.max_total})"
        if self.by_ip[ip] >= self.max_per_ip:
            return f"too many connections not logged in from this address ({self.max_per_ip})"
        self.by_ip[ip] += 1
        return None

    def release(self, ip: str) -> None:
        """Give back a slot taken by ``acquire``."""
        _give_back(self.by_ip, ip)


def format_duration(seconds: float) -> str:
    """A short human form: ``42s``, ``3m05s``, ``1h02m``."""
    whole = int(seconds)
    if whole < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
