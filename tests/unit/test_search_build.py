"""Index builds read stories in worker processes: same index as one process, progress, stopping."""

from __future__ import annotations

import re
import shutil
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from tui_reader import search
from tui_reader.search import SearchIndex, _cjk_columns, cjk_letters, cjk_terms
from tui_reader.text import collapse_spaces

STORIES = Path(__file__).resolve().parents[2] / "stories"

QUERIES = (
    "lighthouse",
    "tide",
    '"the tide came"',
    "keep*",
    "lamp story",
    "天文台",
    "切手",
    "帳面",
    "鳴",
    "story 7",
    "zeppelin",
)


def write_library(folder: Path, count: int = 24) -> Path:
    """``count`` small native stories (a word in the last paragraph), two Japanese stories and
    a broken EPUB."""
    folder.mkdir(parents=True)
    for n in range(count):
        body = [f"Paragraph {p} of story {n}: the tide came in over the sand." for p in range(6)]
        body.append(f"The lighthouse keeper of story {n} lit the lamp.")
        text = f'+++\ntitle = "Tide {n:03d}"\nauthor = "Test Author"\n+++\n\n# One\n\n'
        (folder / f"tide-{n:03d}.md").write_text(text + "\n\n".join(body) + "\n", encoding="utf-8")
    shutil.copy(STORIES / "hoshi-o-kazoeru-hito.md", folder / "hoshi.md")
    (folder / "kawa.md").write_text(
        '+++\ntitle = "川べりの郵便局"\nauthor = "Test Author"\n+++\n\n# 一\n\n'
        "古い郵便局の窓口で、彼女は毎朝切手を数えていた。\n\n"
        "配達員の自転車が橋を渡るたびに、鈴が小さく鳴った。\n",
        encoding="utf-8",
    )
    (folder / "broken.epub").write_bytes(b"PK\x03\x04 not really a zip")
    return folder


def answers(index: SearchIndex) -> dict[str, list[tuple[str, str, int, int, str]]]:
    """What each query finds: file, title, chapter, paragraph and snippet of every hit."""
    return {
        query: sorted(
            (Path(h.path).name, h.title, h.chapter, h.paragraph, h.snippet)
            for h in index.search(query, limit=100)
        )
        for query in QUERIES
    }


def test_workers_build_the_same_index_as_one_process(tmp_path: Path, data_dir: Path) -> None:
    library = write_library(tmp_path / "lib")
    one = SearchIndex(library, tmp_path / "one")
    many = SearchIndex(library, tmp_path / "many")
    assert one.update(workers=1) == 27
    assert many.update(workers=2) == 27
    expected = answers(one)
    assert answers(many) == expected
    assert len(expected["lighthouse"]) == 24 and expected["天文台"] and expected["切手"]
    assert expected["zeppelin"] == []
    assert many.failures() == one.failures()
    assert [Path(p).name for p, _ in many.failures()] == ["broken.epub"]
    reason = many.failures()[0][1]
    assert "\n" not in reason and reason
    rows = "SELECT count(*) FROM passages"
    assert many.db.execute(rows).fetchone() == one.db.execute(rows).fetchone()
    one.close()
    many.close()


