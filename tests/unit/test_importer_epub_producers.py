"""Generic EPUBs from the real producers (pandoc, ebooklib) and in Project Gutenberg's shape.

Each book is made at test time from text written here, read back, compared with what was put
in (chapter titles, paragraphs, scene breaks, front and back matter) and audited: at most 1%
of the source's visible words may be unaccounted for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.epub_builders import PgChapter, gutenberg_epub, gutenberg_old_epub, pg_chapters
from tests.fixtures.epub_producers import PANDOC, ebooklib_epub, has_ebooklib, pandoc_epub
from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.model import Story

CHAPTERS: list[tuple[str, list[str]]] = [
    (
        "The Gate",
        [
            "The gate had stood open since spring, and nobody in the village remembered who "
            "had left it so.",
            "Wind came through the orchard in long grey sheets and rattled the latch.",
            "*",
            "By evening the geese had found the gap and were marching down the lane in a row.",
        ],
    ),
    (
        "A Visit",
        [
            "Marta walked the road at dawn with a basket of pears for her sister.",
            "Her sister was not at home, so she left the pears on the step under a cloth.",
        ],
    ),
    (
        "Pears & Wasps",
        [
            "By noon the basket was empty and the step was loud with wasps.",
            "*",
            "Nobody in the family ever admitted to eating the pears.",
        ],
    ),
]
"""The story written into every producer's input: (title, paragraphs; "*" = scene break)."""

TITLE = "The Orchard Road"
AUTHOR = "Tamsin Vale"


def _expected_blocks(paragraphs: list[str]) -> list[tuple[str, str]]:
    """The (kind, text) blocks a reader should see for ``paragraphs``."""
    return [("scene_break", "") if p == "*" else ("paragraph", p) for p in paragraphs]


def _check(story: Story, path: Path) -> None:
    """The story reads as written, and the audit accounts for the book's words."""
    assert (story.title, story.author) == (TITLE, AUTHOR)
    assert [c.title for c in story.chapters] == [t for t, _ in CHAPTERS]
    for chapter, (_, paragraphs) in zip(story.chapters, CHAPTERS, strict=True):
        assert [(b.kind, b.text) for b in chapter.blocks] == _expected_blocks(paragraphs)
    result = audit(story, path, path.read_bytes())
    assert result.unaccounted <= 0.01, result.to_dict()


def _markdown() -> str:
    """The story as pandoc Markdown."""
    parts = [f"---\ntitle: {TITLE}\nauthor: {AUTHOR}\nlang: en\n---\n"]
    for title, paragraphs in CHAPTERS:
        parts.append(f"# {title}\n")
        parts += ["* * *\n" if p == "*" else f"{p}\n" for p in paragraphs]
    return "\n".join(parts)


needs_pandoc = pytest.mark.skipif(PANDOC is None, reason="pandoc is not installed")


@needs_pandoc
@pytest.mark.parametrize("epub2", [False, True], ids=["epub3", "epub2"])
def test_pandoc_epub(tmp_path: Path, epub2: bool) -> None:
    """pandoc's books: one file per chapter, nav/NCX targets are the chapters' sections."""
    path = pandoc_epub(_markdown(), tmp_path / "orchard.epub", epub2=epub2)
    story = load_story(path)
    _check(story, path)
    assert not story.back_matter
    assert [s.title for s in story.front_matter] == ["Title page"]
    assert [b.text for b in story.front_matter[0].blocks] == [TITLE, AUTHOR]


@needs_pandoc
@pytest.mark.parametrize(
    ("subject", "level"), [("K+", "General Audiences"), ("PG-13", "Teen And Up Audiences")]
)
def test_pandoc_subject_rating_is_kept_verbatim(tmp_path: Path, subject: str, level: str) -> None:
    """A site rating given as a dc:subject is the story's rating as written ("K+"), with its
    AO3 level beside it, not replaced by the level."""
    markdown = _markdown().replace("lang: en\n", f"lang: en\nsubject:\n- {subject}\n- Orchards\n")
    path = pandoc_epub(markdown, tmp_path / "rated.epub")
    story = load_story(path)
    assert (story.rating, story.rating_level) == (subject, level)
    assert story.tags.additional == ["Orchards"]


@needs_pandoc
def test_pandoc_subject_warnings_are_kept(tmp_path: Path) -> None:
    """An archive warning given as a dc:subject is a warning; a site's own word ("Violence")
    stays a tag, neither turned into an archive warning nor dropped."""
    subjects = "subject:\n- Violence\n- Major Character Death\n- Orchards\n"
    path = pandoc_epub(
        _markdown().replace("lang: en\n", f"lang: en\n{subjects}"), tmp_path / "w.epub"
    )
    story = load_story(path)
    assert story.warnings == ["Major Character Death"]
    assert story.tags.additional == ["Violence", "Orchards"]
    assert story.needs_warning


@needs_pandoc
@pytest.mark.parametrize(
    "lines",
    [
        ["It rained on the orchard all day, and nobody in the house minded at all."],
        ["Rain.", "More rain.", "Still rain.", "Geese, then rain."],
    ],
    ids=["prose", "short-lines"],
)
def test_pandoc_one_shot_titled_like_its_book(tmp_path: Path, lines: list[str]) -> None:
    """A one-chapter book whose chapter has the book's title is a chapter, not a title page."""
    body = "\n\n".join(lines)
    markdown = f"---\ntitle: Small Rain\nauthor: {AUTHOR}\n---\n\n# Small Rain\n\n{body}\n"
    path = pandoc_epub(markdown, tmp_path / "rain.epub")
    story = load_story(path)
    assert [c.title for c in story.chapters] == ["Small Rain"]
    assert [b.text for b in story.chapters[0].blocks] == lines
    assert audit(story, path, path.read_bytes()).unaccounted <= 0.01


