"""Command line: ``tui-reader [PATH]``, ``inspect``, ``search``, ``keys``, ``serve-ssh``,
``update`` and ``get``.

Only argument parsing lives here; each command is a function in the module that owns it,
loaded by its entry point when the command runs (:data:`_COMMANDS`), so ``tui-reader inspect``
never loads Textual.
"""

from __future__ import annotations

import dataclasses
import gc
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from tui_reader import __version__
from tui_reader.config import Settings, load_settings
from tui_reader.paths import data_dir, default_library_dir, display_path, has_stories

if TYPE_CHECKING:
    import argparse

SUBCOMMANDS = ("inspect", "search", "keys", "serve-ssh", "update", "get")
"""Words that start a subcommand rather than name a story or library."""


def _common(parser: argparse.ArgumentParser) -> None:
    """Options every command shares."""
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where reader state and caches live (default: $TUI_READER_DATA or the user data dir)",
    )


def _config(parser: argparse.ArgumentParser) -> None:
    """The config file option."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="the config file (default: $TUI_READER_CONFIG or <user config dir>/tui-reader/"
        "config.toml)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser for ``tui-reader [PATH]`` (the reader itself)."""
    import argparse  # (not at import: opening a story skips argparse, see main)

    parser = argparse.ArgumentParser(
        prog="tui-reader",
        description=(
            "A terminal reader for fan fiction and web fiction. "
            "Other commands: 'tui-reader inspect FILE', 'tui-reader search QUERY', "
            "'tui-reader keys', 'tui-reader serve-ssh', 'tui-reader update', "
            "'tui-reader get URL' (each takes --help)."
        ),
    )
    parser.add_argument(
        "path",
        nargs="?",
        help="a library folder or a story file (default: ./stories, else your library folder)",
    )
    parser.add_argument("--version", action="version", version=f"tui-reader {__version__}")
    _common(parser)
    _config(parser)
    parser.add_argument(
        "--plain",
        action="store_true",
        help="plain mode: no box-drawing or block characters, every state in words, no colour-only "
        "cue (screen readers, braille displays, monochrome terminals)",
    )
    parser.add_argument("--no-config", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reader-id", default="local", help=argparse.SUPPRESS)
    parser.add_argument("--hosted", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--guest", action="store_true", help=argparse.SUPPRESS)
    return parser


def build_inspect_parser() -> argparse.ArgumentParser:
    """The parser for ``tui-reader inspect``."""
    import argparse  # (not at import: opening a story skips argparse, see main)

    parser = argparse.ArgumentParser(
        prog="tui-reader inspect",
        description="Show how a story file is read: metadata, warnings, chapters and notes.",
    )
    parser.add_argument("file", help="a story file")
    parser.add_argument("--json", action="store_true", help="print the whole story as JSON")
    parser.add_argument(
        "--audit",
        action="store_true",
        help="count the file's visible words and say where each went (exit 3 if >1%% is lost)",
    )
    return parser


def build_search_parser() -> argparse.ArgumentParser:
    """The parser for ``tui-reader search``."""
    import argparse  # (not at import: opening a story skips argparse, see main)

    parser = argparse.ArgumentParser(
        prog="tui-reader search",
        description="Full-text search across the library (phrases in quotes, prefixes with *).",
    )
    parser.add_argument("query", help='what to look for: words, "a phrase", or pref*')
    parser.add_argument("--library", metavar="DIR", help="the library folder")
    parser.add_argument("--limit", type=_positive, default=20, help="most results to show")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--all",
        action="store_true",
        help="include stories hidden by your warning preferences and the ones you muted",
    )
    _common(parser)
    return parser


def build_keys_parser() -> argparse.ArgumentParser:
    """The parser for ``tui-reader keys``."""
    import argparse  # (not at import: opening a story skips argparse, see main)

    parser = argparse.ArgumentParser(
        prog="tui-reader keys",
        description="Every key binding: its id (to remap it in the config file's [keys]), its "
        "keys (as the config file sets them) and what it does.",
    )
    _config(parser)
    return parser


def build_serve_parser() -> argparse.ArgumentParser:
    """The parser for ``tui-reader serve-ssh``."""
    import argparse  # (not at import: opening a story skips argparse, see main)

    parser = argparse.ArgumentParser(
        prog="tui-reader serve-ssh",
        description="Host the library over ssh: each reader connects with a plain ssh client.",
    )
    parser.add_argument(
        "--listen",
        default="127.0.0.1:2222",
        metavar="HOST:PORT",
        help="where to listen (default: %(default)s, this machine only; 0.0.0.0:2222 for all)",
    )
    parser.add_argument("--host-key", metavar="PATH", help="ed25519 host key (made if missing)")
    parser.add_argument(
        "--library", metavar="DIR", help="the library folder (default: the data dir's library)"
    )
    _common(parser)
    _config(parser)
    parser.add_argument("--authorized-keys", metavar="FILE", help="only these keys get in")
    parser.add_argument(
        "--allow-anonymous", action="store_true", help="let clients without a key in as guests"
    )
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=50,
        metavar="N",
        help="most readers connected at once (default: %(default)s)",
    )
    parser.add_argument(
        "--max-per-ip",
        type=int,
        default=5,
        metavar="N",
        help="most sessions from one address (default: %(default)s)",
    )
    parser.add_argument(
        "--max-unauthenticated-per-ip",
        type=int,
        default=8,
        metavar="N",
        help="most connections from one address that have not logged in yet (default: %(default)s)",
    )
    parser.add_argument(
        "--login-grace",
        default="10s",
        metavar="DURATION",
        help="time a client has to log in (default: %(default)s)",
    )
    parser.add_argument(
        "--pty-deadline",
        default="10s",
        metavar="DURATION",
        help="time a session has to ask for a terminal (default: %(default)s)",
    )
    parser.add_argument(
        "--idle-timeout",
        default="30m",
        metavar="DURATION",
        help="end a session nobody types in for this long, its place saved (default: "
        "%(default)s; 0 or off for never)",
    )
    parser.add_argument(
        "--no-warm-host",
        action="store_true",
        help="start every session as a new process (slower, more memory) instead of forking it "
        "from a warm host that has the app loaded",
    )
    parser.add_argument(
        "--max-starting",
        type=int,
        default=None,
        metavar="N",
        help="most sessions drawing their first screen at once, the others waiting their turn "
        "(default: twice the CPUs; 0 for no limit)",
    )
    return parser


