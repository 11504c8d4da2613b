"""Hostile XML in an EPUB's container.xml, OPF and NCX is refused by the first-chapter read
(:func:`tui_reader.importers.epub.load_first`, the path a first open takes before its first
frame) as by the whole import: an entity declaration or an external entity is never expanded
or fetched, and the reason says the file is unsafe."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.fixtures.html_builders import generic_epub2
from tui_reader.importers import epub, load_first_chapter, load_story
from tui_reader.model import StoryError

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE p [
<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<p>&d;</p>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<p>&secret;</p>"""

CONTAINER_WITH_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE container [<!ENTITY opf SYSTEM "file:///etc/hostname">]>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="&opf;" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""


def _with_member(path: Path, name: str, data: bytes) -> Path:
    """The EPUB at ``path`` written again with member ``name`` replaced by ``data``."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w") as zf:
        for info, old in members:
            zf.writestr(info, data if info.filename == name else old)
    return path


def test_an_external_entity_in_container_xml_is_refused_first_and_whole(tmp_path: Path) -> None:
    path = _with_member(
        generic_epub2(tmp_path / "c.epub"), "META-INF/container.xml", CONTAINER_WITH_ENTITY
    )
    assert load_first_chapter(path) is None
    with pytest.raises(ValueError, match=r"container\.xml.*unsafe"):
        epub.load_first(path, path.read_bytes())
    with pytest.raises(StoryError) as info:
        load_story(path)
    assert "unsafe" in info.value.reason


def test_an_entity_bomb_in_the_opf_is_refused_by_the_first_chapter_read(tmp_path: Path) -> None:
    path = _with_member(generic_epub2(tmp_path / "o.epub"), "OEBPS/content.opf", BILLION_LAUGHS)
    with pytest.raises(ValueError, match=r"content\.opf.*unsafe"):
        epub.load_first(path, path.read_bytes())
    assert load_first_chapter(path) is None


def test_an_ncx_declaring_entities_is_passed_over(tmp_path: Path) -> None:
    """The contents are then unknown (as for a broken NCX): every file is read, none expanded."""
    path = _with_member(generic_epub2(tmp_path / "n.epub"), "OEBPS/toc.ncx", EXTERNAL_ENTITY)
    story = load_story(path)
    first = load_first_chapter(path)
    assert story.chapters and first is not None
    assert first.chapters[0].to_dict() == story.chapters[0].to_dict()
    text = " ".join(b.text for c in story.chapters for b in c.blocks)
    assert "root:" not in text


@pytest.mark.parametrize("control", [b"\x1b[31m", b"&#27;[31m", b"&#x1B;[31m", b"\x07"])
def test_a_control_character_in_the_opf_is_dropped_not_fatal(
    tmp_path: Path, control: bytes
) -> None:
    """A terminal colour code copied into a title (raw, or as a character reference) made the
    whole package malformed XML and the book unreadable; the control character is dropped (as
    the sanitiser drops it from any text) and the rest is read, first chapter and whole."""
    path = generic_epub2(tmp_path / "t.epub")
    with zipfile.ZipFile(path) as zf:
        opf = zf.read("OEBPS/content.opf")
    start = opf.index(b"<dc:title>") + len(b"<dc:title>")
    title = opf[start : opf.index(b"</dc:title>")]
    _with_member(path, "OEBPS/content.opf", opf[:start] + control + opf[start:])
    story = load_story(path)
    shown = control.replace(b"\x1b", b"").replace(b"&#27;", b"").replace(b"&#x1B;", b"")
    assert story.title == (shown.replace(b"\x07", b"") + title).decode()
    assert "\x1b" not in story.title and story.chapters
    first = load_first_chapter(path)
    assert first is not None and first.title == story.title
