"""Snapshots of the reading screen (100x32): notes folded, notes unfolded, the chapter index."""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from tui_reader.model import Block, Chapter, Note, Source, Story
from tui_reader.state import StateStore
from tui_reader.ui.screens.reader import ReaderScreen

TEXT = [
    "The ferry left at dusk, as it always had, and Odile stood at the rail counting the "
    "lanterns on the far shore until the fog took them one by one.",
    "Her brother had promised to meet her at the landing. He had promised a great many things "
    "that winter, most of them in the careful voice he used when he did not expect to keep them.",
    "She had brought the letter anyway, folded twice and tucked inside her glove, where the "
    "warmth of her hand had softened the paper until it felt like cloth.",
]


def snapshot_story() -> Story:
    """An original two-chapter story with a story note and chapter notes."""
    first = Chapter(
        1,
        "The Crossing",
        120,
        notes_before=["This chapter was written on a very long train journey. Thank you all."],
        notes_after=["The next chapter picks up the same night, on the other shore."],
    )
    first.blocks = [
        Block("paragraph", TEXT[0]),
        Block("epigraph", "Every river keeps one lantern lit.", attribution="Ferryman's saying"),
        Block("paragraph", TEXT[1]),
        Block("scene_break", ""),
        Block("paragraph", TEXT[2]),
    ]
    second = Chapter(2, "The Landing", 80)
    second.blocks = [Block("paragraph", TEXT[2]), Block("paragraph", TEXT[0])]
    return Story(
        "Lanterns on the Far Shore",
        Source("ferry.md", "markdown"),
        author="Tester",
        chapters=[first, second],
        chapters_total=5,
        notes=[Note("before", "Welcome back! This story updates on Sundays.")],
    )


class SnapApp(App[None]):
    """Opens the reading screen on the snapshot story."""

    def __init__(self, data: Path) -> None:
        """Use a store in ``data``."""
        super().__init__()
        self.store = StateStore(data)

    def on_mount(self) -> None:
        """Push the reader."""
        self.push_screen(ReaderScreen(snapshot_story(), self.store, path=Path("ferry.md")))


def test_chapter_notes_folded(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(SnapApp(tmp_path), terminal_size=(100, 32))


def test_chapter_notes_unfolded(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(SnapApp(tmp_path), terminal_size=(100, 32), press=["a"])


def test_chapter_index(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(SnapApp(tmp_path), terminal_size=(100, 32), press=["t"])
