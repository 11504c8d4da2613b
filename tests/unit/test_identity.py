"""Identity by source (issue 15, item 1): a story's id is its normalised source address.

The same work as AO3 HTML and AO3 EPUB (Calibre), or as FanFicFare TXT, HTML and EPUB, gets one
id; the many ways one work is linked normalise to that id; a story without a source is known by
its title and author, whatever the format. The library lists the files of one story as one
entry, from the newest file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.ao3_download import ebook_convert_args, sample_work, write_ao3_html
from tests.fixtures.fanficfare import FanFicFare
from tests.fixtures.html_builders import generic_epub2
from tui_reader.identity import legacy_story_id, source_id, story_id, title_id
from tui_reader.importers import load_story
from tui_reader.library import Library, LibraryEntry, merge_same_story
from tui_reader.model import Source, Story

# --- normalising addresses --------------------------------------------------------------------

AO3_SHAPES = [
    "https://archiveofourown.org/works/123",
    "http://archiveofourown.org/works/123",
    "https://archiveofourown.org/works/123/",
    "https://www.archiveofourown.org/works/123",
    "https://ARCHIVEOFOUROWN.ORG/works/123",
    "https://archiveofourown.org/works/123/chapters/456",
    "https://archiveofourown.org/works/123/chapters/456#workskin",
    "https://archiveofourown.org/works/123?view_adult=true",
    "https://archiveofourown.org/works/123?view_full_work=true&view_adult=true",
    "https://archiveofourown.org/works/123/chapters/456?view_adult=true#main",
    "https://archiveofourown.org/collections/some_fest/works/123",
    "https://archiveofourown.org/works/123/navigate",
    "https://archiveofourown.org/downloads/123/Salt_and_Lanterns.epub?updated_at=1700000000",
    "https://archiveofourown.com/works/123",
    "https://archiveofourown.net/works/123",
    "https://archiveofourown.gay/works/123",
    "https://download.archiveofourown.org/works/123",
    "https://insecure.archiveofourown.org/works/123",
    "https://ao3.org/works/123",
    "https://www.ao3.org/works/123/chapters/9",
    "http://archiveofourown.org:443/works/123",
    "  https://archiveofourown.org/works/0123  ",
    "archiveofourown.org/works/123",
    "//archiveofourown.org/works/123",
]


@pytest.mark.parametrize("url", AO3_SHAPES)
def test_every_shape_of_an_ao3_work_address_is_one_id(url: str) -> None:
    assert source_id(url) == "ao3:work:123"


def test_two_ao3_works_are_two_ids() -> None:
    assert source_id("https://archiveofourown.org/works/124") == "ao3:work:124"
    assert source_id("https://archiveofourown.org/works/1234") == "ao3:work:1234"


def test_an_ao3_series_is_known_by_its_number() -> None:
    assert source_id("https://archiveofourown.org/series/77") == "ao3:series:77"
    assert source_id("https://ao3.org/series/77/") == "ao3:series:77"


@pytest.mark.parametrize(
    "url",
    [
        "https://archiveofourown.org/",
        "https://ao3.org/users/somebody/pseuds/Other/",
        "https://archiveofourown.org/tags/Slow%20Burn/works",
        "https://archiveofourown.org/collections/some_fest",
        "https://example.org",
        "https://www.example.org/",
        "https://example.org/#top",
        "https://example.org/?utm_source=feed",
    ],
)
def test_an_address_naming_no_one_story_is_no_source(url: str) -> None:
    """Many stories may carry a site's front page or an author's page: they must stay apart."""
    assert source_id(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://test1.com?sid=12",
        "http://test1.com/?sid=12",
        "https://test1.com?sid=12",
        "http://www.test1.com?sid=12",
        "http://test1.com?sid=12&chapter=3",
        "http://test1.com?chapter=3&sid=012",
        "http://TEST1.com/?sid=12#top",
    ],
)
def test_the_fanficfare_test_adapter_is_known_by_its_sid(url: str) -> None:
    assert source_id(url) == "test1.com:sid:12"


def test_test_adapters_are_told_apart() -> None:
    assert source_id("http://test2.com?sid=12") == "test2.com:sid:12"
    assert source_id("http://test1.com?sid=13") == "test1.com:sid:13"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.fanfiction.net/s/123",
        "https://www.fanfiction.net/s/123/",
        "https://www.fanfiction.net/s/123/1/",
        "https://www.fanfiction.net/s/123/7/A-Story-Title",
        "http://fanfiction.net/s/123/1/A-Story-Title",
        "https://m.fanfiction.net/s/123/2/",
        "https://www.fanfiction.net/s/123/1/A-Story-Title#chapter",
    ],
)
def test_fanfiction_net_is_known_by_its_story_number(url: str) -> None:
    assert source_id(url) == "ffnet:s:123"


def test_other_known_sites() -> None:
    assert source_id("https://www.fictionpress.com/s/55/3/Other") == "fictionpress:s:55"
    assert source_id("https://www.royalroad.com/fiction/21220/mother-of-learning") == (
        "royalroad:fiction:21220"
    )
    assert source_id(
        "https://www.royalroad.com/fiction/21220/mother-of-learning/chapter/301778/1-good-morning"
    ) == ("royalroad:fiction:21220")
    assert source_id("https://www.wattpad.com/story/987654-a-title") == "wattpad:story:987654"
    assert source_id("https://forums.spacebattles.com/threads/a-quest.12345/") == (
        "forums.spacebattles.com:threads:12345"
    )
    assert source_id("https://forums.spacebattles.com/threads/a-quest.12345/page-7#post-1") == (
        "forums.spacebattles.com:threads:12345"
    )
    assert source_id(
        "https://forums.sufficientvelocity.com/threads/renamed-quest.12345/reader/"
    ) == ("forums.sufficientvelocity.com:threads:12345")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.ORG/Fic/A-Story", "example.org/Fic/A-Story"),
        ("http://www.example.org/fic/a-story/", "example.org/fic/a-story"),
        ("https://example.org/fic/a-story#chapter-2", "example.org/fic/a-story"),
        ("https://example.org/fic/a-story/chapters/2", "example.org/fic/a-story"),
        ("https://example.org/fic/a-story/chapter-2", "example.org/fic/a-story"),
        ("https://example.org/fic/a-story/chapter/2/the-storm", "example.org/fic/a-story"),
        ("https://example.org//fic//a-story", "example.org/fic/a-story"),
        ("https://example.org/viewstory.php?sid=9&chapter=2", "example.org/viewstory.php?sid=9"),
        ("https://example.org/viewstory.php?b=2&a=1", "example.org/viewstory.php?a=1&b=2"),
        ("https://example.org/story?id=4&utm_source=x", "example.org/story?id=4"),
        ("https://user:pw@example.org:443/story", "example.org/story"),
        ("https://example.org:8080/story", "example.org:8080/story"),
        ("https://example.org/caf%C3%A9", "example.org/caf%C3%A9"),
        ("https://example.org/café", "example.org/caf%C3%A9"),
    ],
)
def test_other_addresses_are_canonical(url: str, expected: str) -> None:
    assert source_id(url) == expected


def test_different_stories_on_one_site_stay_apart() -> None:
    assert source_id("https://example.org/fic/2020/a") != source_id(
        "https://example.org/fic/2020/b"
    )
    assert source_id("https://example.org/viewstory.php?sid=9") != source_id(
        "https://example.org/viewstory.php?sid=10"
    )


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "urn:uuid:5d9f0a4e-0000-4000-8000-000000000000",
        "calibre:1234",
        "isbn:9780000000000",
        "ftp://example.org/story.txt",
        "file:///home/me/story.html",
        "not a url at all",
        "Archive of Our Own",
        "http://",
        "http://[::1",
    ],
)
def test_what_is_not_a_web_address_is_no_source(value: str | None) -> None:
    assert source_id(value) is None


def test_a_very_long_address_is_cut_and_stays_distinct() -> None:
    base = "https://example.org/" + "x" * 400
    a, b = source_id(base + "a"), source_id(base + "b")
    assert a is not None and b is not None
    assert len(a) <= 200 and len(b) <= 200
    assert a != b


def test_without_a_source_title_and_author_make_the_id() -> None:
    one = story_id("The Long Winter", "Mira Quell", None)
    assert one == title_id("the  long winter", "MIRA quell")
    assert one != title_id("The Long Winter", "Someone Else")
    assert one != title_id("The Short Winter", "Mira Quell")
    assert story_id("The Long Winter", "Mira Quell", "urn:uuid:1") == one
    assert story_id("The Long Winter", "Mira Quell", "https://ao3.org/works/5") == "ao3:work:5"


def _story(fmt: str, url: str | None) -> Story:
    """A story in ``fmt`` with the same title and author."""
    return Story(
        title="The Long Winter", author="Mira Quell", source=Source("x", fmt), source_url=url
    )


def test_the_format_is_no_longer_part_of_the_id_but_stays_in_the_legacy_id() -> None:
    html, epub = _story("html", None), _story("epub", None)
    assert html.story_id == epub.story_id
    assert html.legacy_id != epub.legacy_id
    assert html.legacy_id == legacy_story_id("html", "The Long Winter", "Mira Quell")
    assert html.story_id not in (html.legacy_id, epub.legacy_id)
    assert _story("fff-epub", "http://test1.com?sid=5").story_id == "test1.com:sid:5"


def test_legacy_id_is_the_formula_reader_files_were_written_with() -> None:
    # sha256("html\nthe long winter\nmira quell")[:16], as tui-reader computed it before.
    old = hashlib.sha256(b"html\nthe long winter\nmira quell").hexdigest()[:16]
    assert _story("html", None).legacy_id == old


# --- the same work in every format gets one id --------------------------------------------------


def _calibre() -> Any:
    """The Calibre helper; skips when Calibre is missing."""
    module = importlib.import_module("tests.fixtures.calibre")
    if module.EBOOK_CONVERT is None:
        pytest.skip("calibre's ebook-convert is not installed")
    return module


def test_ao3_html_and_its_epub_are_one_story(tmp_path: Path) -> None:
    calibre = _calibre()
    work = dataclasses.replace(sample_work("p"), work_id=777001)
    html = write_ao3_html(work, tmp_path / "work.html", "current")
    epub = calibre.convert(html, tmp_path / "work.epub", ebook_convert_args(work))
    from_html, from_epub = load_story(html), load_story(epub)
    assert from_html.source.format != from_epub.source.format
    assert from_html.story_id == from_epub.story_id == "ao3:work:777001"
    assert from_html.legacy_id != from_epub.legacy_id


@pytest.mark.parametrize("sid", [1, 1001])
def test_fanficfare_txt_html_and_epub_are_one_story(fanficfare: FanFicFare, sid: int) -> None:
    stories = [load_story(fanficfare.make(fmt, sid)) for fmt in ("txt", "html", "epub")]
    assert {s.story_id for s in stories} == {f"test1.com:sid:{sid}"}
    assert len({s.legacy_id for s in stories}) == 3


def test_a_story_without_a_source_keeps_one_id_across_formats(tmp_path: Path) -> None:
    md = tmp_path / "winter.md"
    md.write_text(
        '+++\ntitle = "The Long Winter"\nauthor = "Mira Quell"\n+++\n\n# Chapter 1\n\nSnow fell.\n',
        encoding="utf-8",
    )
    epub = generic_epub2(tmp_path / "winter.epub", title="The Long Winter", author="Mira Quell")
    a, b = load_story(md), load_story(epub)
    assert (a.title, a.author, a.source_url) == ("The Long Winter", "Mira Quell", None)
    assert (b.title, b.author, b.source_url) == ("The Long Winter", "Mira Quell", None)
    assert a.source.format != b.source.format
    assert a.story_id == b.story_id
    assert a.legacy_id != b.legacy_id


# --- the library lists one row per story --------------------------------------------------------


def _markdown(path: Path, chapters: int, title: str = "The Long Winter") -> Path:
    """A story in tui-reader's format with ``chapters`` chapters, and no source."""
    body = "".join(f"# Part {n}\n\nSnow fell {n}.\n\n" for n in range(1, chapters + 1))
    path.write_text(f'+++\ntitle = "{title}"\nauthor = "Mira Quell"\n+++\n\n{body}', "utf-8")
    return path


