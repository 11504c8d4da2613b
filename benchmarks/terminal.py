"""A real terminal for the benchmark cases: programs run in detached tmux sessions.

:class:`Tmux` owns a private tmux server (its own socket, no user config, status line off so
the pane is the whole 100x40 window). :meth:`Tmux.time_to_text` launches a program and polls
``capture-pane`` every ~10 ms until a pattern is on screen.

Every command after the server's start goes through one **control-mode client** (``tmux -C``)
kept open for the server's life, not a ``tmux`` process per command: a capture that way costs
the tmux server ~0.07 ms, where a new client cost ~2.6 ms of CPU (fork, exec, connect) every
10 ms, on the same two processors as the program being timed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

WIDTH, HEIGHT = 100, 40
"""The terminal size every case uses."""

POLL = 0.01
"""Seconds between screen captures."""

WARNING_PROMPT = "Yes, continue"
"""Text of the warning screen's continue button: when seen, the case presses y."""


class ScreenTimeout(RuntimeError):
    """The expected text did not appear in time (or the program exited first)."""


def words_pattern(phrase: str) -> re.Pattern[str]:
    """A pattern for ``phrase`` on screen: any run of spaces between words (wrapping, justifying).

    Characters outside ASCII match any one cell, in case the terminal shows them differently.
    """
    words = []
    for word in phrase.split():
        words.append("".join(re.escape(c) if c.isascii() else "." for c in word))
    return re.compile(r"\s+".join(words))


def python_argv(*args: str) -> list[str]:
    """``python -m tui_reader ARGS`` with the interpreter running the suite."""
    return [sys.executable, "-m", "tui_reader", *args]


