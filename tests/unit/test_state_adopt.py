"""Reader state kept under old story ids moves to the ids by source (issue 15, item 1).

Each test starts from a reader file written by hand in the shape tui-reader wrote before
identity by source (schema 1, records keyed by a hash of the old id), and checks what the
store gives under the new id and what the file holds after ``StateStore.adopt_ids``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.fixtures.reader_files import story_ids_in
from tui_reader.state import Position, StateStore, doc_id_for

OLD = "5f0c3a1e9b7d2c44"
"""An id as tui-reader made them before (a hash of format, title and author)."""

OLD_EPUB = "a1b2c3d4e5f60718"
"""The same story's old id as an EPUB (the format was part of the old id)."""

NEW = "ao3:work:777001"
"""Its id by source."""

MARK = "1f88d95a940c40aa"
"""The bookmark's own id."""

OTHER = "0123456789abcdef"
"""Another story's old id, not adopted."""


def _slot(key: str) -> str:
    """The document id a record keyed ``key`` is stored under."""
    return str(doc_id_for(key))


def old_data() -> dict[str, Any]:
    """A reader file's contents with a place, chapters read, a warning accepted and a gate
    passed, a fold, a status and a bookmark under :data:`OLD`, and a place under :data:`OTHER`."""
    return {
        "meta": {"1": {"schema_version": 1, "write": "0123456789abcdef"}},
        "progress": {
            _slot(OLD): {
                "story_id": OLD,
                "chapter": 1,
                "paragraph": 4,
                "offset": 2,
                "when": 1700000100.5,
                "title": "Salt and Lanterns",
                "path": "/lib/salt.html",
                "read": [0],
            },
            _slot(OTHER): {
                "story_id": OTHER,
                "chapter": 0,
                "paragraph": 1,
                "offset": 0,
                "when": 1700000000.0,
                "title": "Other",
                "path": "/lib/other.md",
            },
        },
        "acknowledgements": {
            _slot(OLD): {"story_id": OLD, "acknowledged": True, "when": 1700000050.0, "gates": [2]}
        },
        "folds": {_slot(OLD): {"story_id": OLD, "folds": {"c1-before": True}}},
        "statuses": {_slot(OLD): {"story_id": OLD, "status": "reading", "when": 1700000060.0}},
        "bookmarks": {
            _slot("1f88d95a940c40aa"): {
                "id": "1f88d95a940c40aa",
                "story_id": OLD,
                "story_title": "Salt and Lanterns",
                "path": "/lib/salt.html",
                "chapter": 1,
                "paragraph": 2,
                "offset": 0,
                "note": "the ferry",
                "snippet": "The ferry left at dawn",
                "created": 1700000070.0,
            }
        },
        "preferences": {_slot("theme"): {"key": "theme", "value": "nord"}},
        "pace": {
            _slot("0aac1dbb944342e8"): {
                "id": "0aac1dbb944342e8",
                "words": 300,
                "seconds": 60.0,
                "when": 1700000080.0,
            }
        },
    }


def old_reader_file(data_dir: Path, extra: dict[str, Any] | None = None) -> Path:
    """Write :func:`old_data` (tables in ``extra`` added or replaced) as the reader file."""
    data = old_data()
    data.update(extra or {})
    path = data_dir / "readers" / "local.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    return path


