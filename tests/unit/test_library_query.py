"""The library's rules without Textual: title order, hidden warnings, facets, statuses, query."""

from __future__ import annotations

from pathlib import Path

from tui_reader.library import Library, LibraryEntry
from tui_reader.library_query import (
    SORT_KEYS,
    STATUS_LABELS,
    LibraryRow,
    hidden_by,
    query,
    sort_rows,
)
from tui_reader.model import hides
from tui_reader.state import STATUSES
from tui_reader.text import title_key

DEATH = "Major Character Death"
VIOLENCE = "Graphic Depictions Of Violence"


def entry(title: str, *, warnings: list[str] | None = None, **kw: object) -> LibraryEntry:
    """An entry with the given title (its path from the title) and archive warnings."""
    return LibraryEntry(Path(f"/lib/{title}.md"), title, warnings=warnings or [], **kw)  # type: ignore[arg-type]


def titles(rows: list[LibraryRow]) -> list[str]:
    """The titles of ``rows`` in order."""
    return [r.entry.title for r in rows]


def test_title_key_ignores_case_articles_and_leading_punctuation() -> None:
    assert title_key("The Quiet Hour") == "quiet hour"
    assert title_key('"A Lantern" for Two') == 'lantern" for two'
    assert title_key("...and Then") == "and then"
    assert title_key("!!!") == "!!!"


def test_titles_with_numbers_sort_in_their_order() -> None:
    """FanFicFare's test stories: "Test Story Title 1, 10, 1001, 11" sorted as text before."""
    titles = ["Test Story Title 11", "Test Story Title 1001", "Test Story Title 2", "Part 10",
              "Test Story Title 10", "Part 9: Ashes", "Test Story Title 1", "Part 9"]  # fmt: skip
    assert sorted(titles, key=title_key) == [
        "Part 9",
        "Part 9: Ashes",
        "Part 10",
        "Test Story Title 1",
        "Test Story Title 2",
        "Test Story Title 10",
        "Test Story Title 11",
        "Test Story Title 1001",
    ]


def test_scan_order_is_the_title_column_order(tmp_path: Path, data_dir: Path) -> None:
    """One title sort: a title opening with a quote sorts by its first word in both places.

    The scan used to sort '"Zest"' before "Apple" (punctuation first) while the title column
    sorted it last.
    """
    for name, title in [("z.md", '\\"Zest\\"'), ("a.md", "Apple"), ("m.md", "The Middle")]:
        (tmp_path / name).write_text(f'+++\ntitle = "{title}"\n+++\n# One\n\nText.\n', "utf-8")
    scanned = [e.title for e in Library(tmp_path, data_dir).scan()]
    assert scanned == ["Apple", "The Middle", '"Zest"']
    rows = [LibraryRow(e) for e in Library(tmp_path, data_dir).scan()]
    assert titles(sort_rows(list(reversed(rows)), "title", False)) == scanned


def test_hidden_warnings_rule_is_one_rule() -> None:
    assert hides([DEATH], [DEATH, VIOLENCE])
    assert not hides([DEATH], [])
    assert not hides([], [DEATH])
    assert not hides(["No Archive Warnings Apply"], [DEATH])
    assert hidden_by(entry("x", warnings=[VIOLENCE]), {VIOLENCE})


def test_query_leaves_out_hidden_stories_and_counts_them() -> None:
    rows = [
        LibraryRow(entry("Bleak", warnings=[DEATH])),
        LibraryRow(entry("Calm")),
        LibraryRow(entry("Brawl", warnings=[VIOLENCE])),
    ]
    shown, hidden = query(rows, "", hidden_warnings=[DEATH])
    assert (titles(shown), hidden) == (["Brawl", "Calm"], 1)
    shown, hidden = query(rows, "", hidden_warnings=[DEATH], show_hidden=True)
    assert (titles(shown), hidden) == (["Bleak", "Brawl", "Calm"], 0)
    # asking for a warning by name shows its stories even when hidden
    shown, hidden = query(rows, "warning:death", hidden_warnings=[DEATH])
    assert (titles(shown), hidden) == (["Bleak"], 0)


