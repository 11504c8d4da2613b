"""Keeping stories current: ``tui-reader update`` and ``get`` through FanFicFare's command line.

FanFicFare is GPL-3 and tui-reader is MIT: it is never imported, only run as a separate program
(:func:`find_fanficfare`; ``pip install 'tui-reader[fetch]'`` puts it on PATH). It reads the
reader's own ``personal.ini`` from its usual places (``~/.fanficfare/``, ``$XDG_CONFIG_HOME``);
a ``--fanficfare`` command may add its own arguments (``fanficfare -c /path/personal.ini``).

Every fetch works in a temporary folder: an EPUB is updated with FanFicFare's update mode
(``--update-epub``) on a copy that keeps the original's modification time (FanFicFare compares
it with the site's last update), other formats are fetched again in their own format. The new
file replaces the old (same name, :func:`os.replace`) only after it parses with
:func:`~tui_reader.importers.load_story`; until then, and whenever anything fails, the library
is left as it was and the result carries FanFicFare's reason in one sanitised line.

Stories are grouped by site: one request stream per site, ``delay`` seconds between two stories
of one site (AO3 answers bulk fetches with 429), different sites in parallel. Textual-free.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tui_reader.importers import load_story
from tui_reader.model import Story, StoryError
from tui_reader.paths import (
    data_dir,
    default_library_dir,
    display_path,
    display_text,
    iter_story_files,
)
from tui_reader.text import collapse_whitespace, shorten

if TYPE_CHECKING:
    import argparse

PROGRAM = "fanficfare"
"""FanFicFare's command-line program."""

INSTALL_HINT = "install it with pip install 'tui-reader[fetch]'"
"""What to do when FanFicFare is missing."""

DEFAULT_DELAY = 5.0
"""Seconds between two stories of one site."""

TIMEOUT = 600.0
"""Seconds one FanFicFare run may take before it is stopped and the story counts as failed."""

MAX_SITES = 4
"""Most sites fetched from at the same time."""

OUTCOMES = ("updated", "added", "unchanged", "skipped", "failed")
"""Every :attr:`UpdateResult.outcome`, in the order the summary line names them."""

FETCH_FORMATS: dict[str, str] = {
    ".epub": "epub",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "txt",
}
"""The FanFicFare format (``-f``) that re-makes a file of each ending."""