def on_disk(path: Path) -> dict[str, Any]:
    """The reader file as JSON."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_everything_under_the_old_id_moves_to_the_new_one(data_dir: Path) -> None:
    path = old_reader_file(data_dir)
    store = StateStore(data_dir)
    assert store.position(NEW) is None

    assert store.adopt_ids([(OLD, NEW)]) == 5

    assert store.position(NEW) == Position(1, 4, 2)
    assert store.chapters_read(NEW) == {0}
    assert store.acknowledged(NEW)
    assert store.gate_passed(NEW, 2)
    assert store.fold(NEW, "c1-before") is True
    assert store.status(NEW) == "reading"
    [mark] = store.bookmarks(NEW)
    assert (mark.id, mark.note, mark.chapter, mark.paragraph) == (MARK, "the ferry", 1, 2)
    assert store.position(OLD) is None and store.status(OLD) is None and not store.bookmarks(OLD)
    [entry] = [h for h in store.history() if h.story_id == NEW]
    assert (entry.title, entry.chapter) == ("Salt and Lanterns", 1)
    # what another session reads: the file itself
    written = on_disk(path)
    assert story_ids_in(written) == {NEW, OTHER}
    assert written["progress"][_slot(NEW)]["paragraph"] == 4
    assert written["statuses"][_slot(NEW)] == {
        "story_id": NEW,
        "status": "reading",
        "when": 1700000060.0,
    }
    assert written["preferences"][_slot("theme")]["value"] == "nord"
    assert len(written["pace"]) == 1
    assert written["meta"]["1"]["schema_version"] == 1
    reopened = StateStore(data_dir)
    assert reopened.position(NEW) == Position(1, 4, 2)
    assert reopened.position(OTHER) == Position(0, 1, 0)


def test_adopting_twice_changes_nothing_and_writes_nothing(data_dir: Path) -> None:
    path = old_reader_file(data_dir)
    store = StateStore(data_dir)
    store.adopt_ids([(OLD, NEW)])
    before = path.read_bytes()
    stat = path.stat()
    assert store.adopt_ids([(OLD, NEW)]) == 0
    assert StateStore(data_dir).adopt_ids([(OLD, NEW)]) == 0
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stat.st_mtime_ns


def test_ids_without_records_or_unchanged_ids_write_nothing(data_dir: Path) -> None:
    path = old_reader_file(data_dir)
    before = path.read_bytes()
    store = StateStore(data_dir)
    assert store.adopt_ids([]) == 0
    assert store.adopt_ids([("ffffffffffffffff", "ao3:work:1"), (OLD, OLD), ("", NEW)]) == 0
    assert path.read_bytes() == before


def test_the_newer_place_wins_and_chapters_read_are_joined(data_dir: Path) -> None:
    """The same story read as HTML and as EPUB before: two old ids become one new id."""
    epub_progress = {
        "story_id": OLD_EPUB,
        "chapter": 2,
        "paragraph": 7,
        "offset": 0,
        "when": 1700000900.0,
        "title": "Salt and Lanterns",
        "path": "/lib/salt.epub",
        "read": [1],
    }
    epub_status = {"story_id": OLD_EPUB, "status": "on hold", "when": 1700000010.0}
    path = old_reader_file(
        data_dir,
        {
            "progress": {
                **old_data()["progress"],
                _slot(OLD_EPUB): epub_progress,
            },
            "statuses": {
                _slot(OLD): {"story_id": OLD, "status": "reading", "when": 1700000060.0},
                _slot(OLD_EPUB): epub_status,
            },
        },
    )
    store = StateStore(data_dir)
    store.adopt_ids([(OLD, NEW), (OLD_EPUB, NEW)])
    assert store.position(NEW) == Position(2, 7, 0)  # the EPUB's place is the newer
    assert store.chapters_read(NEW) == {0, 1}
    assert store.status(NEW) == "reading"  # the HTML's status is the newer
    written = on_disk(path)
    assert story_ids_in(written) == {NEW, OTHER}
    assert written["progress"][_slot(NEW)]["path"] == "/lib/salt.epub"


def test_a_place_the_new_id_already_has_is_kept_when_newer(data_dir: Path) -> None:
    path = old_reader_file(data_dir)
    store = StateStore(data_dir)
    store.save_position(NEW, Position(3, 0, 0), title="Salt and Lanterns", write_now=True)
    store.set_status(NEW, "finished")
    store.adopt_ids([(OLD, NEW)])
    assert store.position(NEW) == Position(3, 0, 0)
    assert store.status(NEW) == "finished"
    assert store.chapters_read(NEW) == {0}  # only the old record knew it
    assert store.acknowledged(NEW)
    assert len(store.bookmarks(NEW)) == 1
    assert story_ids_in(on_disk(path)) == {NEW, OTHER}


def test_tables_added_later_move_too(data_dir: Path) -> None:
    """A table this code does not know: keyed by story id (moves to the new slot), or keyed by
    something else and naming a story (gets the new id)."""
    path = old_reader_file(
        data_dir,
        {
            "updates": {_slot(OLD): {"story_id": OLD, "chapters_seen": 3}},
            "notes": {_slot("n-1"): {"id": "n-1", "story_id": OLD, "text": "hm"}},
        },
    )
    StateStore(data_dir).adopt_ids([(OLD, NEW)])
    written = on_disk(path)
    assert written["updates"] == {_slot(NEW): {"story_id": NEW, "chapters_seen": 3}}
    assert written["notes"] == {_slot("n-1"): {"id": "n-1", "story_id": NEW, "text": "hm"}}


def test_adoption_goes_through_the_writer_thread(data_dir: Path) -> None:
    path = old_reader_file(data_dir)
    store = StateStore(data_dir, background=True)
    try:
        assert store.adopt_ids([(OLD, NEW)]) == 5
        assert store.wait_saved()
    finally:
        assert store.close() is None
    assert story_ids_in(on_disk(path)) == {NEW, OTHER}


def test_adoption_and_another_sessions_write_both_survive(data_dir: Path) -> None:
    path = old_reader_file(data_dir)
    mine = StateStore(data_dir, background=True)
    mine.adopt_ids([(OLD, NEW)])  # pending in memory (the writer has not run or just ran)
    other = StateStore(data_dir)
    other.set_pref("theme", "gruvbox")
    other.close()
    mine.set_status(OTHER, "dropped")
    assert mine.close() is None
    written = on_disk(path)
    assert story_ids_in(written) == {NEW, OTHER}
    assert written["preferences"][_slot("theme")]["value"] == "gruvbox"
    assert StateStore(data_dir).status(NEW) == "reading"


def test_a_guest_never_touches_the_reader_file(data_dir: Path) -> None:
    path = old_reader_file(data_dir)
    before = path.read_bytes()
    guest = StateStore(data_dir, persist=False)
    assert guest.adopt_ids([(OLD, NEW)]) == 0
    assert path.read_bytes() == before
