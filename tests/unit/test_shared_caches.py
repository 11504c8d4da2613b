"""The shared caches under load: concurrent builders, odd file names, full disks, symlink loops.

The library index and the search index live in the data dir that every reader of a hosted
library shares. They must survive being built by several processes at once, file names that
are not UTF-8, a data dir that is read-only or full, and folders that loop back on themselves.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from test_cli import run

import tui_reader.search as search_module
from tui_reader.library import Library
from tui_reader.paths import display_text, iter_story_files
from tui_reader.search import SearchIndex


def story(title: str, words: str) -> str:
    """A small native-format story with two chapters."""
    return (
        f'+++\ntitle = "{title}"\nauthor = "Test Writer"\n+++\n\n'
        f"# One\n\nThe {words} stood by the quay at dusk.\n\nA second {words} paragraph.\n\n"
        f"# Two\n\nLater the {words} came back.\n"
    )


def many_stories(folder: Path, count: int) -> Path:
    """A library of ``count`` small stories, each with its own word."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"story-{n:03}.md").write_text(story(f"Story {n}", f"lantern{n}"), "utf-8")
    return folder


# --- 1. several builders at once ------------------------------------------------------------


def test_four_processes_build_the_search_index_at_once(tmp_path: Path) -> None:
    lib = many_stories(tmp_path / "lib", 60)
    data = tmp_path / "cold-data"
    env = {**os.environ, "TUI_READER_DATA": str(data)}
    command = [sys.executable, "-m", "tui_reader", "search", "lantern7", "--library", str(lib)]
    procs = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    for status, out, err in results:
        assert status == 0, err
        assert err == ""
        assert "Story 7 — Chapter 1: One, paragraph 1" in out
    indexes = list((data / "cache").glob("search-*.sqlite"))
    assert len(indexes) == 1
    db = sqlite3.connect(indexes[0])
    docs = db.execute("SELECT count(*), count(DISTINCT path) FROM docs").fetchone()
    passages = db.execute("SELECT count(*) FROM passages").fetchone()[0]
    db.close()
    assert docs == (60, 60)
    assert passages == 60 * 3  # each story's three paragraphs, indexed once