GET_FORMATS = ("epub", "html", "txt")
"""Formats ``tui-reader get`` can write."""

Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)``: called from worker threads while stories are fetched."""

Cancelled = Callable[[], bool]
"""Returns True once the caller wants the run to stop (stories not yet fetched are skipped)."""

_LOG_PREFIX = re.compile(r"^FFF: [A-Z]+: [0-9 :,.-]+: [\w.]+\(\d+\): ")
"""The start of a FanFicFare log line: ``FFF: WARNING: <time>: file.py(212): ``."""

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
"""A terminal escape sequence (FanFicFare's ``--color``)."""

_EXCEPTION = re.compile(r"^(?:[a-z_]\w*\.)+(?=[A-Z]\w*(?::|$))")
"""The module path before an exception's name (``fanficfare.exceptions.``)."""

_NOT_MEANINGFUL = (
    "Traceback (most recent call last)",
    "Updating ",
    "Do update - ",
    "Custom INI data will be used",
)
"""Lines of FanFicFare's output that never say why something failed."""

_UNCHANGED = "already contains"
"""FanFicFare's word for an EPUB that has every chapter the site has."""

_NEWER_FILE = "more recently than Story"
"""FanFicFare skipping an EPUB whose file is newer than the site's last update."""

_MORE_THAN_SOURCE = "more than source"
"""FanFicFare refusing to update an EPUB that has more chapters than the site."""

_NOT_ITS_EPUB = (
    "No story URL found in epub",
    "doesn't contain any recognizable chapters",
    "Failed to read epub for update",
)
"""FanFicFare cannot update an EPUB it did not make: the story is fetched whole instead."""

_UNKNOWN_SITE = ("UnknownSite", "Unknown Site(")
"""FanFicFare does not know the site."""


@dataclass
class UpdateResult:
    """What happened to one story."""

    path: Path
    """The story file (for ``get``: the new file, or the URL's would-be place on failure)."""
    title: str
    """Sanitised title for display (the URL when ``get`` failed before there was a title)."""
    outcome: str
    """One of :data:`OUTCOMES`."""
    new_chapters: int = 0
    """Chapters after minus chapters before (for ``get``: the new story's chapters)."""
    reason: str | None = None
    """Why it failed, was skipped or left unchanged: one sanitised line, or None."""

    def line(self) -> str:
        """This result as one line of ``tui-reader update`` output (all of it sanitised)."""
        text = f"{self.outcome:<9}  {self.title}"
        if self.outcome == "updated" and self.new_chapters:
            text += f" ({_chapters(self.new_chapters, sign=True)})"
        elif self.outcome == "added":
            text += f" ({_chapters(self.new_chapters)}) → {display_text(self.path.name)}"
        if self.reason:
            text += f": {self.reason}"
        return text


@dataclass
class _Job:
    """One story to fetch: where it goes, what it is now, and its site."""

    index: int
    """Its place in the caller's list (results come back in that order)."""
    path: Path
    """The story file (for ``get``: the library folder)."""
    title: str
    """Sanitised title (the URL for ``get``)."""
    url: str
    """The story's source URL."""
    fmt: str
    """FanFicFare's format for it (``epub``, ``html``, ``txt``)."""
    chapters: int = 0
    """Chapters in the file now (0 for ``get``)."""
    new: bool = False
    """True for a story ``get`` adds (``path`` is then the library folder)."""

    @property
    def site(self) -> str:
        """The site its requests go to (host name without ``www.``)."""
        return _site(self.url)


def _site(url: str) -> str:
    """The host of ``url`` in lower case without ``www.`` (the whole URL if it has none)."""
    try:
        host = urlsplit(url).hostname or url
    except ValueError:
        host = url
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def _chapters(count: int, *, sign: bool = False) -> str:
    """``"+2 chapters"``, ``"1 chapter"``."""
    noun = "chapter" if abs(count) == 1 else "chapters"
    return f"{'+' if sign and count >= 0 else ''}{count} {noun}"


def _one_line(text: str) -> str:
    """``text`` made safe to show and squeezed onto one line of reasonable length."""
    return shorten(collapse_whitespace(display_text(_ANSI.sub("", text))), 200)


# --- finding the program ---------------------------------------------------------------------


def find_fanficfare(command: str | None = None) -> list[str] | None:
    """The argv prefix that runs FanFicFare, or None when it is not installed.

    ``command`` (``--fanficfare``) is split like a shell would (``"fanficfare -c my.ini"``) and
    its program looked up on PATH; without it, ``fanficfare`` on PATH, else the one installed
    next to this Python (``pipx`` keeps an extra's programs off PATH).
    """
    if command is not None:
        try:
            argv = shlex.split(command)
        except ValueError:
            return None
        if not argv:
            return None
        program = shutil.which(os.path.expanduser(argv[0]))
        if program is None:
            return None
        return [os.path.abspath(program), *_absolute_configs(argv[1:])]
    found = shutil.which(PROGRAM)
    if found is None:
        found = shutil.which(PROGRAM, path=str(Path(sys.executable).parent))
    return [found] if found else None


def _absolute_configs(args: list[str]) -> list[str]:
    """``args`` with the files of ``-c``/``--config`` made absolute (FanFicFare runs in a
    temporary folder, not where the reader typed the command)."""
    fixed = []
    after_flag = False
    for arg in args:
        if after_flag:
            arg = os.path.abspath(os.path.expanduser(arg))
        elif arg.startswith("--config="):
            arg = "--config=" + os.path.abspath(os.path.expanduser(arg[len("--config=") :]))
        after_flag = arg in ("-c", "--config")
        fixed.append(arg)
    return fixed


# --- running it ------------------------------------------------------------------------------


@dataclass
class _Run:
    """One finished FanFicFare run."""

    returncode: int
    """Its exit status (-1 when it could not start)."""
    stdout: str
    """What it printed."""
    stderr: str
    """Its log and any traceback."""
    timed_out: bool = False
    """True when it was stopped for taking longer than the timeout."""
    cancelled: bool = False
    """True when it was stopped because the run was cancelled."""


def _run(argv: list[str], cwd: Path, timeout: float, cancelled: Cancelled) -> _Run:
    """Run FanFicFare in ``cwd`` (no input), stopping it on timeout or cancellation."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        return _Run(-1, "", f"cannot run {argv[0]}: {exc.strerror or exc}")
    deadline = time.monotonic() + timeout
    timed_out = stopped = False
    while True:
        try:
            out, err = proc.communicate(timeout=0.25)
            break
        except subprocess.TimeoutExpired:
            stopped = cancelled()
            timed_out = not stopped and time.monotonic() > deadline
            if stopped or timed_out:
                proc.kill()
                out, err = proc.communicate()
                break
    return _Run(
        proc.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        timed_out=timed_out,
        cancelled=stopped,
    )


def _meaningful(text: str, work: Path) -> list[str]:
    """The lines of FanFicFare output that can say why: no traceback frames, no progress
    lines, log prefixes and the temporary folder's path cut."""
    lines = []
    for raw in _ANSI.sub("", text).splitlines():
        line = raw.rstrip()
        if not line.strip() or raw[:1].isspace() or set(line.strip()) <= set("^~ "):
            continue
        line = _LOG_PREFIX.sub("", line).replace(f"{work}{os.sep}", "").replace(str(work), "")
        line = _EXCEPTION.sub("", line)
        if any(marker in line for marker in _NOT_MEANINGFUL) or set(line) <= set("=!"):
            continue
        lines.append(line)
    return lines


def _reason(run: _Run, work: Path, timeout: float) -> str:
    """Why a run gave no story, in one line."""
    if run.timed_out:
        return f"FanFicFare took longer than {timeout:g} s and was stopped"
    if run.returncode == -1:
        return _one_line(run.stderr)
    # A failed run's reason is its traceback's last line; a run that ended "well" without a
    # story printed why on stdout (FanFicFare's own messages), its log went to stderr.
    first, second = (run.stderr, run.stdout) if run.returncode else (run.stdout, run.stderr)
    lines = _meaningful(first, work) or _meaningful(second, work)
    if lines:
        line = lines[-1]
        line = line.split("Supported sites")[0].rstrip(" .")  # not FanFicFare's whole list
        return _one_line(line)
    if run.returncode != 0:
        return f"FanFicFare stopped with status {run.returncode}"
    return "FanFicFare wrote no story file"


def _unknown_site(run: _Run) -> bool:
    """True when FanFicFare said it does not know the story's site."""
    return any(marker in run.stdout + run.stderr for marker in _UNKNOWN_SITE)


# --- one story -------------------------------------------------------------------------------


class _Failed(Exception):
    """A story's fetch ended without a new file: carries its result."""

    def __init__(self, outcome: str, reason: str) -> None:
        """``outcome`` ("failed", "skipped", "unchanged") and its one-line reason."""
        super().__init__(reason)
        self.outcome = outcome
        """The story's outcome."""
        self.reason = reason
        """Why, in one sanitised line."""


def _digest(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_key(path: Path) -> tuple[int, int]:
    """(size, mtime) of a file: how a change made by someone else meanwhile is noticed."""
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def _fetch(
    job: _Job, work: Path, fanficfare: list[str], timeout: float, cancelled: Cancelled
) -> Path:
    """Fetch ``job``'s story anew in its format into ``work``/out; the file FanFicFare wrote."""
    out = work / "out"
    out.mkdir()
    run = _run([*fanficfare, "-f", job.fmt, "--non-interactive", job.url], out, timeout, cancelled)
    _check(run, work, timeout, job)
    # (anywhere below: the reader's output_filename may name folders)
    made = sorted(p for p in out.rglob("*") if p.is_file() and p.suffix.lower() == f".{job.fmt}")
    if not made:
        raise _Failed("failed", _reason(run, work, timeout))
    return made[0]


def _check(run: _Run, work: Path, timeout: float, job: _Job) -> None:
    """Raise :class:`_Failed` for a run that was cancelled, failed or did not know the site
    (an update skips such a story; a ``get`` of it fails)."""
    if run.cancelled:
        raise _Failed("skipped", "cancelled")
    if _unknown_site(run):
        outcome = "failed" if job.new else "skipped"
        raise _Failed(outcome, f"FanFicFare does not support the site {_one_line(job.site)}")
    if run.returncode != 0 or run.timed_out:
        raise _Failed("failed", _reason(run, work, timeout))


def _update_epub(
    job: _Job, work: Path, fanficfare: list[str], timeout: float, cancelled: Cancelled
) -> tuple[Path, bool] | None:
    """Update a copy of ``job``'s EPUB with ``--update-epub``: the new file and whether it was
    fetched whole (FanFicFare does that for an EPUB it did not make, under its own file name),
    None when FanFicFare gave up on this EPUB without fetching, or raise :class:`_Failed`."""
    copy = work / "story.epub"
    shutil.copy2(job.path, copy)  # the original's mtime: FanFicFare compares it with the site's
    before = _digest(copy)
    run = _run(
        [*fanficfare, "--update-epub", "--non-interactive", copy.name], work, timeout, cancelled
    )
    _check(run, work, timeout, job)
    if _digest(copy) != before:
        return copy, False
    whole = sorted(
        p for p in work.rglob("*") if p.is_file() and p.suffix.lower() == ".epub" and p != copy
    )
    if whole:
        return whole[0], True
    said = run.stdout + run.stderr
    if any(marker in said for marker in _NOT_ITS_EPUB):
        return None
    if _UNCHANGED in run.stdout:
        raise _Failed("unchanged", "")
    if _NEWER_FILE in said:
        raise _Failed(
            "unchanged",
            "FanFicFare skipped it: the file is newer than the site's last update",
        )
    if _MORE_THAN_SOURCE in said:
        raise _Failed("unchanged", "the site has fewer chapters than the file; kept the file")
    raise _Failed("failed", _reason(run, work, timeout))


def _parse(path: Path) -> Story:
    """The story FanFicFare wrote, or raise :class:`_Failed` when it does not parse."""
    try:
        return load_story(path)
    except StoryError as exc:
        raise _Failed("failed", f"FanFicFare's new file could not be read: {exc.reason}") from None


def _install(new: Path, target: Path, *, exclusive: bool = False) -> None:
    """Put ``new`` at ``target`` in one step (a hidden temporary file beside it, then
    :func:`os.replace`), keeping ``target``'s permissions. ``exclusive``: never replace an
    existing file (raises :class:`FileExistsError`); a new file gets the usual permissions
    (the umask's, not a temporary file's 0600)."""
    while True:
        part = target.parent / f".tui-reader-{secrets.token_hex(8)}.part"
        try:
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as sink, new.open("rb") as source:
            shutil.copyfileobj(source, sink)
            sink.flush()
            os.fsync(sink.fileno())
        if exclusive:
            try:
                os.link(part, target)  # fails when target exists: never overwrites
                return
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links: check, then rename
                if target.exists():
                    raise FileExistsError(target) from None
        with contextlib.suppress(OSError):
            os.chmod(part, stat.S_IMODE(target.stat().st_mode))
        os.replace(part, target)
    finally:
        with contextlib.suppress(OSError):
            part.unlink()


def _update_one(
    job: _Job, fanficfare: list[str], timeout: float, cancelled: Cancelled
) -> UpdateResult:
    """Update one story file; the library changes only when a new file parsed."""
    try:
        original = _file_key(job.path)
        with tempfile.TemporaryDirectory(prefix="tui-reader-update-") as name:
            work = Path(name)
            updated = None
            if job.fmt == "epub":
                updated = _update_epub(job, work, fanficfare, timeout, cancelled)
            if updated is None:
                made, refetched = _fetch(job, work, fanficfare, timeout, cancelled), True
            else:
                made, refetched = updated
            story = _parse(made)
            after = len(story.chapters)
            if refetched and after == job.chapters:
                return UpdateResult(job.path, job.title, "unchanged")
            if refetched and after < job.chapters:
                reason = f"the site has {_chapters(after)}, the file {job.chapters}; kept the file"
                return UpdateResult(job.path, job.title, "unchanged", reason=reason)
            if _file_key(job.path) != original:
                raise _Failed("failed", "the file changed while it was being updated; kept it")
            _install(made, job.path)
            title = display_text(story.title).strip() or job.title
            return UpdateResult(job.path, title, "updated", new_chapters=after - job.chapters)
    except _Failed as failed:
        return UpdateResult(job.path, job.title, failed.outcome, reason=failed.reason or None)
    except OSError as exc:
        return UpdateResult(job.path, job.title, "failed", reason=_one_line(_os_reason(exc)))


def _os_reason(exc: OSError) -> str:
    """An OS error in words, with the file it concerns."""
    where = f"{display_path(exc.filename)}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"


def _safe_name(name: str) -> str:
    """A file name FanFicFare chose, made safe to keep: shown characters only, no folder
    separators, not hidden."""
    safe = display_text(name).replace("/", "_").replace(os.sep, "_").replace("\n", " ")
    safe = safe.replace("\t", " ").strip().lstrip(".")
    return safe or "story"


def _get_one(
    job: _Job, fanficfare: list[str], timeout: float, cancelled: Cancelled
) -> UpdateResult:
    """Fetch a new story into the library folder (``job.path``) under FanFicFare's file name."""
    library = job.path
    try:
        with tempfile.TemporaryDirectory(prefix="tui-reader-get-") as name:
            made = _fetch(job, Path(name), fanficfare, timeout, cancelled)
            story = _parse(made)
            title = display_text(story.title).strip() or job.title
            target = library / _safe_name(made.name)
            try:
                _install(made, target, exclusive=True)
            except FileExistsError:
                reason = f"already in the library as {display_text(target.name)}"
                return UpdateResult(target, title, "skipped", reason=reason)
            return UpdateResult(target, title, "added", new_chapters=len(story.chapters))
    except _Failed as failed:
        return UpdateResult(library, job.title, failed.outcome, reason=failed.reason or None)
    except OSError as exc:
        return UpdateResult(library, job.title, "failed", reason=_one_line(_os_reason(exc)))


# --- many stories, one stream per site -------------------------------------------------------


def _wait(seconds: float, cancelled: Cancelled) -> None:
    """Sleep ``seconds``, waking early when the run is cancelled."""
    end = time.monotonic() + seconds
    while not cancelled():
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.25))


