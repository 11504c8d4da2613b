"""First chapter first for AO3 and FanFicFare EPUBs, made at test time by the real producers.

AO3 books are Calibre's ``ebook-convert`` of AO3-like downloads with AO3's own command line
(tests/fixtures/calibre.py), split by chapter and by size; FanFicFare books are written by its
program with the offline test adapter (tests/fixtures/fanficfare.py). For each,
``load_first_chapter`` gives chapter 1, the metadata, warnings, rating, tags, summary, story
notes before the text and the front matter exactly as the whole import does, decompressing only
the documents up to where chapter 2 starts; books it cannot bound give None.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from tests.fixtures.ao3_download import (
    Work,
    ebook_convert_args,
    oneshot_work,
    sample_work,
    write_ao3_html,
)
from tests.fixtures.calibre import EBOOK_CONVERT, convert
from tests.fixtures.fanficfare import STORIES, FanFicFare, personal_ini
from tests.unit.test_importer_epub_ao3_split import WORKS, _without_wrapper_ids
from tui_reader.importers import _ao3_html, epub, load_first_chapter, load_story
from tui_reader.model import Source, Story

WHOLE_ONLY = ("chapters", "words", "back_matter", "warning_gates", "notes", "chapters_total")
"""What only the whole import knows (story notes and the chapter total are compared apart)."""

AO3_WORKS: dict[str, Callable[[], tuple[Work, str]]] = {
    "sample": lambda: (sample_work(), "current"),
    "sample-older": lambda: (sample_work("br"), "older"),
    # chapter 2 cut by size; chapter 1 whole in one file
    "long-chapter-2": lambda: (WORKS["long-chapter-2"](), "current"),
    # chapter 1 cut many times inside one <p> of <br/> lines
    "long-br-chapter": lambda: (WORKS["long-br-chapter"](), "current"),
    # the preface's summary and notes and chapter 1's notes and end notes cut by size
    "long-notes": lambda: (WORKS["long-notes"](), "current"),
    "many-chapters": lambda: (WORKS["many-chapters"](), "current"),
}
"""The AO3 works converted, by name, with the download layout."""


@pytest.fixture(scope="module")
def ao3_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each work of :data:`AO3_WORKS` (and a one-shot) as the EPUB ``ebook-convert`` makes."""
    if EBOOK_CONVERT is None:
        pytest.skip("calibre's ebook-convert is not installed")
    folder = tmp_path_factory.mktemp("ao3-first")
    books: dict[str, Path] = {}
    made = {name: build() for name, build in AO3_WORKS.items()}
    made["oneshot"] = (oneshot_work(), "current")
    made["oneshot-older"] = (oneshot_work("br"), "older")
    for name, (work, layout) in made.items():
        html = write_ao3_html(work, folder / f"{name}.html", layout)
        books[name] = convert(html, folder / f"{name}.epub", ebook_convert_args(work))
    return books


def _without(story: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in story.items() if k not in WHOLE_ONLY}


def _same_opening(first: Story | None, whole: Story) -> Story:
    """``first`` holds exactly the whole story's chapter 1 and story fields (see module doc)."""
    assert first is not None
    assert len(first.chapters) == 1 < len(whole.chapters)
    assert first.chapters[0].to_dict() == whole.chapters[0].to_dict()
    assert _without(first.to_dict()) == _without(whole.to_dict())
    assert first.notes == [n for n in whole.notes if n.position == "before"]
    assert first.story_id == whole.story_id
    assert first.needs_warning == whole.needs_warning
    return first


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The members the EPUB importer decompresses, in order."""
    names: list[str] = []
    real_stream = epub._Book._stream_capped

    def counted(book: Any, name: str, real: str, sink: Any) -> None:
        """Record which member is decompressed."""
        names.append(real)
        real_stream(book, name, real, sink)

    monkeypatch.setattr(epub._Book, "_stream_capped", counted)
    yield names


def _documents(names: list[str]) -> list[str]:
    """The (X)HTML documents among ``names``, each once, in order."""
    return list(dict.fromkeys(n for n in names if n.endswith((".xhtml", ".html"))))


def _spine(path: Path) -> list[str]:
    """The book's spine documents in order (read with the standard library only)."""
    with zipfile.ZipFile(path) as zf:
        opf_name = next(n for n in zf.namelist() if n.endswith(".opf"))
        opf = zf.read(opf_name).decode("utf-8")
    base = opf_name.rpartition("/")[0]
    hrefs = dict(re.findall(r'<item\b[^>]*?id="([^"]+)"[^>]*?href="([^"]+)"', opf))
    hrefs.update(
        (i, h) for h, i in re.findall(r'<item\b[^>]*?href="([^"]+)"[^>]*?id="([^"]+)"', opf)
    )
    ids = re.findall(r'<itemref\b[^>]*?idref="([^"]+)"', opf)
    return [f"{base}/{hrefs[i]}" if base else hrefs[i] for i in ids]


