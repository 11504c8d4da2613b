"""Reader files that are valid JSON but hold records the program cannot use, and files that
cannot be read at all for lack of permission."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tui_reader.state import Position, StateStore, doc_id_for
from tui_reader.state import storage as state_module


def reader_file(data_dir: Path) -> Path:
    """Where the local reader's file lives."""
    return data_dir / "readers" / "local.json"


def set_aside_files(path: Path) -> list[Path]:
    """The ``<name>.corrupt-<timestamp>`` files beside ``path``."""
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


def good_state(data_dir: Path) -> Path:
    """A reader file written by the store itself, with one record of every kind."""
    store = StateStore(data_dir)
    store.save_position(
        "good", Position(2, 5, 7), title="Moss", path="/lib/moss.md", write_now=True
    )
    store.mark_chapter_read("good", 0)
    store.mark_chapter_read("good", 1)
    store.acknowledge("good")
    store.pass_gate("good", 3)
    store.set_fold("good", "ch1-before-0", True)
    store.set_status("good", "reading")
    store.add_bookmark("good", "Moss", "/lib/moss.md", Position(1, 2, 3), note="the lamp")
    store.set_pref("reading_width", 80)
    store.set_pref("hidden_warnings", ["Major Character Death"])
    for _ in range(3):
        store.record_pace(2000, 60.0)
    store.flush()
    assert store.path is not None
    return store.path


BIG = "__BIG_NUMBER__"
"""Stands for the JSON number 1e400 (which Python reads as infinity) until the file is written."""

# (label, table, key field, record) — each record is damaged in exactly one way.
DAMAGED: list[tuple[str, str, str, dict[str, Any]]] = [
    ("chapter text", "progress", "story_id", {"story_id": "bad", "chapter": "abc", "paragraph": 1}),
    ("chapter null", "progress", "story_id", {"story_id": "bad", "chapter": None, "paragraph": 1}),
    ("chapter 1e400", "progress", "story_id", {"story_id": "bad", "chapter": BIG, "paragraph": 1}),
    ("read is a string", "progress", "story_id", {"story_id": "bad", "read": "0,1,2"}),
    ("no story id", "progress", "story_id", {"chapter": 3, "paragraph": 1}),
    ("hidden_warnings 5", "preferences", "key", {"key": "hidden_warnings", "value": 5}),
    ("pace words many", "pace", "id", {"id": "bad", "words": "many", "seconds": 60.0}),
    (
        "bookmark chapter x",
        "bookmarks",
        "id",
        {
            "id": "bad",
            "story_id": "good",
            "story_title": "Moss",
            "path": "/lib/moss.md",
            "chapter": "x",
            "paragraph": 0,
            "offset": 0,
            "note": "",
            "snippet": "",
            "created": 1.0,
        },
    ),
]


def damage(path: Path, table: str, key_field: str, record: dict[str, Any]) -> bytes:
    """Add ``record`` to ``table`` of the file (replacing a record with the same key); the bytes."""
    data = json.loads(path.read_bytes())
    key = record.get(key_field)
    target = data.setdefault(table, {})
    doc_id = str(doc_id_for(key)) if isinstance(key, str) else "12345"
    target[doc_id] = record
    content = json.dumps(data).replace(f'"{BIG}"', "1e400").encode()
    path.write_bytes(content)
    return content


def everything(store: StateStore) -> dict[str, Any]:
    """Every read the program makes, as plain values (any crash shows here)."""
    return {
        "position": store.position("good"),
        "bad position": store.position("bad"),
        "read": store.chapters_read("good"),
        "bad read": store.chapters_read("bad"),
        "history": [(e.story_id, e.chapter) for e in store.history()],
        "acknowledged": store.acknowledged("good"),
        "gate": store.gate_passed("good", 3),
        "fold": store.fold("good", "ch1-before-0"),
        "status": store.statuses(),
        "bookmarks": [(b.story_id, b.chapter, b.note) for b in store.bookmarks()],
        "width": store.pref("reading_width"),
        "hidden": store.pref("hidden_warnings"),
        "wpm": store.words_per_minute(),
    }


