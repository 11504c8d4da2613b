"""Encodings: BOMs, UTF-16, legacy code pages; smart quotes come out right."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tui_reader.importers import load_story
from tui_reader.importers.encoding import DecodeError, decode_text

TEXT = "Chapter 1: Café\n\n“Keep it,” she said — it’s yours. Señora Núñez nodded.\n"


def _paragraph(path: Path) -> str:
    """The first paragraph of the loaded story."""
    story = load_story(path)
    assert story.chapters[0].title == "Café"
    return story.chapters[0].blocks[0].text


@pytest.mark.parametrize(
    "raw",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le", "utf16-be", "cp1252"],
)
def test_encodings_decode_cleanly(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "s.txt"
    path.write_bytes(raw)
    text = _paragraph(path)
    assert text == "“Keep it,” she said — it’s yours. Señora Núñez nodded."
    assert "\ufffd" not in text and "â€" not in text and "\ufeff" not in text


def test_latin1_file(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_bytes("Chapter 1: Café\n\nÀ bientôt, dit-elle. Ça va très bien.\n".encode("latin-1"))
    assert _paragraph(path) == "À bientôt, dit-elle. Ça va très bien."


def test_decode_text_refuses_binary_and_empty() -> None:
    with pytest.raises(DecodeError):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DecodeError):
        decode_text(b"   \n ")
