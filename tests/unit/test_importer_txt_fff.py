"""FanFicFare TXT output: header labels, table of contents, chapters, ``End file.``."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tui_reader.importers import load_story

BODY_1 = (
    "The ferry left at six, and Ilse was the only passenger who had brought a chair. "
    "She set it by the rail and watched the town shrink until it was a row of teeth."
)
BODY_2 = "On the island the post office was also the bakery, which explained a great deal."
BODY_3 = "By the third week she knew every dog by name and none of the people."
SUMMARY = (
    "A woman takes a ferry to an island where the post office sells bread, and stays "
    "longer than anyone expects, including herself."
)


def _wrap(text: str) -> str:
    """Wrap every paragraph at 78 columns like FanFicFare."""
    return "\n".join(textwrap.fill(p, 78) if p.strip() else p for p in text.split("\n"))


def fff_text(*, status: str = "Completed", warnings: str = "No Archive Warnings Apply") -> str:
    """A FanFicFare-style TXT file with two chapters (CRLF line ends)."""
    head = _wrap(
        "\n\n\nIsland Post\n\nby Oriel Fenn\n\n\n"
        "Category: Original Work\n"
        "Genre: Slice of Life, Humor\n"
        "Language: English\n"
        "Characters: Ilse, The Baker\n"
        "Relationships: Ilse & The Baker\n"
        "Rating: Teen And Up Audiences\n"
        f"Warnings: {warnings}\n"
        f"Status: {status}\n"
        "Published: 2021-03-04\nUpdated: 2021-04-01\nPackaged: 2024-01-02 10:11:12\n"
        "Words: 120\nChapters: 2\n"
        f"Summary: {SUMMARY}\n\n\n\n"
        "\n\nTABLE OF CONTENTS\n\n\nChapter 1: The Ferry\n\nChapter 2: Bread and Stamps\n\n"
    )
    ch1 = (
        "\n\n\tChapter 1: The Ferry\n\n"
        + "Author's Note: Written on a train.\n\n"
        + textwrap.fill(BODY_1, 78)
        + "\n\n* * *\n\n"
        + textwrap.fill(BODY_2, 78)
        + "\n"
    )
    ch2 = "\n\n\tChapter 2: Bread and Stamps\n\n" + textwrap.fill(BODY_3, 78) + "\n"
    text = head + ch1 + ch2 + "\n\nEnd file.\n"
    return text.replace("\n", "\r\n")


def test_fff_txt(tmp_path: Path) -> None:
    path = tmp_path / "island.txt"
    path.write_bytes(fff_text().encode("utf-8"))
    story = load_story(path)
    assert story.source.format == "fff-txt"
    assert (story.title, story.author) == ("Island Post", "Oriel Fenn")
    assert story.rating == "Teen And Up Audiences"
    assert story.warnings == ["No Archive Warnings Apply"]
    assert story.summary == SUMMARY
    assert story.tags.fandoms == ["Original Work"]
    assert story.tags.characters == ["Ilse", "The Baker"]
    assert story.tags.relationships == ["Ilse & The Baker"]
    assert story.tags.additional == ["Slice of Life", "Humor"]
    assert story.chapters_total == 2
    assert [(c.number, c.title) for c in story.chapters] == [
        (1, "The Ferry"),
        (2, "Bread and Stamps"),
    ]
    first = story.chapters[0]
    assert first.notes_before == ["Written on a train."]
    assert [(b.kind, b.text) for b in first.blocks] == [
        ("paragraph", BODY_1),
        ("scene_break", ""),
        ("paragraph", BODY_2),
    ]
    last = story.chapters[1]
    assert [b.text for b in last.blocks] == [BODY_3]
    assert "End file." not in BODY_3 and all("End file" not in b.text for b in last.blocks)
    assert story.words == sum(len(t.split()) for t in (BODY_1, BODY_2, BODY_3))


def test_fff_txt_in_progress_has_no_total_and_warnings_map(tmp_path: Path) -> None:
    path = tmp_path / "island.txt"
    text = fff_text(status="In-Progress", warnings="Major Character Death, Sad cats")
    path.write_bytes(text.encode("utf-8"))
    story = load_story(path)
    assert story.chapters_total is None
    assert story.warnings == ["Major Character Death"]
    assert story.site_warnings == ["Major Character Death", "Sad cats"]
    assert story.content_notes == []
    assert story.needs_warning