def _fetching(parser: argparse.ArgumentParser) -> None:
    """Options ``update`` and ``get`` share: the library, the delay, the FanFicFare command."""
    parser.add_argument("--library", metavar="DIR", help="the library folder")
    parser.add_argument(
        "--delay",
        type=float,
        default=5.0,
        metavar="S",
        help="seconds between two stories of one site (default 5; sites answer bulk "
        "fetches with errors)",
    )
    parser.add_argument(
        "--fanficfare",
        metavar="CMD",
        help="the FanFicFare command, with any arguments of its own (default: fanficfare; "
        'e.g. "fanficfare -c /path/personal.ini")',
    )
    _common(parser)


def build_update_parser() -> argparse.ArgumentParser:
    """The parser for ``tui-reader update``."""
    import argparse  # (not at import: opening a story skips argparse, see main)

    parser = argparse.ArgumentParser(
        prog="tui-reader update",
        description="Fetch the new chapters of stories that name their source, with FanFicFare "
        "(pip install 'tui-reader[fetch]'). EPUBs are updated in place, other files fetched "
        "again in their format; a file is replaced only by one that reads. Exit status 1 when "
        "a story failed, 2 when FanFicFare is not installed.",
    )
    parser.add_argument(
        "files", nargs="*", metavar="FILE", help="story files (default: the whole library)"
    )
    _fetching(parser)
    return parser


def build_get_parser() -> argparse.ArgumentParser:
    """The parser for ``tui-reader get``."""
    import argparse  # (not at import: opening a story skips argparse, see main)

    parser = argparse.ArgumentParser(
        prog="tui-reader get",
        description="Add stories to the library from their URLs, with FanFicFare "
        "(pip install 'tui-reader[fetch]'). Exit status 1 when a story failed, 2 when "
        "FanFicFare is not installed.",
    )
    parser.add_argument("urls", nargs="+", metavar="URL", help="story URLs")
    parser.add_argument(
        "--format",
        choices=("epub", "html", "txt"),
        default="epub",
        help="the file format to keep (default epub)",
    )
    _fetching(parser)
    return parser


def _fail(message: str) -> int:
    """Print a one-line error and return the exit status for it."""
    print(f"error: {message}", file=sys.stderr)
    return 1


NO_TERMINAL = (
    "the reader needs a terminal to read keys from, and standard input is not one "
    "(to print a story's details instead: tui-reader inspect FILE)"
)
"""Why the reader does not start without a terminal on its input (Textual's driver would wait
on an input at its end forever, a processor busy all the while). Said after a story file's own
error, which matters more to a script that opened a broken file."""