def _schedule(
    jobs: list[_Job],
    fetch: Callable[[_Job, Cancelled], UpdateResult],
    results: list[UpdateResult | None],
    *,
    delay: float,
    done: int,
    total: int,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> None:
    """Run ``fetch`` on every job, one site per thread, one story at a time per site with
    ``delay`` seconds between them, filling ``results`` by job index.

    An interruption of the calling thread (Ctrl-C) stops every site: running FanFicFare
    programs are killed, stories not reached are left as they were.
    """
    stop = threading.Event()
    lock = threading.Lock()
    count = [done]

    def stopped() -> bool:
        """True once the caller cancelled or the calling thread was interrupted."""
        return stop.is_set() or (cancelled is not None and cancelled())

    def report(label: str, finished: bool) -> None:
        """Count a story and tell the caller."""
        with lock:
            count[0] += finished
            now = count[0]
        if progress is not None:
            progress(now, total, label)

    def site(group: list[_Job]) -> None:
        """Fetch one site's stories in turn."""
        for position, job in enumerate(group):
            if position and delay > 0:
                _wait(delay, stopped)
            if stopped():
                result = UpdateResult(job.path, job.title, "skipped", reason="cancelled")
            else:
                report(job.title, False)
                try:
                    result = fetch(job, stopped)
                except Exception as exc:  # a bug here must not lose the other results
                    reason = _one_line(f"{type(exc).__name__}: {exc}")
                    result = UpdateResult(job.path, job.title, "failed", reason=reason)
            results[job.index] = result
            report(result.title, True)

    groups: dict[str, list[_Job]] = {}
    for job in jobs:
        groups.setdefault(job.site, []).append(job)
    if not groups:
        return
    pool = ThreadPoolExecutor(max_workers=min(len(groups), MAX_SITES), thread_name_prefix="fff")
    try:
        futures = [pool.submit(site, group) for group in groups.values()]
        for future in futures:
            future.result()
    except BaseException:
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True)