def _html(paragraphs: list[str]) -> str:
    """Chapter paragraphs as XHTML (``<hr/>`` for a scene break)."""
    return "".join("<hr/>" if p == "*" else f"<p>{_esc(p)}</p>" for p in paragraphs)


def _esc(text: str) -> str:
    """Escape ``&`` and ``<`` for XHTML."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


@pytest.fixture(scope="module")
def ebooklib_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """ebooklib books: NCX only, and nav, with all chapters as fragments of one file."""
    if not has_ebooklib():
        pytest.skip("ebooklib is not installed")
    folder = tmp_path_factory.mktemp("ebooklib")
    one_file = "".join(
        f'<h2><a id="c{i}"/>{_esc(title)}</h2>{_html(paras)}'
        for i, (title, paras) in enumerate(CHAPTERS, start=1)
    )
    title_page = f"<h1>{_esc(TITLE)}</h1><p>{_esc(AUTHOR)}</p>"
    files = [("title.xhtml", "Title", title_page), ("story.xhtml", "Story", one_file)]
    toc = [(t, f"story.xhtml#c{i}") for i, (t, _) in enumerate(CHAPTERS, start=1)]
    books = {}
    for name, nav in (("ncx", False), ("nav", True)):
        books[name] = ebooklib_epub(
            folder / f"{name}.epub", title=TITLE, author=AUTHOR, files=files, toc=toc, nav=nav
        )
    return books


@pytest.mark.parametrize("kind", ["ncx", "nav"])
def test_ebooklib_chapters_as_fragments_of_one_file(
    ebooklib_books: dict[str, Path], kind: str
) -> None:
    """One file holding every chapter is split where the contents point, not kept whole."""
    path = ebooklib_books[kind]
    story = load_story(path)
    _check(story, path)
    assert [c.number for c in story.chapters] == [1, 2, 3]
    assert [s.title for s in story.front_matter] == ["Title page"]


def test_gutenberg_self_closing_anchor_keeps_every_chapter(tmp_path: Path) -> None:
    """Gutenberg's ``<h2><a id="chap01"/>CHAPTER I.`` no longer swallows the chapter.

    Read as HTML, the anchor became link text for the rest of the file, the contents-page
    rule threw the file away and only 128 of 1,018 words were kept.
    """
    chapters = pg_chapters(5)
    path = gutenberg_epub(tmp_path / "pg.epub", chapters)
    story = load_story(path)
    _check_pg(story, path, chapters)
    for chapter, spec in zip(story.chapters, chapters, strict=True):
        assert [b.kind for b in chapter.blocks].count("scene_break") == 1
        assert chapter.words == sum(len(p.split()) for p in spec.paragraphs)
    front = [s.title for s in story.front_matter]
    assert front == ["Project Gutenberg header", "Title page", "CONTENTS"]
    assert [s.title for s in story.back_matter] == ["Project Gutenberg licence"]
    licence = " ".join(b.text for b in story.back_matter[0].blocks)
    assert "END OF THE PROJECT GUTENBERG EBOOK" in licence
    assert "START OF THE PROJECT GUTENBERG" not in " ".join(
        b.text for c in story.chapters for b in c.blocks
    )


def _check_pg(story: Story, path: Path, chapters: list[PgChapter]) -> None:
    """Every chapter numbered, titled and holding its paragraphs; the book audited."""
    assert [(c.number, c.title) for c in story.chapters] == [
        (n, c.title) for n, c in enumerate(chapters, start=1)
    ]
    for chapter, spec in zip(story.chapters, chapters, strict=True):
        assert [b.text for b in chapter.blocks if b.kind == "paragraph"] == spec.paragraphs
    result = audit(story, path, path.read_bytes())
    assert result.unaccounted <= 0.01, result.to_dict()


def test_gutenberg_single_chapter_after_self_closing_anchor(tmp_path: Path) -> None:
    """The old failure's smallest shape: an anchor closing itself right before the text."""
    chapter = PgChapter("THE ONLY ONE", ["Every word of this chapter must reach the reader."] * 3)
    path = gutenberg_epub(tmp_path / "one.epub", [chapter], split_after=1)
    story = load_story(path)
    assert [c.title for c in story.chapters] == ["THE ONLY ONE"]
    assert story.words == 3 * 9
    assert audit(story, path, path.read_bytes()).unaccounted <= 0.01


def test_older_gutenberg_book_in_one_file(tmp_path: Path) -> None:
    """One file holding the ``<pre>`` header, every chapter and the licence, cut where the NCX
    points; the header and licence are found by their marker lines; "CHAPTER I." is followed
    by its title as a second heading."""
    chapters = pg_chapters(4)
    path = gutenberg_old_epub(tmp_path / "old.epub", chapters)
    story = load_story(path)
    _check_pg(story, path, chapters)
    assert all(b.kind == "paragraph" for c in story.chapters for b in c.blocks)
    assert [s.title for s in story.front_matter] == ["Project Gutenberg header", "Title page"]
    assert [s.title for s in story.back_matter] == ["Project Gutenberg licence"]
    assert story.back_matter[0].blocks[0].text.startswith("*** END OF THE PROJECT GUTENBERG")