# --- AO3 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(AO3_WORKS))
def test_an_ao3_books_first_chapter_is_the_whole_imports(
    ao3_books: dict[str, Path], name: str
) -> None:
    path = ao3_books[name]
    whole = load_story(path)
    first = _same_opening(load_first_chapter(path), whole)
    assert first.source.format == "ao3-epub"
    assert first.warnings and first.rating  # (the preface's: known before the first paint)
    assert first.chapters_total == whole.chapters_total  # (the preface's stats)


@pytest.mark.parametrize("name", ["long-chapter-2", "many-chapters", "long-br-chapter"])
def test_an_ao3_book_is_decompressed_only_to_chapter_2s_heading(
    ao3_books: dict[str, Path], name: str, streamed: list[str]
) -> None:
    """Only the documents up to the one holding chapter 2's heading (Calibre cuts before each
    chapter heading) are decompressed before the first chapter shows."""
    path = ao3_books[name]
    spine = _spine(path)
    with zipfile.ZipFile(path) as zf:
        holds = [re.search(rb"<h2[^>]*>\s*Chapter 2\b", zf.read(n)) is not None for n in spine]
    second = holds.index(True)
    assert second < len(spine) - 1  # (at least the afterword is left unread)
    assert load_first_chapter(path) is not None
    assert _documents(streamed) == spine[: second + 1]
    streamed.clear()
    load_story(path)
    assert set(_documents(streamed)) == set(spine)


def test_an_ao3_book_whose_wrappers_lost_their_ids_reads_its_first_chapter_early(
    ao3_books: dict[str, Path], tmp_path: Path
) -> None:
    damaged = tmp_path / "no-ids.epub"
    assert _without_wrapper_ids(ao3_books["many-chapters"], damaged) > 1
    _same_opening(load_first_chapter(damaged), load_story(damaged))


@pytest.mark.parametrize("name", ["oneshot", "oneshot-older"])
def test_an_ao3_one_shot_gives_none_after_its_preface(
    ao3_books: dict[str, Path], streamed: list[str], name: str
) -> None:
    """The preface's stats say one chapter is posted ("Chapters: 1/1"; the older downloads
    give a one-chapter work's stats no chapter count): its first chapter is the whole book."""
    path = ao3_books[name]
    assert len(_spine(path)) > 1
    assert load_first_chapter(path) is None
    assert _documents(streamed) == _spine(path)[:1]
    assert len(load_story(path).chapters) == 1


_PREFACE = '<div id="preface"><dl class="tags"><dt>Rating:</dt><dd>Mature</dd></dl><h1>T</h1></div>'


def _meta(n: int) -> str:
    return f'<div class="meta group"><h2 class="heading">Chapter {n}</h2></div>'


def _body(n: int) -> str:
    return f'<div class="userstuff"><p>Text of chapter {n}.</p></div>'


def _chapters(*parts: str) -> str:
    return f'<div id="chapters">{"".join(parts)}</div>'


_END_NOTES = '<div id="endnotes1"><p>Chapter End Notes</p><blockquote><p>E</p></blockquote></div>'
_NESTED = '<div class="meta group"><h2 class="heading">Chapter 1</h2>' + _meta(2) + "</div>"

FIRST_READINGS: dict[str, tuple[str, bool]] = {
    "to-chapter-2": (_PREFACE + _chapters(_meta(1), _body(1), _meta(2)), True),
    "end-notes": (_PREFACE + _chapters(_meta(1), _body(1), _END_NOTES, _meta(2), _body(2)), True),
    # no chapter 2 yet: chapter 1 may go on
    "no-chapter-2": (_PREFACE + _chapters(_meta(1), _body(1)), False),
    # chapter 1's body not before chapter 2's heading block
    "no-body-before": (_PREFACE + _chapters(_meta(1), _meta(2), _body(2)), False),
    # the preface has no tag list (the whole download would be searched for one)
    "no-tag-list": ('<div id="preface"><h1>T</h1></div>' + _chapters(_meta(1), _body(1), _meta(2)),
                    False),
    # the preface is not before chapter 2
    "preface-after": (_chapters(_meta(1), _body(1), _meta(2)) + _PREFACE, False),
    # chapter 2's heading block inside chapter 1's: chapter 1 is not closed
    "nested": (_PREFACE + _chapters(_NESTED, _body(1)), False),
}  # fmt: skip
"""Downloads read up to chapter 2, by name: (markup, whether chapter 1 is known whole)."""