def _plan_update(
    path: Path, index: int, cancelled: Cancelled | None
) -> tuple[_Job | None, UpdateResult | None]:
    """The job for one story file, or the result saying why it is skipped."""
    shown = display_text(path.name)
    if cancelled is not None and cancelled():
        return None, UpdateResult(path, shown, "skipped", reason="cancelled")
    try:
        story = load_story(path)
    except StoryError as exc:
        return None, UpdateResult(path, shown, "skipped", reason=exc.reason)
    title = display_text(story.title).strip() or shown
    url = (story.source_url or "").strip()
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return None, UpdateResult(path, title, "skipped", reason="no source URL in the file")
    fmt = FETCH_FORMATS.get(path.suffix.lower())
    if fmt is None:
        reason = f"FanFicFare cannot write {display_text(path.suffix) or 'such'} files"
        return None, UpdateResult(path, title, "skipped", reason=reason)
    return _Job(index, path, title, url, fmt, len(story.chapters)), None


def update_stories(
    paths: Iterable[Path],
    *,
    fanficfare: list[str],
    delay: float = DEFAULT_DELAY,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    timeout: float = TIMEOUT,
) -> list[UpdateResult]:
    """Update every story file in ``paths`` from its source; one result per path, in order.

    Files without an ``http(s)`` source URL, that cannot be read, or whose format FanFicFare
    cannot write are "skipped"; the others are "updated" (the file replaced after the new one
    parsed), "unchanged" or "failed" (the file as it was). ``progress(done, total, label)`` is
    called from worker threads; ``cancelled()`` stops the run between stories and kills a
    running FanFicFare.
    """
    files = [Path(p) for p in paths]
    total = len(files)
    results: list[UpdateResult | None] = [None] * total
    jobs: list[_Job] = []
    done = 0
    for index, path in enumerate(files):
        job, result = _plan_update(path, index, cancelled)
        if job is not None:
            jobs.append(job)
            continue
        results[index] = result
        done += 1
        if progress is not None:
            progress(done, total, "reading the library")

    def fetch(job: _Job, stopped: Cancelled) -> UpdateResult:
        """Update one story."""
        return _update_one(job, fanficfare, timeout, stopped)

    _schedule(
        jobs,
        fetch,
        results,
        delay=delay,
        done=done,
        total=total,
        progress=progress,
        cancelled=cancelled,
    )
    return [r for r in results if r is not None]


