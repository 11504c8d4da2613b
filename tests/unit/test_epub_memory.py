"""The EPUB importer's memory-lean paths give what the plain paths gave.

``load_story`` reads an EPUB through ``epub.load_file``: members are decompressed from the file
as they are needed, so the book's bytes are never all held; the story must be the one its bytes
give. The first documents are looked at one at a time (is this AO3's preface?), an AO3 preface
second in the spine still makes an AO3 book. A book changed or gone while it is open gives
chapters that say they could not be read again, and no cache entry. :class:`memory.Pacer` trims
after every so many bytes.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.conftest import STORIES
from tests.fixtures.html_builders import (
    LINES,
    XHTML,
    ChapterSpec,
    Work,
    ao3_epub,
    chapters,
    fff_epub,
    generic_epub2,
    generic_epub3,
    write_epub,
)
from tui_reader import memory
from tui_reader.importers import epub, load_first_chapter, load_story
from tui_reader.model import StoryError
from tui_reader.story_cache import cached_story, open_story

CANNOT = "This chapter could not be read again:"
"""How a chapter that could not be read again starts."""


def _books(folder: Path) -> list[Path]:
    """One book of every kind the importer reads, and the bundled sample."""
    work = Work(chapters=[ChapterSpec(title="Harbour Dues"), ChapterSpec(title="Slack Tide")])
    return [
        generic_epub2(folder / "g2.epub", chapters(3)),
        generic_epub3(folder / "g3.epub", chapters(4)),
        ao3_epub(folder / "ao3.epub", work),
        fff_epub(folder / "fff.epub", work),
        *sorted(STORIES.glob("*.epub")),
    ]


def test_load_file_gives_the_story_the_bytes_give(tmp_path: Path) -> None:
    """Every kind of book: the same metadata, chapters and blocks either way."""
    for path in _books(tmp_path):
        from_file = epub.load_file(path)
        from_bytes = epub.load(path, path.read_bytes())
        assert from_file.to_dict() == from_bytes.to_dict(), path.name
        assert [[b.text for b in c.blocks] for c in from_file.chapters] == [
            [b.text for b in c.blocks] for c in from_bytes.chapters
        ], path.name


def test_load_story_never_reads_an_epub_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole import reads members from the file; the file's bytes are never read at once."""
    path = generic_epub2(tmp_path / "book.epub", chapters(3, paragraphs=[LINES[0], LINES[1]]))
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == path:
            raise AssertionError("the whole EPUB was read into memory")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    story = load_story(path)
    assert [c.title for c in story.chapters] == ["Tide Table 1", "Tide Table 2", "Tide Table 3"]
    assert [b.text for b in story.chapters[2].blocks] == [LINES[0], LINES[1]]


def test_an_empty_epub_says_so(tmp_path: Path) -> None:
    """An empty .epub is refused with the same one-line reason as any empty story file."""
    path = tmp_path / "empty.epub"
    path.write_bytes(b"")
    with pytest.raises(StoryError) as caught:
        load_story(path)
    assert caught.value.reason == "the file is empty"


def test_ao3_preface_second_in_the_spine_is_still_an_ao3_book(tmp_path: Path) -> None:
    """Without the publisher saying so, AO3's preface after a cover page makes an AO3 book
    (the first documents are looked at one at a time, each dropped before the next)."""
    work = Work(chapters=[ChapterSpec(title="Harbour Dues"), ChapterSpec(title="Slack Tide")])
    source = ao3_epub(tmp_path / "ao3.epub", work)
    path = tmp_path / "unmarked.epub"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith(".opf"):
                text = data.decode()
                text = text.replace("<dc:publisher>Archive of Our Own</dc:publisher>", "")
                cover = f'<item id="cv" href="cover.xhtml" media-type="{XHTML}"/>'
                text = text.replace("<manifest>", "<manifest>\n" + cover)
                first = '<itemref idref="f0"/>'
                text = text.replace(first, '<itemref idref="cv"/>\n' + first)
                data = text.encode()
                zout.writestr(
                    info.filename.rsplit("/", 1)[0] + "/cover.xhtml",
                    '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
                    "<title>Cover</title></head><body><p>The Salt Ledger</p></body></html>",
                )
            zout.writestr(info, data)
    assert "Archive of Our Own" not in zipfile.ZipFile(path).read("OEBPS/content.opf").decode()
    story, marked = load_story(path), load_story(source)
    assert story.source.format == "ao3-epub"
    assert [c.title for c in story.chapters] == ["Harbour Dues", "Slack Tide"]
    assert [b.text for c in story.chapters for b in c.blocks] == [
        b.text for c in marked.chapters for b in c.blocks
    ]
    first = load_first_chapter(path)  # an AO3 book read up to its second chapter
    assert first is not None and first.source.format == "ao3-epub"
    assert [c.to_dict() for c in first.chapters] == [story.chapters[0].to_dict()]


def _other_book(path: Path) -> None:
    """Replace the book at ``path`` with another that has only its title page and chapter 1."""
    files = {
        "Text/title.xhtml": "<html><body><h1>Another book</h1></body></html>",
        "Text/ch01.xhtml": f"<html><body><h2>Chapter 1</h2><p>{LINES[5]}</p></body></html>",
    }
    items = [("t", "Text/title.xhtml", XHTML), ("c", "Text/ch01.xhtml", XHTML)]
    manifest = "".join(f'<item id="{i}" href="{h}" media-type="{m}"/>' for i, h, m in items)
    package = (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Another</dc:title>'
        f'</metadata><manifest>{manifest}</manifest><spine><itemref idref="t"/>'
        '<itemref idref="c"/></spine></package>'
    )
    path.unlink()
    write_epub(path, dict(files), package)


