"""A scan that has files to read says what it already knows first, and keeps counting.

:meth:`Library.scan` calls ``known`` once, before the files left to import, with the cached
entries and the files the reader has read (imported first); ``progress`` advances with each
file; a broken file is still one entry with a one-line reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tui_reader.library import Library, LibraryEntry


def write_story(folder: Path, name: str, title: str) -> Path:
    """A small Markdown story called ``title``."""
    path = folder / f"{name}.md"
    path.write_text(f'+++\ntitle = "{title}"\n+++\n\n# One\n\nA few words.\n', encoding="utf-8")
    return path


def test_known_comes_before_the_files_left(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    write_story(folder, "b", "Birch")
    write_story(folder, "a", "Alder")
    Library(folder, data_dir).scan()
    read = write_story(folder, "z", "Zelkova")
    write_story(folder, "c", "Cedar")
    (folder / "broken.md").write_text('+++\ntitle = "unclosed\n+++\n', encoding="utf-8")
    events: list[tuple[str, object]] = []
    library = Library(folder, data_dir)
    real_import = library._import

    def note_import(path: Path) -> LibraryEntry:
        events.append(("import", path.name))
        return real_import(path)

    library._import = note_import  # type: ignore[method-assign]
    entries = library.scan(
        lambda done, total: events.append(("progress", (done, total))),
        lambda known: events.append(("known", [e.title for e in known])),
        first=[str(read)],
    )
    assert [e.title for e in entries] == ["Alder", "Birch", "broken.md", "Cedar", "Zelkova"]
    broken = entries[2]
    assert broken.error and "\n" not in broken.error  # one line saying why
    known_at = events.index(("known", ["Alder", "Birch", "Zelkova"]))
    imports = [e for e in events if e[0] == "import"]
    assert imports[0] == ("import", "z.md")  # the story read before, first
    assert events.index(imports[0]) < known_at < events.index(imports[1])
    progress = [e[1] for e in events if e[0] == "progress"]
    assert progress[0] == (0, 5)
    assert progress[-1] == (5, 5)
    assert progress == sorted(progress)  # only ever advances
    assert library.cache_hits == 2


def test_a_warm_scan_says_nothing_early(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    write_story(folder, "a", "Alder")
    Library(folder, data_dir).scan()
    told: list[list[LibraryEntry]] = []
    entries = Library(folder, data_dir).scan(known=told.append)
    assert [e.title for e in entries] == ["Alder"]
    assert told == []


POOLED_SCAN = """
import concurrent.futures as futures
import json, sys
from pathlib import Path
from tui_reader.library import Library
folder, alone_data, pooled_data = (Path(a) for a in sys.argv[1:4])
alone = Library(folder, alone_data).scan()
Library.PARALLEL_MIN = 10
used = []
real_pool = futures.ProcessPoolExecutor
def counting_pool(*args, **kwargs):
    used.append(True)
    return real_pool(*args, **kwargs)
futures.ProcessPoolExecutor = counting_pool  # (the scan imports it when it starts one)
seen = []
pooled = Library(folder, pooled_data).scan(lambda done, total: seen.append((done, total)))
print(json.dumps({
    "same": pooled == alone,
    "pooled": bool(used),
    "errors": [e.error for e in pooled if e.error],
    "seen": seen,
}))
"""
"""A scan in a process of its own (no other thread: the pool may fork), as JSON."""


def test_a_pool_of_processes_lists_the_same(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    for n in range(40):
        if n % 9 == 4:
            (folder / f"broken-{n}.md").write_text('+++\ntitle = "x\n+++\n', encoding="utf-8")
        else:
            write_story(folder, f"s{n:02d}", f"Story {n}")
    args = [str(folder), str(tmp_path / "alone"), str(data_dir)]
    done = subprocess.run(
        [sys.executable, "-c", POOLED_SCAN, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout)
    assert result["pooled"] and result["same"]
    assert len(result["errors"]) == 4
    assert all("\n" not in error for error in result["errors"])  # each one line
    seen = [tuple(step) for step in result["seen"]]
    assert seen[0] == (0, 40) and seen[-1] == (40, 40) and seen == sorted(seen)
    assert len(seen) > 10  # it advanced file by file, not only at the end
