"""Keys of the ssh host: its own ed25519 host key, the authorized client keys, identities."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh


def load_or_create_host_key(path: Path) -> asyncssh.SSHKey:
    """The host key at ``path``; made (ed25519, mode 0600) only when the file does not exist.

    An existing key is never replaced: a key that cannot be read is an error to fix by hand,
    since a new key would make every client's known_hosts warn. A key other users can read
    (group or world bits set) is refused, as sshd does, with the command that fixes it.
    """
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise ValueError(
                f"{path}: the host key is readable by others (mode {mode:04o}); "
                f"fix it with: chmod 600 {path}"
            )
        try:
            return asyncssh.read_private_key(str(path))
        except (OSError, asyncssh.KeyImportError, ValueError) as exc:
            raise ValueError(f"{path}: cannot read the host key ({exc})") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = asyncssh.generate_private_key("ssh-ed25519", comment="tui-reader host key")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.export_private_key())
    os.chmod(path, 0o600)
    pub = path.with_name(path.name + ".pub")
    if not pub.exists():
        pub.write_bytes(key.export_public_key())
    return key


def guest_id() -> str:
    """A fresh reader id for a guest: never the same as anyone else's."""
    return f"guest-{secrets.token_hex(8)}"


@dataclass
class AuthorizedKeys:
    """Public keys from an ``authorized_keys``-style file (options are ignored)."""

    keys: set[bytes] = field(default_factory=set)
    """The keys' public data."""
    problems: list[str] = field(default_factory=list)
    """One line per line that could not be read."""

    @classmethod
    def read(cls, path: Path) -> AuthorizedKeys:
        """Read ``path``; an unreadable file lets nobody in (and says why)."""
        found = cls()
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            found.problems.append(f"{path}: cannot read authorized keys ({exc.strerror})")
            return found
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            key = _parse_key_line(line)
            if key is None:
                found.problems.append(f"{path}:{number}: not a public key, skipped")
            else:
                found.keys.add(key.public_data)
        return found

    def allows(self, key: asyncssh.SSHKey) -> bool:
        """Whether ``key`` is listed."""
        return bool(key.public_data in self.keys)


def _parse_key_line(line: str) -> asyncssh.SSHKey | None:
    """The key on an authorized_keys line, with or without leading options."""
    parts = line.split()
    for start in range(len(parts) - 1):
        if parts[start].startswith(("ssh-", "ecdsa-", "sk-")):
            try:
                return asyncssh.import_public_key(f"{parts[start]} {parts[start + 1]}")
            except (asyncssh.KeyImportError, ValueError):
                return None
    return None
