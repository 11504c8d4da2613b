"""Peer programs the suite compares the reader with: epy (PyPI ``epy-reader``).

epy is installed by the suite into a venv of its own, outside the project's environment:
``$TUI_BENCH_CACHE`` if set, else ``$XDG_CACHE_HOME/tui-reader-bench`` (``~/.cache/...``),
in ``epy-venv/``. An existing venv with an ``epy`` program in it is reused; otherwise the
suite runs ``python -m venv`` and ``pip install epy-reader`` (the machine's ordinary pip
configuration). When that fails (no registry reachable, say) :func:`ensure_epy` says why in
one line and the cases leave the epy rows out with that note.

epy keeps its state and configuration under ``$HOME/.epy`` (or the XDG folders): every
launch gets :func:`peer_env`, which points ``HOME`` and the XDG folders at a fresh temporary
folder, so it starts as on a first run and never touches the real home.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

EPY_PACKAGE = "epy-reader"
"""The PyPI project epy is published as."""

EPY_VENV = "epy-venv"
"""The venv's folder name inside the cache folder."""


@dataclass(frozen=True)
class Peer:
    """A peer program ready to launch, or the reason it is not there."""

    name: str
    """The program's name in row labels ("epy")."""
    argv: list[str] | None
    """The command line (the story's path goes after it); None when it could not be had."""
    note: str = ""
    """Why it is missing, or how it was found ("reused", "installed 2023.6.11")."""


def cache_root(environ: dict[str, str] | None = None) -> Path:
    """The folder the suite keeps installed peers in (outside the project and its venv)."""
    env = os.environ if environ is None else environ
    if env.get("TUI_BENCH_CACHE"):
        return Path(env["TUI_BENCH_CACHE"])
    xdg = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(xdg) / "tui-reader-bench"


def venv_program(venv: Path, name: str) -> Path:
    """Where a console script named ``name`` lives inside ``venv``."""
    folder = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return venv / folder / f"{name}{suffix}"


def _last_line(text: str) -> str:
    """The last non-blank line of a program's output, shortened."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:160] if lines else "no output"


def ensure_epy(root: Path | None = None, *, timeout: float = 600.0) -> Peer:
    """epy ready to run: reuse ``<root>/epy-venv`` or create it and pip-install epy-reader."""
    venv = (root or cache_root()) / EPY_VENV
    program = venv_program(venv, "epy")
    if program.exists():
        return Peer("epy", [str(program)], "reused")
    try:
        venv.parent.mkdir(parents=True, exist_ok=True)
        made = subprocess.run(
            [sys.executable, "-m", "venv", str(venv)],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if made.returncode != 0:
            return Peer("epy", None, f"no venv for epy: {_last_line(made.stderr)}")
        pip = venv_program(venv, "python")
        done = subprocess.run(
            [str(pip), "-m", "pip", "install", "-q", "--disable-pip-version-check", EPY_PACKAGE],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Peer("epy", None, f"epy not installed: {type(exc).__name__}: {exc}")
    if done.returncode != 0 or not program.exists():
        return Peer("epy", None, f"pip install {EPY_PACKAGE} failed: {_last_line(done.stderr)}")
    return Peer("epy", [str(program)], "installed")


def peer_env(home: Path) -> dict[str, str]:
    """Environment for a peer: ``HOME`` and the XDG folders inside ``home`` (a fresh folder)."""
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
