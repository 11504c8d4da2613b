"""Chapters seen: the reader's state remembers how many chapters a story had when it was last
open (what the library's "+N new" counts from)."""

from __future__ import annotations

import json
from pathlib import Path

from test_reading_session import make_story

from tui_reader.reading import ReadingSession
from tui_reader.state import StateStore, doc_id_for


def test_seen_round_trip_and_survives_a_new_session(data_dir: Path) -> None:
    store = StateStore(data_dir)
    assert store.seen_chapters("s1") is None
    store.mark_seen("s1", 3)
    store.mark_seen("s2", 0)
    assert store.close() is None
    again = StateStore(data_dir)
    assert again.seen_chapters("s1") == 3
    assert again.seen() == {"s1": 3, "s2": 0}
    again.mark_seen("s1", 5)
    assert again.seen_chapters("s1") == 5


def test_seen_records_are_keyed_by_story_id_on_disk(data_dir: Path) -> None:
    store = StateStore(data_dir)
    store.mark_seen("s1", 3)
    assert store.close() is None
    data = json.loads((data_dir / "readers" / "local.json").read_text())
    record = data["seen"][str(doc_id_for("s1"))]
    assert record["story_id"] == "s1" and record["chapters"] == 3


def test_a_damaged_seen_record_is_left_out(data_dir: Path) -> None:
    store = StateStore(data_dir)
    store.mark_seen("s1", 3)
    store.mark_seen("s2", 4)
    assert store.close() is None
    path = data_dir / "readers" / "local.json"
    data = json.loads(path.read_text())
    data["seen"][str(doc_id_for("s2"))]["chapters"] = "four"
    path.write_text(json.dumps(data))
    again = StateStore(data_dir)
    assert again.seen() == {"s1": 3}
    assert any("seen record" in w for w in again.warnings)


def test_opening_a_story_records_its_chapter_count(data_dir: Path) -> None:
    store = StateStore(data_dir)
    story = make_story(chapters=3)
    ReadingSession(story, store)
    assert store.seen_chapters(story.story_id) == 3
    grown = make_story(chapters=5)
    assert grown.story_id == story.story_id
    ReadingSession(grown, store)
    assert store.close() is None
    assert StateStore(data_dir).seen_chapters(story.story_id) == 5
