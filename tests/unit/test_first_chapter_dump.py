"""First chapter first for archive page dumps: ``load_first_chapter`` streams a ``.txt`` dump and
indexes only its preamble and first chapter, and what it gives is exactly what the whole import
gives for the metadata, the warnings and chapter 1. Files it is not sure of (no chapter headings,
FanFicFare TXT, Gutenberg and plain books) and broken files give None, and the whole import then
reads them (or says in one line why it cannot)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import make_story
from tests.conftest import STORIES
from tests.fixtures.text_books import gutenberg_txt, make_book, plain_book_txt
from tests.unit.test_importer_txt_fff import fff_text
from tui_reader.importers import load_first_chapter, load_story, text_dump
from tui_reader.model import Story, StoryError

WHOLE_ONLY = ("chapters", "words", "chapters_total", "back_matter", "warning_gates")
"""What only the whole import knows (the chapter total is checked on its own)."""

PARAGRAPH = (
    "The tide came in over the flats while she watched, grey water folding over grey sand, "
    "and the gulls lifted all at once as though someone had called them."
)
"""One line of story text."""


def _dump(
    chapters: int = 4,
    *,
    preamble: str = "The Tidewatcher\n\nTotal Chapters: {n}\n\nA summary of the tides.\n\n",
    paragraphs: int = 6,
    gap: str = "\n\n",
    empty_first: bool = False,
) -> str:
    """An archive dump: ``preamble``, then ``chapters`` chapters of ``paragraphs`` paragraphs
    separated by ``gap`` (``empty_first``: an empty "Prologue" heading before chapter 1)."""
    out = [preamble.format(n=chapters)]
    if empty_first:
        out.append("Prologue\n\n")
    for number in range(1, chapters + 1):
        out.append(f"Chapter {number}: The Turn of the Tide {number}\n\n")
        out.append(gap.join(f"{PARAGRAPH} ({number}.{k})" for k in range(paragraphs)))
        out.append("\n\n")
    return "".join(out)


def _write(text: str, *, newline: str = "\n", encoding: str = "utf-8") -> Callable[[Path], Path]:
    """A builder writing ``text`` as ``story.txt``."""

    def build(folder: Path) -> Path:
        path = folder / "story.txt"
        path.write_bytes(text.replace("\n", newline).encode(encoding))
        return path

    return build


WIDGET = "Enjoying this story? Share your rating!\n[Total: 0 Average: 0]\n\n"
"""The archive's rating widget, as a downloaded page dump carries it."""

WARNED = (
    "The Drowned Bell\n\nRating: Mature\n\nArchive Warning: Major Character Death\n\n"
    "Total Chapters: {n}\n\nA bell rings under the sea.\n\n"
    "Author's Note: THERE IS CHARACTER DEATH IN THIS STORY. Stop after chapter 2 if you "
    "would rather not read it.\n\n"
)
"""A preamble whose metadata and author's note carry warnings and a stop point."""

BUILDERS: dict[str, Callable[[Path], Path]] = {
    "sample": lambda folder: STORIES / "weatherglass.txt",
    "generated-5k": lambda folder: make_story(folder, 5_000, "dump").path,
    "generated-60k": lambda folder: make_story(folder, 60_000, "dump").path,
    "plain": _write(_dump()),
    "one-chapter": _write(_dump(1)),
    "lead-heading": _write(_dump(empty_first=True)),
    "wide-gaps": _write(_dump(gap="\n\n\n")),
    "crlf": _write(_dump(), newline="\r\n"),
    "latin-1": _write(_dump().replace("tide", "tidé"), encoding="latin-1"),
    "widget": _write(_dump(preamble="The Tidewatcher\n\n" + WIDGET + "A summary.\n\n")),
    "warned": _write(_dump(preamble=WARNED)),
    "title-repeat": _write(_dump(preamble="The Tidewatcher\n\nby Ana Reyes\n\n")),
    "lines": _write(_dump(gap="\n")),
}
"""Archive dumps of every shape the quick path reads (generated, in real producers' layouts)."""


def _without(story: dict[str, Any]) -> dict[str, Any]:
    """The story's dict without what only the whole import knows."""
    return {k: v for k, v in story.items() if k not in WHOLE_ONLY}


