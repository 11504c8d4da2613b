"""The bounded-exit guard's own messages: a failed save is one safe line, never markup or
terminal control from whatever the exception carried."""

from __future__ import annotations

import pytest

from tui_reader.ui import shutdown
from tui_reader.ui.shutdown import ShutdownGuard


def test_a_failed_save_is_one_sanitised_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    def save() -> None:
        raise OSError("disk said \x1b]0;owned\x07no\nsecond line")

    guard = ShutdownGuard(save)
    guard.save_now()
    err = capsys.readouterr().err
    assert guard.saved.is_set()  # the exit goes on
    assert err.startswith("tui-reader: could not save your place: ")
    assert "\x1b" not in err and "\x07" not in err
    assert err.count("\n") == 1 and "second line" in err


def test_a_failed_save_ends_the_process_with_status_1(monkeypatch: pytest.MonkeyPatch) -> None:
    """The last-resort exit after a failed save is not a success: status 1, not 0."""
    codes: list[int] = []
    monkeypatch.setattr(shutdown.os, "_exit", codes.append)

    def save() -> None:
        raise OSError("No space left on device")

    failing = ShutdownGuard(save)
    failing.save_now()
    failing._exit_now()
    working = ShutdownGuard(lambda: None)
    working.save_now()
    working._exit_now()
    assert (failing.failed, working.failed) == (True, False)
    assert codes == [1, 0]