@pytest.mark.parametrize(
    ("label", "table", "key_field", "record"), DAMAGED, ids=[d[0] for d in DAMAGED]
)
def test_damaged_record_is_dropped_kept_aside_and_the_rest_kept(
    data_dir: Path, label: str, table: str, key_field: str, record: dict[str, Any]
) -> None:
    path = good_state(data_dir)
    expected = everything(StateStore(data_dir))
    original = damage(path, table, key_field, record)
    told: list[str] = []

    store = StateStore(data_dir, on_warning=told.append)

    seen = everything(store)  # no crash, and every valid record is still there
    if label == "hidden_warnings 5":  # the damaged preference falls back to its default
        expected["hidden"] = []
    assert seen == expected, label
    aside = set_aside_files(path)
    assert len(aside) == 1
    assert aside[0].read_bytes() == original  # the whole original, damaged record included
    assert len(told) == 1 and told == store.warnings  # told once
    message = told[0]
    assert str(path) in message and aside[0].name in message and "\n" not in message
    assert table in message or record.get(key_field, "") in message

    # the file on disk is clean now: a new session reads it without a word
    again = StateStore(data_dir)
    assert again.warnings == [] and everything(again) == expected
    assert len(set_aside_files(path)) == 1
    # and the session works on
    store.save_position("bad", Position(1, 1), write_now=True)
    assert StateStore(data_dir).position("bad") == Position(1, 1)


def test_several_damaged_records_one_warning_one_copy(data_dir: Path) -> None:
    path = good_state(data_dir)
    for _, table, key_field, record in DAMAGED[:2] + DAMAGED[5:]:
        damage(path, table, key_field, record)
    original = path.read_bytes()
    store = StateStore(data_dir)
    assert len(store.warnings) == 1 and "damaged record" in store.warnings[0]
    assert "3 more" in store.warnings[0]  # chapter text+null share a key: 4 records in all
    (aside,) = set_aside_files(path)
    assert aside.read_bytes() == original
    assert store.position("good") == Position(2, 5, 7)


def test_damaged_record_written_by_another_session_meanwhile(data_dir: Path) -> None:
    path = good_state(data_dir)
    store = StateStore(data_dir)
    assert store.warnings == []
    original = damage(path, "progress", "story_id", {"story_id": "bad", "chapter": "abc"})
    assert store.position("good") == Position(2, 5, 7)  # re-read: no crash, the rest kept
    assert store.position("bad") is None
    assert len(store.warnings) == 1
    (aside,) = set_aside_files(path)
    assert aside.read_bytes() == original


def test_when_no_copy_can_be_kept_aside_the_file_is_not_touched(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = good_state(data_dir)
    original = damage(path, "progress", "story_id", {"story_id": "bad", "chapter": None})
    real_open = os.open

    def refuse_new_files(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT and ".corrupt-" in str(file):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(state_module.os, "open", refuse_new_files)
    store = StateStore(data_dir)
    assert store.position("good") == Position(2, 5, 7)
    store.save_position("good", Position(9, 9), write_now=True)
    assert path.read_bytes() == original  # never rewritten without the copy
    assert len(store.warnings) == 1 and "No space left on device" in store.warnings[0]
    unsaved = store.close()
    assert unsaved is not None and str(path) in unsaved


# ------------------------------------------------------------------ no permission to read


def test_file_unreadable_for_lack_of_permission_is_not_corrupt(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = good_state(data_dir)
    original = path.read_bytes()
    real_open = os.open

    def no_permission(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(file) == path and not flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(state_module.os, "open", no_permission)
    told: list[str] = []
    store = StateStore(data_dir, on_warning=told.append)
    assert set_aside_files(path) == []  # kept where it is
    assert len(told) == 1 and str(path) in told[0] and "Permission denied" in told[0]
    assert "moved aside" not in told[0]
    # the session runs read-only: changes are kept in memory, the file is never replaced
    store.save_position("good", Position(7, 0), write_now=True)
    store.acknowledge("new")
    assert store.position("good") == Position(7, 0) and store.acknowledged("new")
    store.flush()
    assert path.read_bytes() == original
    unsaved = store.close()
    assert unsaved is not None and str(path) in unsaved and "Permission denied" in unsaved
    assert len(store.warnings) == 1

    monkeypatch.setattr(state_module.os, "open", real_open)  # permission given back
    again = StateStore(data_dir)
    assert again.warnings == [] and again.position("good") == Position(2, 5, 7)
