"""The library: scanning, broken files, the index cache, readable names, sorting."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import tui_reader.library as library_module
from tui_reader.library import Library, LibraryEntry
from tui_reader.model import Story
from tui_reader.paths import title_from_filename


def story_text(
    title: str, *, rating: str = "General Audiences", words: str = "One two three."
) -> str:
    """A small Markdown story."""
    return (
        f'+++\ntitle = "{title}"\nauthor = "Someone"\nrating = "{rating}"\n'
        'warnings = ["No Archive Warnings Apply"]\nchapters_total = 5\n'
        '[tags]\nfandoms = ["Original Work"]\ncharacters = ["Ada"]\nadditional = ["Fluff"]\n'
        f"+++\n# First\n\n{words}\n\n# Second\n\nFour five.\n"
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A small library: two good stories (one in a subfolder), one broken, some non-stories."""
    lib = tmp_path / "lib"
    (lib / "sub").mkdir(parents=True)
    (lib / "zebra.md").write_text(story_text("Zebra Crossing"), encoding="utf-8")
    (lib / "sub" / "apple.md").write_text(story_text("An Apple", rating="Mature"), encoding="utf-8")
    (lib / "broken_file-v2.md").write_text('+++\ntitle = "oops\n+++\n# x\n\ny\n', encoding="utf-8")
    (lib / "notes.pdf").write_bytes(b"%PDF-1.4")
    (lib / ".hidden.md").write_text(story_text("Hidden"), encoding="utf-8")
    (lib / ".git").mkdir()
    (lib / ".git" / "inside.md").write_text(story_text("Git"), encoding="utf-8")
    return lib


def test_scan_lists_stories_sorted_with_metadata(root: Path, data_dir: Path) -> None:
    entries = Library(root, data_dir).scan()
    assert [e.title for e in entries] == ["An Apple", "broken_file-v2.md", "Zebra Crossing"]
    apple = entries[0]
    assert apple.path == (root / "sub" / "apple.md").resolve()
    assert apple.author == "Someone"
    assert apple.rating == "Mature"
    assert apple.needs_warning
    assert apple.fandoms == ["Original Work"]
    assert apple.tags == ["Ada", "Fluff"]
    assert (apple.chapters, apple.chapters_total, apple.words) == (2, 5, 5)
    assert apple.format == "markdown"
    assert apple.story_id is not None and len(apple.story_id) == 16
    assert apple.error is None
    assert not entries[2].needs_warning


def test_broken_file_is_listed_with_its_reason(root: Path, data_dir: Path) -> None:
    entries = Library(root, data_dir).scan()
    broken = next(e for e in entries if e.error)
    assert broken.title == "broken_file-v2.md"  # (which file: its name as it is)
    assert broken.error is not None and broken.error.startswith("front matter: ")
    assert broken.story_id is None
    assert sum(1 for e in entries if e.error is None) == 2


def test_hidden_files_and_folders_and_other_suffixes_are_skipped(
    root: Path, data_dir: Path
) -> None:
    names = {e.path.name for e in Library(root, data_dir).scan()}
    assert names == {"zebra.md", "apple.md", "broken_file-v2.md"}


