"""The warm host: one process that has imported Textual and the app, and forks each session.

``serve-ssh`` starts it once (``python -m tui_reader.ssh.warm SOCKET``). It imports everything
a reader needs, runs the app once headless (:func:`rehearsal`: the CSS parsed, the caches of a
first screen filled, once for every session), freezes those objects (``gc.freeze()``, so the
collector never writes to the pages the sessions share copy-on-write), prints ``ready`` and
then serves a small protocol on a Unix socket that only the server's user can reach:

- the server connects and sends one JSON line: ``{"args": [...], "env": {...}, "cwd": "...",
  "cols": N, "rows": N}`` — the reader's command-line arguments (as after
  ``python -m tui_reader``), its whole environment, its working directory and window size;
- the warm host opens a PTY at that size, forks, and answers ``{"pid": N}`` with the PTY's
  master side attached (``SCM_RIGHTS``, :func:`socket.send_fds`);
- when that session's process ends, the warm host (its parent, so the one that reaps it)
  writes ``exit STATUS`` on the same connection and closes it.

The forked child becomes the leader of a new session with the PTY as its controlling terminal
(the kernel sends it SIGWINCH and SIGHUP as for any terminal), drops everything of the warm
host (sockets, signal handlers, environment) and runs the reader as its usual entry point,
:func:`tui_reader.cli.main`, does (with the parser the warm host built once), which installs
its own signal handlers (the bounded-exit guard).

Its memory, and so every session's, is offered to the kernel's same-page merging
(:func:`offer_pages_for_merging`): where the host runs KSM, the pages sessions copy but leave
the same as the warm host's or each other's are merged back.

The warm host is single-threaded (a ``selectors`` loop), so forking it is safe. It ends when
the server closes its stdin (the server went away) or on SIGTERM; the sessions it forked keep
running, each on the PTY the server holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import gc
import importlib
import json
import os
import pkgutil
import re
import select
import selectors
import signal
import socket
import sys
import tempfile
import termios
import threading
import time
import types
import weakref
from argparse import ArgumentParser, Namespace
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from rich.cells import cell_len

from tui_reader.cli import _run_reader, build_parser
from tui_reader.ssh.config import child_env, reader_args
from tui_reader.ssh.pty_child import clamp_size, set_winsize
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.styles import read_css_files

MAX_REQUEST = 64 * 1024
"""Most bytes of one fork request."""

REQUEST_TIMEOUT = 5.0
"""Seconds the server has to send a whole request once connected."""

READY = b"ready\n"
"""The line the warm host prints on stdout once it listens."""


WARM_MODULES = (
    "textual.app",
    "textual.drivers.linux_driver",
    "tui_reader.cli",
    "tui_reader.config",
    "tui_reader.state",
    "tui_reader.ui.app",
    "concurrent.futures.thread",
    "textual._xterm_parser",
    "textual.layouts.factory",
    "textual.layouts.horizontal",
    "textual.layouts.stream",
    "textual.scrollbar",
    "tui_reader.layout",
    "tui_reader.ui.screens.reader",
    "tui_reader.ui.widgets.chapter_view",
    "tui_reader.ui.widgets.reader_header",
    # screens the app imports when first shown (tui_reader.ui.app.DEFERRED_MODULES)
    "tui_reader.ui.screens.library",
    "tui_reader.ui.screens.search",
    "tui_reader.ui.screens.bookmarks",
    "tui_reader.ui.screens.history",
    "tui_reader.ui.screens.help",
    "tui_reader.ui.commands",  # (the palette's providers, loaded when it first opens)
    "tui_reader.story_cache",
    # imported by a session after its first frame or once a story is open (measured: a
    # module a session imports itself is new objects in its own pages, and dirties the
    # shared import caches)
    "tui_reader.ssh.config",
    "tui_reader.updates",
    "shlex",
    "ctypes",
    # what a search index opens and builds with (SQLite, a process pool), imported by the
    # index itself
    "sqlite3",
    "multiprocessing",
    "multiprocessing.resource_tracker",
    "concurrent.futures.process",
)
"""The app, and the modules a session imports lazily on its way to the library and a story."""

WARM_PACKAGES = (
    "tui_reader.importers",
    "tui_reader.ui.dialogs",
    "tui_reader.ui.screens",
    "tui_reader.ui.widgets",
)
"""Packages whose every module the warm host imports (the importers, every dialog, screen
and widget a session may open)."""


REHEARSAL_STORY = """+++
title = "Warm"
author = "tui-reader"
+++