def busy_error(path: Path) -> sqlite3.OperationalError:
    """A real SQLITE_BUSY from SQLite: a write lock asked for, without waiting, while another
    connection holds one."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        return exc
    finally:
        other.close()
        holder.execute("ROLLBACK")
        holder.close()
    raise AssertionError("the second connection got the lock")


def switch_busy(
    monkeypatch: pytest.MonkeyPatch, error: sqlite3.OperationalError, times: int
) -> list[str]:
    """Make every new connection's switch to WAL mode fail with ``error`` for its first
    ``times`` tries in all (as SQLite answers when another process switches the same new file
    at that moment); returns the list of tries made."""
    tries: list[str] = []

    class BusySwitch(sqlite3.Connection):
        """A connection whose WAL switch is busy for the first tries."""

        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
            """Run ``sql``; the WAL switch raises ``error`` while tries are left."""
            if sql == "PRAGMA journal_mode=WAL":
                tries.append(sql)
                if len(tries) <= times:
                    raise error
            return super().execute(sql, *args)

    connect = sqlite3.connect
    monkeypatch.setattr(
        sqlite3, "connect", lambda *args, **kwargs: connect(*args, factory=BusySwitch, **kwargs)
    )
    return tries


def test_an_index_opened_while_another_process_switches_it_to_wal_waits_its_turn(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = many_stories(tmp_path / "lib", 3)
    tries = switch_busy(monkeypatch, busy_error(tmp_path / "other.sqlite"), times=3)
    index = SearchIndex(lib, data_dir)
    try:
        assert index.problem is None  # on disk, not in memory
        assert len(tries) == 4  # three busy answers, then the switch
        assert index.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        index.update()
        assert [h.title for h in index.search("lantern1")] == ["Story 1"] * 3
    finally:
        index.close()
    assert list((data_dir / "cache").glob("search-*.sqlite"))


def test_a_wal_switch_busy_for_longer_than_the_wait_leaves_the_index_in_memory(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = many_stories(tmp_path / "lib", 3)
    switch_busy(monkeypatch, busy_error(tmp_path / "other.sqlite"), times=10**6)
    monkeypatch.setattr(search_module, "BUSY_TIMEOUT", 0.05)
    index = SearchIndex(lib, data_dir)
    try:
        assert index.problem == (
            "The search index cannot be saved in the data dir (database is locked); "
            "searching without it (slower)."
        )
        index.update()
        assert [h.title for h in index.search("lantern2")] == ["Story 2"] * 3
    finally:
        index.close()


def test_builders_that_cannot_get_the_build_lock_still_make_one_index(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = many_stories(tmp_path / "lib", 40)
    held = FileLock(SearchIndex(lib, data_dir).lock_path)
    held.acquire()  # a builder that hangs on to the lock: the others go ahead without it
    monkeypatch.setattr(search_module, "BUILD_LOCK_WAIT", 0.01)
    indexes = [SearchIndex(lib, data_dir) for _ in range(3)]
    errors: list[BaseException] = []

    def build(index: SearchIndex) -> None:
        """Update one index, keeping any exception."""
        try:
            index.update()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=build, args=(index,)) for index in indexes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    held.release()
    assert errors == []
    db = indexes[0].db
    assert db.execute("SELECT count(*), count(DISTINCT path) FROM docs").fetchone() == (40, 40)
    assert db.execute("SELECT count(*) FROM passages").fetchone()[0] == 40 * 3
    for index in indexes:
        index.close()


def test_four_processes_scan_the_library_at_once(tmp_path: Path) -> None:
    lib = many_stories(tmp_path / "lib", 40)
    data = tmp_path / "cold-data"
    code = (
        "import sys; from pathlib import Path; from tui_reader.library import Library;"
        "print(len(Library(Path(sys.argv[1]), Path(sys.argv[2])).scan()))"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(lib), str(data)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    assert [(status, out.strip(), err) for status, out, err in outputs] == [(0, "40", "")] * 4
    warm = Library(lib, data)
    warm.scan()
    assert warm.cache_hits == 40


def test_a_search_while_another_process_builds_never_crashes(tmp_path: Path) -> None:
    lib = many_stories(tmp_path / "lib", 40)
    data = tmp_path / "shared-data"
    builder = subprocess.Popen(
        [sys.executable, "-m", "tui_reader", "search", "lantern1", "--library", str(lib)],
        env={**os.environ, "TUI_READER_DATA": str(data)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    index = SearchIndex(lib, data)
    try:
        index.search("lantern3")  # a reader on a half-built index: some hits or none, no error
        index.update()
        hits = index.search("lantern3")
    finally:
        index.close()
    assert builder.wait(timeout=300) == 0, builder.communicate()[1]
    assert [h.title for h in hits] == ["Story 3"] * 3


# --- 2. a file name that is not UTF-8 -------------------------------------------------------


@pytest.fixture
def latin1_library(tmp_path: Path) -> tuple[Path, Path]:
    """A library holding a story whose file name is Latin-1 bytes (not UTF-8), and a normal one."""
    lib = tmp_path / "lib"
    lib.mkdir()
    odd = Path(os.fsdecode(os.fsencode(lib) + b"/caf\xe9-cr\xe8me.txt"))
    odd.write_bytes(b"Chapter 1: Arrival\n\nThe ferry came in under a low sky and nobody waved.\n")
    (lib / "plain.md").write_text(story("Plain Story", "gull"), encoding="utf-8")
    return lib, odd


def test_a_non_utf8_file_name_is_listed_cached_and_readable(
    latin1_library: tuple[Path, Path], data_dir: Path
) -> None:
    lib, odd = latin1_library
    library = Library(lib, data_dir)
    entries = library.scan()
    assert len(entries) == 2
    entry = next(e for e in entries if e.path.name == odd.name)
    assert entry.error is None
    assert "\ufffd" in entry.title and all(not 0xD800 <= ord(c) <= 0xDFFF for c in entry.title)
    assert library.load(entry).chapters[0].blocks[0].text.startswith("The ferry came in")
    # the cache was written and reads back: the second scan imports nothing
    again = Library(lib, data_dir)
    assert [e.path for e in again.scan()] == [e.path for e in entries]
    assert again.cache_hits == 2


def test_search_indexes_and_prints_a_non_utf8_file_name(
    latin1_library: tuple[Path, Path], data_dir: Path
) -> None:
    lib, odd = latin1_library
    index = SearchIndex(lib, data_dir)
    try:
        index.update()
        hits = index.search("ferry")
    finally:
        index.close()
    assert [Path(h.path) for h in hits] == [odd.resolve()]
    result = run("search", "ferry", "--library", str(lib))
    assert result.returncode == 0, result.stderr
    assert "caf\ufffd-cr\ufffdme.txt" in result.stdout
    as_json = run("search", "ferry", "--library", str(lib), "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)[0]["path"].endswith("caf\ufffd-cr\ufffdme.txt")


def test_inspect_prints_a_non_utf8_file_name(
    latin1_library: tuple[Path, Path], data_dir: Path
) -> None:
    _lib, odd = latin1_library
    result = run("inspect", str(odd))
    assert result.returncode == 0, result.stderr
    assert "Chapters: 1/" in result.stdout
    broken = Path(os.fsdecode(os.fsencode(odd.parent) + b"/\xffbroken.epub"))
    broken.write_bytes(b"not a zip at all")
    failed = run("inspect", str(broken))
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert failed.stderr.count("\n") == 1
    assert failed.stderr.startswith("error: ") and "\ufffdbroken.epub: not an EPUB" in failed.stderr


def test_display_text_renders_surrogate_escapes_and_controls() -> None:
    name = os.fsdecode(b"a\xe9b\x1b]52;c;SGk=\x07.md")
    assert display_text(name) == "a\ufffdb]52;c;SGk=.md"


# --- 6. a read-only or full data dir --------------------------------------------------------


def _private_mount(script: str) -> subprocess.CompletedProcess[str]:
    """Run a shell ``script`` in a private mount namespace (tmpfs mounts vanish with it)."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt"], capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip("cannot mount a private tmpfs here")
    return subprocess.run(
        ["unshare", "-rm", "sh", "-ec", script], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    ("mount", "word", "title"),
    [
        ("mount -t tmpfs tmpfs {data}; mount -o remount,ro {data}", "lantern2", "Story 2"),
        ("mount -t tmpfs -o size=64k tmpfs {data}", "lantern42", "Story 42"),
    ],
    ids=["read-only", "full"],
)
def test_search_on_a_read_only_or_full_data_dir_still_answers(
    tmp_path: Path, mount: str, word: str, title: str
) -> None:
    lib = many_stories(tmp_path / "lib", 80)
    data = tmp_path / "mounted-data"
    data.mkdir()
    search = f"{sys.executable} -m tui_reader search {word} --library {lib} --data-dir {data}"
    result = _private_mount(f"{mount.format(data=data)}; {search}")
    assert result.returncode == 0, result.stderr
    assert f"{title} — Chapter 1: One, paragraph 1" in result.stdout
    assert len(result.stderr.splitlines()) == 1
    assert "search index" in result.stderr and "Traceback" not in result.stderr


