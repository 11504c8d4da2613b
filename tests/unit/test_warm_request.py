"""The warm host's fork requests: anything that is not one is refused with a reason (the warm
host answers it and serves on), never an exception that would end the warm host."""

from __future__ import annotations

import json

import pytest

from tui_reader.ssh.warm import _check_request


@pytest.mark.parametrize("size", ["1e999", "-1e999", "NaN", '"wide"', "[80]", "{}"])
def test_a_window_size_that_is_not_a_number_is_refused(size: str) -> None:
    request = json.loads(f'{{"args": [], "env": {{}}, "cwd": "/", "cols": {size}, "rows": 24}}')
    with pytest.raises((ValueError, TypeError)):
        _check_request(request)


def test_a_usable_request_is_taken_with_its_size_clamped() -> None:
    args, env, cwd, cols, rows = _check_request(
        {"args": ["--guest"], "env": {"TERM": "xterm"}, "cwd": "/srv", "cols": 100, "rows": 30}
    )
    assert (args, env, cwd, cols, rows) == (["--guest"], {"TERM": "xterm"}, "/srv", 100, 30)
