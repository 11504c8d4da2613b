"""Lasting mutes without Textual: the store keeps them per reader and across sessions, the
library's query leaves muted stories out (``h`` reveals them), search leaves them out too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tui_reader.library import Library, LibraryEntry
from tui_reader.library_query import (
    LibraryRow,
    entry_authors,
    mute_choices,
    mute_counts,
    muted_by,
    query_rows,
)
from tui_reader.search import SearchIndex
from tui_reader.ssh.config import reader_id_for
from tui_reader.state import Mute, StateStore

DEATH = "Major Character Death"


def entry(title: str, **kw: Any) -> LibraryEntry:
    """An entry called ``title`` (its path from the title)."""
    return LibraryEntry(Path(f"/lib/{title}.md"), title, **kw)


def titles(rows: list[LibraryRow]) -> list[str]:
    """The titles of ``rows`` in order."""
    return [r.entry.title for r in rows]


def on_disk(data_dir: Path, reader: str = "local") -> dict[str, Any]:
    """The reader file as JSON."""
    data: dict[str, Any] = json.loads((data_dir / "readers" / f"{reader}.json").read_text())
    return data


# --- the store ---------------------------------------------------------------------------------


def test_mute_unmute_and_list_by_kind_then_name(data_dir: Path) -> None:
    store = StateStore(data_dir)
    assert store.mutes() == []
    store.mute("tag", "Fluff")
    store.mute("author", "Odile Crane")
    store.mute("author", "mirren aske")
    store.mute("relationship", "Nell/Tamsin")
    store.mute("fandom", "Seaside Tales")
    listed = [(m.kind, m.value) for m in store.mutes()]
    assert listed == [
        ("author", "mirren aske"),
        ("author", "Odile Crane"),
        ("fandom", "Seaside Tales"),
        ("relationship", "Nell/Tamsin"),
        ("tag", "Fluff"),
    ]
    store.unmute("author", "MIRREN ASKE")  # compared casefolded
    store.unmute("tag", "never muted")  # nothing to do, no error
    assert [m.value for m in store.mutes()] == [
        "Odile Crane",
        "Seaside Tales",
        "Nell/Tamsin",
        "Fluff",
    ]


def test_muting_again_in_another_case_keeps_one_mute(data_dir: Path) -> None:
    store = StateStore(data_dir)
    first = store.mute("author", "Odile Crane")
    again = store.mute("author", "  ODILE CRANE ")
    assert again == first
    assert store.mutes() == [first]
    # the same name as another kind is another mute
    store.mute("tag", "Odile Crane")
    assert [m.kind for m in store.mutes()] == ["author", "tag"]


def test_mute_refuses_an_unknown_kind_or_an_empty_name(data_dir: Path) -> None:
    store = StateStore(data_dir)
    with pytest.raises(ValueError, match="unknown mute"):
        store.mute("rating", "Explicit")
    with pytest.raises(ValueError, match="empty"):
        store.mute("tag", "   ")
    assert store.mutes() == []


def test_mutes_persist_across_a_reopen_of_the_state_file(data_dir: Path) -> None:
    store = StateStore(data_dir)
    store.mute("author", "Odile Crane")
    store.mute("tag", "Angst")
    assert store.close() is None
    stored = on_disk(data_dir)["mutes"]
    assert sorted((r["kind"], r["value"]) for r in stored.values()) == [
        ("author", "Odile Crane"),
        ("tag", "Angst"),
    ]
    again = StateStore(data_dir)
    assert [(m.kind, m.value) for m in again.mutes()] == [
        ("author", "Odile Crane"),
        ("tag", "Angst"),
    ]
    again.unmute("tag", "angst")
    again.close()
    assert [m.value for m in StateStore(data_dir).mutes()] == ["Odile Crane"]


def test_two_readers_do_not_share_mutes(data_dir: Path) -> None:
    """Over ssh each key is its own reader: its id is the key's fingerprint, its file its own."""
    alice = StateStore(data_dir, reader_id_for("SHA256:alice+key/AAAA"))
    bob = StateStore(data_dir, reader_id_for("SHA256:bob+key/BBBB"))
    assert alice.path != bob.path
    alice.mute("author", "Odile Crane")
    alice.close()
    bob.mute("tag", "Fluff")
    bob.close()
    assert [m.value for m in StateStore(data_dir, alice.reader_id).mutes()] == ["Odile Crane"]
    assert [m.value for m in StateStore(data_dir, bob.reader_id).mutes()] == ["Fluff"]


def test_a_damaged_mute_record_is_left_out_and_the_rest_kept(data_dir: Path) -> None:
    store = StateStore(data_dir)
    store.mute("author", "Odile Crane")
    store.close()
    path = data_dir / "readers" / "local.json"
    data = json.loads(path.read_text())
    data["mutes"]["7"] = {"key": "rating:x", "kind": "rating", "value": "x", "when": 1.0}
    path.write_text(json.dumps(data))
    again = StateStore(data_dir)
    assert [m.value for m in again.mutes()] == ["Odile Crane"]
    assert any("mutes record" in w for w in again.warnings)


# --- what a story can be muted by, and which mute hides it --------------------------------------


