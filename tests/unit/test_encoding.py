"""Encodings: BOMs, UTF-16, legacy code pages; smart quotes come out right."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tests.fixtures.fanficfare import FanFicFare
from tui_reader.importers import load_story
from tui_reader.importers.encoding import DecodeError, decode_text
from tui_reader.model import StoryError

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


def test_stray_nul_and_control_bytes_are_text(tmp_path: Path) -> None:
    """Issue 11 item 7: a stray NUL or control byte does not make a text file binary."""
    raw = TEXT.replace("she said", "she\x00 said\x07").encode("utf-8")
    path = tmp_path / "s.txt"
    path.write_bytes(raw)
    assert _paragraph(path) == "“Keep it,” she said — it’s yours. Señora Núñez nodded."


def test_stray_nul_in_fanficfare_output(tmp_path: Path, fanficfare: FanFicFare) -> None:
    """FanFicFare's TXT with a NUL and a bell byte dropped into a chapter reads as before."""
    made = fanficfare.make("txt", 1003).read_bytes()
    broken = made.replace(b"Hard coded ids:", b"Hard\x00 coded\x01 ids:", 1)
    assert broken != made
    path = tmp_path / "ferry.txt"
    path.write_bytes(broken)
    story = load_story(path)
    clean = load_story(fanficfare.make("txt", 1003))
    assert story.source.format == "fff-txt"
    assert [b.text for b in story.chapters[0].blocks] == [b.text for b in clean.chapters[0].blocks]


def test_utf16_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_bytes(TEXT.encode("utf-16-le"))
    assert _paragraph(path) == "“Keep it,” she said — it’s yours. Señora Núñez nodded."


@pytest.mark.parametrize(
    "raw",
    [bytes(range(256)) * 64, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(32)) * 8],
    ids=["all-bytes", "png-like"],
)
def test_mostly_binary_is_refused(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "s.txt"
    path.write_bytes(raw)
    with pytest.raises(StoryError, match="binary"):
        load_story(path)
