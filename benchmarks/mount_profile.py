"""What a session's first screen costs: CPU to mount the app, locally and forked; PSS per session.

Not a benchmark case (no result rows, no targets): a measuring tool for the work on the hosted
start-up (issue 14, item 3). ``python -m benchmarks.mount_profile`` prints, for a library of 20
stories and for a single story:

- ``local``: a fresh interpreter per run imports the app (not counted), then builds
  :class:`~tui_reader.ui.app.TuiReaderApp` and runs it headless until the first screen is
  painted (the library scanned and drawn, or the story's reading screen drawn); CPU time of
  that mount (``time.process_time``, every thread of the process), median of ``--runs``;
- ``forked``: the same mount in a child forked from a parent prepared as the warm host
  prepares itself (:func:`tui_reader.ssh.warm.preload`: imports, warm-up, ``gc.freeze()``);
- ``warm host``: real sessions forked by a real warm host (``python -m tui_reader.ssh.warm``)
  on a pseudo-terminal at 100x32, one at a time: the session process's CPU (``/proc``) when
  the first screen's text has arrived and output has been quiet for 0.3 s;
- ``PSS``: ``--pss N`` sessions of that warm host open at once, each one's proportional set
  size (``/proc/<pid>/smaps_rollup``), the mean, and the warm host's own; read 1 s after the
  last first screen, or ``--settle S`` seconds after it (to let the kernel's same-page
  merging, KSM, fold the sessions' identical pages together where the host runs it: the
  state of ``/sys/kernel/mm/ksm/run`` is printed with the figure).

``--pages`` (needs root: page frame numbers and ``/proc/kpagecount``) sorts the private pages
of one session, forked while the warm host was idle and left open while three more were forked:
pages it copied from the warm host by region (C heap, anonymous maps such as Python's arenas,
libpython's data), pages that are its own from the start, and pages it kept the warm host's
copy of but holds alone because the warm host wrote them after the fork.

``--objects`` (root too) forks one session from this process, prepared as the warm host prepares
itself, on a pseudo-terminal, and once its first screen has shown compares each page it copied
from this process word by word with this process's copy, and names what the differing words
belong to (the object at that address: its reference count, the collector's header, its body),
then counts the pages by that: ``code body`` (the interpreter's counters in the bytecode), ``str
refcount``, ``no net change`` (written and back to the same bytes: a count raised and lowered)...

``--profile`` writes a pyinstrument profile of one forked library mount (needs ``pip install
pyinstrument``) to ``--profile-out`` (default: mount-profile.txt in the work folder).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import fcntl
import gc
import importlib
import json
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
import types
from pathlib import Path
from typing import Any

from benchmarks.generate import make_story

ROOT = Path(__file__).resolve().parent.parent
"""The repository (the bundled stories live in ``stories/``)."""

SIZE = (100, 32)
"""The terminal size every mount gets."""

LIBRARY_TITLE = b"20 stories"
"""The end of the library's title line once its scan has finished (the first screen)."""

STORY_TEXT = b"Chapter"
"""Text of the reading screen's header: the single story's first screen has it."""

GENERATED = 11
"""Generated stories added to the bundled ones (9 + 11 = 20)."""


