"""The same work reads the same in every format its producer writes (issue 11, item 2).

- AO3: the HTML download (``tests/fixtures/ao3_download.py``, otwarchive's templates) and the
  EPUB the archive makes from it with Calibre's ``ebook-convert`` and AO3's command line
  (``tests/fixtures/calibre.py``).
- FanFicFare: ``fanficfare -f txt``, ``-f html`` and ``-f epub`` of one test-adapter story.

Each pair must give the same title, author, rating, warnings, chapter titles, notes by kind
(summary, work notes, chapter summaries, chapter notes, end notes), scene breaks and paragraph
counts, and those must be the values given to the producer.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.ao3_download import (
    SCENE_BREAK,
    Layout,
    Work,
    ebook_convert_args,
    oneshot_work,
    sample_work,
    write_ao3_html,
)
from tests.fixtures.fanficfare import STORIES, FanFicFare
from tui_reader.importers import load_story
from tui_reader.model import Story


@dataclass(frozen=True)
class Reading:
    """What a reader sees of a story, the part every format of one work must agree on."""

    title: str
    author: str | None
    rating: str | None
    warnings: tuple[str, ...]
    site_warnings: tuple[str, ...]
    summary: str | None
    story_notes: tuple[tuple[str, str], ...]
    chapters: tuple[tuple[int, str | None], ...]
    chapter_notes: tuple[tuple[str | None, tuple[str, ...], tuple[str, ...]], ...]
    scene_breaks: tuple[int, ...]
    paragraphs: tuple[int, ...]
    epigraphs: tuple[int, ...]


def reading(story: Story) -> Reading:
    """The comparable reading of ``story``."""
    kinds = [[b.kind for b in c.blocks] for c in story.chapters]
    return Reading(
        title=story.title,
        author=story.author,
        rating=story.rating,
        warnings=tuple(story.warnings),
        site_warnings=tuple(sorted(story.site_warnings)),
        summary=story.summary,
        story_notes=tuple((n.position, n.text) for n in story.notes),
        chapters=tuple((c.number, c.title) for c in story.chapters),
        chapter_notes=tuple(
            (c.summary, tuple(c.notes_before), tuple(c.notes_after)) for c in story.chapters
        ),
        scene_breaks=tuple(k.count("scene_break") for k in kinds),
        paragraphs=tuple(k.count("paragraph") for k in kinds),
        epigraphs=tuple(k.count("epigraph") for k in kinds),
    )


def differences(a: Reading, b: Reading) -> dict[str, Any]:
    """The fields where two readings differ, for a readable failure."""
    return {
        name: (getattr(a, name), getattr(b, name))
        for name in Reading.__dataclass_fields__
        if getattr(a, name) != getattr(b, name)
    }


# --- AO3 HTML <-> AO3 EPUB --------------------------------------------------------------------


def expected_ao3(work: Work) -> Reading:
    """What a reader must see of ``work``, from what was given to the archive."""
    chaptered = work.is_chaptered
    return Reading(
        title=work.title,
        author=", ".join(work.authors),
        rating=work.rating,
        warnings=tuple(work.warnings),
        site_warnings=tuple(sorted(work.warnings)),
        summary=work.summary,
        story_notes=tuple(
            [("before", work.notes)] * bool(work.notes)
            + [("after", work.end_notes)] * bool(work.end_notes)
        ),
        chapters=tuple(
            (i, c.title if chaptered else None) for i, c in enumerate(work.chapters, start=1)
        ),
        chapter_notes=tuple(
            (
                c.summary if chaptered else None,
                (c.notes,) if c.notes and chaptered else (),
                (c.end_notes,) if c.end_notes and chaptered else (),
            )
            for c in work.chapters
        ),
        scene_breaks=tuple(c.paragraphs.count(SCENE_BREAK) for c in work.chapters),
        paragraphs=tuple(
            len(c.paragraphs) - c.paragraphs.count(SCENE_BREAK) for c in work.chapters
        ),
        epigraphs=tuple(int(c.epigraph is not None) for c in work.chapters),
    )


AO3_WORKS = {
    "p": lambda: sample_work("p"),
    "br": lambda: sample_work("br"),
    "br-xxx": lambda: sample_work("br", scene_marker="xxx"),
    "p-stars": lambda: sample_work("p", scene_marker="* * *"),
    "oneshot": lambda: oneshot_work("p"),
    "oneshot-br": lambda: oneshot_work("br"),
}
"""The AO3 works every pair is checked on."""


def _calibre() -> Any:
    """The Calibre helper (``tests/fixtures/calibre.py``); skips when Calibre is missing."""
    module = importlib.import_module("tests.fixtures.calibre")
    if module.EBOOK_CONVERT is None:
        pytest.skip("calibre's ebook-convert is not installed")
    return module


@pytest.fixture(scope="module")
def ao3_pairs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Path, Path]]:
    """Each work as an HTML download and the EPUB Calibre makes of it, once per module."""
    calibre = _calibre()
    root = tmp_path_factory.mktemp("ao3-same-work")
    pairs: dict[tuple[str, str], tuple[Path, Path]] = {}
    for name, make in AO3_WORKS.items():
        for layout in ("current", "older"):
            work = make()
            html = write_ao3_html(work, root / f"{name}-{layout}.html", layout)
            epub = calibre.convert(html, root / f"{name}-{layout}.epub", ebook_convert_args(work))
            pairs[(name, layout)] = (html, epub)
    return pairs


@pytest.mark.parametrize("layout", ["current", "older"])
@pytest.mark.parametrize("name", sorted(AO3_WORKS))
def test_ao3_html_and_epub_read_the_same(
    ao3_pairs: dict[tuple[str, str], tuple[Path, Path]], name: str, layout: Layout
) -> None:
    html, epub = ao3_pairs[(name, layout)]
    expected = expected_ao3(AO3_WORKS[name]())
    from_html = reading(load_story(html))
    from_epub = reading(load_story(epub))
    assert differences(from_html, expected) == {}
    assert differences(from_epub, from_html) == {}


# --- FanFicFare TXT <-> HTML <-> EPUB ---------------------------------------------------------


FFF_FORMATS = ("txt", "html", "epub")


@pytest.mark.parametrize("sid", sorted(STORIES))
def test_fanficfare_formats_read_the_same(fanficfare: FanFicFare, sid: int) -> None:
    story = STORIES[sid]
    readings = {fmt: reading(load_story(fanficfare.make(fmt, sid))) for fmt in FFF_FORMATS}
    html = readings["html"]
    assert html.title == story.title
    assert html.author == story.author
    assert html.rating == story.rating
    assert html.warnings == story.archive_warnings
    assert html.site_warnings == tuple(sorted(story.warnings))
    assert html.summary == "\n\n".join(story.summary)
    assert html.chapters == tuple((number, title) for _given, number, title in story.chapters)
    for fmt in ("txt", "epub"):
        assert differences(readings[fmt], html) == {}, fmt
