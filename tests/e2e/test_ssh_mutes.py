"""Mutes over ssh are per key: one key mutes an author, that key's next session still has it
muted, another key's library is untouched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.e2e.test_ssh_reader import (
    TITLE,
    Server,
    Tmux,
    pytestmark,  # noqa: F401 - the same skips (OpenSSH client, tmux)
    wait_for,
)
from tests.e2e.test_ssh_reader import server as server  # the fixture
from tests.e2e.test_ssh_reader import tmux as tmux  # the fixture
from tests.fixtures.openssh import make_key

MUTED = "1 muted (h shows them)"
"""The library's title line once the one story is muted."""


def test_a_mute_is_kept_for_its_key_only(
    server: Callable[..., Server], tmux: Tmux, tmp_path: Path
) -> None:
    host = server()
    alice, bob = make_key(tmp_path / "alice"), make_key(tmp_path / "bob")
    tmux.start(host.ssh(alice, "-t"))
    tmux.wait(TITLE)
    tmux.keys("m")
    tmux.wait("Mute stories by")
    tmux.keys("Enter")  # the first choice: the author, Test Fixture
    screen = tmux.wait(MUTED)
    assert TITLE not in screen
    readers = host.data / "readers"

    def saved() -> bool:
        return any('"Test Fixture"' in p.read_text() for p in readers.glob("*.json"))

    wait_for(saved, 10, "the mute in alice's state file", tmux.screen)
    tmux.disconnect()
    wait_for(lambda: "disconnect 127.0.0.1" in host.log, 10, "disconnect line", host.log_text)

    tmux.start(host.ssh(alice, "-t"))
    screen = tmux.wait(MUTED)
    assert TITLE not in screen
    tmux.keys("h")
    tmux.wait(TITLE)
    tmux.disconnect()

    tmux.start(host.ssh(bob, "-t"))
    screen = tmux.wait(TITLE)
    assert "muted" not in screen
    tmux.disconnect()
    wait_for(lambda: host.log.count("disconnect 127.0.0.1") == 3, 10, "disconnects", host.log_text)
    # bob changed nothing, so only alice's key has a state file, and it holds the mute
    (state,) = readers.glob("*.json")
    assert state.stem.startswith("key-sha256-") and '"Test Fixture"' in state.read_text()