@pytest.mark.parametrize(("markup", "whole"), FIRST_READINGS.values(), ids=FIRST_READINGS.keys())
def test_an_ao3_first_reading_takes_chapter_1_only_when_it_is_whole(
    markup: str, whole: bool
) -> None:
    root = LexborHTMLParser(f"<html><body>{markup}</body></html>").body
    assert root is not None
    story = Story(title="T", source=Source("t.epub", "ao3-epub"))
    assert _ao3_html.fill_first(root, story) is whole
    assert (story.rating is not None) is whole  # (nothing is read into a story not used)
    if whole:
        assert [c.number for c in story.chapters] == [1]
        assert [b.text for b in story.chapters[0].blocks] == ["Text of chapter 1."]
        assert story.chapters[0].notes_after == (["E"] if "endnotes1" in markup else [])


# --- FanFicFare ---------------------------------------------------------------------------


LONG = dataclasses.replace(
    STORIES[1002],
    sid=1020,
    chapters=tuple((f"Chapter {i}: Part {i}", i, f"Part {i}") for i in range(1, 31)),
)
"""A story of thirty chapters, with a major character death warning."""

PAGES = """
[epub]
include_tocpage:true
include_logpage:true
"""
"""FanFicFare settings that add its contents page and update log before the chapters."""


@pytest.mark.parametrize(
    ("sid", "ini"),
    [(1, None), (1001, None), (1002, None), (1020, None), (1001, PAGES)],
    ids=["adapter", "complete", "in-progress", "long", "pages"],
)
def test_a_fanficfare_books_first_chapter_is_the_whole_imports(
    fanficfare: FanFicFare, sid: int, ini: str | None
) -> None:
    text = personal_ini([*STORIES.values(), LONG]) + (ini or "")
    path = fanficfare.make("epub", sid, text)
    whole = load_story(path)
    first = _same_opening(load_first_chapter(path), whole)
    assert first.source.format == "fff-epub"
    assert first.rating and first.site_warnings == whole.site_warnings
    # the planned total when the title page gives one; a complete story's count is the whole's
    assert first.chapters_total in (None, whole.chapters_total)
    if first.chapters_total is None:
        assert whole.chapters_total in (None, len(whole.chapters))
    if ini == PAGES:
        assert [s.title for s in first.front_matter] == ["Contents", "Update log"]


def test_a_fanficfare_book_is_decompressed_only_to_its_first_chapter(
    fanficfare: FanFicFare, streamed: list[str]
) -> None:
    """The title page and chapter 1 (and chapter 2, which the look for AO3's preface in the
    first three documents reads, as the whole import does), of 31 documents."""
    path = fanficfare.make("epub", LONG.sid, personal_ini([LONG]))
    spine = _spine(path)
    assert len(spine) == 31
    first = load_first_chapter(path)
    assert first is not None and first.needs_warning  # (its warning is known at once)
    assert _documents(streamed) == spine[:3]
    streamed.clear()
    assert len(load_story(path).chapters) == 30
    assert set(_documents(streamed)) == set(spine)


def test_a_one_chapter_fanficfare_book_gives_its_chapter(fanficfare: FanFicFare) -> None:
    path = fanficfare.make("epub", 1003)
    first, whole = load_first_chapter(path), load_story(path)
    assert first is not None and len(whole.chapters) == 1
    assert first.chapters[0].to_dict() == whole.chapters[0].to_dict()
    assert _without(first.to_dict()) == _without(whole.to_dict())


def test_an_edited_fanficfare_book_gives_none(fanficfare: FanFicFare, tmp_path: Path) -> None:
    """A document after chapter 1 that FanFicFare did not name (the book was edited: a title
    page there would change the story's fields) leaves the book to the whole import."""
    source = fanficfare.make("epub", 1001)
    edited = tmp_path / "edited.epub"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(edited, "w") as out:
        for info in src.infolist():
            data = src.read(info).replace(b"file0003.xhtml", b"afterword.xhtml")
            name = info.filename.replace("file0003.xhtml", "afterword.xhtml")
            kind = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            out.writestr(name, data, compress_type=kind)
    assert load_first_chapter(source) is not None
    assert load_first_chapter(edited) is None
    assert len(load_story(edited).chapters) == 4
