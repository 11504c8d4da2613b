"""Bad input: one clear error line naming the file, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui_reader.importers import load_story
from tui_reader.model import Story, StoryError

BAD = {
    "empty.txt": b"",
    "blank.txt": b"  \n\n \r\n",
    "binary.txt": bytes(range(256)) * 4,
    "nul.txt": b"Chapter 1\n\nSome\x00text\x00with NULs\n",
    "picture.png": b"\x89PNG\r\n\x1a\n",
    "bom-only.txt": b"\xff\xfe",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_raise_story_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(BAD[name])
    with pytest.raises(StoryError) as info:
        load_story(path)
    assert info.value.path == str(path)
    assert info.value.reason and "\n" not in info.value.reason


def test_two_megabyte_single_line_parses(tmp_path: Path) -> None:
    path = tmp_path / "line.txt"
    path.write_text(("word " * 420_000).strip(), encoding="utf-8")
    story = load_story(path)
    assert story.words == 420_000
    assert len(story.chapters[0].blocks) == 1


def _inspect(path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``tui-reader inspect`` on a file."""
    return subprocess.run(
        [sys.executable, "-m", "tui_reader", "inspect", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("name", ["empty.txt", "binary.txt", "picture.png"])
def test_inspect_reports_one_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(BAD[name])
    result = _inspect(path)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: ")
    assert "Traceback" not in result.stderr


def test_inspect_on_a_missing_file(tmp_path: Path) -> None:
    result = _inspect(tmp_path / "nowhere.txt")
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'nowhere.txt'}: no such file"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".txt", ".md", ".html", ".epub"]))
def test_arbitrary_bytes_give_a_story_or_a_story_error(
    tmp_path: Path, data: bytes, suffix: str
) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        story = load_story(path)
    except StoryError as exc:
        assert exc.reason and "\n" not in exc.reason
        return
    assert isinstance(story, Story)
    for chapter in story.chapters:
        for block in chapter.blocks:
            assert "\x00" not in block.text


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("Ch apter1:\n*~-“”‘’.,?! A/N:xoO\t\r")), max_size=400
    )
)
def test_arbitrary_dump_like_text_parses(tmp_path: Path, text: str) -> None:
    path = tmp_path / "dump.txt"
    path.write_text(text, encoding="utf-8")
    try:
        story = load_story(path)
    except StoryError:
        return
    for chapter in story.chapters:
        assert chapter.words >= 0
        assert isinstance(chapter.blocks, list)


@pytest.mark.parametrize(
    ("suffix", "content"),
    [
        (".txt", b"Just a few plain words of story text.\n"),
        (".md", b"Just a few plain words of story text.\n"),
        (".html", b"<html><body><p>Just a few plain words of story text.</p></body></html>"),
    ],
)
def test_title_from_a_hostile_file_name_is_sanitised(
    tmp_path: Path, suffix: str, content: bytes
) -> None:
    path = tmp_path / f"quiet\x1b[31m_hour\u202e{suffix}"
    path.write_bytes(content)
    story = load_story(path)
    assert "\x1b" not in story.title and "\u202e" not in story.title
    assert story.title.casefold().startswith("quiet[31m")