def test_a_book_changed_while_open_says_its_chapters_cannot_be_read_again(tmp_path: Path) -> None:
    """A chapter whose file is no longer in the book says so (one paragraph, no traceback);
    a chapter read before the change keeps its text."""
    path = generic_epub2(tmp_path / "book.epub", chapters(3, paragraphs=[LINES[0], LINES[1]]))
    story = load_story(path)
    assert [b.text for b in story.chapters[0].blocks] == [LINES[0], LINES[1]]
    _other_book(path)
    (block,) = story.chapters[2].blocks
    assert block.kind == "paragraph"
    assert block.text.startswith(CANNOT)
    assert "ch03.xhtml" in block.text
    assert story.chapters[2].load_error is not None
    assert [b.text for b in story.chapters[0].blocks] == [LINES[0], LINES[1]]


def test_a_book_changed_before_the_cache_fill_writes_no_entry(tmp_path: Path) -> None:
    """The fill streams chapters from the book: changed meanwhile, nothing is written, and the
    next open imports the new book."""
    path = generic_epub2(tmp_path / "book.epub", chapters(3))
    data = tmp_path / "data"
    story, fill = open_story(path, data)
    assert fill is not None
    _other_book(path)
    assert fill() is False
    assert cached_story(path, data) is None
    assert story.chapters[1].blocks[0].text.startswith(CANNOT)
    again = load_story(path)
    assert again.title == "Another"
    assert [b.text for c in again.chapters for b in c.blocks] == [LINES[5]]


def test_a_book_gone_before_the_cache_fill_writes_no_entry(tmp_path: Path) -> None:
    """The book deleted after it was opened: no entry, and its chapters say they can't be read."""
    path = generic_epub3(tmp_path / "book.epub", chapters(2))
    data = tmp_path / "data"
    story, fill = open_story(path, data)
    assert fill is not None
    path.unlink()
    assert fill() is False
    assert not list((data / "cache" / "stories").glob("*.story"))
    (block,) = story.chapters[1].blocks
    assert block.text.startswith(CANNOT)


def test_pacer_trims_after_every_so_many_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A trim once ``every`` bytes have gone by, then counting starts again."""
    made: list[int] = []
    monkeypatch.setattr(memory, "trim", lambda: made.append(1) or True)
    pacer = memory.Pacer(every=100)
    pacer.add(60)
    assert (pacer.trims, len(made)) == (0, 0)
    pacer.add(40)
    assert (pacer.trims, len(made), pacer.pending) == (1, 1, 0)
    pacer.add(250)
    assert (pacer.trims, len(made), pacer.pending) == (2, 2, 0)
    assert memory.Pacer().every == memory.TRIM_EVERY


def _watch_trees(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count, at every parse the EPUB importer makes, the earlier trees something still holds.

    Each tree the importer parses is kept in a list here; at the next parse, a tree that only
    this list refers to (with the loop's name and ``getrefcount``'s argument) has been let
    go. Returns the list of counts, one per parse, filled in as the importer runs.
    """
    import sys

    trees: list[object] = []
    held: list[int] = []
    parse = epub.parse_html

    def watched(source: str | bytes) -> object:
        held.append(sum(1 for tree in trees if sys.getrefcount(tree) > 3))
        tree = parse(source)
        trees.append(tree)
        return tree

    monkeypatch.setattr(epub, "parse_html", watched)
    return held


def test_the_index_parses_one_tree_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading a book whole (and its first chapter first) never holds an earlier document's
    tree while the next is parsed: a parsed chapter is about 1 MiB whatever its length."""
    books = [
        generic_epub2(tmp_path / "g2.epub", chapters(6)),
        generic_epub3(tmp_path / "g3.epub", chapters(5)),
        fff_epub(tmp_path / "fff.epub", Work(chapters=[ChapterSpec(title=t) for t in "ABC"])),
    ]
    for path in books:
        plain = epub.load_file(path)
        held = _watch_trees(monkeypatch)
        story = epub.load_file(path)
        assert len(held) > len(story.chapters), path.name
        assert held == [0] * len(held), path.name
        assert story.to_dict() == plain.to_dict(), path.name
        held.clear()
        epub.load_first(path, path.read_bytes())
        assert held == [0] * len(held), path.name
        monkeypatch.undo()


def test_the_whole_story_takes_the_first_chapters_blocks(tmp_path: Path) -> None:
    """First chapter first: the whole story adopts the opening chapter already parsed (the
    same blocks a parse of its own gives) instead of parsing it again; a chapter that is not
    the same one is left to parse."""
    from tui_reader.story_cache import adopt_parsed

    path = generic_epub2(tmp_path / "g.epub", chapters(4))
    first = load_first_chapter(path)
    assert first is not None
    assert first.chapters[0].blocks  # (the reader parses it for the first frame)
    whole, _ = open_story(path, tmp_path / "data")
    own = [b.text for b in epub.load_file(path).chapters[0].blocks]
    assert adopt_parsed(first, whole) == 1
    assert whole.chapters[0].blocks is first.chapters[0].blocks
    assert [b.text for b in whole.chapters[0].blocks] == own
    assert not whole.chapters[1].loaded
    assert adopt_parsed(first, whole) == 0  # (already there)

    other, _ = open_story(path, tmp_path / "data2")
    other.chapters[0].title = "Another"
    assert adopt_parsed(first, other) == 0
    assert not other.chapters[0].loaded