def get_stories(
    urls: Iterable[str],
    *,
    library: Path,
    fmt: str = "epub",
    fanficfare: list[str],
    delay: float = DEFAULT_DELAY,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    timeout: float = TIMEOUT,
) -> list[UpdateResult]:
    """Fetch new stories from ``urls`` into ``library`` as ``fmt``; one result per URL.

    Each new file keeps FanFicFare's file name; one of that name already in the library is
    never replaced (the story is "skipped": update it instead).
    """
    if fmt not in GET_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(GET_FORMATS)}")
    wanted = [u.strip() for u in urls]
    results: list[UpdateResult | None] = [None] * len(wanted)
    jobs = [_Job(i, library, _one_line(url), url, fmt, new=True) for i, url in enumerate(wanted)]

    def fetch(job: _Job, stopped: Cancelled) -> UpdateResult:
        """Fetch one story."""
        return _get_one(job, fanficfare, timeout, stopped)

    _schedule(
        jobs,
        fetch,
        results,
        delay=delay,
        done=0,
        total=len(jobs),
        progress=progress,
        cancelled=cancelled,
    )
    return [r for r in results if r is not None]


def summary_line(results: Sequence[UpdateResult]) -> str:
    """One line for a whole run: ``"3 updated, +7 chapters; 2 unchanged; 1 failed: <title>:
    <reason>"`` (only the outcomes that happened; up to three failures named)."""
    parts = []
    for outcome in OUTCOMES:
        chosen = [r for r in results if r.outcome == outcome]
        if not chosen:
            continue
        part = f"{len(chosen)} {outcome}"
        if outcome == "updated":
            gained = sum(r.new_chapters for r in chosen)
            if gained:
                part += f", {_chapters(gained, sign=True)}"
        elif outcome == "failed":
            named = [f"{r.title}: {r.reason or 'no reason given'}" for r in chosen[:3]]
            more = f"; and {len(chosen) - 3} more" if len(chosen) > 3 else ""
            part += ": " + "; ".join(named) + more
        parts.append(part)
    return "; ".join(parts) if parts else "no stories to check"


