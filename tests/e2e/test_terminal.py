"""The real program in a real terminal (tmux): page, quit, relaunch at the same paragraph, resize.

Skipped when tmux is not installed. The story is generated here (original text): every
word carries its paragraph's tag ``-pN`` so any line on screen tells which paragraph it belongs to.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

TAG = re.compile(r"-p(\d+)\b")
TMUX = ("tmux", "-L", f"tui-reader-e2e-{os.getpid()}")
"""tmux on a private server, so other tmux users on the machine never interfere."""

WORDS = ("tide", "lamp", "rope", "gull", "stone", "salt", "net", "oar", "bell", "sail")


def paragraph(n: int) -> str:
    """Paragraph ``n``: 54 words, every one tagged ``-pN`` (so any line names its paragraph)."""
    sentences = []
    for s in range(6):
        words = [f"{WORDS[(n * 7 + s * 3 + k) % len(WORDS)]}-p{n}" for k in range(9)]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def write_story(folder: Path) -> tuple[Path, dict[int, str]]:
    """A two-chapter Mature story (so it has a warning screen); returns its paragraphs."""
    texts: dict[int, str] = {}
    body = []
    n = 0
    for chapter in (1, 2):
        body.append(f"# Chapter {chapter}: Harbour {chapter}\n")
        for _ in range(40):
            n += 1
            texts[n] = paragraph(n)
            body.append(texts[n] + "\n")
    front = (
        '+++\ntitle = "Tagged Harbour"\nauthor = "Test Writer"\nrating = "Mature"\n'
        'warnings = ["No Archive Warnings Apply"]\nchapters_total = 2\n+++\n\n'
    )
    path = folder / "tagged-harbour.md"
    path.write_text(front + "\n".join(body), encoding="utf-8")
    return path, texts


class Terminal:
    """One tmux session running the reader."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], size: tuple[int, int]):
        """Start ``command`` in a detached session of ``size`` (columns, rows)."""
        self.name = name
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        # COLUMNS/LINES (set by some test runners) would pin the size the app sees
        line = f"env -u COLUMNS -u LINES {exports} {shlex.join(command)}; echo EXITED $?; sleep 60"
        start = [*TMUX, "new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1])]
        for attempt in range(3):  # the previous session's server may still be shutting down
            if subprocess.run([*start, line], capture_output=True).returncode == 0:
                break
            time.sleep(0.5 * (attempt + 1))
        else:
            raise AssertionError("tmux could not start a session")

    def keys(self, *keys: str) -> None:
        """Send tmux key names, a short pause after each."""
        for key in keys:
            subprocess.run([*TMUX, "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.3)

    def screen(self) -> list[str]:
        """The visible lines."""
        out = subprocess.run(
            [*TMUX, "capture-pane", "-p", "-t", self.name], check=True, capture_output=True
        )
        return out.stdout.decode("utf-8", "replace").splitlines()

    def wait_for(self, predicate, timeout: float = 15.0) -> list[str]:  # type: ignore[no-untyped-def]
        """Poll the screen until ``predicate(lines)`` holds; the lines."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.screen()
            if predicate(lines):
                return lines
            if time.monotonic() > deadline:
                raise AssertionError("screen never matched:\n" + "\n".join(lines))
            time.sleep(0.2)

    def settled(self, timeout: float = 10.0) -> list[str]:
        """The screen once two captures 0.3 s apart agree."""
        deadline = time.monotonic() + timeout
        last = self.screen()
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = self.screen()
            if now == last:
                return now
            last = now
        return last

    def kill(self) -> None:
        """End the session (never fails)."""
        subprocess.run([*TMUX, "kill-session", "-t", self.name], capture_output=True)


def top_paragraph(lines: list[str]) -> tuple[int, str]:
    """The tag and text of the first reading-column line below the header."""
    for line in lines[2:]:
        match = TAG.search(line)
        if match:
            return int(match.group(1)), " ".join(line.split())
    raise AssertionError("no paragraph on screen:\n" + "\n".join(lines))


def chunks(lines: list[str]) -> list[str]:
    """The runs of non-blank lines of the reading column (header and footer left out), joined."""
    out: list[str] = []
    run: list[str] = []
    body = lines[2:]
    footer = [i for i, line in enumerate(body) if "^p palette" in line]
    if footer:
        body = body[: footer[0]]
    for line in [*body, ""]:
        if (line.strip() and TAG.search(line)) or (run and line.strip()):
            run.append(line.strip(" ▁▄▇█▂▃▅▆"))
        elif run:
            out.append(" ".join(" ".join(run).split()))
            run = []
    return out


def wrapped_whole(lines: list[str], texts: dict[int, str]) -> bool:
    """True when every run of lines on screen is a stretch of the story's text (not clipped)."""
    story = " ".join(" ".join(texts.values()).split())
    found = chunks(lines)
    return bool(found) and all(chunk in story for chunk in found)


def has_text(lines: list[str]) -> bool:
    """True once story paragraphs are on screen."""
    return any(TAG.search(line) for line in lines[2:])


def test_resume_same_paragraph_and_resize(tmp_path: Path) -> None:
    story, texts = write_story(tmp_path)
    data = tmp_path / "data"
    env = {"TERM": "xterm-256color", "TUI_READER_DATA": str(data), "COLORTERM": ""}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "tui_reader", str(story)]
    first = Terminal(f"tr-e2e-a-{os.getpid()}", command, env, (100, 32))
    try:
        first.wait_for(lambda ls: any("Yes, continue" in line for line in ls))
        first.keys("y")
        first.wait_for(has_text)
        first.keys("Space", "Space", "Space")
        screen = first.settled()
        tag, line = top_paragraph(screen)
        assert tag > 3  # we did page down
        assert line in " ".join(texts[tag].split())
        assert wrapped_whole(screen, texts), "\n".join(screen)
        first.keys("q")
        first.wait_for(lambda ls: any("EXITED 0" in x for x in ls))
    finally:
        first.kill()

    second = Terminal(f"tr-e2e-b-{os.getpid()}", command, env, (100, 32))
    try:
        second.wait_for(has_text)  # warned once: no warning screen this time
        lines = second.settled()
        assert top_paragraph(lines) == (tag, line)
        before = "\n".join(lines)
        time.sleep(1.0)  # let start-up settle (a resize in its first instant is not our case)
        subprocess.run([*TMUX, "resize-window", "-t", second.name, "-x", "60"], check=True)
        # re-wrapped: every run of lines is whole story text again, not lines clipped at 60
        lines = second.wait_for(lambda ls: has_text(ls) and wrapped_whole(ls, texts))
        new_tag, new_line = top_paragraph(lines)
        assert new_tag == tag, before + "\n----- at 60 columns:\n" + "\n".join(lines)
        assert max(len(x.rstrip()) for x in lines) <= 60
        assert new_line in " ".join(texts[tag].split())
        second.keys("q")
        second.wait_for(lambda ls: any("EXITED 0" in x for x in ls))
    finally:
        second.kill()