def test_a_large_build_uses_workers_by_default_and_reports_every_file(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = write_library(tmp_path / "lib", count=search.PARALLEL_MIN_FILES)
    started: list[int] = []
    real_pool = search._pool

    def pool(workers: int) -> ProcessPoolExecutor:
        started.append(workers)
        return real_pool(workers)

    monkeypatch.setattr(search, "_pool", pool)
    monkeypatch.setattr(search, "build_workers", lambda: 2)
    seen: list[tuple[int, int]] = []
    index = SearchIndex(library, data_dir)
    total = search.PARALLEL_MIN_FILES + 3
    assert index.update(lambda done, total: seen.append((done, total))) == total
    assert started == [2]
    assert seen == [(n, total) for n in range(1, total + 1)]
    assert len(index.search("lighthouse", limit=100)) == search.PARALLEL_MIN_FILES
    # nothing changed: nothing read, no workers started
    assert index.update() == 0 and started == [2]
    index.close()


def test_a_stopped_parallel_build_is_consistent_and_the_next_update_goes_on(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stop after the first stored files: every file in the index is whole, the rest follows."""
    library = write_library(tmp_path / "lib", count=40)
    monkeypatch.setattr(search, "BATCH_SECONDS", 0.0)  # commit each file: stop lands mid-build
    seen: list[tuple[int, int]] = []
    index = SearchIndex(library, data_dir)
    done = index.update(
        lambda done, total: seen.append((done, total)), stop=lambda: len(seen) >= 5, workers=2
    )
    assert done == 5 and seen[-1] == (5, 43)
    index.close()
    index = SearchIndex(library, data_dir)
    per_doc = index.db.execute(
        "SELECT d.title, count(p.rowid) FROM docs d LEFT JOIN passages p ON p.doc = d.id"
        " GROUP BY d.id"
    ).fetchall()
    assert len(per_doc) == 5
    tides = [count for title, count in per_doc if (title or "").startswith("Tide")]
    assert tides == [7, 7]  # broken.epub, hoshi.md, kawa.md, then two whole stories
    assert index.update(workers=2) == 38
    assert len(index.search("lighthouse", limit=100)) == 40
    index.close()


def test_an_interrupted_parallel_build_keeps_the_old_index_usable(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ctrl+c while files are read: the batch in hand is dropped, what was there stays."""
    library = write_library(tmp_path / "lib", count=20)
    index = SearchIndex(library, data_dir)
    assert index.update(workers=1) == 23
    for n in range(20):  # every story changed
        path = library / f"tide-{n:03d}.md"
        path.write_text(path.read_text().replace("lighthouse", "beacon"), encoding="utf-8")
    calls = 0

    def interrupt(done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(search, "BATCH_SECONDS", 0.0)
    with pytest.raises(KeyboardInterrupt):
        index.update(interrupt, workers=2)
    assert len(index.search("beacon", limit=100)) == 3
    assert len(index.search("lighthouse", limit=100)) == 17
    assert index.update(workers=2) == 17
    assert len(index.search("beacon", limit=100)) == 20
    index.close()


def test_workers_that_cannot_start_leave_the_reading_to_the_build(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = write_library(tmp_path / "lib", count=20)

    def no_pool(workers: int) -> None:
        raise OSError("no semaphores here")

    monkeypatch.setattr(search, "_pool", no_pool)
    index = SearchIndex(library, data_dir)
    assert index.update(workers=2) == 23
    assert len(index.search("lighthouse", limit=100)) == 20
    assert [Path(p).name for p, _ in index.failures()] == ["broken.epub"]
    index.close()


class DyingPool:
    """A pool whose workers are killed (out of memory, say) after reading ``lives`` files."""

    def __init__(self, lives: int) -> None:
        """Read ``lives`` files, then break."""
        self.lives = lives

    def submit(self, fn: object, path: str) -> Future[object]:
        """The file read here while lives last, then a broken pool."""
        future: Future[object] = Future()
        if self.lives > 0:
            self.lives -= 1
            future.set_result(search._parse(path))
        else:
            future.set_exception(BrokenProcessPool("a worker was killed"))
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Nothing to stop."""


def test_workers_that_die_leave_the_rest_to_the_build(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = write_library(tmp_path / "lib", count=20)
    monkeypatch.setattr(search, "_pool", lambda workers: DyingPool(lives=5))
    seen: list[tuple[int, int]] = []
    index = SearchIndex(library, data_dir)
    assert index.update(lambda done, total: seen.append((done, total)), workers=2) == 23
    assert seen[-1] == (23, 23)
    assert len(index.search("lighthouse", limit=100)) == 20
    assert index.search("切手")
    index.close()


class CountingPool:
    """A pool that reads each file as it is asked for, counting the files asked for."""

    def __init__(self) -> None:
        """No file asked for yet."""
        self.asked: list[str] = []

    def submit(self, fn: object, path: str) -> Future[object]:
        """The file, read here."""
        self.asked.append(path)
        future: Future[object] = Future()
        future.set_result(search._parse(path))
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Nothing to stop."""


@pytest.mark.parametrize(("size", "ahead"), [(1_000, 23), (40 << 20, 8)])
def test_workers_read_ahead_of_the_writer_within_a_byte_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, ahead: int
) -> None:
    # while the writer stores a batch the workers read on: small files all at once (the
    # budget holds them all), files of 40 MiB no more than READ_AHEAD + 1 per worker
    library = write_library(tmp_path / "lib", count=20)
    paths = sorted(str(p) for p in library.iterdir())
    pool = CountingPool()
    monkeypatch.setattr(search, "_pool", lambda workers: pool)
    parsed = search._parse_parallel(paths, 2, dict.fromkeys(paths, size))
    first, story = next(parsed)
    assert first == paths[0] and isinstance(story, search._Parsed)
    assert len(pool.asked) == ahead
    assert [path for path, _story in parsed] == paths[1:]
    assert pool.asked == paths


@pytest.mark.parametrize(
    "text",
    [
        "plain ascii text",
        "café au lait, naïve",
        "灯子が山の上の天文台を訪ねた",
        "mixed 星 and 切手を数える and 한국어 text",
        "",
    ],
)
def test_cjk_columns_match_the_column_functions(text: str) -> None:
    assert _cjk_columns(text) == (cjk_terms(text) or None, cjk_letters(text) or None)


@pytest.mark.parametrize(
    "line", ["  a  b\tc  ", "plain words", " lead", "trail ", "\ttab", "", "a\u00a0 b", "x\n"]
)
def test_collapse_spaces_is_the_same_with_and_without_its_shortcut(line: str) -> None:
    assert collapse_spaces(line) == re.sub(r"[ \t]+", " ", line).strip()