# --- the command line ------------------------------------------------------------------------


class _CliBar:
    """A Rich progress bar on stderr, fed from worker threads."""

    def __init__(self, what: str) -> None:
        """A bar for ``what`` (``"checking for updates"``), not drawn before :meth:`start`."""
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._what = what
        self._progress: Any = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True, highlight=False),
            transient=False,
        )
        self._task: Any = None

    def start(self, total: int) -> None:
        """Start drawing a bar of ``total`` stories."""
        self._progress.start()
        self._task = self._progress.add_task(self._what, total=total)

    def advance(self, done: int, total: int, label: str) -> None:
        """Show ``done`` of ``total`` and what is being fetched (markup-free)."""
        from rich.text import Text

        description = Text(f"{self._what}: {shorten(label, 40)}") if label else self._what
        self._progress.update(self._task, completed=done, total=total, description=description)

    def close(self) -> None:
        """Stop drawing (the bar stays as it last was)."""
        self._progress.stop()


def _program(args: argparse.Namespace) -> list[str] | None:
    """FanFicFare's argv prefix, or None after saying on stderr that it is missing."""
    found = find_fanficfare(args.fanficfare)
    if found is None:
        if args.fanficfare is not None:
            shown = display_text(args.fanficfare)
            print(f"error: cannot run FanFicFare as {shown!r}; {INSTALL_HINT}", file=sys.stderr)
        else:
            print(f"error: FanFicFare is not installed; {INSTALL_HINT}", file=sys.stderr)
    return found


