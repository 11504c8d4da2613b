"""The two real archive dumps in ../shared/seeds parse into what a reader expects."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.model import Story


def _seed(seeds: Path, prefix: str) -> Story:
    """Load the seed whose name starts with ``prefix``."""
    matches = sorted(seeds.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"seed {prefix} is not present")
    return load_story(matches[0])


def test_seed_000_structure(seeds: Path) -> None:
    story = _seed(seeds, "000")
    assert story.source.format == "archive-txt"
    assert story.chapters_total == 20
    assert len(story.chapters) == 1
    chapter = story.chapters[0]
    assert (chapter.number, chapter.title) == (1, "Release")
    assert story.summary and story.summary.startswith("What if")
    assert len(story.notes) == 1 and story.notes[0].position == "before"
    assert not story.notes[0].text.lower().startswith("author")
    blocks = chapter.blocks
    assert blocks[0].kind == "epigraph"
    assert blocks[0].attribution is not None and blocks[0].attribution.startswith("Soul Asylum")
    assert not blocks[0].text.rstrip().endswith("~")
    assert sum(b.kind == "scene_break" for b in blocks) == 7
    assert blocks[1].kind == "paragraph"
    assert story.chapters[0].words > 3000


def test_seed_000_has_no_widget_residue_and_repairs_artifacts(seeds: Path) -> None:
    story = _seed(seeds, "000")
    dumped = json.dumps(story.to_dict(), ensure_ascii=False)
    assert "Share your rating" not in dumped
    assert "Average:" not in dumped
    assert "Tara’s" in dumped
    assert " ‘s" not in dumped
    assert re.search(r"\w \.(?!\.)", dumped) is None
    assert re.search(r"\w ,", dumped) is None
    assert "”Tara?" in dumped
    assert "\u00a0" not in dumped
    # real text is left alone: ellipses and dashes survive
    assert "…" in dumped and "—" in dumped


def test_seed_000_title_comes_from_the_file_name(seeds: Path) -> None:
    story = _seed(seeds, "000")
    assert story.title and "1b55e561" not in story.title


def test_seed_004_structure(seeds: Path) -> None:
    story = _seed(seeds, "004")
    assert story.title == "After All"
    assert story.chapters_total is None
    assert len(story.notes) == 1
    note = story.notes[0].text
    assert "CHARACTER DEATH" in note and "DARK FICTION" in note
    assert not note.lower().startswith("author")
    assert "Major Character Death" in story.warnings
    assert any("DARK FICTION" in n for n in story.content_notes)
    assert any(n == "THERE IS CHARACTER DEATH IN THIS STORY." for n in story.content_notes)
    assert [g.before_chapter for g in story.warning_gates] == [8]
    assert "Chapter 7 as the last one you read" in story.warning_gates[0].reason
    assert story.needs_warning


def test_seed_004_text_starts_at_the_rome_scene(seeds: Path) -> None:
    story = _seed(seeds, "004")
    assert len(story.chapters) == 1
    chapter = story.chapters[0]
    assert chapter.number == 1 and chapter.title is None
    first = chapter.blocks[0]
    assert first.kind == "paragraph"
    assert first.text.startswith("A small town outside Rome")
    assert all(b.text != "After All" for b in chapter.blocks)
    assert sum(b.kind == "scene_break" for b in chapter.blocks) == 4
    assert chapter.blocks[-1].kind == "paragraph"


def test_seed_chapters_are_parsed_lazily(seeds: Path) -> None:
    story = _seed(seeds, "000")
    assert not story.chapters[0].loaded
    assert story.chapters[0].blocks
    assert story.chapters[0].loaded


@pytest.mark.parametrize("prefix", ["000", "004"])
def test_seed_audit(seeds: Path, prefix: str) -> None:
    """Every word of the real dumps is accounted for (the rating widget as boilerplate)."""
    story = _seed(seeds, prefix)
    path = Path(story.source.path)
    result = audit(story, path, path.read_bytes())
    assert result.unaccounted <= 0.01, result.to_dict()
