"""The reader state store's API: every method round-trips through the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tui_reader.state import (
    PREF_DEFAULTS,
    STATUSES,
    Bookmark,
    HistoryEntry,
    Position,
    StateStore,
    safe_reader_id,
)


def reopen(data_dir: Path, reader: str = "local") -> StateStore:
    """A fresh store on the same file, as a new session would open it."""
    return StateStore(data_dir, reader)


def on_disk(data_dir: Path, reader: str = "local") -> dict[str, Any]:
    """The reader file as JSON."""
    data: dict[str, Any] = json.loads((data_dir / "readers" / f"{reader}.json").read_text())
    return data


def test_file_lives_under_readers_named_by_reader(data_dir: Path) -> None:
    store = StateStore(data_dir, "alice")
    store.acknowledge("s")
    assert store.path == data_dir / "readers" / "alice.json"
    assert store.path.is_file()
    assert on_disk(data_dir, "alice")["meta"]["1"]["schema_version"] == 1


def test_default_reader_is_local(data_dir: Path) -> None:
    store = StateStore(data_dir)
    assert store.path == data_dir / "readers" / "local.json"


@pytest.mark.parametrize("raw", ["../../etc/passwd", "a/b", "..", "", "ünï", "x" * 200])
def test_reader_id_is_sanitised_to_a_safe_file_name(data_dir: Path, raw: str) -> None:
    store = StateStore(data_dir, raw)
    assert store.path is not None
    assert store.path.parent == data_dir / "readers"
    name = store.path.name
    assert "/" not in name and not name.startswith(".") and len(name) <= 64 + 9 + 5
    store.acknowledge("s")
    assert store.path.is_file()


def test_different_unsafe_ids_do_not_share_a_file() -> None:
    assert safe_reader_id("a/b") != safe_reader_id("a_b")
    assert safe_reader_id("a/b") != safe_reader_id("a:b")
    assert safe_reader_id("bob") == "bob"
    assert safe_reader_id("") == "local"


def test_position_round_trip(data_dir: Path) -> None:
    store = StateStore(data_dir)
    assert store.position("s1") is None
    store.save_position("s1", Position(3, 17, 42), title="Moss", path="/st/moss.md", write_now=True)
    assert store.position("s1") == Position(3, 17, 42)
    again = reopen(data_dir)
    assert again.position("s1") == Position(3, 17, 42)
    rec = next(iter(on_disk(data_dir)["progress"].values()))
    assert rec["chapter"] == 3 and rec["paragraph"] == 17 and rec["offset"] == 42
    assert rec["title"] == "Moss" and rec["path"] == "/st/moss.md"


def test_save_position_keeps_title_when_not_given(data_dir: Path) -> None:
    store = StateStore(data_dir)
    store.save_position("s1", Position(0, 0), title="Moss", path="/p", write_now=True)
    store.save_position("s1", Position(1, 2), write_now=True)
    entry = reopen(data_dir).history()[0]
    assert (entry.title, entry.path, entry.chapter) == ("Moss", "/p", 1)


def test_chapters_read_round_trip(data_dir: Path) -> None:
    store = StateStore(data_dir)
    assert store.chapters_read("s1") == set()
    store.mark_chapter_read("s1", 0)
    store.mark_chapter_read("s1", 2)
    store.mark_chapter_read("s1", 2)
    assert reopen(data_dir).chapters_read("s1") == {0, 2}
    # marking read does not invent a saved place
    assert reopen(data_dir).position("s1") is None


def test_history_most_recent_first_one_entry_per_story(data_dir: Path) -> None:
    store = StateStore(data_dir)
    store.save_position("a", Position(0, 1), title="A", path="/a", write_now=True)
    store.save_position("b", Position(2, 0), title="B", path="/b", write_now=True)
    store.save_position("a", Position(1, 5), write_now=True)
    history = reopen(data_dir).history()
    assert [h.story_id for h in history] == ["a", "b"]
    assert isinstance(history[0], HistoryEntry)
    assert history[0].chapter == 1 and history[0].title == "A"
    assert history[0].when >= history[1].when
    assert [h.story_id for h in reopen(data_dir).history(limit=1)] == ["a"]


def test_acknowledgement_round_trip(data_dir: Path) -> None:
    store = StateStore(data_dir)
    assert not store.acknowledged("s1")
    store.acknowledge("s1")
    again = reopen(data_dir)
    assert again.acknowledged("s1")
    assert not again.acknowledged("s2")


def test_gates_and_stops_round_trip(data_dir: Path) -> None:
    store = StateStore(data_dir)
    assert not store.gate_passed("s1", 4)
    assert store.stopped_at("s1") is None
    store.stop_at("s1", 4)
    assert reopen(data_dir).stopped_at("s1") == 4
    store.pass_gate("s1", 4)
    again = reopen(data_dir)
    assert again.gate_passed("s1", 4)
    assert not again.gate_passed("s1", 7)
    assert again.stopped_at("s1") is None  # continuing past the gate ends the stop there
    # a gate does not count as the warnings being acknowledged, and vice versa
    assert not again.acknowledged("s1")
    again.acknowledge("s2")
    assert not reopen(data_dir).gate_passed("s2", 4)


def test_folds_round_trip(data_dir: Path) -> None:
    store = StateStore(data_dir)
    assert store.fold("s1", "ch3-before-0") is None
    store.set_fold("s1", "ch3-before-0", True)
    store.set_fold("s1", "story-before-0", False)
    store.set_fold("s2", "ch3-before-0", False)
    again = reopen(data_dir)
    assert again.fold("s1", "ch3-before-0") is True
    assert again.fold("s1", "story-before-0") is False
    assert again.fold("s2", "ch3-before-0") is False
    assert again.fold("s1", "ch3-after-1") is None


def test_statuses_round_trip_and_validation(data_dir: Path) -> None:
    store = StateStore(data_dir)
    assert store.status("s1") is None
    for status in STATUSES:
        store.set_status("s1", status)
        assert reopen(data_dir).status("s1") == status
    store.set_status("s2", "on hold")
    assert reopen(data_dir).statuses() == {"s1": "dropped", "s2": "on hold"}
    with pytest.raises(ValueError, match="unknown status"):
        store.set_status("s1", "abandoned")
    assert reopen(data_dir).status("s1") == "dropped"
    store.set_status("s1", None)
    assert reopen(data_dir).status("s1") is None
    assert reopen(data_dir).statuses() == {"s2": "on hold"}


def test_bookmarks_newest_first_update_delete(data_dir: Path) -> None:
    store = StateStore(data_dir)
    first = store.add_bookmark("s1", "Moss", "/p", Position(1, 2, 3), note="the pond")
    second = store.add_bookmark("s2", "Reed", "/q", Position(0, 4), snippet="a heron")
    third = store.add_bookmark("s1", "Moss", "/p", Position(5, 0))
    assert isinstance(first, Bookmark)
    assert (first.chapter, first.paragraph, first.offset, first.note) == (1, 2, 3, "the pond")
    again = reopen(data_dir)
    assert [b.id for b in again.bookmarks()] == [third.id, second.id, first.id]
    assert [b.id for b in again.bookmarks("s1")] == [third.id, first.id]
    assert again.bookmarks()[1] == second
    again.update_bookmark(first.id, "the pond, at dusk")
    assert reopen(data_dir).bookmarks("s1")[1].note == "the pond, at dusk"
    again.delete_bookmark(third.id)
    assert [b.id for b in reopen(data_dir).bookmarks()] == [second.id, first.id]
    # updating a deleted bookmark does not bring it back
    again.update_bookmark(third.id, "gone")
    assert [b.id for b in reopen(data_dir).bookmarks()] == [second.id, first.id]


def test_pref_defaults_and_round_trip(data_dir: Path) -> None:
    store = StateStore(data_dir)
    for key, value in PREF_DEFAULTS.items():
        assert store.pref(key) == value
    assert StateStore.PREF_DEFAULTS is PREF_DEFAULTS
    store.set_pref("reading_width", 60)
    store.set_pref("hidden_warnings", ["Graphic Depictions Of Violence"])
    store.set_pref("warn_mode", "always")
    again = reopen(data_dir)
    assert again.pref("reading_width") == 60
    assert again.pref("hidden_warnings") == ["Graphic Depictions Of Violence"]
    assert again.pref("warn_mode") == "always"
    assert again.pref("theme") == "textual-dark"
    assert again.pref("no-such-pref") is None


def test_pref_default_list_is_not_shared(data_dir: Path) -> None:
    store = StateStore(data_dir)
    store.pref("hidden_warnings").append("x")
    assert store.pref("hidden_warnings") == []
    assert PREF_DEFAULTS["hidden_warnings"] == []


def test_pref_rejects_values_json_cannot_hold(data_dir: Path) -> None:
    store = StateStore(data_dir)
    with pytest.raises(TypeError):
        store.set_pref("reading_width", {1, 2})
    store.set_pref("reading_width", 80)  # the store still works
    assert reopen(data_dir).pref("reading_width") == 80


def test_words_per_minute_from_pace_samples(data_dir: Path) -> None:
    store = StateStore(data_dir)
    assert store.words_per_minute() == 200  # the wpm preference until enough is measured
    store.set_pref("wpm", 250)
    assert store.words_per_minute() == 250
    store.record_pace(600, 60)
    store.record_pace(0, 60)  # ignored
    store.record_pace(100_000, 1)  # implausible, ignored
    assert store.words_per_minute() == 250  # one minute measured is not enough
    store.record_pace(1200, 120)
    store.flush()
    assert reopen(data_dir).words_per_minute() == 600


def test_pace_keeps_only_recent_samples(data_dir: Path) -> None:
    store = StateStore(data_dir)
    for _ in range(60):
        store.record_pace(300, 60)
    store.flush()
    assert len(on_disk(data_dir)["pace"]) == 50


def test_guest_store_writes_nothing(data_dir: Path, tmp_path: Path) -> None:
    store = StateStore(data_dir, "guest", persist=False)
    store.save_position("s1", Position(1, 2), write_now=True)
    store.acknowledge("s1")
    store.set_status("s1", "reading")
    store.add_bookmark("s1", "T", "/p", Position(0, 0))
    store.set_pref("reading_width", 50)
    store.flush()
    assert store.path is None
    assert store.position("s1") == Position(1, 2)
    assert store.acknowledged("s1") and store.pref("reading_width") == 50
    assert not (data_dir / "readers").exists()
    assert store.warnings == []


def test_guest_store_does_not_read_an_existing_file(data_dir: Path) -> None:
    StateStore(data_dir, "guest").acknowledge("s1")
    assert not StateStore(data_dir, "guest", persist=False).acknowledged("s1")


def test_two_stores_of_one_reader_see_each_others_writes(data_dir: Path) -> None:
    a = StateStore(data_dir)
    b = StateStore(data_dir)
    a.save_position("s1", Position(1, 1), write_now=True)
    b.save_position("s2", Position(2, 2), write_now=True)
    a.set_fold("s1", "k1", True)
    b.set_fold("s1", "k2", False)
    assert b.position("s1") == Position(1, 1)
    assert a.position("s2") == Position(2, 2)
    final = reopen(data_dir)
    assert final.position("s1") == Position(1, 1) and final.position("s2") == Position(2, 2)
    assert final.fold("s1", "k1") is True and final.fold("s1", "k2") is False


def test_file_is_compact_json(data_dir: Path) -> None:
    store = StateStore(data_dir)
    store.save_position("s1", Position(1, 1), write_now=True)
    assert store.path is not None
    text = store.path.read_text()
    assert "\n" not in text and ": " not in text and ", " not in text
    assert text.startswith('{"meta":')