def _library(args: argparse.Namespace) -> Path | None:
    """The library folder the command works on, or None after an error line."""
    try:
        data = data_dir(args.data_dir)
    except OSError as exc:
        print(f"error: cannot use the data dir: {_one_line(str(exc))}", file=sys.stderr)
        return None
    return Path(args.library).expanduser() if args.library else default_library_dir(data)


def _finish(name: str, run: Callable[[Progress, Cancelled], list[UpdateResult]], total: int) -> int:
    """Run with a progress bar, then print one line per story and the summary line."""
    stop = threading.Event()
    bar = _CliBar("checking for updates" if name == "update" else "fetching")
    bar.start(total)
    try:
        results = run(bar.advance, stop.is_set)
    except KeyboardInterrupt:
        stop.set()
        bar.close()
        print(f"{name}: interrupted; files not yet updated are as they were", file=sys.stderr)
        return 130
    bar.advance(len(results), total, "")
    bar.close()
    for result in results:
        print(result.line())
    print(summary_line(results))
    return 1 if any(r.outcome == "failed" for r in results) else 0


def run_update_cli(args: argparse.Namespace) -> int:
    """``tui-reader update [FILE...]``: bring story files up to date from their source."""
    fanficfare = _program(args)
    if fanficfare is None:
        return 2
    if args.delay < 0:
        print("error: --delay must be 0 or more seconds", file=sys.stderr)
        return 1
    missing: list[Path] = []
    if args.files:
        paths = [Path(f).expanduser() for f in args.files]
        missing = [p for p in paths if not p.exists()]
        for path in missing:  # (a name mistyped: said as an error, and the status says so)
            print(f"error: {display_path(path)}: no such file", file=sys.stderr)
        paths = [p for p in paths if p not in missing]
        if not paths:
            return 1
    else:
        library = _library(args)
        if library is None:
            return 1
        if not library.is_dir():
            print(f"error: {display_path(library)}: no such library folder", file=sys.stderr)
            return 1
        paths = [Path(full) for _, full, _ in iter_story_files(library)]

    def run(progress: Progress, cancelled: Cancelled) -> list[UpdateResult]:
        """Update every file."""
        return update_stories(
            paths, fanficfare=fanficfare, delay=args.delay, progress=progress, cancelled=cancelled
        )

    status = _finish("update", run, len(paths))
    return status if status or not missing else 1


def run_get_cli(args: argparse.Namespace) -> int:
    """``tui-reader get URL...``: add new stories to the library."""
    fanficfare = _program(args)
    if fanficfare is None:
        return 2
    if args.delay < 0:
        print("error: --delay must be 0 or more seconds", file=sys.stderr)
        return 1
    library = _library(args)
    if library is None:
        return 1
    try:
        library.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"error: {_one_line(_os_reason(exc))}", file=sys.stderr)
        return 1

    def run(progress: Progress, cancelled: Cancelled) -> list[UpdateResult]:
        """Fetch every URL."""
        return get_stories(
            args.urls,
            library=library,
            fmt=args.format,
            fanficfare=fanficfare,
            delay=args.delay,
            progress=progress,
            cancelled=cancelled,
        )

    return _finish("get", run, len(args.urls))
