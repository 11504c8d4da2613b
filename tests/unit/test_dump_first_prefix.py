"""First chapter first for archive dumps reads only a prefix of the file: the preamble and
chapter 1 up to the second chapter's heading, its layout worked out on that prefix. The whole
import that follows streams the file; when the whole file's layout (or its encoding) is not the
prefix's, the whole story's chapter 1 is its own and never takes over the quick read's blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.generate import make_story
from tui_reader.importers import load_first_chapter, load_story, text_dump
from tui_reader.story_cache import adopt_parsed

PARAGRAPH = (
    "The tide came in over the flats while she watched, grey water folding over grey sand, "
    "and the gulls lifted all at once as though someone had called them."
)
"""One line of story text (about 160 bytes)."""

PREAMBLE = "The Tidewatcher\n\nRating: General Audiences\n\nA summary of the tides.\n\n"
"""A dump's preamble: title, a labelled metadata line, a summary."""


def _chapter(number: int, paragraphs: int, gap: str, *, scene_break: bool = False) -> str:
    """One chapter: its heading, then ``paragraphs`` paragraphs separated by ``gap`` (with two
    blank lines, a scene break under a one-blank layout, in the middle when ``scene_break``)."""
    body = [f"{PARAGRAPH} ({number}.{k})" for k in range(paragraphs)]
    text = gap.join(body)
    if scene_break:
        half = gap.join(body[: paragraphs // 2]), gap.join(body[paragraphs // 2 :])
        text = "\n\n\n".join(half)
    return f"Chapter {number}: The Turn of the Tide {number}\n\n{text}\n\n"


def _layout_changing_dump(path: Path) -> Path:
    """A dump whose first 128 KiB (preamble, chapter 1, chapter 2's heading) space paragraphs
    with one blank line and put a scene break (two) in chapter 1, while most of the file spaces
    them with two: the prefix's layout takes two blank lines for a scene break, the whole
    file's for the usual paragraph gap."""
    parts = [PREAMBLE, _chapter(1, 650, "\n\n", scene_break=True)]
    parts.extend(_chapter(n, 300, "\n\n\n") for n in range(2, 7))
    path.write_text("".join(parts), encoding="utf-8")
    return path


def test_the_first_chapter_is_read_from_a_prefix(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 after chapter 2's heading do not stop the quick read (it never
    gets there); the whole import reads them (decoded whole) and parses its own chapter 1."""
    path = tmp_path / "story.txt"
    head = (PREAMBLE + _chapter(1, 40, "\n\n") + _chapter(2, 900, "\n\n")).encode("utf-8")
    rest = "".join(_chapter(n, 300, "\n\n") for n in range(3, 6)).replace("tide", "tid\xe9")
    path.write_bytes(head + rest.encode("latin-1"))
    assert len(head) > 2 * text_dump.FIRST_BYTES  # (the first read stops well before)
    first = load_first_chapter(path)
    assert first is not None
    assert [c.number for c in first.chapters] == [1]
    whole = load_story(path)
    assert [c.number for c in whole.chapters] == [1, 2, 3, 4, 5]
    assert whole.chapters[0].loaded  # its own: the file was not what the quick read saw
    assert adopt_parsed(first, whole) == 0
    assert whole.chapters[0].blocks == first.chapters[0].blocks  # (ASCII: the same text)


def test_a_layout_the_rest_of_the_file_changes_is_not_adopted(tmp_path: Path) -> None:
    path = _layout_changing_dump(tmp_path / "story.txt")
    first = load_first_chapter(path)
    assert first is not None
    resume = text_dump._RESUME[path]
    assert resume.layout.normal_gap == 1  # the prefix's
    shown = first.chapters[0].blocks
    assert any(block.kind == "scene_break" for block in shown)
    whole = load_story(path)
    alone = load_story(path)
    assert whole.to_dict() == alone.to_dict()
    assert [c.to_dict() for c in whole.chapters] == [c.to_dict() for c in alone.chapters]
    assert whole.chapters[0].loaded  # parsed under the whole file's layout: its own
    assert not any(block.kind == "scene_break" for block in whole.chapters[0].blocks)
    assert whole.chapters[0].blocks == alone.chapters[0].blocks != shown
    assert adopt_parsed(first, whole) == 0


def test_the_same_layout_is_adopted(tmp_path: Path) -> None:
    """A long generated dump: the prefix's layout is the whole file's, and the whole story takes
    over chapter 1's blocks, which are the whole import's."""
    path = make_story(tmp_path, 120_000, "dump").path
    first = load_first_chapter(path)
    assert first is not None
    whole = load_story(path)
    assert not whole.chapters[0].loaded
    alone = load_story(path)
    assert first.chapters[0].blocks == alone.chapters[0].blocks
    assert adopt_parsed(first, whole) == 1
    assert whole.to_dict() == alone.to_dict()


def test_fanficfare_is_known_from_the_end_line_past_the_prefix(tmp_path: Path) -> None:
    """A long file with FanFicFare's title and by-line, no contents line, and its end line at
    the end: FanFicFare TXT, though the prefix does not reach the end (its tail is read)."""
    body = "".join(_chapter(n, 300, "\n\n") for n in range(1, 5))
    path = tmp_path / "story.txt"
    path.write_text(f"Island Post\n\nby Oriel Fenn\n\n{body}\nEnd file.\n", encoding="utf-8")
    assert load_story(path).source.format == "fff-txt"
    assert load_first_chapter(path) is None


def test_a_by_line_dump_longer_than_its_prefix_reads_quickly(tmp_path: Path) -> None:
    """The same top without FanFicFare's end line: an archive dump, read quickly and the same."""
    body = "".join(_chapter(n, 300, "\n\n") for n in range(1, 5))
    path = tmp_path / "story.txt"
    path.write_text(f"Island Post\n\nby Oriel Fenn\n\n{body}", encoding="utf-8")
    first = load_first_chapter(path)
    whole = load_story(path)
    assert whole.source.format == "archive-txt"
    assert first is not None and first.author == whole.author == "Oriel Fenn"
    assert first.chapters[0].to_dict() == whole.chapters[0].to_dict()
    assert first.chapters[0].blocks == load_story(path).chapters[0].blocks


def test_a_first_chapter_longer_than_the_prefix_bound_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quick read stops at ``MAX_FIRST_BYTES`` without chapter 1's end: None (the whole
    import reads the file), and nothing is left for the whole import to resume."""
    monkeypatch.setattr(text_dump, "MAX_FIRST_BYTES", 1 << 16)
    path = tmp_path / "story.txt"
    path.write_text(PREAMBLE + _chapter(1, 600, "\n\n") + _chapter(2, 40, "\n\n"), "utf-8")
    text_dump._RESUME.clear()
    assert load_first_chapter(path) is None
    assert not text_dump._RESUME
    assert [c.number for c in load_story(path).chapters] == [1, 2]