def _has_terminal() -> bool:
    """True when standard input is a terminal (the reader reads its keys there)."""
    return os.isatty(0)


def _positive(value: str) -> int:
    """A whole number of at least 1 (argparse says so in one line otherwise)."""
    import argparse  # (not at import: opening a story skips argparse, see main)

    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {value!r}")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status. The garbage collector runs for every
    command (its start paused it: :func:`tui_reader.__main__.run`), the reader's start-up
    aside (:func:`_run_reader`)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list and args_list[0] in _COMMANDS:
            gc.enable()
            entry, parser = _COMMANDS[args_list[0]]
            return int(_load(entry)(parser().parse_args(args_list[1:])))
        plain = _plain_reader_args(args_list)
        return _run_reader(plain if plain is not None else build_parser().parse_args(args_list))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


_COMMANDS: dict[str, tuple[str, Callable[[], argparse.ArgumentParser]]] = {
    "inspect": ("tui_reader.inspect:run_inspect", build_inspect_parser),
    "search": ("tui_reader.search:run_search_cli", build_search_parser),
    "keys": ("tui_reader.config:run_keys_cli", build_keys_parser),
    "serve-ssh": ("tui_reader.ssh.server:run_server", build_serve_parser),
    "update": ("tui_reader.updates:run_update_cli", build_update_parser),
    "get": ("tui_reader.updates:run_get_cli", build_get_parser),
}
"""Each subcommand's entry point (``module:function``) and its parser. The module is loaded
only when its command runs, so ``tui-reader inspect`` or ``keys`` never loads Textual."""

READER_ENTRY = "tui_reader.ui.app:run_app"
"""The reader's entry point, loaded when the reader runs (it brings in Textual)."""

FIRST_READ_ENTRY = "tui_reader.first_read:start"
"""Begins a story file's read (its cache entry, or its first chapter in a child process) before
the reader's entry point brings in Textual."""


def _plain_reader_args(args_list: list[str]) -> SimpleNamespace | None:
    """The reader's arguments when there is at most one and it is no option (``tui-reader``,
    ``tui-reader STORY``), exactly as :func:`build_parser` would read them; else None.

    The common start then never loads :mod:`argparse` (and the :mod:`gettext` it brings), a
    few milliseconds before the first frame; anything else goes through the parser.
    """
    if len(args_list) > 1 or (args_list and args_list[0].startswith("-")):
        return None
    return SimpleNamespace(
        path=args_list[0] if args_list else None,
        data_dir=None,
        config=None,
        plain=False,
        no_config=False,
        reader_id="local",
        hosted=False,
        guest=False,
    )


def _load(entry: str) -> Callable[..., Any]:
    """The function an entry point (``module:function``) names, its module imported now."""
    module, _, name = entry.partition(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return function


def _run_reader(args: argparse.Namespace | SimpleNamespace) -> int:
    """Open the reader on a library folder or a single story.

    The garbage collector is paused from here until the app's first frame is on screen
    (:func:`tui_reader.ui.app.run_app` resumes it): start-up makes many objects and frees
    almost none, so the collections it would trigger (a few full ones while Textual is
    imported) only delay the first frame.
    """
    gc.disable()
    try:
        return _start_reader(args)
    finally:
        gc.enable()  # (a no-op once the app has resumed it)


def _start_reader(args: argparse.Namespace | SimpleNamespace) -> int:
    """:func:`_run_reader`, with the garbage collector paused."""
    data = data_dir(args.data_dir)
    if args.path:
        target = Path(args.path).expanduser()
        if not target.exists():
            return _fail(f"{display_path(target)}: no such file or folder")
    else:
        target = default_library_dir(data)
        target.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not has_stories(target):
        print(
            f"No stories found in {display_path(target)}.\n"
            f"Put story files there (.md, .txt, .html, .epub) and run tui-reader again,\n"
            f"or run 'tui-reader FOLDER' on a folder that holds them.",
            file=sys.stderr,
        )
        return 1
    settings = Settings() if args.no_config else load_settings(args.config)
    if args.plain:
        settings = dataclasses.replace(settings, plain=True)
    first_read = None
    if not target.is_dir():  # (begun before Textual is imported: see tui_reader.first_read)
        first_read = _load(FIRST_READ_ENTRY)(target, data)
    return int(
        _load(READER_ENTRY)(
            target,
            data_dir=data,
            reader_id=args.reader_id,
            hosted=args.hosted,
            guest=args.guest,
            settings=settings,
            first_read=first_read,
            cannot_run=None if _has_terminal() else NO_TERMINAL,
        )
    )