def make_library(folder: Path) -> Path:
    """A library of 20 stories: the bundled ones and 11 small generated Markdown stories."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "stories").iterdir()):
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    for seed in range(GENERATED):
        make_story(folder, 3_000, "markdown", chapter_words=1_000, seed=100 + seed)
    return folder


def single_story(library: Path) -> Path:
    """The story a single-story run opens (a bundled Markdown story of several chapters)."""
    return library / "the-long-road-to-varenholm.md"


# --- one headless mount ----------------------------------------------------------------------


async def _mount(target: Path, data: Path, profile: Path | None = None) -> float:
    """Build the app on ``target`` and run it headless until its first screen is painted;
    the CPU seconds that took."""
    from tui_reader.importers import load_story
    from tui_reader.ui.app import TuiReaderApp
    from tui_reader.ui.screens.library import LibraryScreen
    from tui_reader.ui.screens.reader import ReaderScreen

    profiler: Any = None
    if profile is not None:
        pyinstrument = importlib.import_module("pyinstrument")  # optional: pip install it
        profiler = pyinstrument.Profiler(interval=0.0005)
        profiler.start()
    start = time.process_time()
    story = None if target.is_dir() else load_story(target)
    app = TuiReaderApp(target, data_dir=data, reader_id="bench", story=story)

    def painted() -> bool:
        """True once the first screen has what a reader waits for."""
        screen = app.screen
        if isinstance(screen, LibraryScreen):
            return screen.scanned
        return isinstance(screen, ReaderScreen) and screen.is_mounted

    async with app.run_test(size=SIZE) as pilot:
        while not painted():
            await asyncio.sleep(0.002)
        await pilot.pause()
        await pilot.pause()
        used = time.process_time() - start
        if profiler is not None and profile is not None:
            profiler.stop()
            profile.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    return used


def _mount_in_child(target: Path, data: Path, profile: Path | None = None) -> float:
    """Fork, mount in the child (as a warm host's session would), return its CPU seconds."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read)
            gc.enable()  # as run_session does
            used = asyncio.run(_mount(target, data, profile))
            os.write(write, json.dumps(used).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    return float(json.loads(answer))


def _child_main(target: Path, data: Path) -> None:
    """``--child TARGET DATA``: a fresh interpreter's mount (imports not counted)."""
    import tui_reader.ui.app  # noqa: F401 - imported before the clock starts

    print(json.dumps(asyncio.run(_mount(target, data))))


def local_runs(target: Path, data: Path, runs: int) -> list[float]:
    """CPU seconds of ``runs`` mounts, each in a new interpreter."""
    found = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.mount_profile", "--child", str(target), str(data)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "TUI_READER_CONFIG": str(data / "none.toml")},
        )
        found.append(float(out.stdout.strip().splitlines()[-1]))
    return found


def forked_runs(target: Path, data: Path, runs: int) -> list[float]:
    """CPU seconds of ``runs`` mounts, each forked from this (preloaded) process."""
    return [_mount_in_child(target, data) for _ in range(runs)]


# --- real sessions of a real warm host ---------------------------------------------------------


def _cpu(pid: int) -> float:
    """CPU seconds (user and system) of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pss_kb(pid: int) -> int:
    """A process's proportional set size in kB (0 when it is gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    match = re.search(r"^Pss:\s+(\d+)\s+kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


class _Session:
    """One session forked by the warm host, its output pumped."""

    def __init__(self, forked: Any, marker: bytes) -> None:
        """Pump ``forked``'s PTY until ``marker`` shows."""
        self.forked = forked
        """What the warm host answered."""
        self.marker = marker
        """The text of the first screen."""
        self.seen = bytearray()
        """Output until the marker."""
        self.last = time.monotonic()
        """When output last came."""
        self.shown = asyncio.Event()
        """Set once the marker arrived."""
        os.set_blocking(forked.master, False)
        asyncio.get_running_loop().add_reader(forked.master, self._read)

    def _read(self) -> None:
        """Read what the session wrote."""
        try:
            chunk = os.read(self.forked.master, 65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            asyncio.get_running_loop().remove_reader(self.forked.master)
            self.shown.set()
            return
        self.last = time.monotonic()
        if not self.shown.is_set():
            self.seen += chunk
            if self.marker in self.seen:
                self.shown.set()

    async def first_screen(self, timeout: float = 60.0) -> None:
        """Until the first screen showed and output has been quiet for 0.3 s."""
        try:
            await asyncio.wait_for(self.shown.wait(), timeout)
        except TimeoutError:
            tail = bytes(self.seen[-300:])
            raise TimeoutError(f"no first screen from pid {self.forked.pid}: {tail!r}") from None
        end = time.monotonic() + 5.0
        while time.monotonic() - self.last < 0.3 and time.monotonic() < end:
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        """End the session (it saves its place) and wait for it."""
        with_suppress_kill(self.forked.pid)
        await asyncio.wait_for(self.forked.wait(), 10.0)
        loop = asyncio.get_running_loop()
        loop.remove_reader(self.forked.master)
        os.close(self.forked.master)


def with_suppress_kill(pid: int) -> None:
    """SIGTERM ``pid`` if it still runs."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


PAGE = 4096
"""Bytes in a page."""


def _region(name: str) -> str:
    """The kind of a mapping, by its name in ``/proc/<pid>/maps``."""
    if name == "[heap]":
        return "C heap"
    if not name:
        return "anonymous"
    if "libpython" in name:
        return "libpython data"
    return "other"


def resident_pages(pid: int) -> dict[int, tuple[int, str]]:
    """Per resident page of the process's writable mappings: its frame number and region.

    Frame numbers are 0 unless the caller may read them (root).
    """
    pages: dict[int, tuple[int, str]] = {}
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
            parts = line.split(maxsplit=5)
            if "w" not in parts[1]:
                continue
            start, end = (int(x, 16) for x in parts[0].split("-"))
            region = _region(parts[5].strip() if len(parts) > 5 else "")
            pagemap.seek(start // PAGE * 8)
            raw = pagemap.read((end - start) // PAGE * 8)
            for n, (entry,) in enumerate(struct.iter_unpack("Q", raw)):
                if entry >> 63:  # present
                    pages[start + n * PAGE] = (entry & ((1 << 55) - 1), region)
    return pages


def page_kinds(
    host: dict[int, tuple[int, str]], session: dict[int, tuple[int, str]]
) -> dict[str, int]:
    """Count a session's pages: copied from the host (by region), its own, held alone, shared.

    ``host`` is the warm host's pages just before the fork, ``session`` the session's now.
    """
    counts: dict[str, int] = {}
    with open("/proc/kpagecount", "rb") as kpagecount:
        for address, (frame, region) in session.items():
            kpagecount.seek(frame * 8)
            (mapped,) = struct.unpack("Q", kpagecount.read(8))
            before = host.get(address)
            if before is None:
                kind = "own from the start" if mapped == 1 else "new, shared"
            elif before[0] != frame:
                kind = f"copied: {region}"
            else:
                kind = "host's page, held alone" if mapped == 1 else "shared"
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def _read_pages(pid: int, addresses: list[int]) -> dict[int, bytes]:
    """The contents of these pages of a process (those it still has)."""
    found = {}
    with open(f"/proc/{pid}/mem", "rb") as memory:
        for address in addresses:
            with contextlib.suppress(OSError, ValueError):
                memory.seek(address)
                found[address] = memory.read(PAGE)
    return found


def compare_pages(pid: int, host: int, other: int, addresses: list[int]) -> dict[str, int]:
    """Of these pages of ``pid``: how many hold the same bytes as ``host``'s page at that
    address, how many as ``other``'s, how many neither."""
    mine = _read_pages(pid, addresses)
    theirs = _read_pages(host, addresses)
    others = _read_pages(other, addresses)
    counts = {"same as the warm host's": 0, "same as another session's": 0, "unique": 0}
    for address, content in mine.items():
        if theirs.get(address) == content:
            counts["same as the warm host's"] += 1
        elif others.get(address) == content:
            counts["same as another session's"] += 1
        else:
            counts["unique"] += 1
    return counts


def mergeable_pages(pid: int, host: int, other: int) -> dict[str, int]:
    """A session's private pages by content (:func:`compare_pages`): what the kernel's
    same-page merging could fold back into the warm host's or another session's."""
    private = []
    with open("/proc/kpagecount", "rb") as kpagecount:
        for address, (frame, _) in resident_pages(pid).items():
            kpagecount.seek(frame * 8)
            if struct.unpack("Q", kpagecount.read(8))[0] == 1:
                private.append(address)
    return compare_pages(pid, host, other, private)


WORD = 8
"""Bytes in a machine word (a reference count, a pointer)."""

GC_HEAD = 16
"""Bytes of the collector's header before an object it tracks (CPython 3.11)."""


def written_words(old: bytes, new: bytes) -> list[int]:
    """Offsets of the machine words that differ between two copies of a page."""
    return [
        n for n in range(0, min(len(old), len(new)), WORD) if old[n : n + WORD] != new[n : n + WORD]
    ]


def object_spans(roots: list[object]) -> list[tuple[int, int, int, str]]:
    """Every object reachable from ``roots`` (code objects' constants and names too), as
    (start, end, address, type name) sorted by start; a tracked object starts at its header."""
    seen: dict[int, object] = {}
    stack = list(roots)
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen[id(obj)] = obj
        refs = list(gc.get_referents(obj))
        if isinstance(obj, types.CodeType):
            refs += [obj.co_consts, obj.co_names, obj.co_varnames, obj.co_filename, obj.co_name]
            refs += [obj.co_qualname, obj.co_linetable, obj.co_exceptiontable]
        stack += [ref for ref in refs if id(ref) not in seen]
    spans = []
    for address, obj in seen.items():
        head = GC_HEAD if gc.is_tracked(obj) else 0
        spans.append(
            (address - head, address - head + sys.getsizeof(obj), address, type(obj).__name__)
        )
    spans.sort()
    return spans


_FIELDS = {0: "refcount", WORD: "type", -GC_HEAD: "collector", -WORD: "collector"}
"""What a word at this offset from an object's address holds (else: its body)."""


def why_written(
    pages: dict[int, tuple[bytes, bytes]], spans: list[tuple[int, int, int, str]]
) -> dict[str, int]:
    """Per kind of write, how many of these pages (address: (the host's copy, the session's))
    were written only for it: ``code body``, ``str refcount``, ... or several kinds joined by
    ``+``; ``no net change`` when the page holds the same bytes again."""
    starts = [span[0] for span in spans]
    counts: dict[str, int] = {}
    for address, (old, new) in pages.items():
        kinds = set()
        for offset in written_words(old, new):
            word = address + offset
            n = bisect.bisect_right(starts, word) - 1
            if n >= 0 and word < spans[n][1]:
                kinds.add(f"{spans[n][3]} {_FIELDS.get(word - spans[n][2], 'body')}")
            else:
                kinds.add("no object")
        kind = " + ".join(sorted(kinds)) if kinds else "no net change"
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _objects_child(host: dict[int, tuple[int, str]], parent: int, out: Path) -> None:
    """In the forked session (on SIGUSR1): its pages copied from the host, sorted by why."""
    mine = resident_pages(os.getpid())
    copied = [a for a, (frame, _) in mine.items() if a in host and host[a][0] != frame]
    theirs = _read_pages(parent, copied)
    ours = _read_pages(os.getpid(), copied)
    pages = {a: (theirs[a], ours[a]) for a in copied if a in theirs and a in ours}
    gc.unfreeze()  # (the frozen objects are listed by the collector no more)
    spans = object_spans([*gc.get_objects(), sys.modules])
    result = {
        "copied": len(copied),
        "own": sum(1 for a in mine if a not in host),
        "why": why_written(pages, spans),
    }
    out.write_text(json.dumps(result))


def object_profile(target: Path, data: Path, marker: bytes) -> dict[str, Any]:
    """Why a session copies the pages it does: a session forked from this process (prepared as
    the warm host prepares itself) on a PTY, its copied pages compared word by word with this
    process's and the words mapped to the objects there, once its first screen has shown."""
    from tui_reader.ssh import warm
    from tui_reader.ssh.config import child_env, reader_args

    gc.disable()
    warm.preload()
    out = data / "objects.json"
    host = resident_pages(os.getpid())
    parent = os.getpid()
    pid, master = pty.fork()
    if pid == 0:  # the session
        code = 1
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))

            def look(signum: int, frame: object) -> None:
                """Sort the pages, then end (the parent asked: the first screen showed)."""
                _objects_child(host, parent, out)
                os._exit(0)

            signal.signal(signal.SIGUSR1, look)
            args = reader_args(target, data, "objects", guest=False)
            code = warm.run_session(args, child_env("xterm-256color", data), str(data))
        finally:
            os._exit(code)
    seen = bytearray()
    last = end = time.monotonic()
    end += 60
    while time.monotonic() < end and not (marker in seen and time.monotonic() - last > 0.5):
        if select.select([master], [], [], 0.05)[0]:
            with contextlib.suppress(OSError):
                seen += os.read(master, 65536)
                last = time.monotonic()
    os.kill(pid, signal.SIGUSR1)
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if select.select([master], [], [], 0.05)[0]:
            try:
                os.read(master, 65536)
            except OSError:
                break
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    os.close(master)
    return dict(json.loads(out.read_text()))