def test_mute_choices_list_authors_fandoms_relationships_then_tags_once() -> None:
    story = entry(
        "Two Ships",
        author="Mirren Aske, Odile Crane",
        fandoms=["Seaside Tales"],
        relationships=["Nell/Tamsin"],
        tags=["Nell/Tamsin", "Nell", "Fluff", "fluff"],
        categories=["F/F"],
    )
    assert entry_authors(story) == ["Mirren Aske", "Odile Crane"]
    assert mute_choices(story) == [
        ("author", "Mirren Aske"),
        ("author", "Odile Crane"),
        ("fandom", "Seaside Tales"),
        ("relationship", "Nell/Tamsin"),
        ("tag", "Nell"),
        ("tag", "Fluff"),
        ("tag", "F/F"),
    ]
    assert mute_choices(entry("Bare")) == []


def test_muted_by_names_the_mute_and_compares_casefolded() -> None:
    story = entry(
        "Two Ships",
        author="Mirren Aske, Odile Crane",
        fandoms=["Seaside Tales"],
        relationships=["Nell/Tamsin"],
        tags=["Nell/Tamsin", "Fluff"],
        categories=["F/F"],
    )

    def mute(kind: str, value: str) -> list[Mute]:
        return [Mute(kind, value, 0.0)]

    assert muted_by(story, []) is None
    assert muted_by(story, mute("author", "odile crane")) == "author odile crane"
    assert muted_by(story, mute("author", "Mirren Aske, Odile Crane")) is None  # one name each
    assert muted_by(story, mute("fandom", "SEASIDE TALES")) == "fandom SEASIDE TALES"
    assert muted_by(story, mute("relationship", "nell/tamsin")) is not None
    assert muted_by(story, mute("tag", "nell/tamsin")) is not None  # a relationship is a tag
    assert muted_by(story, mute("tag", "f/f")) is not None  # so is a category
    assert muted_by(story, mute("tag", "Fluf")) is None  # whole names only
    assert muted_by(story, mute("relationship", "Fluff")) is None  # a tag is no relationship
    assert muted_by(story, mute("fandom", "Fluff")) is None


def test_query_leaves_muted_stories_out_until_revealed() -> None:
    rows = [
        LibraryRow(entry("Alpha", author="Odile Crane")),
        LibraryRow(entry("Beta", author="Bea Lorne", tags=["Fluff"])),
        LibraryRow(entry("Gamma", author="Bea Lorne", warnings=[DEATH], tags=["Fluff"])),
        LibraryRow(entry("Delta", author="Mirren Aske")),
    ]
    mutes = [Mute("author", "odile crane", 0.0), Mute("tag", "FLUFF", 0.0)]
    result = query_rows(rows, "", mutes=mutes, hidden_warnings=[DEATH])
    assert titles(result.rows) == ["Delta"]
    # Gamma is counted once, as hidden by its warning
    assert (result.hidden, result.muted) == (1, 2)
    revealed = query_rows(rows, "", mutes=mutes, hidden_warnings=[DEATH], show_hidden=True)
    assert titles(revealed.rows) == ["Alpha", "Beta", "Delta", "Gamma"]
    assert (revealed.hidden, revealed.muted) == (0, 0)
    # a filter still applies to what is left; a muted story never matches it unless revealed
    assert titles(query_rows(rows, "odile", mutes=mutes).rows) == []
    assert titles(query_rows(rows, "odile", mutes=mutes, show_hidden=True).rows) == ["Alpha"]
    # no mutes: the same as before
    assert titles(query_rows(rows, "").rows) == ["Alpha", "Beta", "Delta", "Gamma"]


def test_scanned_entries_carry_relationships_and_categories(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "s.md").write_text(
        '+++\ntitle = "S"\nauthor = "A"\n[tags]\nrelationships = ["X/Y"]\n'
        'characters = ["X"]\n+++\n# One\n\nText.\n',
        "utf-8",
    )
    (scanned,) = Library(tmp_path, data_dir).scan()
    assert scanned.relationships == ["X/Y"]
    assert scanned.tags == ["X/Y", "X"]
    (cached,) = Library(tmp_path, data_dir).scan()  # from the index cache
    assert cached.relationships == ["X/Y"]


def test_search_leaves_out_the_stories_it_is_told_to(tmp_path: Path, data_dir: Path) -> None:
    for name, author in (("a.md", "Odile Crane"), ("b.md", "Bea Lorne")):
        (tmp_path / name).write_text(
            f'+++\ntitle = "{name}"\nauthor = "{author}"\n+++\n# One\n\nThe lantern glowed.\n',
            "utf-8",
        )
    entries = Library(tmp_path, data_dir).scan()
    muted = frozenset(
        e.story_id
        for e in entries
        if e.story_id and muted_by(e, [Mute("author", "Odile Crane", 0.0)])
    )
    index = SearchIndex(tmp_path, data_dir)
    try:
        index.update()
        assert sorted(Path(h.path).name for h in index.search("lantern")) == ["a.md", "b.md"]
        hits = index.search("lantern", hide_stories=muted)
        assert [Path(h.path).name for h in hits] == ["b.md"]
    finally:
        index.close()


def test_mute_counts_count_each_mute_once_per_story() -> None:
    stories = [
        entry("A", author="Odile Crane, Bea Lorne", tags=["Fluff", "fluff"]),
        entry("B", author="Bea Lorne", relationships=["X/Y"], tags=["X/Y"]),
        entry("C", author="Mirren Aske"),
    ]
    mutes = [
        Mute("author", "bea lorne", 0.0),
        Mute("tag", "FLUFF", 0.0),
        Mute("tag", "x/y", 0.0),
        Mute("fandom", "None Here", 0.0),
    ]
    assert mute_counts(stories, mutes) == {
        "author:bea lorne": 2,
        "tag:fluff": 1,
        "tag:x/y": 1,
        "fandom:none here": 0,
    }
