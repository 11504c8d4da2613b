"""``tui-reader inspect``: the outline and the JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from tui_reader.inspect import run_inspect

DUMP = (
    "Night Ferry\n\nTotal Chapters: 5\n\nTwo strangers share a cabin.\n\n"
    "A/N: Warning: major character death later on. Consider chapter 3 the last one you read.\n\n"
    "Chapter 1: Departure\n\nA/N: short one.\n\nThe horn sounded twice.\n\n***\n\nRain.\n\n"
    "Chapter 2: Fog\n\nNobody slept.\n"
)


def _run(path: Path, *, as_json: bool, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run inspect in-process; (status, stdout, stderr)."""
    status = run_inspect(argparse.Namespace(file=str(path), json=as_json, audit=False))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_outline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ferry.txt"
    path.write_text(DUMP, encoding="utf-8")
    status, out, err = _run(path, as_json=False, capsys=capsys)
    assert status == 0 and err == ""
    assert "Title:    Night Ferry" in out
    assert "Warnings: Major Character Death" in out
    assert "Gate before chapter 4: Consider chapter 3 the last one you read." in out
    assert "Chapters: 2/5" in out
    assert "Words:    7" in out
    assert "Note (before): Warning: major character death later on." in out
    lines = out.splitlines()
    assert "   1  Departure  5 words  notes: 1 before, 0 after" in lines
    assert "   2  Fog  2 words" in lines


def test_json_is_story_to_dict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ferry.txt"
    path.write_text(DUMP, encoding="utf-8")
    status, out, _ = _run(path, as_json=True, capsys=capsys)
    assert status == 0
    data = json.loads(out)
    assert data["title"] == "Night Ferry"
    assert data["chapters_total"] == 5
    assert data["warning_gates"] == [
        {"before_chapter": 4, "reason": "Consider chapter 3 the last one you read."}
    ]
    assert data["source"] == {"path": str(path), "format": "archive-txt"}
    kinds = [b["kind"] for b in data["chapters"][0]["blocks"]]
    assert kinds == ["paragraph", "scene_break", "paragraph"]
    assert data["chapters"][0]["notes_before"] == ["short one."]
    assert set(data) >= {"summary", "rating", "warnings", "content_notes", "tags", "words", "notes"}
    assert "“" not in out or "\\u201c" not in out


def test_unknown_chapter_total_shows_a_question_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("Just one paragraph of text, nothing else here at all.\n", encoding="utf-8")
    status, out, _ = _run(path, as_json=False, capsys=capsys)
    assert status == 0
    assert "Chapters: 1/?" in out
    assert "Title:    Plain" in out


def test_failure_prints_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "story.docx"
    path.write_bytes(b"not a story")
    status, out, err = _run(path, as_json=True, capsys=capsys)
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"error: {path}: unsupported file type .docx")


@pytest.mark.timeout(30)
def test_a_named_pipe_is_refused_not_waited_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A FIFO named like a story made ``inspect`` (and the reader) wait forever for a writer."""
    import os

    from tui_reader.importers import load_first_chapter

    path = tmp_path / "fifo.txt"
    os.mkfifo(path)
    status, out, err = _run(path, as_json=False, capsys=capsys)
    assert status == 1 and out == ""
    assert (
        err
        == f"error: {path}: is not a regular file (a pipe, socket or device), so it is not read\n"
    )
    assert load_first_chapter(path) is None  # (the reader's first read declines at once too)