def ksm_state() -> str:
    """The kernel's same-page merging: ``on``, ``off``, or ``absent``."""
    try:
        run = Path("/sys/kernel/mm/ksm/run").read_text().strip()
    except OSError:
        return "absent"
    return "on" if run == "1" else "off"


async def warm_host_runs(
    target: Path,
    data: Path,
    runs: int,
    pss: int,
    marker: bytes,
    pages: bool = False,
    settle: float = 1.0,
) -> dict[str, Any]:
    """CPU of ``runs`` sessions one at a time, then PSS of ``pss`` sessions open together
    ``settle`` seconds after their first screens; with ``pages``, the kinds of one session's
    pages (:func:`page_kinds`)."""
    from tui_reader.ssh.config import child_env, reader_args
    from tui_reader.ssh.warm_client import WarmHostClient

    client = WarmHostClient(lambda line: None)
    client.start()
    try:
        for _ in range(600):
            if client.ready:
                break
            await asyncio.sleep(0.1)
        assert client.ready and client.pid is not None, "the warm host did not start"
        env = child_env("xterm-256color", data)
        cpu = []

        async def open_one(n: int) -> _Session:
            args = reader_args(target, data, f"bench-{n}", guest=False)
            forked = await client.fork(args, env, str(data), *SIZE)
            assert forked is not None, "the warm host refused a session"
            return _Session(forked, marker)

        for n in range(runs):
            session = await open_one(n)
            await session.first_screen()
            cpu.append(_cpu(session.forked.pid))
            await session.close()
        result: dict[str, Any] = {"cpu": cpu}
        if pages:
            host = resident_pages(client.pid)
            probed = await open_one(90)
            await probed.first_screen()
            more = [await open_one(91 + n) for n in range(3)]
            await asyncio.gather(*(s.first_screen() for s in more))
            result["pages"] = page_kinds(host, resident_pages(probed.forked.pid))
            result["mergeable"] = mergeable_pages(probed.forked.pid, client.pid, more[0].forked.pid)
            for s in (probed, *more):
                await s.close()
        if pss:
            sessions = [await open_one(100 + n) for n in range(pss)]
            await asyncio.gather(*(s.first_screen(120.0) for s in sessions))
            await asyncio.sleep(settle)
            result["pss"] = [_pss_kb(s.forked.pid) / 1024 for s in sessions]
            result["warm_pss"] = _pss_kb(client.pid) / 1024
            for s in sessions:
                await s.close()
        return result
    finally:
        await client.close()


