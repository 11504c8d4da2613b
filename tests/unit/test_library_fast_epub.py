"""The library's EPUB fast path lists every book exactly as the full import does.

Each book is listed twice, by :meth:`Library._import` (the fast path) and by
:meth:`Library._import_full`, and the two entries must be equal field by field. The books are
made at test time by the producers the importer reads: FanFicFare's own program (its offline
test adapter), Calibre's ``ebook-convert`` run on AO3 downloads with AO3's command line, pandoc
and ebooklib, and the hand-written shapes of the importer tests. Broken and hostile books give
the full import's one-line error (the fast path never raises, never lists a wrong row).
"""

from __future__ import annotations

import random
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.ao3_download import (
    Layout,
    Work,
    cjk_work,
    ebook_convert_args,
    oneshot_work,
    sample_work,
    write_ao3_html,
)
from tests.fixtures.calibre import EBOOK_CONVERT, convert
from tests.fixtures.epub_builders import bomb_epub, gutenberg_epub, pg_chapters
from tests.fixtures.epub_producers import PANDOC, ebooklib_epub, has_ebooklib, pandoc_epub
from tests.fixtures.fanficfare import STORIES as FFF_STORIES
from tests.fixtures.fanficfare import FanFicFare
from tests.fixtures.html_builders import (
    XHTML,
    ChapterSpec,
    ao3_epub,
    chapters,
    fff_epub,
    generic_epub2,
    generic_epub3,
    opf,
    write_epub,
)
from tests.fixtures.html_builders import Work as BuilderWork
from tui_reader.importers import epub as epub_importer
from tui_reader.library import Library, LibraryEntry
from tui_reader.library_fast import fast_story


def assert_same(path: Path, *, fast: bool = True) -> LibraryEntry:
    """The fast and the full import list ``path`` the same (and, with ``fast``, the fast path
    read it rather than leaving it to the full import); the entry."""
    entry = Library._import(path)
    assert entry == Library._import_full(path), path.name
    if fast:
        assert fast_story(path) is not None, path.name
    return entry


# --- FanFicFare ---------------------------------------------------------------------------


@pytest.mark.parametrize("sid", [1, 664, 673, *sorted(FFF_STORIES)])
def test_fanficfare_epub(fanficfare: FanFicFare, sid: int) -> None:
    entry = assert_same(fanficfare.make("epub", sid))
    assert entry.format == "fff-epub"
    assert entry.words > 0
    assert entry.story_id == f"test1.com:sid:{sid}"


@pytest.mark.parametrize("sid", [1, *sorted(FFF_STORIES)[:3]])
@pytest.mark.parametrize("kind", ["html", "txt"])
def test_fanficfare_html_and_txt_go_to_the_full_import(
    fanficfare: FanFicFare, sid: int, kind: str
) -> None:
    path = fanficfare.make(kind, sid)
    assert fast_story(path) is None
    assert_same(path, fast=False)


def test_fanficfare_epub_same_story_as_its_html(fanficfare: FanFicFare) -> None:
    sid = sorted(FFF_STORIES)[0]
    epub = Library._import(fanficfare.make("epub", sid))
    html = Library._import(fanficfare.make("html", sid))
    assert epub.story_id == html.story_id


# --- AO3 (Calibre) ------------------------------------------------------------------------

AO3_WORKS: dict[str, tuple[Callable[[], Work], Layout]] = {
    "sample-p-current": (lambda: sample_work("p"), "current"),
    "sample-br-older": (lambda: sample_work("br", "* * *"), "older"),
    "oneshot-p-older": (lambda: oneshot_work("p"), "older"),
    "oneshot-br-current": (lambda: oneshot_work("br"), "current"),
    "cjk-current": (cjk_work, "current"),
}
"""AO3 downloads converted as the archive converts them: (builder, download layout)."""


@pytest.fixture(scope="module")
def ao3_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each work of :data:`AO3_WORKS` as an AO3 EPUB made by ``ebook-convert``."""
    if EBOOK_CONVERT is None:
        pytest.skip("calibre's ebook-convert is not installed")
    folder = tmp_path_factory.mktemp("ao3-fast")
    out: dict[str, Path] = {}
    for name, (build, layout) in AO3_WORKS.items():
        work = build()
        html = write_ao3_html(work, folder / f"{name}.html", layout)
        out[name] = convert(html, folder / f"{name}.epub", ebook_convert_args(work))
    return out


@pytest.mark.parametrize("name", sorted(AO3_WORKS))
def test_ao3_epub_from_calibre(ao3_books: dict[str, Path], name: str) -> None:
    entry = assert_same(ao3_books[name])
    assert entry.format == "ao3-epub"
    assert entry.fandoms and entry.rating


# --- pandoc, ebooklib, hand-written shapes ------------------------------------------------

PANDOC_SOURCE = """---
title: Salt and Lanterns
author: Rhea Voss
lang: en
---

