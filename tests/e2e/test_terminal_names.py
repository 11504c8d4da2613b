"""The raw bytes the reader writes to a real terminal never carry controls from file names.

The reader runs under ``script`` (which records every byte written to the terminal) inside tmux,
on a library whose file names, EPUB member names and metadata carry OSC 52 (write the clipboard)
and the 8-bit CSI, and a file whose name is not UTF-8. We walk every row (the summary line names
broken files), open the broken one (its notification quotes the member name), search, and quit;
then the recording must hold the names, without the controls.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from test_terminal import Terminal

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        shutil.which("tmux") is None or shutil.which("script") is None,
        reason="tmux or script is not installed",
    ),
]

OSC52 = "\x1b]52;c;cm0gLXJmIH4K\x07"
"""Write "rm -rf ~" to the terminal's clipboard."""

C1_CSI = "\x9b31m"
"""The 8-bit CSI."""

SHOWN = b"]52;c;cm0gLXJmIH4K"
"""What is left of the OSC 52 sequence once its controls are removed."""


def crafted_epub(path: Path, *, broken: bool) -> None:
    """An EPUB whose package member name carries OSC 52 and whose title carries the 8-bit CSI."""
    opf = (
        '<?xml version="1.0"?>\n<package xmlns="http://www.idpf.org/2007/opf" version="2.0">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>Gull{C1_CSI} Tales</dc:title></metadata>"
        '<manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest>'
        '<spine><itemref idref="c1"/></spine></package>'
    )
    chapter = (
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>One</title></head>'
        "<body><p>The gulls argued over the nets.</p></body></html>"
    )
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/epub+zip")
        book.writestr(f"OEBPS/pkg{OSC52}.opf", "<package><unclosed>" if broken else opf)
        book.writestr("OEBPS/c1.xhtml", chapter)


def write_library(root: Path, *, non_utf8: bool) -> Path:
    """The library: a plain story, crafted EPUBs (one broken, in a subfolder), hostile names."""
    lib = root / "lib"
    (lib / "sub").mkdir(parents=True)
    (lib / "harbour.md").write_text(
        '+++\ntitle = "Harbour Lights"\n+++\n\n# One\n\nThe gulls circled the harbour.\n',
        encoding="utf-8",
    )
    crafted_epub(lib / "gull-tales.epub", broken=False)
    crafted_epub(lib / "sub" / f"bad{OSC52}.epub", broken=True)
    (lib / f"named{OSC52}{C1_CSI}.txt").write_text(
        "Chapter 1: Quay\n\nThe gulls slept on the quay.\n", encoding="utf-8"
    )
    if non_utf8:
        odd = os.fsencode(lib) + b"/caf\xe9.txt"
        with open(odd, "wb") as out:
            out.write(b"Chapter 1: Arrival\n\nThe gulls met the ferry.\n")
    return lib


def record_session(tmp_path: Path, lib: Path, name: str) -> tuple[bytes, str]:
    """Run the reader on ``lib`` under script in tmux, walk it, quit; the raw bytes and screen."""
    raw = tmp_path / "terminal.raw"
    data = tmp_path / "data"
    reader = shlex.join([sys.executable, "-m", "tui_reader", str(lib)])
    command = ["script", "-q", "-f", "-e", "-c", reader, str(raw)]
    env = {
        "TERM": "xterm-256color",
        "TUI_READER_DATA": str(data),
        "COLORTERM": "",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    term = Terminal(f"{name}-{os.getpid()}", command, env, (110, 30))
    try:
        term.wait_for(lambda ls: any("cannot be opened" in line for line in ls))
        for _ in range(6):  # every row in turn: the summary line follows the cursor
            term.keys("Down")
        term.keys("Enter")  # the last row is the broken EPUB: its reason as a notification
        seen = term.wait_for(lambda ls: any("Cannot open" in line for line in ls))
        term.keys("S")
        term.wait_for(lambda ls: any("Search every story" in line for line in ls))
        term.keys("g", "u", "l", "l", "s")
        term.wait_for(lambda ls: any("matching paragraphs" in line for line in ls))
        term.keys("Escape", "q")
        term.wait_for(lambda ls: any("EXITED 0" in line for line in ls), timeout=30)
    finally:
        term.kill()
    return raw.read_bytes(), "\n".join(seen)


def assert_no_name_controls(recording: bytes) -> None:
    """The names were shown, but no OSC 52 and no 8-bit CSI reached the terminal."""
    assert SHOWN in recording  # the crafted names were on screen
    assert b"\x1b]52" not in recording
    assert "\x9b".encode() not in recording
    # the only BELs are Textual's own pointer-shape OSC 22 terminators
    assert b"\x07" not in re.sub(rb"\x1b\]22;[a-z-]*\x07", b"", recording)


def test_crafted_names_reach_the_terminal_without_controls(tmp_path: Path) -> None:
    lib = write_library(tmp_path, non_utf8=False)
    recording, screen = record_session(tmp_path, lib, "tr-names")
    assert_no_name_controls(recording)
    assert "Cannot open sub/bad]52;c;cm0gLXJmIH4K.epub" in screen
    assert str(lib) not in screen


def test_a_non_utf8_name_is_shown_with_a_replacement_character(tmp_path: Path) -> None:
    lib = write_library(tmp_path, non_utf8=True)
    recording, _screen = record_session(tmp_path, lib, "tr-latin1")
    assert_no_name_controls(recording)
    assert "Caf\ufffd".encode() in recording
    assert b"Traceback" not in recording