def test_warm_scan_uses_the_cache_not_the_importer(
    root: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = Library(root, data_dir).scan()
    cache_files = list((data_dir / "cache").glob("library-*.json"))
    assert len(cache_files) == 1

    def refuse(path: Path) -> Story:
        raise AssertionError(f"imported {path} on a warm scan")

    monkeypatch.setattr(library_module, "load_story", refuse)
    lib = Library(root, data_dir)
    warm = lib.scan()
    assert warm == cold
    assert lib.cache_hits == 3


def test_changed_file_is_reimported(root: Path, data_dir: Path) -> None:
    Library(root, data_dir).scan()
    path = root / "zebra.md"
    path.write_text(story_text("Zebra Renamed", words="Many more words than before."), "utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    lib = Library(root, data_dir)
    entries = lib.scan()
    assert "Zebra Renamed" in [e.title for e in entries]
    assert next(e for e in entries if e.title == "Zebra Renamed").words == 7
    assert lib.cache_hits == 2


def test_added_and_removed_files(root: Path, data_dir: Path) -> None:
    Library(root, data_dir).scan()
    (root / "zebra.md").unlink()
    (root / "new.md").write_text(story_text("Brand New"), encoding="utf-8")
    entries = Library(root, data_dir).scan()
    assert [e.title for e in entries] == ["An Apple", "Brand New", "broken_file-v2.md"]
    cached = json.loads(next((data_dir / "cache").glob("library-*.json")).read_text("utf-8"))
    assert sorted(cached["files"]) == ["broken_file-v2.md", "new.md", "sub/apple.md"]


@pytest.mark.parametrize("garbage", ["{not json", "[]", '{"version": 1, "files": 7}', ""])
def test_corrupt_cache_is_ignored_and_rebuilt(root: Path, data_dir: Path, garbage: str) -> None:
    lib = Library(root, data_dir)
    lib.scan()
    lib.cache_path.write_text(garbage, encoding="utf-8")
    again = Library(root, data_dir)
    entries = again.scan()
    assert again.cache_hits == 0
    assert len(entries) == 3
    assert json.loads(lib.cache_path.read_text("utf-8"))["version"] == library_module.CACHE_VERSION
    third = Library(root, data_dir)
    third.scan()
    assert third.cache_hits == 3


def test_a_new_importer_version_reimports_every_file(
    root: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An importer whose output changed (IMPORTER_VERSION bumped) is never answered from the
    index the old one wrote."""
    Library(root, data_dir).scan()
    same = Library(root, data_dir)
    same.scan()
    assert same.cache_hits == 3
    monkeypatch.setattr(library_module, "IMPORTER_VERSION", library_module.IMPORTER_VERSION + 1)
    newer = Library(root, data_dir)
    assert len(newer.scan()) == 3
    assert newer.cache_hits == 0


def test_corrupt_cache_record_is_reimported(root: Path, data_dir: Path) -> None:
    lib = Library(root, data_dir)
    lib.scan()
    data = json.loads(lib.cache_path.read_text("utf-8"))
    data["files"]["zebra.md"]["entry"] = {"bogus": 1}
    lib.cache_path.write_text(json.dumps(data), encoding="utf-8")
    again = Library(root, data_dir)
    assert "Zebra Crossing" in [e.title for e in again.scan()]
    assert again.cache_hits == 2


def test_cache_written_atomically_without_leftovers(root: Path, data_dir: Path) -> None:
    Library(root, data_dir).scan()
    names = [p.name for p in (data_dir / "cache").iterdir()]
    assert len(names) == 1
    assert names[0].startswith("library-") and names[0].endswith(".json")


def test_unwritable_cache_is_not_fatal(root: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    entries = Library(root, blocker).scan()
    assert len(entries) == 3


def test_progress_reports_to_the_total(root: Path, data_dir: Path) -> None:
    calls: list[tuple[int, int]] = []
    Library(root, data_dir).scan(lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 3)
    assert calls[-1] == (3, 3)
    assert all(t == 3 for _, t in calls)


def test_load_returns_the_story(root: Path, data_dir: Path) -> None:
    lib = Library(root, data_dir)
    entry = next(e for e in lib.scan() if e.title == "Zebra Crossing")
    story = lib.load(entry)
    assert story.title == "Zebra Crossing"
    assert story.chapters[1].blocks[0].text == "Four five."
    assert lib.load(entry.path).story_id == entry.story_id


def test_empty_and_missing_roots(tmp_path: Path, data_dir: Path) -> None:
    assert Library(tmp_path / "nothing-here", data_dir).scan() == []
    (tmp_path / "empty").mkdir()
    assert Library(tmp_path / "empty", data_dir).scan() == []


def test_untitled_story_gets_name_from_file(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "the_quiet-hour.md").write_text("+++\nauthor = 'x'\n+++\nJust text.\n", "utf-8")
    (entry,) = Library(tmp_path, data_dir).scan()
    assert entry.title == "The Quiet Hour"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("my_story-v2.txt", "My Story V2"),
        ("the.long.road.epub", "The Long Road"),
        ("already Fine.html", "already Fine"),
        ("x.markdown", "X"),
        ("___.md", "___.md"),
        ("000_1b55e561e287f567.txt", "000_1b55e561e287f567.txt"),
        ("page.xhtml", "Page"),
        ("red\x1b[31m_alert\u202e.txt", "Red[31m Alert"),
    ],
)
def test_library_title_from_file_name(name: str, expected: str) -> None:
    """The library's rule: a name with nothing readable left is listed as the file name."""
    assert title_from_filename(name, keep_name=True) == expected


def test_entry_json_round_trip(tmp_path: Path) -> None:
    entry = LibraryEntry(path=tmp_path / "a.md", title="A", warnings=["Major Character Death"])
    assert LibraryEntry.from_json(entry.path, entry.to_json()) == entry
    assert entry.needs_warning


def test_every_file_that_opens_is_listed(tmp_path: Path, data_dir: Path) -> None:
    """One registry: an XHTML chapter file opens, so the library lists it too (it did not)."""
    page = tmp_path / "lantern.xhtml"
    page.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>The Lantern Keeper</title>'
        "</head><body><h1>Chapter 1</h1><p>The lamp burned low over the harbour.</p></body></html>",
        encoding="utf-8",
    )
    (entry,) = Library(tmp_path, data_dir).scan()
    assert entry.path.name == "lantern.xhtml"
    assert entry.error is None
    assert entry.title == "The Lantern Keeper"
    assert (
        Library(tmp_path, data_dir)
        .load(entry)
        .chapters[0]
        .blocks[0]
        .text.startswith("The lamp burned")
    )