# Prologue

The harbour was quiet that night, and the lamps burned low.

# Chapter 1: Ferry

She took the ferry at dawn. *The tide* was with her.

* * *

Later, the bell rang twice.

# Chapter 2: Orchard

Apples, and the smell of rain.
"""
"""A Markdown story pandoc turns into an EPUB."""


@pytest.mark.parametrize("epub2", [False, True])
def test_pandoc(tmp_path: Path, epub2: bool) -> None:
    if PANDOC is None:
        pytest.skip("pandoc is not installed")
    assert_same(pandoc_epub(PANDOC_SOURCE, tmp_path / "pandoc.epub", epub2=epub2))


@pytest.mark.parametrize("nav", [False, True])
def test_ebooklib(tmp_path: Path, nav: bool) -> None:
    if not has_ebooklib():
        pytest.skip("ebooklib is not installed")
    files = [
        ("title.xhtml", "Title", "<h1>The Tide Clock</h1><p>by K. Lane</p>"),
        ("c1.xhtml", "One", "<h2>Chapter 1</h2><p>Words on the quay, many of them.</p>"),
        ("c2.xhtml", "Two", "<h2>Chapter 2</h2><p>More words.</p><p>And more.</p>"),
    ]
    toc = [("Chapter 1", "c1.xhtml"), ("Chapter 2", "c2.xhtml")]
    path = ebooklib_epub(
        tmp_path / "ebooklib.epub", title="The Tide Clock", author="K. Lane",
        files=files, toc=toc, nav=nav,
    )  # fmt: skip
    assert_same(path)


def test_hand_written_shapes(tmp_path: Path) -> None:
    noted = chapters(3, notes="A note: this contains major character death.", end_notes="End.")
    work = BuilderWork(chapters=noted, total=3)
    assert assert_same(ao3_epub(tmp_path / "ao3.epub", work)).format == "ao3-epub"
    assert_same(ao3_epub(tmp_path / "ao3-drop.epub", drop="chapter2.xhtml"))
    assert assert_same(fff_epub(tmp_path / "fff.epub", work)).format == "fff-epub"
    assert_same(fff_epub(tmp_path / "fff3.epub", version="3.0"))
    assert_same(generic_epub2(tmp_path / "g2.epub"))
    assert_same(generic_epub3(tmp_path / "g3.epub"))
    assert_same(gutenberg_epub(tmp_path / "pg.epub", pg_chapters(4)))


# --- broken and hostile books -------------------------------------------------------------


def _book(path: Path, files: dict[str, str | bytes], **meta: object) -> Path:
    """An EPUB of ``files`` (all in the spine, in order) with the OPF fields ``meta``."""
    items = [(f"f{i}", name, XHTML) for i, name in enumerate(files)]
    package = opf(
        title=str(meta.pop("title", "A Book")),
        creator="Someone",
        items=items,
        spine=[i for i, _, _ in items],
        **meta,  # type: ignore[arg-type]
    )
    return write_epub(path, files, package)


FFF = "FanFicFare [https://github.com/JimmXinu/FanFicFare]"
"""The contributor FanFicFare writes."""


def _page(body: str, cls: str = "") -> str:
    """A spine document."""
    attr = f' class="{cls}"' if cls else ""
    return f'<html xmlns="http://www.w3.org/1999/xhtml"><body{attr}>{body}</body></html>'


def _raw(data: bytes) -> Callable[[Path], Path]:
    """A builder writing ``data`` as it is."""

    def build(path: Path) -> Path:
        """Write the bytes at ``path``."""
        path.write_bytes(data)
        return path

    return build


def _truncated(path: Path) -> Path:
    """A FanFicFare-shaped book cut off after its first 900 bytes."""
    whole = fff_epub(path.with_name("whole.epub")).read_bytes()
    path.write_bytes(whole[:900])
    return path


ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
    '<package xmlns="http://www.idpf.org/2007/opf"><metadata/></package>'
)
"""An OPF declaring entities (defusedxml refuses it)."""

TITLE_PAGE = _page("<b>Rating:</b> M<br/><b>Status:</b> Completed<br/>", "fff_titlepage")
"""A FanFicFare title page."""

PLAIN_CHAPTER = _page("<h2>Chapter 1</h2><p>Words without FanFicFare's classes.</p>")
"""A chapter as any book writes it."""

FFF_EMPTY = _page('<h3 class="fff_chapter_title">One</h3>', "fff_chapter")
"""A FanFicFare chapter with no text."""

FFF_CHAPTER = _page('<h3 class="fff_chapter_title">Two</h3><p>Text.</p>', "fff_chapter")
"""A FanFicFare chapter."""

BROKEN: dict[str, Callable[[Path], Path]] = {
    "not a zip": _raw(b"just some text, not a zip"),
    "empty": _raw(b""),
    "blank": _raw(b"  \n"),
    "truncated": _truncated,
    "no container, no opf": lambda p: write_epub(p, {}, "", opf_path="x/../y.txt"),
    "entity bomb in the opf": lambda p: write_epub(p, {"c.xhtml": PLAIN_CHAPTER}, ENTITY_BOMB),
    "malformed opf": lambda p: write_epub(p, {"c.xhtml": PLAIN_CHAPTER}, "<package><meta"),
    "empty spine": lambda p: write_epub(
        p, {}, opf(title="T", creator="A", items=[], spine=[], contributor=FFF)
    ),
    "spine files missing": lambda p: write_epub(
        p, {}, opf(title="T", creator="A", items=[("c", "c.xhtml", XHTML)], spine=["c"])
    ),
    "fanficfare without chapters": lambda p: _book(
        p, {"t.xhtml": TITLE_PAGE, "c.xhtml": PLAIN_CHAPTER}, contributor=FFF
    ),
    "fanficfare with an empty chapter": lambda p: _book(
        p, {"c1.xhtml": FFF_EMPTY, "c2.xhtml": FFF_CHAPTER}, contributor=FFF
    ),
    "fanficfare documents in a plain book": lambda p: _book(
        p, {"c1.xhtml": PLAIN_CHAPTER, "c2.xhtml": FFF_CHAPTER}
    ),
    "archive of our own with no preface": lambda p: _book(
        p, {"c1.xhtml": PLAIN_CHAPTER}, publisher="Archive of Our Own"
    ),
    "control characters in metadata": lambda p: _book(
        p,
        {"c1.xhtml": _page("<h2>Chapter 1</h2><p>Words\x1b[31m.</p>")},
        title="Red \u202eflip\u200b",
        contributor=FFF,
    ),
    "byte bomb": lambda p: bomb_epub(p, member_mib=40, paragraph="<p>" + "a" * 4000 + "</p>"),
    "tag bomb": lambda p: bomb_epub(p, member_mib=8, members=2),
}
"""Books broken on purpose, by what is wrong with them."""


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_books(tmp_path: Path, name: str) -> None:
    path = BROKEN[name](tmp_path / "book.epub")
    entry = Library._import(path)
    assert entry == Library._import_full(path)
    if entry.error is not None:
        assert entry.error and "\n" not in entry.error


@pytest.mark.parametrize("seed", range(12))
def test_damaged_members(fanficfare: FanFicFare, tmp_path: Path, seed: int) -> None:
    """A real FanFicFare book with one member cut short or garbled lists as the import says."""
    rng = random.Random(seed)
    source = fanficfare.make("epub", sorted(FFF_STORIES)[seed % 2])
    path = tmp_path / "damaged.epub"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as out:
        infos = src.infolist()
        victim = rng.choice([i for i in infos if i.filename != "mimetype"])
        for info in infos:
            data = src.read(info)
            if info is victim:
                cut = rng.randint(0, len(data))
                data = data[:cut] if seed % 2 else data[:cut] + bytes(rng.randbytes(20))
            out.writestr(info, data)
    assert Library._import(path) == Library._import_full(path)


def test_a_scan_lists_the_same_with_and_without_the_fast_path(
    fanficfare: FanFicFare, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    for sid in sorted(FFF_STORIES)[:2]:
        for kind in ("epub", "html", "txt"):
            shutil.copy(fanficfare.make(kind, sid), folder / f"{sid}.{kind}")
    fff_epub(folder / "builder-fff.epub")
    ao3_epub(folder / "builder-ao3.epub")
    generic_epub3(folder / "generic.epub", [ChapterSpec("One"), ChapterSpec("Two")])
    (folder / "broken.epub").write_bytes(b"PK\x03\x04 not really")
    fast = Library(folder, data_dir / "fast").scan()
    monkeypatch.setattr(Library, "_import", staticmethod(Library._import_full))
    full = Library(folder, data_dir / "full").scan()
    assert fast == full
    assert [e.path.name for e in fast if e.error] == ["broken.epub"]
    ours = [e for e in fast if (e.story_id or "").startswith("test1.com:")]
    assert [len(e.also) for e in ours] == [2, 2]  # each story once, from its three files


@pytest.mark.parametrize("keep", [0, 3000])
def test_a_book_past_the_bytes_kept_lists_the_same(
    fanficfare: FanFicFare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: int
) -> None:
    """Members past :data:`~tui_reader.importers.epub.LISTING_KEEP_BYTES` are decompressed
    again, as the importer does."""
    monkeypatch.setattr(epub_importer, "LISTING_KEEP_BYTES", keep)
    assert_same(fanficfare.make("epub", 1))
    assert_same(ao3_epub(tmp_path / "ao3.epub"))
    assert_same(generic_epub3(tmp_path / "g3.epub"))