# --- the report --------------------------------------------------------------------------------


def _median_ms(values: list[float]) -> str:
    """Median of CPU seconds in ms, with the range."""
    return (
        f"{statistics.median(values) * 1000:6.0f} ms  "
        f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f}, n={len(values)})"
    )


def main(argv: list[str] | None = None) -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mount_profile")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--pss", type=int, default=10, help="sessions open at once for PSS")
    parser.add_argument(
        "--pages", action="store_true", help="sort one session's private pages (root)"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=1.0,
        metavar="S",
        help="seconds after the last first screen before PSS is read (default 1)",
    )
    parser.add_argument(
        "--objects",
        action="store_true",
        help="why one forked session copies the pages it does, by object (root)",
    )
    parser.add_argument("--profile", action="store_true", help="pyinstrument a forked mount")
    parser.add_argument("--profile-out", type=Path, default=None)
    parser.add_argument(
        "--only",
        choices=("local", "forked", "warm"),
        action="append",
        help="measure only these (repeatable)",
    )
    parser.add_argument("--child", nargs=2, metavar=("TARGET", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child_main(Path(args.child[0]), Path(args.child[1]))
        return 0
    only = set(args.only or ("local", "forked", "warm"))
    if (args.pages or args.objects) and not os.access("/proc/kpagecount", os.R_OK):
        parser.error("--pages and --objects read page frame numbers: run it as root")
    work = Path(tempfile.mkdtemp(prefix="mount-profile-"))
    os.environ["TUI_READER_CONFIG"] = str(work / "none.toml")
    os.environ["TUI_READER_DATA"] = str(work / "data")
    try:
        library = make_library(work / "shelf")
        data = work / "data"
        data.mkdir()
        from tui_reader.library import Library

        Library(library, data).scan(None)  # the library's index cache is warm, as when hosted
        targets: list[tuple[str, Path, bytes]] = [
            ("library (20 stories)", library, LIBRARY_TITLE),
            ("single story", single_story(library), STORY_TEXT),
        ]
        if args.objects:  # (first: it prepares this process as the warm host does)
            found = object_profile(library, data, LIBRARY_TITLE)
            print(f"one session's pages: {found['copied']} copied, {found['own']} its own")
            print("copied pages by what the session wrote in them (top 15):")
            for kind, count in sorted(found["why"].items(), key=lambda kv: -kv[1])[:15]:
                print(f"  {count:6d}  {kind}")
            return 0
        if "local" in only:
            for name, target, _ in targets:
                print(f"local  {name:22} {_median_ms(local_runs(target, data, args.runs))}")
        if "forked" in only or args.profile:
            from tui_reader.ssh import warm

            gc.disable()
            warm.preload()
            if "forked" in only:
                for name, target, _ in targets:
                    cpu = forked_runs(target, data, args.runs)
                    print(f"forked {name:22} {_median_ms(cpu)}")
            if args.profile:
                out = args.profile_out or work / "mount-profile.txt"
                _mount_in_child(library, data, out)
                print(f"profile of a forked library mount: {out}")
            gc.enable()
        if "warm" in only:
            for n, (name, target, marker) in enumerate(targets):
                first = n == 0
                result = asyncio.run(
                    warm_host_runs(
                        target,
                        data,
                        args.runs,
                        args.pss if first else 0,
                        marker,
                        pages=args.pages and first,
                        settle=args.settle,
                    )
                )
                print(f"warm host session {name:11} {_median_ms(result['cpu'])} (to quiet)")
                if "pages" in result:
                    print("pages of one session (MiB):")
                    for kind, count in sorted(result["pages"].items(), key=lambda kv: -kv[1]):
                        print(f"  {kind:28} {count * PAGE / 2**20:6.2f}")
                    print("its private pages by content (what KSM could merge; MiB):")
                    for kind, count in result["mergeable"].items():
                        print(f"  {kind:28} {count * PAGE / 2**20:6.2f}")
                if "pss" in result:
                    pss = result["pss"]
                    print(
                        f"PSS, {len(pss)} sessions open: mean {statistics.fmean(pss):.1f} MiB "
                        f"(min {min(pss):.1f}, max {max(pss):.1f}); "
                        f"warm host {result['warm_pss']:.1f} MiB; "
                        f"{args.settle:g} s after the first screens, KSM {ksm_state()}"
                    )
    finally:
        if not args.profile or args.profile_out is not None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
