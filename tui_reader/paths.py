"""Where tui-reader keeps things: the data dir (reader state, caches) and the library folder.

Order of precedence for the data dir: ``--data-dir DIR``, then the environment variable
``TUI_READER_DATA``, then platformdirs' user data dir for "tui-reader".
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from tui_reader.text import sanitise

APP_NAME = "tui-reader"
"""The name platformdirs files our data under."""

DATA_ENV = "TUI_READER_DATA"
"""Environment variable that overrides the data dir."""

LIBRARY_ENV = "TUI_READER_LIBRARY"
"""Environment variable that overrides the library folder."""

STORY_FORMATS: dict[str, str] = {
    ".txt": "tui_reader.importers.text_dump",
    ".md": "tui_reader.importers.markdown",
    ".markdown": "tui_reader.importers.markdown",
    ".html": "tui_reader.importers.html",
    ".htm": "tui_reader.importers.html",
    ".xhtml": "tui_reader.importers.html",
    ".epub": "tui_reader.importers.epub",
}
"""The one registry of story files: each file ending and the importer module that reads it.

The library walk (:func:`iter_story_files`) lists exactly these endings and
:func:`tui_reader.importers.load_story` opens them with the module named here, so a file that
opens is always listed and a listed file always has an importer.
"""

FIRST_CHAPTER_SUFFIXES: frozenset[str] = frozenset({".txt", ".epub"})
"""The endings whose importer reads a first chapter on its own (``load_first`` or
``load_first_file``: :func:`tui_reader.importers.load_first_chapter`), without the rest of the
file; :mod:`tui_reader.first_read` makes that read beside the app's start."""

STORY_SUFFIXES: frozenset[str] = frozenset(STORY_FORMATS)
"""File endings the library picks up as stories (the keys of :data:`STORY_FORMATS`)."""


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data dir, created if missing."""
    if override:
        path = Path(override)
    elif os.environ.get(DATA_ENV):
        path = Path(os.environ[DATA_ENV])
    else:
        from platformdirs import user_data_dir  # (not at import: a story's first read needs none)

        path = Path(user_data_dir(APP_NAME, appauthor=False))
    path = path.expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_library_dir(data: Path | None = None) -> Path:
    """The reader's own library folder (``<data dir>/stories``), not created here."""
    if os.environ.get(LIBRARY_ENV):
        return Path(os.environ[LIBRARY_ENV]).expanduser()
    return (data or data_dir()) / "stories"


def default_library_dir(data: Path | None = None, cwd: Path | None = None) -> Path:
    """``./stories`` when it exists (running from a checkout), else the user's library folder."""
    here = (cwd or Path.cwd()) / "stories"
    if here.is_dir() and not os.environ.get(LIBRARY_ENV):
        return here
    return user_library_dir(data)


def iter_story_files(root: Path) -> Iterator[tuple[str, str, os.stat_result]]:
    """Every story file under ``root`` as (relative path, full path, stat).

    Each folder is walked once, known by its (device, inode): a symlink back up the tree, or two
    names for one folder, cannot make the walk loop or list a story twice. Real folders come
    first, each in name order; folders reached only through a symlink follow, under the first
    name that reached them. Hidden files and folders are skipped; a folder or file that cannot
    be read is passed over.
    """
    try:
        top = os.stat(root)
    except OSError:
        return
    seen: set[tuple[int, int]] = {(top.st_dev, top.st_ino)}
    stack: list[tuple[str, str]] = [(str(root), "")]
    linked: list[tuple[str, str]] = []
    while stack or linked:
        if not stack:
            stack.append(linked.pop(0))
            try:
                info = os.stat(stack[-1][0])
            except OSError:
                stack.pop()
                continue
            if (info.st_dev, info.st_ino) in seen:
                stack.pop()
                continue
            seen.add((info.st_dev, info.st_ino))
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                items = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for item in items:
            name = item.name
            if name.startswith("."):
                continue
            try:
                if item.is_symlink() and item.is_dir():
                    linked.append((item.path, f"{prefix}{name}/"))
                elif item.is_dir():
                    info = item.stat()
                    if (info.st_dev, info.st_ino) not in seen:
                        seen.add((info.st_dev, info.st_ino))
                        subdirs.append((item.path, f"{prefix}{name}/"))
                elif os.path.splitext(name)[1].lower() in STORY_SUFFIXES:
                    info = item.stat()
                    if stat.S_ISREG(info.st_mode):
                        yield f"{prefix}{name}", item.path, info
            except OSError:
                continue
        stack.extend(reversed(subdirs))


def has_stories(folder: Path) -> bool:
    """True when ``folder`` holds at least one story file the library would list (any depth)."""
    return next(iter_story_files(folder), None) is not None


@cache
def _surrogate() -> re.Pattern[str]:
    """A lone surrogate: how ``os.fsdecode`` carries a file name's bytes that are not UTF-8
    (compiled on first use: ASCII text, what a start mostly shows, needs no pass)."""
    return re.compile("[\ud800-\udfff]")


def display_text(text: str) -> str:
    """``text`` as it may be shown: surrogate escapes as U+FFFD, then :func:`sanitise`.

    Use it for every string that comes from outside and reaches a screen or stdout/stderr
    without having been through an importer: file names, paths, error reasons.
    """
    if text.isascii():
        return sanitise(text)
    return sanitise(_surrogate().sub("\ufffd", text))


_HASH = re.compile(r"^[0-9a-fA-F]{8,}$")
"""A run of hex digits (a download's hash), not a word of a title."""


def title_from_filename(name: str, *, keep_name: bool = False) -> str:
    """A readable title from a file name: ``"my_story-name.txt"`` → ``"My Story Name"``.

    The story ending (:data:`STORY_SUFFIXES`, else the last one) is cut; ``_ - .`` and spaces
    split words; hashes and leading numbers (``"004_b28b80ae8a0444cc"``) are dropped; an
    all-lower-case name is capitalised word by word, one with capitals keeps the author's case.
    The name is untrusted like story text, so it passes through :func:`display_text` here.

    When nothing readable is left, an importer (``keep_name=False``) calls the story
    "Untitled story" (with its number, when it had one); the library (``keep_name=True``) lists
    the file name itself instead, because a row for a file that could not be read must say
    *which* file it is, and two such files must not both read "Untitled story".
    """
    shown = display_text(name)
    stem = shown
    for suffix in sorted(STORY_SUFFIXES, key=len, reverse=True):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    else:
        stem = os.path.splitext(stem)[0]
    tokens = [t for t in re.split(r"[_\-\s.]+", stem) if t]
    words = [t for t in tokens if not _HASH.match(t) or t.isalpha()]
    numbers = [t for t in words if t.isdigit()]
    named = [t for t in words if not t.isdigit()] if len(numbers) < len(words) else []
    if not named:
        if keep_name:
            return shown
        return f"Untitled story {numbers[0]}" if numbers else "Untitled story"
    while words and words[0].isdigit():
        words = words[1:]
    if all(w.islower() or w.isdigit() for w in words):
        words = [w[:1].upper() + w[1:] for w in words]
    return " ".join(words)


def display_path(path: str | os.PathLike[str], root: Path | None = None) -> str:
    """A path as it may be shown; relative to ``root`` when it lies inside it."""
    text = os.fspath(path)
    if root is not None and Path(text).is_relative_to(root):
        text = os.path.relpath(text, root)
    return display_text(text)
