"""File names, EPUB member names and metadata never reach stdout/stderr as terminal controls.

A crafted EPUB is built here with zipfile: its package file's member name carries an OSC 52
(write the clipboard) sequence, and so do its title and author. A story file is named with ESC
too. ``tui-reader inspect``, ``tui-reader search`` and the single-file error must print them
with every control removed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from test_cli import run

from tui_reader.library import Library
from tui_reader.model import StoryError
from tui_reader.text import REMOVED_CODEPOINTS

OSC52 = "\x1b]52;c;cm0gLXJmIH4K\x07"
"""Write "rm -rf ~" to the terminal's clipboard."""

C1_CSI = "\x9b31m"
"""The 8-bit CSI: paints red on terminals that take C1 controls."""


def assert_clean(text: str) -> None:
    """No control character that sanitise removes is left in ``text`` (newlines are fine)."""
    bad = sorted({f"U+{ord(c):04X}" for c in text if ord(c) in REMOVED_CODEPOINTS})
    assert not bad, f"controls reached the output: {bad}\n{text!r}"


def crafted_epub(path: Path, *, broken: bool) -> Path:
    """An EPUB whose OPF member name and metadata carry OSC 52; ``broken`` makes the OPF bad XML."""
    opf_name = f"OEBPS/pkg{OSC52}.opf"
    # XML 1.0 cannot carry ESC even as a character reference, so container.xml names a package
    # file that is not there and the reader falls back to the only .opf in the zip: the member
    # name keeps the raw control bytes.
    container = (
        '<?xml version="1.0"?>\n<container version="1.0" '
        'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
        '<rootfile full-path="missing.opf" media-type="application/oebps-package+xml"/>'
        "</rootfiles></container>"
    )
    title = f"Harbour{C1_CSI} Tales"
    opf = (
        '<?xml version="1.0"?>\n<package xmlns="http://www.idpf.org/2007/opf" version="2.0" '
        'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{title}</dc:title><dc:creator>Ann{C1_CSI}Writer</dc:creator>"
        '<dc:identifier id="id">crafted-1</dc:identifier></metadata>'
        '<manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest>'
        '<spine><itemref idref="c1"/></spine></package>'
    )
    if broken:
        opf = opf.replace("</package>", "<unclosed>")
    chapter = (
        '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>One'
        "</title></head><body><h1>One</h1><p>The tide turned at the harbour wall.</p></body></html>"
    )
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", container)
        book.writestr(opf_name, opf)
        book.writestr("OEBPS/c1.xhtml", chapter)
    return path


@pytest.fixture
def crafted(tmp_path: Path) -> Path:
    """A library: a crafted good EPUB, a crafted broken EPUB, a story file named with ESC."""
    lib = tmp_path / "lib"
    lib.mkdir()
    crafted_epub(lib / "good.epub", broken=False)
    crafted_epub(lib / f"bad{OSC52}.epub", broken=True)
    (lib / f"named{OSC52}{C1_CSI}.txt").write_text(
        "Chapter 1: Quay\n\nThe tide turned at the quay wall too.\n", encoding="utf-8"
    )
    return lib


def test_inspect_of_a_crafted_epub_prints_no_controls(crafted: Path, data_dir: Path) -> None:
    good = run("inspect", str(crafted / "good.epub"))
    assert good.returncode == 0, good.stderr
    assert "Title:    Harbour31m Tales" in good.stdout
    assert_clean(good.stdout)
    as_json = run("inspect", "--json", str(crafted / "good.epub"))
    assert as_json.returncode == 0
    assert_clean(as_json.stdout)


def test_inspect_error_naming_a_crafted_member_prints_no_controls(
    crafted: Path, data_dir: Path
) -> None:
    bad = run("inspect", str(crafted / f"bad{OSC52}.epub"))
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert len(bad.stderr.splitlines()) == 1
    assert "]52;c;cm0gLXJmIH4K.opf inside the EPUB is malformed XML" in bad.stderr
    assert "bad]52;c;cm0gLXJmIH4K.epub: " in bad.stderr
    assert_clean(bad.stderr)


def test_search_prints_crafted_names_without_controls(crafted: Path, data_dir: Path) -> None:
    result = run("search", "tide", "--library", str(crafted))
    assert result.returncode == 0, result.stderr
    assert "named]52;c;cm0gLXJmIH4K31m.txt" in result.stdout
    assert "Harbour31m Tales" in result.stdout
    assert_clean(result.stdout + result.stderr)
    as_json = run("search", "tide", "--json", "--library", str(crafted))
    assert as_json.returncode == 0
    assert_clean(as_json.stdout)


def test_single_file_error_prints_no_controls(crafted: Path, data_dir: Path) -> None:
    result = run(str(crafted / f"bad{OSC52}.epub"))
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert "malformed XML" in result.stderr
    assert_clean(result.stderr)
    missing = run(str(crafted / f"gone{OSC52}.md"))
    assert missing.returncode == 1
    assert "no such file or folder" in missing.stderr
    assert_clean(missing.stderr)


def test_library_entries_of_crafted_files_are_clean(crafted: Path, data_dir: Path) -> None:
    entries = Library(crafted, data_dir).scan()
    assert len(entries) == 3
    for entry in entries:
        assert_clean(entry.title + (entry.author or "") + (entry.error or ""))
    broken = next(e for e in entries if e.error)
    assert "malformed XML" in (broken.error or "")


def test_story_error_reason_is_sanitised() -> None:
    error = StoryError("x.epub", f"member {OSC52} is bad")
    assert error.reason == "member ]52;c;cm0gLXJmIH4K is bad"