def test_two_files_of_one_story_are_one_entry_from_the_newest(
    fanficfare: FanFicFare, tmp_path: Path
) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    html = Path(shutil.copy(fanficfare.make("html", 1001), root / "a-lantern.html"))
    epub = Path(shutil.copy(fanficfare.make("epub", 1001), root / "b-lantern.epub"))
    txt = Path(shutil.copy(fanficfare.make("txt", 1001), root / "c-lantern.txt"))
    other = _markdown(root / "other.md", 1, title="Another Story")
    broken = root / "broken.epub"
    broken.write_bytes(b"not a zip")
    os.utime(html, (1_700_000_000, 1_700_000_000))
    os.utime(txt, (1_700_000_500, 1_700_000_500))
    os.utime(epub, (1_700_001_000, 1_700_001_000))
    library = Library(root, tmp_path / "data")

    for _ in range(2):  # imported, then from the index cache
        entries = library.scan()
        by_id = {e.story_id: e for e in entries if not e.error}
        assert len(entries) == 3  # the story, the other story, the broken file
        lantern = by_id["test1.com:sid:1001"]
        assert lantern.path == epub
        assert lantern.format == "fff-epub"
        assert lantern.also == [str(html), str(txt)]
        assert by_id[load_story(other).story_id].also == []
        assert [e.path for e in entries if e.error] == [broken]
        olds = {old for old, new in library.id_changes if new == "test1.com:sid:1001"}
        assert olds == {load_story(p).legacy_id for p in (html, epub, txt)}
    assert "also" not in json.dumps(json.loads(library.cache_path.read_text())["files"])

    os.utime(html, (1_700_002_000, 1_700_002_000))  # the HTML is re-downloaded
    [lantern] = [e for e in library.scan() if e.story_id == "test1.com:sid:1001"]
    assert (lantern.path, lantern.also) == (html, [str(epub), str(txt)])


