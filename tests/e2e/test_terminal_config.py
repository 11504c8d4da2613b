"""The real program in tmux with a config file: a remapped key, and plain mode's screens.

Skipped when tmux is not installed. TUI_READER_CONFIG points at a file in the test's folder,
TUI_READER_DATA at its own data dir.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from test_terminal import Terminal, has_text, write_story

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

BOX = re.compile("[\u2500-\u259f]")
"""Box-drawing and block characters."""


def environment(tmp_path: Path, config: str) -> dict[str, str]:
    """The reader's environment: its own data dir and a config file holding ``config``."""
    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    return {
        "TERM": "xterm-256color",
        "COLORTERM": "",
        "TUI_READER_DATA": str(tmp_path / "data"),
        "TUI_READER_CONFIG": str(path),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }


def header(lines: list[str]) -> str:
    """The reader's first header line."""
    return lines[0] if lines else ""


def test_remapped_next_chapter_key(tmp_path: Path) -> None:
    story, _ = write_story(tmp_path)
    env = environment(tmp_path, '[keys]\n"reader.next_chapter" = "l"\n')
    command = [sys.executable, "-m", "tui_reader", str(story)]
    term = Terminal(f"tr-e2e-keys-{os.getpid()}", command, env, (100, 32))
    try:
        term.wait_for(lambda ls: any("Yes, continue" in line for line in ls))
        term.keys("y")
        term.wait_for(has_text)
        assert "Chapter 1 of 2" in header(term.settled())
        term.keys("]")  # the default key is no longer bound
        assert "Chapter 1 of 2" in header(term.settled())
        term.keys("l")
        lines = term.wait_for(lambda ls: "Chapter 2 of 2" in header(ls))
        assert any("Harbour 2" in line for line in lines)
        term.keys("q")
        term.wait_for(lambda ls: any("EXITED 0" in x for x in ls))
    finally:
        term.kill()


@pytest.mark.parametrize("how", ["flag", "config"])
def test_plain_mode_draws_no_box_or_block_characters(tmp_path: Path, how: str) -> None:
    write_story(tmp_path)
    library = tmp_path
    env = environment(tmp_path, "plain = true\n" if how == "config" else "")
    command = [sys.executable, "-m", "tui_reader", str(library)]
    if how == "flag":
        command.append("--plain")
    term = Terminal(f"tr-e2e-plain-{how}-{os.getpid()}", command, env, (80, 24))
    try:
        lines = term.wait_for(lambda ls: any("Tagged Harbour" in line for line in ls))
        lines = term.settled()
        assert not BOX.search("\n".join(lines)), "\n".join(lines)
        assert any("[warning]" in line for line in lines), "\n".join(lines)
        term.keys("Enter")
        lines = term.wait_for(lambda ls: any("Yes, continue" in line for line in ls))
        lines = term.settled()
        assert not BOX.search("\n".join(lines)), "\n".join(lines)
        term.keys("y")
        term.wait_for(has_text)
        lines = term.settled()
        assert not BOX.search("\n".join(lines)), "\n".join(lines)
        body = [line for line in lines[2:] if re.search(r"-p\d+\b", line)]
        assert body and body[0][0] != " ", "\n".join(lines)  # the text starts at column 0
        term.keys("Space", "t")  # the chapter index: states in words
        lines = term.wait_for(lambda ls: any("[current]" in line for line in ls))
        assert not BOX.search("\n".join(term.settled())), "\n".join(lines)
        term.keys("Escape", "q")
        term.wait_for(lambda ls: any("EXITED 0" in x for x in ls))
    finally:
        term.kill()