def test_search_index_where_the_cache_cannot_be_made(tmp_path: Path, data_dir: Path) -> None:
    lib = many_stories(tmp_path / "lib", 3)
    (data_dir / "cache").write_text("a file where the cache folder should be", encoding="utf-8")
    index = SearchIndex(lib, data_dir)
    try:
        assert index.update() == 3
        assert [h.title for h in index.search("lantern1")] == ["Story 1"] * 3
        assert index.problem is not None and "search index" in index.problem
    finally:
        index.close()


# --- 7. symlink loops -----------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_two_symlink_loops_are_walked_once(tmp_path: Path, data_dir: Path) -> None:
    lib = many_stories(tmp_path / "lib", 2)
    (lib / "sub").mkdir()
    (lib / "sub" / "deep.md").write_text(story("Deep", "heron"), encoding="utf-8")
    os.symlink(".", lib / "a")
    os.symlink(".", lib / "b")
    os.symlink("..", lib / "sub" / "up")
    found = [rel for rel, _full, _st in iter_story_files(lib)]
    assert found == ["story-000.md", "story-001.md", "sub/deep.md"]
    assert len(Library(lib, data_dir).scan()) == 3


@pytest.mark.timeout(60)
def test_one_symlink_loop_lists_each_story_once(tmp_path: Path, data_dir: Path) -> None:
    lib = many_stories(tmp_path / "lib", 1)
    os.symlink(".", lib / "loop")
    assert [rel for rel, _full, _st in iter_story_files(lib)] == ["story-000.md"]
    index = SearchIndex(lib, data_dir)
    try:
        assert index.update() == 1
    finally:
        index.close()


def test_a_linked_folder_outside_is_listed_under_its_first_name(tmp_path: Path) -> None:
    lib = many_stories(tmp_path / "lib", 1)
    elsewhere = many_stories(tmp_path / "elsewhere", 1)
    os.symlink(elsewhere, lib / "linked")
    os.symlink(elsewhere, lib / "linked-again")
    assert [rel for rel, _full, _st in iter_story_files(lib)] == [
        "story-000.md",
        "linked/story-000.md",
    ]
