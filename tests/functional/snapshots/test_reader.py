"""The reading screen: notes folded and unfolded, the whole work, a 60-column terminal, a CJK
story, plain mode, an AO3 chapter with a chapter summary; 80x24 and 160x50."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fixtures.ao3_download import Chapter, Work, write_ao3_html
from tests.fixtures.html_builders import LINES

from .support import LARGE, NORMAL, app_for, bundled, keys

FERRY = """+++
title = "Lanterns on the Far Shore"
author = "Tester"
rating = "General Audiences"
warnings = ["No Archive Warnings Apply"]
chapters_total = 5
notes_before = ["Welcome back! This story updates on Sundays."]
+++

# Chapter 1: The Crossing

::: note
This chapter was written on a very long train journey. Thank you all.
:::

The ferry left at dusk, as it always had, and Odile stood at the rail counting the lanterns on
the far shore until the fog took them one by one.

> Every river keeps one lantern lit.
> — Ferryman's saying

Her brother had promised to meet her at the landing. He had promised a great many things that
winter, most of them in the careful voice he used when he did not expect to keep them.

* * *

She had brought the letter anyway, folded twice and tucked inside her glove, where the warmth of
her hand had softened the paper until it felt like cloth.

::: end-note
The next chapter picks up the same night, on the other shore.
:::

# Chapter 2: The Landing

The landing was empty but for a dog asleep on a coil of rope, and the lantern over the ticket
hut had gone out.

Odile waited until the ferry had pulled away again before she read the letter a second time.
"""
"""An original two-chapter story with a story note, chapter notes, an epigraph, a scene break."""


def ferry(folder: Path) -> Path:
    """Write the ferry story; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "lanterns-on-the-far-shore.md"
    path.write_text(FERRY, encoding="utf-8")
    return path


def summarised(folder: Path) -> Path:
    """An AO3 HTML download whose chapters have a chapter summary and notes."""
    folder.mkdir(parents=True, exist_ok=True)
    chapters = [
        Chapter(
            title="Low Water",
            paragraphs=list(LINES[:3]),
            summary="Ines finds the ledger under the stairs and does not tell Tomas.",
            notes="Thank you for the kind comments on the first chapter!",
        ),
        Chapter(
            title="High Water",
            paragraphs=list(LINES[:3]),
            summary="The ferryman comes to collect.",
        ),
    ]
    work = Work(
        title="The Salt Ledger",
        authors=["quietharbour"],
        chapters=chapters,
        summary="Two keepers, one lighthouse, and a ledger nobody should have kept.",
        expected_chapters=3,
    )
    return write_ao3_html(work, folder / "the-salt-ledger.html")


def test_reader_notes_folded(snap_compare: Any, tmp_path: Path, data_dir: Path) -> None:
    app = app_for(ferry(tmp_path / "stories"), data_dir, story=True)
    assert snap_compare(app, terminal_size=NORMAL, run_before=keys())


def test_reader_notes_unfolded(snap_compare: Any, tmp_path: Path, data_dir: Path) -> None:
    """``a`` unfolds the notes on screen."""
    app = app_for(ferry(tmp_path / "stories"), data_dir, story=True)
    assert snap_compare(app, terminal_size=NORMAL, run_before=keys("a"))


def test_reader_large(snap_compare: Any, tmp_path: Path, data_dir: Path) -> None:
    app = app_for(ferry(tmp_path / "stories"), data_dir, story=True)
    assert snap_compare(app, terminal_size=LARGE, run_before=keys())


def test_reader_whole_work(snap_compare: Any, tmp_path: Path, data_dir: Path) -> None:
    """``w``: every chapter in one scroll; ``G`` shows the join between the two chapters."""
    app = app_for(ferry(tmp_path / "stories"), data_dir, story=True)
    assert snap_compare(app, terminal_size=NORMAL, run_before=keys("w", "d"))


def test_reader_60_columns(snap_compare: Any, tmp_path: Path, data_dir: Path) -> None:
    """A terminal narrower than the reading width."""
    app = app_for(ferry(tmp_path / "stories"), data_dir, story=True)
    assert snap_compare(app, terminal_size=(60, 24), run_before=keys())


def test_reader_cjk(snap_compare: Any, tmp_path: Path, data_dir: Path) -> None:
    """The bundled Japanese story: its note, the chapter heading, the verse epigraph, wide
    characters wrapped."""
    folder = bundled(tmp_path / "stories", "hoshi-o-kazoeru-hito.md")
    app = app_for(folder / "hoshi-o-kazoeru-hito.md", data_dir, story=True)
    assert snap_compare(app, terminal_size=NORMAL, run_before=keys())


def test_reader_plain(snap_compare: Any, tmp_path: Path, data_dir: Path, config: Path) -> None:
    """Plain mode: text from column 0, notes and breaks said in words."""
    config.write_text("plain = true\n", encoding="utf-8")
    app = app_for(ferry(tmp_path / "stories"), data_dir, story=True)
    assert snap_compare(app, terminal_size=NORMAL, run_before=keys())


def test_reader_chapter_summary(snap_compare: Any, tmp_path: Path, data_dir: Path) -> None:
    """An AO3 chapter: its summary and its notes before the text."""
    app = app_for(summarised(tmp_path / "stories"), data_dir, story=True)
    assert snap_compare(app, terminal_size=NORMAL, run_before=keys("a"))
