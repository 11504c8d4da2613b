"""Markdown stories with a YAML metadata block, as pandoc, Jekyll and Obsidian users write them.

The block used to become a first "chapter" of "title: … author: …" with the title taken from the
file name. pandoc, the program that reads these files, is the oracle for what the block means:
the title, the authors and the abstract the reader shows are the ones pandoc reads from the same
file (its ``$title$``, ``$author$`` and ``$abstract$`` template variables). The story text is
written here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.fixtures.epub_producers import PANDOC
from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.library import Library
from tui_reader.text import collapse_whitespace

STORY = """---
title: "Paper Boats on the Rhine"
author:
  - Jonas Feld
  - name: Ada Quill
    affiliation: The Night Ferry Writers
date: 2024-03-01
lang: en
abstract: |
  Two friends fold boats from old maps.

  One of the boats does not sink.
keywords: [boats, friendship, rivers]
---

# The Bridge

They stood on the bridge and unfolded the map of a city neither had seen.

---

Later, the river took the first boat under the arches.

# The Weir

Water ran over the stones, and the second boat held.
"""


def _write(tmp_path: Path, text: str, name: str = "boats.md") -> Path:
    """The story file."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _pandoc_reads(path: Path, template: str) -> str:
    """What pandoc's Markdown reader makes of the metadata, through a template of variables."""
    assert PANDOC is not None
    tpl = path.with_suffix(".tpl")
    tpl.write_text(template + "\n", encoding="utf-8")
    out = subprocess.run(
        [PANDOC, "-f", "markdown", "-t", "plain", "--template", str(tpl), str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return out.stdout.strip()


def test_the_block_is_metadata_not_a_chapter(tmp_path: Path) -> None:
    story = load_story(_write(tmp_path, STORY))
    assert story.title == "Paper Boats on the Rhine"
    assert story.author == "Jonas Feld, Ada Quill"
    assert story.summary == (
        "Two friends fold boats from old maps.\n\nOne of the boats does not sink."
    )
    assert story.tags.additional == ["boats", "friendship", "rivers"]
    assert [(c.number, c.title) for c in story.chapters] == [(1, "The Bridge"), (2, "The Weir")]
    first = story.chapters[0].blocks
    assert [b.kind for b in first] == ["paragraph", "scene_break", "paragraph"]
    assert "title:" not in " ".join(b.text for c in story.chapters for b in c.blocks)
    assert audit(story, tmp_path / "boats.md", (tmp_path / "boats.md").read_bytes()).passed


@pytest.mark.skipif(PANDOC is None, reason="pandoc is not installed")
def test_pandoc_reads_the_same_title_authors_and_abstract(tmp_path: Path) -> None:
    path = _write(tmp_path, STORY)
    story = load_story(path)
    assert _pandoc_reads(path, "$title$") == story.title
    authors = _pandoc_reads(
        path, "$for(author)$$if(author.name)$$author.name$$else$$author$$endif$$sep$, $endfor$"
    )
    assert authors == story.author
    abstract = _pandoc_reads(path, "$abstract$")
    assert collapse_whitespace(abstract) == collapse_whitespace(story.summary or "")


def test_the_library_lists_the_blocks_title(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    _write(library, STORY)
    entries = Library(library, tmp_path / "data").scan()
    assert [(e.title, e.author, e.chapters) for e in entries] == [
        ("Paper Boats on the Rhine", "Jonas Feld, Ada Quill", 2)
    ]


def test_a_rule_at_the_top_is_story_text(tmp_path: Path) -> None:
    """A story that opens with a ``---`` scene break and has another further down: the lines
    between are prose, not YAML metadata, and stay in the story."""
    text = "---\n\nThe tide came in before the ferry.\n\n---\n\nThen it went out again.\n"
    story = load_story(_write(tmp_path, text, "tide.md"))
    assert story.title == "Tide"
    shown = [b.text for c in story.chapters for b in c.blocks if b.kind == "paragraph"]
    assert shown == ["The tide came in before the ferry.", "Then it went out again."]


def test_a_block_of_other_settings_is_left_as_text(tmp_path: Path) -> None:
    """A block with none of the fields we read (a tool's settings) is not taken as metadata:
    nothing of it is dropped."""
    text = "---\nlayout: post\npermalink: /x/\n---\n\n# One\n\nA line.\n"
    story = load_story(_write(tmp_path, text, "post.md"))
    words = " ".join(b.text for c in story.chapters for b in c.blocks)
    assert "layout: post" in words or any("layout" in n.text for n in story.notes)


def test_markup_in_the_block_is_plain_text(tmp_path: Path) -> None:
    text = (
        '---\ntitle: "[bold]Loud[/bold] \\u001b[31mRed"\nauthor: "[i]Someone[/i]"\n---\n\nText.\n'
    )
    story = load_story(_write(tmp_path, text, "loud.md"))
    assert story.title.startswith("[bold]Loud[/bold] ")  # markup literal
    assert "\x1b" not in story.title  # the escape character removed (by the one sanitiser)
    assert story.author == "[i]Someone[/i]"
