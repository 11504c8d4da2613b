"""The bundled sample library: every file loads, and together they show every feature."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from rich.cells import cell_len

from tui_reader.importers import load_story
from tui_reader.library import Library
from tui_reader.model import Story

REPO = Path(__file__).resolve().parents[2]
"""The checkout."""
STORIES = REPO / "stories"
"""The sample library."""
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def library() -> dict[str, Story]:
    """Every sample story, by file name."""
    return {p.name: load_story(p) for p in sorted(STORIES.iterdir()) if p.is_file()}


def script(name: str) -> ModuleType:
    """Import one of the generator scripts."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_file_loads_and_every_format_is_there(library: dict[str, Story]) -> None:
    assert len(library) >= 9
    suffixes = {Path(name).suffix for name in library}
    assert suffixes == {".md", ".txt", ".html", ".epub"}
    formats = {s.source.format for s in library.values()}
    assert {"markdown", "ao3-html", "epub"} <= formats
    assert sum(s.source.format == "markdown" for s in library.values()) >= 5


def test_library_scan_lists_every_sample_without_errors(data_dir: Path) -> None:
    entries = Library(STORIES, data_dir).scan()
    assert len(entries) == len([p for p in STORIES.iterdir() if p.is_file()])
    assert [(e.path.name, e.error) for e in entries if e.error] == []
    assert all(e.title and e.story_id for e in entries)


def test_titled_chapters_notes_and_epigraph(library: dict[str, Story]) -> None:
    story = library["salt-and-cinder.md"]
    assert [c.title for c in story.chapters] == [
        "The Dark Lamp",
        "The Tin Chest",
        "What the Sea Wanted",
        "Dry-bed",
    ]
    assert [n.position for n in story.notes] == ["before", "after"]
    assert story.notes[0].text.startswith("This began as a story I told my niece")
    one = story.chapters[0]
    assert one.notes_before == [
        "A small glossary for the salt-lamp words is at the end of this chapter."
    ]
    assert one.notes_after[0].startswith("Brannock is based, a little, on my grandfather")
    epigraph = one.blocks[0]
    assert epigraph.kind == "epigraph"
    assert epigraph.text.splitlines()[0] == "Burn the salt and mind the tide,"
    assert epigraph.attribution == "from The Keeper's Primer, a rhyme of the Cinder Coast"
    assert [b.text for b in one.blocks if b.kind == "heading"] == ["A glossary for apprentices"]
    assert sum(b.kind == "scene_break" for c in story.chapters for b in c.blocks) == 4


def test_warned_mature_story(library: dict[str, Story]) -> None:
    story = library["the-glasshouse-winter.md"]
    assert story.rating == "Mature"
    assert story.warnings == ["Graphic Depictions Of Violence"]
    assert len(story.content_notes) == 2
    assert story.needs_warning


def test_author_gate_before_chapter_three(library: dict[str, Story]) -> None:
    story = library["the-ferry-at-morrow.md"]
    gate = story.gate_before(3)
    assert gate is not None
    assert gate.reason == "If you want the gentle ending, consider Chapter 2 the last one you read."
    assert [g.before_chapter for g in story.warning_gates] == [3]
    assert story.warnings == ["Major Character Death"]
    assert story.chapters[1].notes_after == [
        "The gentle ending. If you stop here, I won't mind at all."
    ]


def test_unfinished_three_of_ten(library: dict[str, Story]) -> None:
    story = library["lanterns-for-a-drowned-city.md"]
    assert f"{len(story.chapters)}/{story.chapters_total}" == "3/10"
    assert not story.is_complete
    assert story.warnings == ["Creator Chose Not To Use Archive Warnings"]


def test_long_story(library: dict[str, Story]) -> None:
    path = STORIES / "the-long-road-to-varenholm.md"
    story = library[path.name]
    assert story.words >= 150_000
    assert len(story.chapters) == story.chapters_total == 48
    assert path.stat().st_size < 2 * 1024 * 1024
    assert not story.chapters[40].loaded
    assert sum(b.kind == "scene_break" for b in story.chapters[40].blocks) >= 1