def test_query_ranks_fuzzy_words_and_sorts_otherwise() -> None:
    rows = [
        LibraryRow(entry("Lanterns", author="Ann", words=900)),
        LibraryRow(entry("Flood Season", author="Bo", words=100)),
        LibraryRow(entry("Broken", error="the file is empty")),
    ]
    assert titles(query(rows, "flood")[0]) == ["Flood Season"]
    assert titles(query(rows, "", sort_column="words", reverse=True)[0]) == [
        "Lanterns",
        "Flood Season",
        "Broken",  # broken files always last
    ]


def test_status_facet_and_order_follow_the_one_status_list() -> None:
    assert list(STATUS_LABELS) == list(STATUSES)
    assert all(len(label) <= 8 for label in STATUS_LABELS.values())
    rows = [LibraryRow(entry(s.title()), status=s) for s in reversed(STATUSES)]
    assert [r.status for r in sorted(rows, key=SORT_KEYS["status"])] == list(STATUSES)
    shown, _ = query(rows, "status:plan")
    assert [r.status for r in shown] == ["plan to read"]


def test_new_chapters_count_what_came_since_the_reader_last_had_the_story_open() -> None:
    grown = entry("Grown", chapters=5, chapters_total=None, in_progress=True)
    assert LibraryRow(grown, read=2, seen=3).new_chapters == 2
    assert LibraryRow(grown, read=2, seen=3).chapters_text == "2/5/? +2 new"
    # never opened, opened since it grew, or a shorter file now: nothing new
    assert LibraryRow(grown).new_chapters == 0
    assert LibraryRow(grown).chapters_text == "0/5/?"
    assert LibraryRow(grown, seen=5).chapters_text == "0/5/?"
    assert LibraryRow(grown, seen=7).new_chapters == 0
    assert LibraryRow(entry("Broken", error="the file is empty"), seen=0).new_chapters == 0


def test_the_total_is_unknown_only_for_a_story_said_to_be_unfinished() -> None:
    """AO3's "5/?" for a work in progress; a story whose source says nothing of being unfinished
    (a generic EPUB, a book) shows the chapters it has as its total, as its end marker reads
    "The End"; a total the source gives is shown as given."""
    assert LibraryRow(entry("Serial", chapters=5, in_progress=True)).chapters_text == "0/5/?"
    assert LibraryRow(entry("Book", chapters=5)).chapters_text == "0/5/5"
    planned = entry("Planned", chapters=5, chapters_total=9, in_progress=True)
    assert LibraryRow(planned, read=1).chapters_text == "1/5/9"
    assert LibraryRow(entry("Broken", error="the file is empty")).chapters_text == ""


def test_status_updated_facet_keeps_stories_with_new_chapters() -> None:
    rows = [
        LibraryRow(entry("Grown", chapters=5), seen=3, status="reading"),
        LibraryRow(entry("Same", chapters=3), seen=3, status="reading"),
        LibraryRow(entry("Unopened", chapters=4)),
    ]
    assert "updated" not in STATUSES
    assert titles(query(rows, "status:updated")[0]) == ["Grown"]
    assert titles(query(rows, "s:up")[0]) == ["Grown"]
    # the other status values mean what they meant
    assert titles(query(rows, "status:reading")[0]) == ["Grown", "Same"]
    assert titles(query(rows, "status:none")[0]) == ["Unopened"]
    rows[0].seen = 5  # read since: no longer updated
    assert titles(query(rows, "status:updated")[0]) == []


def test_continue_opens_the_first_new_chapter_once_the_old_last_one_is_finished() -> None:
    grown = entry("Grown", chapters=5)
    finished = LibraryRow(grown, read=3, seen=3, seen_finished=True)
    assert finished.resume_chapter(2) == 3
    assert finished.continue_text(finished.resume_chapter(2)) == "Ch. 4 (new)"
    # a place in an earlier chapter, an unfinished last chapter, or nothing new: as it was
    assert finished.resume_chapter(1) == 1
    unfinished = LibraryRow(grown, read=2, seen=3, seen_finished=False)
    assert unfinished.resume_chapter(2) == 2
    assert unfinished.continue_text(2) == "Ch. 3 of 5"
    same = LibraryRow(grown, read=5, seen=5, seen_finished=True)
    assert same.resume_chapter(4) == 4
    assert same.continue_text(4) == "Ch. 5 of 5"