# One

A first paragraph.

# Two

A second paragraph.
"""
"""The story the warm host opens in its rehearsal (two chapters, no warnings)."""


def preload(rehearse: bool = True) -> None:
    """Import what every session needs before its first frame, then freeze it for sharing.

    With ``rehearse`` the app is also run once, headless (:func:`rehearsal`), so what every
    first screen builds the same way is built here once, for all sessions: the parsed CSS
    (:mod:`tui_reader.ui.styles` keeps it for the process), Textual's and Rich's caches, and the
    interpreter's specialised bytecode of the code a mount runs. The reader's command-line
    parser is built here too (:func:`session_args`), once for all sessions.

    The code that rehearsal ran, and the code a real session runs besides (its terminal
    driver, its state file: :func:`session_calls`, a session forked on a pseudo-terminal to
    see it), is then copied together (:func:`pack_code`) and the app run once more, so the
    copies are the ones specialised: a session writes the code it runs (a reference count at
    each call, the interpreter's counters in its bytecode), and copies fewer shared pages when
    that code lies together rather than spread among all the code imported. The functions
    running it are copied together as well where nothing else holds them
    (:func:`pack_functions`: a call writes its function's reference count), and the
    ``lru_cache`` caches the runs filled are rebuilt so their entries lie together too
    (:func:`compact_lru_caches`: a hit writes its entry).

    The collector is off from the start (``main``); the rehearsal's garbage is collected before
    the freeze. The holes that leaves in the memory the sessions share are then filled
    (:func:`fill_free_blocks`, :func:`fill_free_chunks`), so a session's own objects go to
    pages of its own instead of making it copy shared ones.
    """
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            if name.startswith(("tui_reader.", "textual.app")):
                raise  # the app itself must load; Textual's internals may move
    for package in WARM_PACKAGES:
        path = importlib.import_module(package).__path__
        for module in pkgutil.iter_modules(path, package + "."):
            importlib.import_module(module.name)
    cell_len("é中")  # loads rich's table of character widths, as every first frame does
    read_css_files()  # a session reads no .tcss file from disk
    if not _PARSER:
        _PARSER.append(build_parser())
    if rehearse:
        ran = calls_in(_rehearse_all)
        for code in codes_named(session_calls()):
            ran.setdefault(code)  # (after the rehearsal's: the code only real sessions run)
        gc.collect()
        fill_free_blocks()  # (so the copies go to pages of their own, one after another)
        fill_free_chunks()
        pack_code(ran)
        pack_functions(ran)
        ran.clear()
        gc.collect()
        rehearsal()  # specialises the copies, as the first run did the originals
        gc.collect()
        fill_free_blocks()
        fill_free_chunks()
        compact_lru_caches()
        gc.collect()
    fill_free_blocks()
    fill_free_chunks()
    gc.freeze()


_PARSER: list[ArgumentParser] = []
"""The reader's command-line parser, built once by :func:`preload`."""

SAMPLE_ARGS = ("--hosted", "--reader-id", "warm", "--data-dir", "/", "--no-config", "/")
"""Arguments like a session's, parsed in the warm host to warm the parser's code."""


def session_args(args: Sequence[str]) -> Namespace:
    """The reader's arguments parsed as :func:`tui_reader.cli.main` parses them, with the
    parser :func:`preload` built (a session then builds none of its own)."""
    if not _PARSER:
        _PARSER.append(build_parser())
    return _PARSER[0].parse_args(list(args))


def _rehearse_all() -> None:
    """What :func:`preload` runs once to see which code a session runs: the parser, the app."""
    for _ in range(8):  # (the interpreter specialises a function's code at its eighth call)
        session_args(SAMPLE_ARGS)
    rehearsal()


def calls_in(work: Callable[[], object]) -> dict[types.CodeType, None]:
    """The code of every Python function ``work`` called, in the order first called (any
    thread's), as the keys of a dict."""
    called: dict[types.CodeType, None] = {}

    def profile(frame: types.FrameType, event: str, arg: object) -> None:
        """Note the code of each call."""
        if event == "call":
            called[frame.f_code] = None

    sys.setprofile(profile)
    threading.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    return called


PROBE_TIMEOUT = 20.0
"""Seconds :func:`session_calls` gives its session to show its first screen."""

PROBE_QUIET = 0.3
"""Seconds without output after which the probe session's first screen counts as shown."""

CodeName = tuple[str, int, str]
"""A code object as (file, first line, qualified name): the same in a fork as here."""


def session_calls(timeout: float = PROBE_TIMEOUT) -> list[CodeName]:
    """The code a real session runs to its first screen, in the order first called; [] if
    the probe failed.

    The rehearsal runs the app headless, as a guest: a session also runs the terminal's
    driver (its input and output threads), the command line, the state file and its writer
    thread. To see that code, a session is forked on a pseudo-terminal as the warm host forks
    them (a one-story library in a temporary folder, a reader of its own there), with a
    profiler that notes each call; once its library has shown, it writes what it called to a
    file and ends. Nothing of it stays in the warm host: it ran in its own process.
    """
    with tempfile.TemporaryDirectory(prefix="tui-reader-probe-") as folder:
        root = Path(folder)
        library, data, found = root / "library", root / "data", root / "calls.json"
        library.mkdir()
        (library / "warm.md").write_text(REHEARSAL_STORY, encoding="utf-8")
        args = reader_args(library, data, "warm-probe", guest=False)
        env = child_env("xterm-256color", data)
        try:
            master, slave = os.openpty()
        except OSError:
            return []  # (no pseudo-terminals here: nothing to learn, nothing lost)
        set_winsize(slave, 100, 32)
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError:
            os.close(master)
            os.close(slave)
            return []
        if pid == 0:  # pragma: no cover - the probe session
            status = 1
            try:
                os.close(master)
                _probe_child(slave, found, args, env, folder)
            finally:
                os._exit(status)
        os.close(slave)
        try:
            shown = _until_shown(master, b"Warm", timeout)
            if shown:
                os.kill(pid, signal.SIGUSR1)
            _drain_until_exit(pid, master, 5.0)
        finally:
            os.close(master)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        try:
            calls = json.loads(found.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
    return [(str(f), int(line), str(name)) for f, line, name in calls]


def take_terminal(slave: int) -> None:  # pragma: no cover - runs in a forked child
    """In a forked child: a new session whose controlling terminal is the PTY ``slave``, which
    becomes its standard input, output and error."""
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    if slave > 2:
        os.close(slave)


def _probe_child(
    slave: int, found: Path, args: list[str], env: dict[str, str], cwd: str
) -> None:  # pragma: no cover - runs in the probe session
    """The probe session: on its PTY, the reader run with every call noted; on SIGUSR1 the
    calls are written to ``found`` and the process ends."""
    take_terminal(slave)
    called: dict[types.CodeType, None] = {}

    def profile(frame: types.FrameType, event: str, arg: object) -> None:
        """Note the code of each call."""
        if event == "call":
            called[frame.f_code] = None

    def report(signum: int, frame: object) -> None:
        """Write what was called, then end."""
        sys.setprofile(None)
        threading.setprofile(None)
        names = [[c.co_filename, c.co_firstlineno, c.co_qualname] for c in list(called)]
        found.write_text(json.dumps(names), encoding="utf-8")
        os._exit(0)

    signal.signal(signal.SIGUSR1, report)
    threading.setprofile(profile)
    sys.setprofile(profile)
    run_session(args, env, cwd)


def _until_shown(master: int, marker: bytes, timeout: float) -> bool:
    """Read a PTY until ``marker`` has come and then nothing for :data:`PROBE_QUIET` seconds;
    False if that took longer than ``timeout`` or the other side closed."""
    seen = bytearray()
    end = time.monotonic() + timeout
    last = time.monotonic()
    while time.monotonic() < end:
        if marker in seen and time.monotonic() - last >= PROBE_QUIET:
            return True
        if select.select([master], [], [], 0.05)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            if marker not in seen:
                seen += chunk
            last = time.monotonic()
    return False


def _drain_until_exit(pid: int, master: int, timeout: float) -> None:
    """Read the PTY (so the process never blocks writing) until ``pid`` ends or ``timeout``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and os.waitpid(pid, os.WNOHANG) == (0, 0):
        if select.select([master], [], [], 0.05)[0]:
            try:
                os.read(master, 65536)
            except OSError:
                time.sleep(0.05)


def codes_named(names: Sequence[CodeName]) -> list[types.CodeType]:
    """The warm host's code objects of these names (a function's code and the code nested in
    it), in the order given; names it has none of are left out."""
    index: dict[CodeName, types.CodeType] = {}
    stack = [obj.__code__ for obj in gc.get_objects() if isinstance(obj, types.FunctionType)]
    while stack:
        code = stack.pop()
        name = (code.co_filename, code.co_firstlineno, code.co_qualname)
        if index.setdefault(name, code) is code:
            stack += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return [index[name] for name in names if name in index]


def pack_code(codes: dict[types.CodeType, None]) -> int:
    """Give every function running one of ``codes`` a copy of it, the copies made one after
    another (so they lie together in memory); how many functions were given one.

    A code object nested in one of these (a function defined inside it, a comprehension) is
    copied too when it is one of ``codes``, and its parent's copy holds the copy. The copies
    behave the same (``code.replace()``: the same bytecode, constants and names); the
    originals are freed once no function holds them.
    """
    copies: dict[types.CodeType, types.CodeType] = {}

    def copy(code: types.CodeType) -> types.CodeType:
        """The copy of ``code`` (nested code of ``codes`` copied too), made once."""
        done = copies.get(code)
        if done is None:
            consts = tuple(
                copy(c) if isinstance(c, types.CodeType) and c in codes else c
                for c in code.co_consts
            )
            done = copies[code] = code.replace(co_consts=consts)
        return done

    for code in codes:
        copy(code)
    given = 0
    for obj in gc.get_objects():
        if isinstance(obj, types.FunctionType):
            replacement = copies.get(obj.__code__)
            if replacement is not None:
                with contextlib.suppress(ValueError):  # (a copy has the same free variables)
                    obj.__code__ = replacement
                    given += 1
    return given


LRU_CACHE_MODULES = ("textual.", "rich.", "tui_reader.")
"""Modules whose ``functools.lru_cache`` caches :func:`compact_lru_caches` rebuilds: pure
functions of their arguments (colours, regions, styles, keys, wrapped text) that every
session's first screen calls with the same arguments as the rehearsal did."""


def lru_entries(
    cached: Callable[..., object],
) -> list[tuple[tuple[object, ...], dict[str, object]]]:
    """The arguments of each entry of a ``functools.lru_cache`` cache, least recently used
    first, as (positional, keyword) pairs; empty when its layout is not the one expected.

    The C cache does not list its keys, but it shows them to the collector in that order
    (key, result, entry type for each entry, then its dict, function and keyword marker).
    """
    refs = gc.get_referents(cached)
    table = next(
        (
            r
            for r in refs
            if isinstance(r, dict)
            and r
            and type(next(iter(r.values()))).__name__ == "_lru_list_elem"
        ),
        None,
    )
    if table is None:
        return []
    count = len(table)
    start = refs.index(table) - 3 * count
    if start < 0 or refs[start + 3 * count + 1] is not getattr(cached, "__wrapped__", None):
        return []
    marker = refs[start + 3 * count + 2]
    entry_type = type(next(iter(table.values())))
    found: list[tuple[tuple[object, ...], dict[str, object]]] = []
    for n in range(count):
        key = refs[start + 3 * n]
        if refs[start + 3 * n + 2] is not entry_type or key not in table:
            return []
        if not isinstance(key, tuple):
            found.append(((key,), {}))
            continue
        where = next((i for i, part in enumerate(key) if part is marker), None)
        if where is None:
            found.append((key, {}))
        else:
            named = key[where + 1 :]
            found.append((key[:where], dict(zip(named[::2], named[1::2], strict=True))))
    return found


def compact_lru_caches() -> int:
    """Rebuild the warm host's ``lru_cache`` caches of :data:`LRU_CACHE_MODULES` so their
    entries lie together; how many caches were rebuilt.

    A hit moves the entry to the front of the cache's list (it writes the entry and its two
    neighbours), so a session copies the page of every entry its first screen hits. After the
    rehearsals those entries are spread over pages among everything else made meanwhile (~90
    pages of a session's copies, measured). Cleared and called again with the same
    arguments, in the same order, the entries (and their results: equal values, new
    objects) are made one after another on the fresh pools :func:`fill_free_blocks` left.
    """
    caches = []
    for obj in gc.get_objects():
        if type(obj).__name__ != "_lru_cache_wrapper" or not callable(obj):
            continue
        cached = cast(Any, obj)
        module = getattr(getattr(cached, "__wrapped__", None), "__module__", "") or ""
        params = cached.cache_parameters()
        if (
            module.startswith(LRU_CACHE_MODULES)
            and params.get("maxsize") is not None
            and not params.get("typed")
            and cached.cache_info().currsize
        ):
            entries = lru_entries(cached)
            if entries:
                caches.append((cached, entries))
    for cached, _ in caches:
        cached.cache_clear()
    fill_free_blocks()  # (the holes the old entries left)
    for cached, entries in caches:
        for args, kwargs in entries:
            with contextlib.suppress(Exception):  # (it ran before with these arguments)
                cached(*args, **kwargs)
    return len(caches)


def pack_functions(codes: dict[types.CodeType, None]) -> int:
    """Replace each function running one of ``codes`` (or its packed copy) that only its module
    or class refers to by a copy, the copies made one after another; how many were replaced.

    A call writes its function's reference count, so a session copies the page of every
    function it calls; made together, those functions lie on a few pages. Only a function
    nothing else holds is replaced (no other dict, default, closure, decorator, bound method
    or weak reference): looked up by name, the copy is found in its place, and no one holds
    the old one to compare it with.
    """
    wanted = {code.co_filename + "\0" + code.co_qualname for code in codes}
    owners: dict[int, object] = {}
    for module in list(sys.modules.values()):
        table = getattr(module, "__dict__", None)  # (sys.modules may hold any object)
        if isinstance(table, dict):
            owners[id(table)] = module
    functions: dict[int, types.FunctionType] = {}
    for obj in gc.get_objects():
        if isinstance(obj, type):
            for table in gc.get_referents(obj.__dict__):  # (the dict behind the proxy)
                owners[id(table)] = obj
        elif isinstance(obj, types.FunctionType):
            code = obj.__code__
            if code.co_filename + "\0" + code.co_qualname in wanted:
                functions[id(obj)] = obj
    holders: dict[int, list[object]] = {key: [] for key in functions}
    for obj in gc.get_objects():
        if obj is functions:
            continue
        for ref in gc.get_referents(obj):
            held = holders.get(id(ref))
            if held is not None:
                held.append(obj)
    replaced = 0
    order = {code.co_filename + "\0" + code.co_qualname: n for n, code in enumerate(codes)}
    for func in sorted(
        functions.values(),
        key=lambda f: order.get(f.__code__.co_filename + "\0" + f.__code__.co_qualname, 0),
    ):
        held = holders[id(func)]
        if len(held) != 1 or not isinstance(held[0], dict) or weakref.getweakrefcount(func):
            continue
        owner = owners.get(id(held[0]))
        names = [name for name, value in held[0].items() if value is func]
        if owner is None or len(names) != 1:
            continue
        copy = types.FunctionType(
            func.__code__, func.__globals__, func.__name__, func.__defaults__, func.__closure__
        )
        copy.__qualname__ = func.__qualname__
        copy.__module__ = func.__module__
        copy.__doc__ = func.__doc__
        copy.__kwdefaults__ = func.__kwdefaults__
        copy.__annotations__ = func.__annotations__
        if func.__dict__:
            copy.__dict__.update(func.__dict__)
        try:
            setattr(owner, names[0], copy)
        except (AttributeError, TypeError):
            continue
        replaced += 1
    return replaced


PR_SET_MEMORY_MERGE = 67
"""``prctl`` option (Linux 6.4+): every mapping of the process may be merged by KSM, inherited
by the processes it forks."""

PR_GET_MEMORY_MERGE = 68
"""``prctl`` option: 1 if :data:`PR_SET_MEMORY_MERGE` is on for the process."""

MADV_MERGEABLE = 12
"""``madvise`` advice: KSM may merge these pages (older kernels; the mappings there are now)."""


def offer_pages_for_merging() -> str:
    """Let the kernel merge identical pages of the warm host and its sessions (KSM); how.

    A forked session copies every shared page it writes, but most of those copies end up
    byte for byte the same as the warm host's page (a reference count raised and lowered
    again) or as every other session's (the same counters and caches written the same way):
    measured, 11.6 of a session's 16.2 MiB. The kernel's same-page merging (KSM) folds such
    pages back into one, but only in memory a process has offered it. This offers all of the
    warm host's, now and later (``PR_SET_MEMORY_MERGE``, which every session forked from it
    inherits), or, on kernels before 6.4, its private writable mappings as they are now
    (``MADV_MERGEABLE``, also inherited by forked sessions). Returns ``"all"``, ``"mapped"``,
    or ``""`` when neither is available.

    Nothing is merged unless the host runs KSM (``/sys/kernel/mm/ksm/run`` is 1, which only
    the host's administrator can set); until then the offer costs nothing.
    """
    if not sys.platform.startswith("linux"):
        return ""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl, madvise = libc.prctl, libc.madvise
    except (OSError, AttributeError):
        return ""
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    if prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0) == 0:
        return "all"
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    madvise.restype = ctypes.c_int
    offered = False
    for line in Path("/proc/self/maps").read_text().splitlines():
        fields = line.split()
        name = fields[5] if len(fields) > 5 else ""
        if fields[1] == "rw-p" and name in ("", "[heap]"):
            start, end = (int(part, 16) for part in fields[0].split("-"))
            offered |= madvise(start, end - start, MADV_MERGEABLE) == 0
    return "mapped" if offered else ""


_FILLERS: list[object] = []
"""Objects that fill the free blocks of the warm host's partly used memory pools (kept)."""

_SIZE_CLASS = re.compile(r"^\s*\d+\s+(\d+)\s+\d+\s+\d+\s+(\d+)\s*$", re.MULTILINE)
"""A size class row of ``sys._debugmallocstats()``: its block size and free blocks."""


def free_blocks() -> dict[int, int]:
    """Free blocks in the partly used pools of Python's small-object allocator, by size."""
    with tempfile.TemporaryFile() as out:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(out.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read().decode("ascii", "replace")
    return {int(size): int(free) for size, free in _SIZE_CLASS.findall(text)}


def fill_free_blocks() -> int:
    """Fill the holes the warm-up left in the small-object pools; how many objects it took.

    What a session allocates goes first into free blocks of pools already in use; in a forked
    session such a pool is a page shared with the warm host, so a few bytes of the session's
    own cost it a copy of the whole page. With the holes taken by objects the warm host keeps
    (and never touches), a session's objects go to pools of its own, packed together.
    Measured: about 0.5 MiB less private memory per session.
    """
    count = 0
    for size, free in free_blocks().items():
        if size >= 48:  # a bytes object of n bytes takes a block of n + 33
            _FILLERS.extend(bytes(size - 33) for _ in range(free))
        elif size == 32:  # a float takes 24 bytes
            _FILLERS.extend(float(i) + 0.5 for i in range(free))
        else:
            continue
        count += free
    return count


_CHUNKS: list[int] = []
"""Addresses of C heap chunks taken to fill the warm host's free ones (never freed)."""

_FREE_CHUNKS = re.compile(r'<(?:size|unsorted) from="(\d+)" to="\d+" total="\d+" count="(\d+)"/>')
"""A row of glibc's ``malloc_info`` in the main heap: free chunks from a size, how many."""

TCACHE_SIZES = range(32, 1040, 16)
"""Chunk sizes glibc keeps per-thread caches of (up to seven chunks each)."""


def fill_free_chunks(limit: int = 4096) -> int:
    """Take the C heap's small free chunks, as :func:`fill_free_blocks` for Python's pools.

    A chunk a session's ``malloc`` gets from the warm host's free lists lies in a page shared
    with the warm host, which the session then copies whole. Only chunks under a page are
    taken (a larger free chunk holds whole pages of no one). glibc only; elsewhere nothing.
    """
    try:
        libc = ctypes.CDLL(None)
        malloc, malloc_info, fdopen = libc.malloc, libc.malloc_info, libc.fdopen
    except (OSError, AttributeError):
        return 0
    malloc.restype = ctypes.c_void_p
    malloc.argtypes = [ctypes.c_size_t]
    fdopen.restype = ctypes.c_void_p
    with tempfile.TemporaryFile() as out:
        stream = fdopen(os.dup(out.fileno()), b"w")
        if not stream:
            return 0
        malloc_info(0, ctypes.c_void_p(stream))
        libc.fclose(ctypes.c_void_p(stream))  # flushes it
        out.seek(0)
        text = out.read().decode("ascii", "replace")
    main_heap = text.split("</sizes>", 1)[0]
    wanted = [size for size in TCACHE_SIZES for _ in range(7)]
    for chunk, count in _FREE_CHUNKS.findall(main_heap):
        size = int(chunk) - 1  # glibc reports one more than the chunk's size
        if size < 4096:
            wanted += [size] * int(count)
    for size in wanted[:limit]:
        address = malloc(max(1, size - 8))  # a chunk of ``size`` holds size - 8 bytes
        if address:
            _CHUNKS.append(address)
    return len(_CHUNKS)


def rehearsal() -> bool:
    """Run the app once headless: a library of one story, then that story; True if it ran.

    Nothing of it stays but what is shared (caches, parsed CSS): its files are in a temporary
    folder removed after, its reader is a guest (no state file), its threads have ended, and
    whatever it prints goes nowhere (stdout is the warm host's line to the server). A rehearsal
    that fails costs only time: the sessions then do that work themselves.
    """
    saved = [os.dup(1), os.dup(2)]
    try:
        with tempfile.TemporaryDirectory(prefix="tui-reader-rehearsal-") as folder:
            root = Path(folder)
            (root / "library").mkdir()
            (root / "library" / "warm.md").write_text(REHEARSAL_STORY, encoding="utf-8")
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            os.close(null)
            return asyncio.run(_rehearse(root / "library", root / "data"))
    except Exception:  # a failed rehearsal must not stop the warm host
        return False
    finally:
        for fd, saved_fd in zip((1, 2), saved, strict=True):
            os.dup2(saved_fd, fd)
            os.close(saved_fd)
        for thread in threading.enumerate():
            if thread is not threading.current_thread():
                thread.join(5.0)


async def _rehearse(library: Path, data: Path) -> bool:
    """The rehearsal's run: the library screen, then the story's reading screen."""
    app = TuiReaderApp(library, data_dir=data, reader_id="warm", guest=True)
    opened = False

    async def pilot(_: object) -> None:
        """Wait for the scan, open the story, wait for it, leave."""
        nonlocal opened
        for _ in range(500):
            screen = app.screen
            if isinstance(screen, LibraryScreen) and screen.scanned:
                app.open_entry(screen.entries[0])
            if isinstance(screen, ReaderScreen) and screen.is_mounted:
                opened = True
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        app.exit(0)

    await app.run_async(headless=True, size=(100, 32), auto_pilot=pilot)
    return opened


def _check_request(request: object) -> tuple[list[str], dict[str, str], str, int, int]:
    """The parts of a fork request; ValueError when it is not one."""
    if not isinstance(request, dict):
        raise ValueError("not an object")
    args, env, cwd = request.get("args"), request.get("env"), request.get("cwd")
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise ValueError("args must be a list of strings")
    if args and args[0] in ("inspect", "search", "keys", "serve-ssh"):
        raise ValueError("only the reader runs here")
    if not isinstance(env, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in env.items()
    ):
        raise ValueError("env must map strings to strings")
    if not isinstance(cwd, str):
        raise ValueError("cwd must be a string")
    try:
        cols, rows = clamp_size(int(request.get("cols", 80)), int(request.get("rows", 24)))
    except OverflowError:  # an infinite size: int() says OverflowError, not ValueError
        raise ValueError("cols and rows must be whole numbers") from None
    return args, env, cwd, cols, rows


def _read_request(conn: socket.socket) -> bytes:
    """One request line from ``conn`` (bounded in size and time)."""
    conn.settimeout(REQUEST_TIMEOUT)
    data = bytearray()
    while b"\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST:
            raise ValueError("request too long")
    return bytes(data).split(b"\n", 1)[0]


def run_session(
    args: Sequence[str], env: dict[str, str], cwd: str
) -> int:  # pragma: no cover - runs in the forked child
    """In a forked child on its PTY: become that session and run the reader; its status."""
    gc.enable()
    os.environ.clear()
    os.environ.update(env)
    with contextlib.suppress(OSError):
        os.chdir(cwd)
    sys.argv = ["tui-reader", *args]
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    try:
        return _run_reader(session_args(args))  # as tui_reader.cli.main runs the reader
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)


class WarmHost:
    """The listening socket, the live sessions' connections, and the fork itself."""

    def __init__(self, path: str) -> None:
        """Listen on the Unix socket ``path``."""
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        """Where the server connects for each session."""
        self.listener.bind(path)
        self.listener.listen(256)
        self.waiting: dict[int, socket.socket] = {}
        """Per live session pid: the connection its exit status goes to."""
        self.selector = selectors.DefaultSelector()
        """Waits for connections, SIGCHLD and the server going away."""
        self.wake_r, self.wake_w = os.pipe()
        """Signals arrive here (``signal.set_wakeup_fd``)."""
        self.running = True
        """False once the warm host should end."""

    def serve(self) -> None:
        """Fork sessions on request until stdin closes or SIGTERM."""
        os.set_blocking(self.wake_w, False)
        os.set_blocking(self.wake_r, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGHUP, self._stop)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when we end
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(self.wake_r, selectors.EVENT_READ, "signal")
        self.selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
        sys.stdout.buffer.write(READY)
        sys.stdout.flush()
        while self.running:
            for key, _ in self.selector.select(1.0):
                if key.data == "accept":
                    self._accept()
                elif key.data == "signal":
                    with contextlib.suppress(OSError):
                        os.read(self.wake_r, 512)
                elif key.data == "stdin" and not os.read(sys.stdin.fileno(), 512):
                    self.running = False
            self._reap()

    def _stop(self, signum: int, frame: object) -> None:
        """SIGTERM/SIGHUP: end the loop (sessions keep running)."""
        self.running = False

    def _accept(self) -> None:
        """One fork request: fork the session and answer with its pid and PTY."""
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        try:
            args, env, cwd, cols, rows = _check_request(json.loads(_read_request(conn)))
            pid, master = self._fork(args, env, cwd, cols, rows)
        except (OSError, ValueError, TypeError) as exc:
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps({"error": str(exc)[:200]}).encode() + b"\n")
            conn.close()
            return
        try:
            socket.send_fds(conn, [json.dumps({"pid": pid}).encode() + b"\n"], [master])
        except OSError:
            conn.close()  # the server gave up: the session loses its terminal and ends
        else:
            self.waiting[pid] = conn
        finally:
            os.close(master)

    def _fork(
        self, args: list[str], env: dict[str, str], cwd: str, cols: int, rows: int
    ) -> tuple[int, int]:
        """Open a PTY at the size and fork the session onto it; (pid, master)."""
        master, slave = os.openpty()
        try:
            set_winsize(slave, cols, rows)
            attrs = termios.tcgetattr(slave)
            attrs[3] |= termios.ECHO | termios.ICANON | termios.ISIG
            termios.tcsetattr(slave, termios.TCSANOW, attrs)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
        except BaseException:
            os.close(master)
            os.close(slave)
            raise
        if pid == 0:  # pragma: no cover - the child
            status = 1
            try:
                os.close(master)
                self._become_child(slave)
                status = run_session(args, env, cwd)
            finally:
                with contextlib.suppress(Exception):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(status & 0xFF if status >= 0 else 1)
        os.close(slave)
        return pid, master

    def _become_child(self, slave: int) -> None:  # pragma: no cover - runs in the forked child
        """Drop the warm host's sockets and handlers; the PTY becomes the controlling terminal."""
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        self.selector.close()
        self.listener.close()
        for conn in self.waiting.values():
            conn.close()
        self.waiting.clear()
        os.close(self.wake_r)
        os.close(self.wake_w)
        take_terminal(slave)

    def _reap(self) -> None:
        """Collect ended sessions and tell the server each one's exit status."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.waiting.pop(pid, None)
            if conn is None:
                continue
            with contextlib.suppress(OSError):
                conn.settimeout(1.0)
                conn.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
            conn.close()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tui_reader.ssh.warm SOCKET``: preload, then serve until told to stop."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m tui_reader.ssh.warm SOCKET", file=sys.stderr)
        return 2
    gc.disable()
    preload()
    offer_pages_for_merging()
    host = WarmHost(args[0])
    try:
        host.serve()
    finally:
        host.listener.close()
        with contextlib.suppress(OSError):
            os.unlink(args[0])
    return 0


if __name__ == "__main__":  # pragma: no cover - the warm host process
    sys.exit(main())