def test_long_story_is_the_generator_output(tmp_path: Path) -> None:
    out = tmp_path / "long.md"
    assert script("make_long_story").main([str(out)]) == 0
    assert out.read_bytes() == (STORIES / "the-long-road-to-varenholm.md").read_bytes()


def test_cjk_story_has_wide_text(library: dict[str, Story]) -> None:
    story = library["hoshi-o-kazoeru-hito.md"]
    assert story.title == "星を数える人"
    assert [c.title for c in story.chapters] == ["山の天文台", "減っていく数", "ひとつ増えた夜"]
    paragraph = story.chapters[0].blocks[1]
    assert paragraph.kind == "paragraph"
    assert _CJK.search(paragraph.text)
    assert cell_len(paragraph.text) > 2 * len(paragraph.text) - 10
    assert cell_len(paragraph.text) > 150
    epigraph = story.chapters[0].blocks[0]
    assert (epigraph.kind, epigraph.attribution) == ("epigraph", "星守の歌、作者不詳")
    assert story.chapters[0].blocks[5].kind == "scene_break"


def test_archive_dump_sample(library: dict[str, Story]) -> None:
    story = library["weatherglass.txt"]
    assert story.title == "Weatherglass"
    assert story.chapters_total == 3
    assert [c.title for c in story.chapters] == ["Falling Pressure", "The Maker’s Mark", "Fair"]
    assert story.summary is not None and story.summary.startswith("Nell Carraway mends")
    assert len(story.notes) == 1 and story.notes[0].text.startswith("This was written for a prompt")
    first = story.chapters[0].blocks[0]
    assert first.kind == "epigraph"
    assert first.attribution is not None and "Marigold Finch" in first.attribution
    assert sum(b.kind == "scene_break" for c in story.chapters for b in c.blocks) == 3
    assert story.chapters[1].notes_after[0].startswith("Only one chapter left!")
    text = " ".join(b.text for c in story.chapters for b in c.blocks)
    assert "Share your rating" not in text and "Average" not in text


def test_ao3_html_sample(library: dict[str, Story]) -> None:
    story = library["the-cartographers-apprentice.html"]
    assert story.source.format == "ao3-html"
    assert (story.title, story.author) == ("The Cartographer's Apprentice", "ilsabet_morrow")
    assert story.rating == "Teen And Up Audiences"
    assert story.warnings == ["No Archive Warnings Apply"]
    assert not story.needs_warning
    assert story.chapters_total == 2
    assert [c.title for c in story.chapters] == ["The Wandering Island", "Eleven Ghosts"]
    assert [n.position for n in story.notes] == ["before", "after"]
    assert story.chapters[0].notes_before and story.chapters[0].notes_after
    assert [b.kind for b in story.chapters[0].blocks].count("scene_break") == 1
    text = " ".join(b.text for c in story.chapters for b in c.blocks)
    assert "Posted originally" not in text and "drop by the Archive" not in text


def test_epub_sample(library: dict[str, Story], tmp_path: Path) -> None:
    story = library["a-small-orchard-on-the-moon.epub"]
    assert (story.title, story.author) == ("A Small Orchard on the Moon", "Juniper Oakes")
    assert [c.title for c in story.chapters] == ["Regolith", "Worms", "Blossom"]
    assert story.chapters[0].blocks[0].text.startswith("Agatha Pim was sixty-eight")
    out = tmp_path / "book.epub"
    assert script("build_sample_epub").main([str(out)]) == 0
    assert out.read_bytes() == (STORIES / "a-small-orchard-on-the-moon.epub").read_bytes()


def test_every_feature_is_somewhere(library: dict[str, Story]) -> None:
    stories = list(library.values())
    assert any(n.position == "before" for s in stories for n in s.notes)
    assert any(n.position == "after" for s in stories for n in s.notes)
    assert any(c.notes_before for s in stories for c in s.chapters)
    assert any(c.notes_after for s in stories for c in s.chapters)
    assert any(s.rating in ("Mature", "Explicit") and s.warnings for s in stories)
    assert any(s.warning_gates for s in stories)
    assert any(s.chapters_total and len(s.chapters) < s.chapters_total for s in stories)
    assert any(s.words >= 150_000 for s in stories)
    assert any(_CJK.search(s.title) for s in stories)