def test_same_time_the_file_with_more_chapters_is_used(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    short = _markdown(root / "short.md", 2)
    long = _markdown(root / "long.md", 3)
    for path in (short, long):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    entries = Library(root, tmp_path / "data").scan()
    assert [(e.path, e.chapters, e.also) for e in entries] == [(long, 3, [str(short)])]


def test_a_story_without_a_source_is_one_entry_across_formats(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    md = _markdown(root / "winter.md", 1)
    epub = generic_epub2(root / "winter.epub", title="The Long Winter", author="Mira Quell")
    os.utime(md, (1_700_000_000, 1_700_000_000))
    library = Library(root, tmp_path / "data")
    [entry] = library.scan()
    assert (entry.path, entry.also) == (epub, [str(md)])
    assert entry.story_id == title_id("The Long Winter", "Mira Quell")
    assert entry.legacy_id == load_story(epub).legacy_id
    assert sorted(library.id_changes) == sorted(
        (load_story(p).legacy_id, entry.story_id) for p in (md, epub)
    )


def test_merging_keeps_distinct_stories_and_order() -> None:
    a = LibraryEntry(Path("/x/a"), "A", story_id="s1")
    b = LibraryEntry(Path("/x/b"), "B", story_id="s2")
    broken = LibraryEntry(Path("/x/c"), "C", error="bad")
    unnamed = LibraryEntry(Path("/x/d"), "D")
    assert merge_same_story([a, broken, b, unnamed]) == [a, broken, b, unnamed]
    assert a.also == [] and b.also == []