def _same_first(first: Story, whole: Story) -> None:
    """``first`` is ``whole``'s first chapter only, the same in every way shown."""
    assert len(first.chapters) == 1
    assert first.chapters[0].loaded  # (parsed by the quick read: it holds no line of the file)
    assert first.chapters[0].to_dict() == whole.chapters[0].to_dict()
    assert _without(first.to_dict()) == _without(whole.to_dict())
    assert first.story_id == whole.story_id
    assert first.needs_warning == whole.needs_warning
    assert first.chapters_total in (None, whole.chapters_total)  # never a false count


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_the_first_chapter_is_the_whole_imports_first(
    build: Callable[[Path], Path], tmp_path: Path
) -> None:
    path = build(tmp_path)
    whole = load_story(path)
    assert whole.source.format == "archive-txt"
    first = load_first_chapter(path)
    assert first is not None
    _same_first(first, whole)


def test_the_seeds_first_chapter_is_the_whole_imports_first(seeds: Path) -> None:
    """The real dumps: the one with a chapter heading reads quickly and the same; the one
    without (its preamble ends where the author's note stops) is read whole."""
    for path in sorted(seeds.glob("*.txt")):
        whole = load_story(path)
        first = load_first_chapter(path)
        if first is None:
            assert path.name.startswith("004")  # (no chapter heading)
            continue
        _same_first(first, whole)


def test_a_long_dump_is_indexed_only_to_its_first_chapter(tmp_path: Path) -> None:
    path = make_story(tmp_path, 60_000, "dump").path
    first = load_first_chapter(path)
    assert first is not None
    assert [c.number for c in first.chapters] == [1]
    assert first.chapters_total == 12
    assert len(load_story(path).chapters) == 12


def test_warnings_in_the_preamble_are_known_before_any_text(tmp_path: Path) -> None:
    path = _write(_dump(preamble=WARNED))(tmp_path)
    first = load_first_chapter(path)
    assert first is not None and first.needs_warning
    whole = load_story(path)
    assert first.warnings == whole.warnings == ["Major Character Death"]
    assert first.content_notes == whole.content_notes and first.content_notes
    assert first.rating == "Mature"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("no-headings", _dump(0).encode() + (PARAGRAPH + "\n\n").encode() * 30),
        ("fanficfare", fff_text().encode()),
        ("gutenberg", gutenberg_txt(make_book(4))),
        ("plain-book", plain_book_txt(make_book(4))),
    ],
)
def test_files_it_is_not_sure_of_are_read_whole(name: str, data: bytes, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.txt"
    path.write_bytes(data)
    assert load_story(path).chapters  # (the whole import reads it)
    assert load_first_chapter(path) is None


@pytest.mark.parametrize(
    "data",
    [b"", b"  \n\n ", b"\x00\x01\x02" * 400, WIDGET.encode()],
    ids=["empty", "blank", "binary", "widget-only"],
)
def test_a_broken_dump_gives_none_and_the_whole_import_one_line(
    data: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(data)
    assert load_first_chapter(path) is None
    with pytest.raises(StoryError) as caught:
        load_story(path)
    assert "\n" not in caught.value.reason and caught.value.reason
    assert load_first_chapter(tmp_path / "missing.txt") is None


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_the_whole_import_after_a_first_chapter_read_is_the_same(
    build: Callable[[Path], Path], tmp_path: Path
) -> None:
    """The whole import that follows a first-chapter read (streamed: it reads the lines again a
    chapter at a time) gives exactly what a whole import alone gives."""
    path = build(tmp_path)
    assert load_first_chapter(path) is not None
    after = load_story(path)
    assert not text_dump._RESUME  # (taken: the next import reads the file whole)
    alone = load_story(path)
    assert after.to_dict() == alone.to_dict()
    assert after.accounted == alone.accounted
    assert [c.to_dict() for c in after.chapters] == [c.to_dict() for c in alone.chapters]


def test_a_dump_changed_after_its_first_chapter_is_read_whole_again(tmp_path: Path) -> None:
    path = _write(_dump(3))(tmp_path)
    assert load_first_chapter(path) is not None
    path.write_text(_dump(5), encoding="utf-8")
    story = load_story(path)
    assert [c.number for c in story.chapters] == [1, 2, 3, 4, 5]
    assert story.to_dict() == load_story(path).to_dict()