class Tmux:
    """A private tmux server for launching programs at 100x40 and reading their screens."""

    def __init__(self, workdir: Path) -> None:
        """Write the config and start the server (kept alive by an idle session)."""
        self.socket = f"tui-bench-{os.getpid()}-{id(self):x}"
        """The server's socket name (``tmux -L``)."""
        self.config = workdir / "tmux.conf"
        """The server's config file."""
        self.config.write_text(
            "set -g status off\nset -g remain-on-exit on\nset -g history-limit 100\n"
            "set -g default-terminal tmux-256color\n",
            encoding="utf-8",
        )
        self._count = 0
        self._tmux("new-session", "-d", "-s", "keep", "-x", "20", "-y", "5", "sleep", "86400")
        self._control: subprocess.Popen[bytes] | None = subprocess.Popen(
            ["tmux", "-L", self.socket, "-f", str(self.config), "-C", "attach", "-t", "keep"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        """The control-mode client every command after the start goes through (None once
        the server is stopped)."""
        self._reply()  # the attach's own (empty) reply

    def _reply(self) -> tuple[bool, str]:
        """Read the control client's next reply block: (succeeded, text)."""
        assert self._control is not None and self._control.stdout is not None
        lines: list[bytes] = []
        begun: bytes | None = None
        while True:
            line = self._control.stdout.readline()
            if not line:
                raise RuntimeError("the tmux control client ended")
            if begun is None:  # (notifications outside a reply are skipped)
                if line.startswith(b"%begin "):
                    begun = line.rstrip(b"\r\n").split(b" ", 1)[1]
                continue
            kind, _, rest = line.rstrip(b"\r\n").partition(b" ")
            if kind in (b"%end", b"%error") and rest == begun:
                # (a line of the screen can read "%end ...", not with this reply's numbers)
                return kind == b"%end", b"".join(lines).decode("utf-8", "replace")
            lines.append(line)

    def _command(self, *args: str, check: bool = True) -> str:
        """Run one tmux command (simple words only) through the control client; its output
        ("" for a failed command run with ``check`` False, as a client's stdout would be)."""
        if self._control is None or self._control.stdin is None:
            raise RuntimeError("the tmux server was stopped")
        for arg in args:
            if not re.fullmatch(r"[\w#{}.:%/=-]+", arg):
                raise ValueError(f"not a plain tmux word: {arg!r}")
        self._control.stdin.write(" ".join(f"'{arg}'" for arg in args).encode() + b"\n")
        self._control.stdin.flush()
        ok, text = self._reply()
        if not ok:
            if check:
                raise RuntimeError(f"tmux {args[0]}: {text.strip()}")
            return ""  # as a spawned client's stdout: the error went to its stderr
        return text

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run one tmux command against this server."""
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            check=check,
        )

    def launch(self, argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> str:
        """Start ``argv`` with ``env`` added, in a new 100x40 session; returns the session name."""
        self._count += 1
        name = f"s{self._count}"
        prefix = ["env", *(f"{k}={v}" for k, v in env.items())]
        self._tmux(
            "new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT),
            "-c", str(cwd), "--", *prefix, *argv,
        )  # fmt: skip
        return name

    def capture(self, session: str) -> str:
        """The visible screen of ``session`` as plain text."""
        return self._command("capture-pane", "-p", "-t", session, check=False)

    def pane(self, session: str, field: str) -> str:
        """One pane format field (``pane_pid``, ``pane_dead``...)."""
        return self._command("display-message", "-p", "-t", session, f"#{{{field}}}").strip()

    def send(self, session: str, *keys: str) -> None:
        """Send keys (tmux key names such as ``PageDown`` or ``y``)."""
        self._command("send-keys", "-t", session, *keys)

    def kill(self, session: str) -> None:
        """End a session and the program in it."""
        self._command("kill-session", "-t", session, check=False)

    def kill_and_wait(self, session: str, timeout: float = 5.0) -> bool:
        """End a session and wait (at most ``timeout`` s) until its program has exited.

        A killed reader saves the reader's place on its way out; the next launch on the same
        data dir must not race it. Returns False when the program was still there at the end.
        """
        pid = self.pane(session, "pane_pid")
        self.kill(session)
        if not pid.isdigit():
            return True
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if not _running(int(pid)):
                return True
            time.sleep(0.02)
        return False

    def close(self) -> None:
        """Stop this private server (and the control client with it)."""
        self._tmux("kill-server", check=False)
        if self._control is not None:
            self._control.communicate(timeout=10)
            self._control = None

    def wait_for(
        self, session: str, pattern: re.Pattern[str], timeout: float, *, answer_warning: bool = True
    ) -> str:
        """Poll the screen until ``pattern`` shows; returns the screen. Presses y on a warning."""
        deadline = time.perf_counter() + timeout
        polls = 0
        answered = False
        while True:
            screen = self.capture(session)
            if pattern.search(screen):
                return screen
            if answer_warning and not answered and WARNING_PROMPT in screen:
                self.send(session, "y")
                answered = True
            polls += 1
            if polls % 25 == 0 and self.pane(session, "pane_dead") == "1":
                raise ScreenTimeout(f"the program exited before showing it: {_last_line(screen)}")
            if time.perf_counter() > deadline:
                raise ScreenTimeout(f"not on screen after {timeout:.0f} s: {_last_line(screen)}")
            time.sleep(POLL)

    def time_to_text(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        cwd: Path,
        pattern: re.Pattern[str],
        timeout: float = 60.0,
    ) -> tuple[float, str]:
        """Launch ``argv`` and return (seconds until ``pattern`` is on screen, session name).

        The session is left running for the caller to use and kill.
        """
        start = time.perf_counter()
        session = self.launch(argv, env, cwd)
        try:
            self.wait_for(session, pattern, timeout)
        except BaseException:
            self.kill(session)
            raise
        return time.perf_counter() - start, session


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user and system) process ``pid`` has used so far; None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _running(pid: int) -> bool:
    """Whether process ``pid`` is still there (and not a zombie waiting to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def _last_line(screen: str) -> str:
    """The last non-blank line of a screen, for error messages."""
    lines = [
        line.strip()
        for line in screen.splitlines()
        if line.strip() and not line.startswith("Pane is dead")
    ]
    return lines[-1][:160] if lines else "(blank screen)"


def base_env(data_dir: Path) -> dict[str, str]:
    """The environment every launched program gets: fresh data dir, xterm-256color, UTF-8."""
    return {
        "TUI_READER_DATA": str(data_dir),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }
