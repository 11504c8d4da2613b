"""The story index cache: a reopen reads the chapter on screen only, and comes back identical.

Every story here is opened twice through :func:`tui_reader.story_cache.open_cached`: the first
open imports the file and writes the entry, the second must not call the importer and must give
the same story (``to_dict`` compares every field a screen uses, and the story id). Stale and
damaged entries are misses, never errors.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import STORIES
from tests.fixtures.html_builders import ao3_epub, fff_epub, fff_html, generic_epub3
from tui_reader import importers, story_cache
from tui_reader.importers import load_story
from tui_reader.importers import markdown as markdown_importer
from tui_reader.model import Story
from tui_reader.story_cache import entry_path, evict, open_cached

SAMPLES = sorted(p.name for p in STORIES.iterdir() if p.is_file())
"""The bundled sample library: archive dump, Markdown, AO3 HTML, EPUB."""

MARKDOWN = "the-ferry-at-morrow.md"
"""A Markdown sample with an author's gate."""


class Spy:
    """Counts calls to a wrapped function."""

    def __init__(self, function: Callable[..., Any]) -> None:
        """Wrap ``function``."""
        self.function = function
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Count and call through."""
        self.calls += 1
        return self.function(*args, **kwargs)


@pytest.fixture
def story_file(tmp_path: Path) -> Path:
    """A copy of a Markdown sample the test may change."""
    path = tmp_path / "lib" / MARKDOWN
    path.parent.mkdir()
    shutil.copy(STORIES / MARKDOWN, path)
    return path


@pytest.fixture
def import_spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    """Counts calls of the Markdown importer's ``load``."""
    spy = Spy(markdown_importer.load)
    monkeypatch.setattr(markdown_importer, "load", spy)
    return spy


@pytest.fixture
def decode_spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    """Counts chapter segments decoded from cache entries."""
    spy = Spy(story_cache._blocks)
    monkeypatch.setattr(story_cache, "_blocks", spy)
    return spy


def both(path: Path, data_dir: Path) -> tuple[Story, Story]:
    """The story opened the first time (imported) and the second time (from the entry)."""
    first = open_cached(path, data_dir)
    assert entry_path(path, data_dir).is_file()
    return first, open_cached(path, data_dir)


# --- the same story back ----------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLES)
def test_a_sample_comes_back_identical(name: str, data_dir: Path) -> None:
    path = STORIES / name
    imported = load_story(path).to_dict()
    _, cached = both(path, data_dir)
    assert cached.to_dict() == imported
    assert cached.story_id == load_story(path).story_id


@pytest.mark.parametrize(
    "build",
    [ao3_epub, fff_epub, fff_html, generic_epub3],
    ids=["ao3-epub", "fff-epub", "fff-html", "epub3"],
)
def test_a_built_file_comes_back_identical(
    build: Callable[[Path], Path], tmp_path: Path, data_dir: Path
) -> None:
    suffix = ".html" if build is fff_html else ".epub"
    path = build(tmp_path / f"story{suffix}")
    imported = load_story(path)
    _, cached = both(path, data_dir)
    assert cached.to_dict() == imported.to_dict()
    assert (cached.source_url, cached.source, cached.title, cached.author) == (
        imported.source_url,
        imported.source,
        imported.title,
        imported.author,
    )


def test_the_entry_holds_no_story_id(data_dir: Path) -> None:
    path = STORIES / MARKDOWN
    story = open_cached(path, data_dir)
    raw = entry_path(path, data_dir).read_bytes()
    assert story.story_id.encode() not in raw
    assert b'"id"' not in raw


# --- a hit reads only the chapter asked for ---------------------------------------------------


def test_a_reopen_calls_no_importer_and_decodes_one_chapter(
    story_file: Path, data_dir: Path, import_spy: Spy, decode_spy: Spy
) -> None:
    first = open_cached(story_file, data_dir)
    assert import_spy.calls == 1
    again = open_cached(story_file, data_dir)
    assert import_spy.calls == 1  # not imported again
    assert decode_spy.calls == 0  # nothing decoded but the header
    assert not any(chapter.loaded for chapter in again.chapters)
    assert again.chapters[1].blocks == first.chapters[1].blocks
    assert decode_spy.calls == 1
    assert [chapter.loaded for chapter in again.chapters] == [False, True, False]


# --- stale entries ----------------------------------------------------------------------------


def test_a_changed_file_is_imported_again(
    story_file: Path, data_dir: Path, import_spy: Spy
) -> None:
    open_cached(story_file, data_dir)
    text = story_file.read_text(encoding="utf-8")
    story_file.write_text(text.replace("Ferry", "Barge"), encoding="utf-8")
    stat = story_file.stat()
    os.utime(story_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    story = open_cached(story_file, data_dir)
    assert import_spy.calls == 2
    assert "Barge" in story.title
    assert open_cached(story_file, data_dir).to_dict() == story.to_dict()
    assert import_spy.calls == 2


def test_a_touched_file_of_the_same_size_is_imported_again(
    story_file: Path, data_dir: Path, import_spy: Spy
) -> None:
    open_cached(story_file, data_dir)
    stat = story_file.stat()
    os.utime(story_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5))
    open_cached(story_file, data_dir)
    assert import_spy.calls == 2


def test_a_new_importer_version_imports_again(
    story_file: Path, data_dir: Path, import_spy: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_cached(story_file, data_dir)
    monkeypatch.setattr(importers, "IMPORTER_VERSION", importers.IMPORTER_VERSION + 1)
    open_cached(story_file, data_dir)
    assert import_spy.calls == 2
    open_cached(story_file, data_dir)
    assert import_spy.calls == 2  # the rebuilt entry is used


def test_a_new_program_version_imports_again(
    story_file: Path, data_dir: Path, import_spy: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_cached(story_file, data_dir)
    monkeypatch.setattr("tui_reader.__version__", "999.0")
    open_cached(story_file, data_dir)
    assert import_spy.calls == 2


def test_a_story_moved_elsewhere_has_its_own_entry(
    story_file: Path, data_dir: Path, import_spy: Spy
) -> None:
    open_cached(story_file, data_dir)
    moved = story_file.with_name("moved.md")
    story_file.rename(moved)
    story = open_cached(moved, data_dir)
    assert import_spy.calls == 2
    assert story.source.path == str(moved)


# --- damaged entries --------------------------------------------------------------------------


def _truncate(entry: Path) -> None:
    entry.write_bytes(entry.read_bytes()[:-10])


def _truncate_header(entry: Path) -> None:
    entry.write_bytes(entry.read_bytes()[:30])


def _garbage(entry: Path) -> None:
    entry.write_bytes(os.urandom(4096))


def _empty(entry: Path) -> None:
    entry.write_bytes(b"")


def _huge_header(entry: Path) -> None:
    raw = entry.read_bytes()
    entry.write_bytes(raw[:-8] + (2**62).to_bytes(8, "big"))


def _chopped_body(entry: Path) -> None:
    raw = entry.read_bytes()
    entry.write_bytes(raw[:50] + raw[60:])  # the header still reads, the offsets are off


def _rewrite_header(change: Callable[[dict[str, Any]], Any]) -> Callable[[Path], None]:
    """A damage that rewrites the header JSON (keeping the layout valid)."""

    def damage(entry: Path) -> None:
        raw = entry.read_bytes()
        length = int.from_bytes(raw[-8:], "big")
        header = json.loads(raw[-8 - length : -8])
        header = change(header) or header
        new = json.dumps(header).encode()
        entry.write_bytes(raw[: -8 - length] + new + len(new).to_bytes(8, "big"))

    return damage


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    """Set one value deep in the header."""

    def change(header: dict[str, Any]) -> None:
        node: Any = header
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


DAMAGES: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "truncated header": _truncate_header,
    "garbage": _garbage,
    "empty": _empty,
    "huge header length": _huge_header,
    "body shorter": _chopped_body,
    "header a list": _rewrite_header(lambda header: [1, 2, 3]),
    "story a string": _rewrite_header(_set(["story"], "oops")),
    "title a number": _rewrite_header(_set(["story", "title"], 7)),
    "warnings a string": _rewrite_header(_set(["story", "warnings"], "Major Character Death")),
    "tags too few": _rewrite_header(_set(["story", "tags"], [[], []])),
    "gate a dict": _rewrite_header(_set(["story", "warning_gates"], [{"a": 1}])),
    "chapter row short": _rewrite_header(_set(["chapters", 0], [1, "x"])),
    "segment past the end": _rewrite_header(_set(["chapters", 0, 7], 10**9)),
    "no chapters": _rewrite_header(_set(["chapters"], [])),
    "missing key": _rewrite_header(lambda header: header.pop("story") and None),
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_entry_is_rebuilt(
    damage: Callable[[Path], None], story_file: Path, data_dir: Path, import_spy: Spy
) -> None:
    expected = load_story(story_file).to_dict()
    open_cached(story_file, data_dir)
    damage(entry_path(story_file, data_dir))
    story = open_cached(story_file, data_dir)
    assert story.to_dict() == expected
    calls = import_spy.calls
    assert open_cached(story_file, data_dir).to_dict() == expected  # the rebuilt entry
    assert import_spy.calls == calls


def test_a_damaged_segment_is_read_from_the_file(
    story_file: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reimport = Spy(story_cache._reimport)
    monkeypatch.setattr(story_cache, "_reimport", reimport)
    expected = load_story(story_file).to_dict()
    open_cached(story_file, data_dir)
    story = open_cached(story_file, data_dir)
    entry = entry_path(story_file, data_dir)
    raw = entry.read_bytes()
    length = int.from_bytes(raw[-8:], "big")
    end = len(raw) - 8 - length  # the body ends here: the last chapter's bytes go bad
    entry.write_bytes(raw[: end - 200] + b"\xff" * 200 + raw[end:])
    assert story.to_dict() == expected
    assert reimport.calls >= 1
    assert all(chapter.load_error is None for chapter in story.chapters)


def test_an_entry_rewritten_while_open_is_not_mixed_in(story_file: Path, data_dir: Path) -> None:
    expected = load_story(story_file).to_dict()
    open_cached(story_file, data_dir)
    story = open_cached(story_file, data_dir)
    entry = entry_path(story_file, data_dir)
    entry.unlink()
    open_cached(story_file, data_dir)  # a new entry (another token)
    assert story.to_dict() == expected


def test_a_story_gone_while_open_says_so_in_its_chapter(story_file: Path, data_dir: Path) -> None:
    open_cached(story_file, data_dir)
    story = open_cached(story_file, data_dir)
    entry_path(story_file, data_dir).unlink()
    story_file.unlink()
    chapter = story.chapters[0]
    assert chapter.load_error is None
    assert "could not be read again" in chapter.blocks[0].text
    assert chapter.load_error


# --- no cache when the data dir cannot be written ----------------------------------------------


def test_a_data_dir_that_cannot_be_written_means_no_cache(
    story_file: Path, tmp_path: Path, import_spy: Spy
) -> None:
    data = tmp_path / "blocked"
    data.mkdir()
    (data / "cache").write_text("not a folder", encoding="utf-8")  # mkdir fails, as read-only
    first = open_cached(story_file, data)
    again = open_cached(story_file, data)
    assert again.to_dict() == first.to_dict()
    assert import_spy.calls == 2


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anyway")
def test_a_read_only_data_dir_means_no_cache(story_file: Path, tmp_path: Path) -> None:
    data = tmp_path / "ro"
    data.mkdir()
    data.chmod(0o500)
    try:
        assert open_cached(story_file, data).to_dict() == load_story(story_file).to_dict()
        assert not (data / "cache").exists()
    finally:
        data.chmod(0o700)


def test_a_file_changed_while_it_was_imported_is_not_cached(
    story_file: Path, data_dir: Path
) -> None:
    _, fill = story_cache.open_story(story_file, data_dir)
    assert fill is not None
    stat = story_file.stat()
    os.utime(story_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert fill() is False
    assert not entry_path(story_file, data_dir).exists()


def test_a_hit_returns_no_fill(story_file: Path, data_dir: Path) -> None:
    open_cached(story_file, data_dir)
    _, fill = story_cache.open_story(story_file, data_dir)
    assert fill is None


# --- the size cap -----------------------------------------------------------------------------


def test_the_least_recently_used_entries_go_first(tmp_path: Path) -> None:
    folder = tmp_path / "stories"
    folder.mkdir()
    for age, name in enumerate(["new", "mid", "old"]):
        entry = folder / f"{name}{story_cache.SUFFIX}"
        entry.write_bytes(b"x" * 1000)
        os.utime(entry, (1_000_000 - age * 100, 1_000_000 - age * 100))
    (folder / "other.txt").write_bytes(b"y" * 5000)  # not ours: never counted or deleted
    assert evict(folder, limit=2500) == 1
    assert sorted(p.name for p in folder.iterdir()) == [
        "mid.story",
        "new.story",
        "other.txt",
    ]
    assert evict(folder, limit=500, keep=folder / "mid.story") == 1
    assert sorted(p.name for p in folder.iterdir()) == ["mid.story", "other.txt"]


def test_writing_keeps_the_folder_under_the_cap(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(story_cache, "MAX_CACHE_BYTES", 1)
    paths = []
    for name in SAMPLES[:3]:
        paths.append(tmp_path / name)
        shutil.copy(STORIES / name, paths[-1])
        open_cached(paths[-1], data_dir)
    left = list(story_cache.cache_dir(data_dir).iterdir())
    assert left == [entry_path(paths[-1], data_dir)]  # only the newest (it is always kept)


def test_a_hit_marks_its_entry_recently_used(story_file: Path, data_dir: Path) -> None:
    open_cached(story_file, data_dir)
    entry = entry_path(story_file, data_dir)
    os.utime(entry, (1_000, 1_000))
    open_cached(story_file, data_dir)
    assert entry.stat().st_mtime > 1_000


def test_what_an_entry_says_passes_the_sanitiser(story_file: Path, data_dir: Path) -> None:
    open_cached(story_file, data_dir)
    _rewrite_header(_set(["story", "title"], "Ferry\x1b]52;c;cm0gLXJmIH4K\x07 Title"))(
        entry_path(story_file, data_dir)
    )
    story = open_cached(story_file, data_dir)
    assert story.title == "Ferry]52;c;cm0gLXJmIH4K Title"
