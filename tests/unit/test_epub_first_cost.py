"""What an EPUB's first chapter does not need is left out: the AO3 and FanFicFare readers are
not loaded for a generic book, and member names that are ASCII are read without the ``cp437``
codec; a name that is not ASCII still reads as Python's zip reader reads it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from tests.conftest import REPO
from tests.fixtures.html_builders import chapters, generic_epub3
from tui_reader.importers import epub, load_first_chapter, load_story

_LOADED = textwrap.dedent(
    """
    import sys
    from tui_reader.importers import load_first_chapter
    story = load_first_chapter(sys.argv[1])
    assert story is not None and story.chapters
    lazy = ("_ao3_html", "_fff_html", "_txt_header")
    print(" ".join(m for m in lazy if f"tui_reader.importers.{m}" in sys.modules))
    """
)
"""Reads a book's first chapter and prints which of the lazily loaded readers were loaded."""


def test_a_generic_books_first_chapter_loads_neither_ao3_nor_fanficfare_reader(
    tmp_path: Path,
) -> None:
    """Nothing in a plain book (no ``dl``, no bold labels) needs the AO3 or FanFicFare reader."""
    path = generic_epub3(tmp_path / "g3.epub", chapters(3))
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == ""


def _with_name_bytes(path: Path, old: bytes, new: bytes) -> None:
    """Rewrite a member name's bytes in place (local header and central directory), leaving
    the zip's UTF-8 flag unset: a name in the zip's historical code page, cp437."""
    data = path.read_bytes()
    assert data.count(old) == 2 and len(old) == len(new)
    path.write_bytes(data.replace(old, new))


def test_a_member_name_outside_ascii_reads_as_cp437(tmp_path: Path) -> None:
    """A name with a byte above 127 and no UTF-8 flag is decoded as code page 437, as Python's
    zip reader decodes it, and the book reads the same as one whose name is ASCII."""
    path = generic_epub3(tmp_path / "g3.epub", chapters(3))
    with zipfile.ZipFile(path) as archive:
        assert all(not i.flag_bits & 0x800 for i in archive.infolist())
    plain = load_story(path).to_dict()
    # (a member the book does not read: its name is all that changes)
    extra = tmp_path / "extra.epub"
    extra.write_bytes(path.read_bytes())
    with zipfile.ZipFile(extra, "a") as archive:
        archive.writestr("OEBPS/Images/cafX.png", b"\x89PNG")
    _with_name_bytes(extra, b"cafX.png", b"caf\x82.png")
    book = epub._Book(extra.read_bytes())
    assert "OEBPS/Images/caf\u00e9.png" in book.names
    assert book.read("OEBPS/Images/caf\u00e9.png") == b"\x89PNG"
    whole = load_story(extra).to_dict()
    whole["source"] = plain["source"]
    assert whole == plain
    first = load_first_chapter(extra)
    assert first is not None and first.chapters
