"""Unit tests of the ssh host's plain helpers: durations, ids, limits, env, keys."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import asyncssh
import pytest

from tui_reader.ssh.config import (
    DEFAULT_TERM,
    Limits,
    child_env,
    format_duration,
    parse_duration,
    parse_listen,
    reader_argv,
    reader_id_for,
    safe_term,
)
from tui_reader.ssh.keys import AuthorizedKeys, guest_id, load_or_create_host_key


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800), ("90s", 90), ("1h", 3600), ("45", 45), ("1h30m", 5400), ("1.5m", 90)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["0", "off", "none"])
def test_durations_that_mean_never(text: str) -> None:
    assert parse_duration(text) == 0


@pytest.mark.parametrize("text", ["", "m", "10x", "ten minutes", "-5m", "5m!"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_duration() -> None:
    assert format_duration(4.25) == "4.2s"
    assert format_duration(185) == "3m05s"
    assert format_duration(3720) == "1h02m"


def test_listen_addresses() -> None:
    assert parse_listen("127.0.0.1:2222") == ("127.0.0.1", 2222)
    assert parse_listen("[::1]:22") == ("::1", 22)
    assert parse_listen(":2222") == ("0.0.0.0", 2222)
    for bad in ("2222", "host:", "host:99999", "host:port"):
        with pytest.raises(ValueError):
            parse_listen(bad)


def test_reader_id_is_filename_safe_and_distinct() -> None:
    a = reader_id_for("SHA256:Ab+/cdEFgh0123456789abcdefABCDEF0123456789a")
    b = reader_id_for("SHA256:Ab+/cdEFgh0123456789abcdefABCDEF0123456789b")
    assert a != b
    assert a.startswith("key-sha256-")
    assert "/" not in a and "+" not in a and ":" not in a and "=" not in a
    assert reader_id_for("SHA256:Ab+/cdEFgh0123456789abcdefABCDEF0123456789a") == a


def test_reader_id_of_a_real_key() -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    rid = reader_id_for(key.get_fingerprint("sha256"))
    assert Path(rid).name == rid and len(rid) > 40


def test_reader_id_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        reader_id_for("no-colon-here")


def test_guest_ids_are_never_reused() -> None:
    ids = {guest_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(i.startswith("guest-") for i in ids)


def test_limits_accounting() -> None:
    limits = Limits(max_total=3, max_per_ip=2)
    assert limits.acquire("10.0.0.1") is None
    assert limits.acquire("10.0.0.1") is None
    reason = limits.acquire("10.0.0.1")
    assert reason is not None and "your address" in reason and "2" in reason
    assert limits.acquire("10.0.0.2") is None
    full = limits.acquire("10.0.0.3")
    assert full is not None and "full" in full
    limits.release("10.0.0.1")
    assert limits.total == 2
    assert limits.acquire("10.0.0.3") is None
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        limits.release(ip)
    assert limits.total == 0 and not limits.by_ip
    limits.release("10.0.0.9")  # releasing what was never taken does not go negative
    assert limits.total == 0


def test_child_env_is_minimal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SECRET_TOKEN", "do-not-leak")
    env = child_env("screen-256color", tmp_path)
    assert env["TERM"] == "screen-256color"
    assert env["LANG"] == "C.UTF-8"
    assert env["PATH"] == "/usr/local/bin:/usr/bin:/bin"
    assert env["HOME"] == str(tmp_path)
    assert set(env) == {"TERM", "LANG", "LC_ALL", "PATH", "HOME"}
    assert "do-not-leak" not in env.values()
    assert child_env(None, tmp_path, "truecolor")["COLORTERM"] == "truecolor"
    assert "COLORTERM" not in child_env(None, tmp_path, "$(reboot)")


@pytest.mark.parametrize("term", [None, "", "x" * 80, "xterm;rm -rf", "../../etc", "a b"])
def test_odd_terms_fall_back(term: str | None) -> None:
    assert safe_term(term) == DEFAULT_TERM


def test_reader_argv(tmp_path: Path) -> None:
    argv = reader_argv(tmp_path / "lib", tmp_path / "data", "key-abc", guest=False)
    assert argv[:3] == [sys.executable, "-m", "tui_reader"]
    assert argv[argv.index("--reader-id") + 1] == "key-abc"
    assert argv[argv.index("--data-dir") + 1] == str(tmp_path / "data")
    assert "--hosted" in argv and "--guest" not in argv
    assert argv[-1] == str(tmp_path / "lib")
    assert "--guest" in reader_argv(tmp_path, tmp_path, "guest-1", guest=True)


def test_host_key_made_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "host_ed25519"
    key = load_or_create_host_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key.get_algorithm() == "ssh-ed25519"
    again = load_or_create_host_key(path)
    assert again.get_fingerprint() == key.get_fingerprint()


def test_unreadable_host_key_is_an_error_not_a_new_key(tmp_path: Path) -> None:
    path = tmp_path / "host"
    path.write_text("not a key\n")
    path.chmod(0o600)
    with pytest.raises(ValueError, match="cannot read the host key"):
        load_or_create_host_key(path)
    assert path.read_text() == "not a key\n"


def test_host_key_readable_by_others_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "host"
    load_or_create_host_key(path)
    path.chmod(0o644)
    with pytest.raises(ValueError) as caught:
        load_or_create_host_key(path)
    assert str(caught.value) == (
        f"{path}: the host key is readable by others (mode 0644); fix it with: chmod 600 {path}"
    )
    path.chmod(0o600)
    assert load_or_create_host_key(path).get_algorithm() == "ssh-ed25519"


def test_authorized_keys_file(tmp_path: Path) -> None:
    listed = asyncssh.generate_private_key("ssh-ed25519")
    with_options = asyncssh.generate_private_key("ssh-ed25519")
    other = asyncssh.generate_private_key("ssh-ed25519")
    path = tmp_path / "authorized_keys"
    path.write_text(
        "# readers\n"
        + listed.export_public_key().decode()
        + 'no-pty,from="10.0.0.0/8" '
        + with_options.export_public_key().decode()
        + "garbage line\n\n"
    )
    keys = AuthorizedKeys.read(path)
    assert keys.allows(listed) and keys.allows(with_options)
    assert not keys.allows(other)
    assert keys.problems == [f"{path}:4: not a public key, skipped"]


def test_missing_authorized_keys_lets_nobody_in(tmp_path: Path) -> None:
    keys = AuthorizedKeys.read(tmp_path / "nope")
    assert not keys.keys and "cannot read" in keys.problems[0]
