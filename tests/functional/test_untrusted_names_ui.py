"""The reader with hostile or odd file names: what the screens and notifications show.

File names carrying OSC 52 and 8-bit CSI, a crafted EPUB whose error quotes such a member name,
a file name that is not UTF-8, and a data dir whose cache cannot be made. The library lists
them, the notifications name them relative to the library with every control removed, and the
session lives.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from test_app import screen_text

from tests.fixtures.pilot import settle
from tui_reader.text import REMOVED_CODEPOINTS
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.screens.search import SearchScreen
from tui_reader.ui.widgets.library_table import LibraryTable

SIZE = (120, 32)
OSC52 = "\x1b]52;c;cm0gLXJmIH4K\x07"
C1_CSI = "\x9b31m"


def clean(text: str) -> bool:
    """True when no control character that sanitise removes is in ``text``."""
    return not any(ord(c) in REMOVED_CODEPOINTS for c in text)


def bad_epub(path: Path) -> Path:
    """A zip whose only package file is named with OSC 52 and is not well-formed XML."""
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/epub+zip")
        book.writestr(f"OEBPS/pkg{OSC52}.opf", "<package><unclosed>")
    return path


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A story, a crafted broken EPUB in a subfolder, and a story named with controls."""
    lib = tmp_path / "lib"
    (lib / "sub").mkdir(parents=True)
    (lib / "harbour.md").write_text(
        '+++\ntitle = "Harbour Lights"\n+++\n\n# One\n\nThe gulls circled the harbour.\n',
        encoding="utf-8",
    )
    bad_epub(lib / "sub" / f"bad{OSC52}.epub")
    (lib / f"named{OSC52}{C1_CSI}.txt").write_text(
        "Chapter 1: Quay\n\nThe gulls slept on the quay.\n", encoding="utf-8"
    )
    return lib


async def search_for(app: TuiReaderApp, pilot, words: str) -> str:  # type: ignore[no-untyped-def]
    """Open the search screen, type ``words``, wait for the results; the screen's text."""
    await settle(app, pilot)
    await pilot.press("S")
    await settle(app, pilot)
    assert isinstance(app.screen, SearchScreen)
    await pilot.press(*words)
    await settle(app, pilot)
    await pilot.pause(0.2)
    return screen_text(app)


async def test_broken_crafted_epub_row_summary_and_notification(
    library: Path, data_dir: Path
) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(LibraryTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        cells = ["".join(cell.plain for cell in row) for row in rows]
        assert all(clean(text) for text in cells), cells
        broken = next(i for i, text in enumerate(cells) if "cannot open" in text)
        table.move_cursor(row=broken)
        await pilot.pause()
        summary = screen_text(app)
        assert "sub/bad]52;c;cm0gLXJmIH4K.epub: " in summary
        assert clean(summary)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        (note,) = [n for n in app._notifications if n.title.startswith("Cannot open")]
        assert note.title == "Cannot open sub/bad]52;c;cm0gLXJmIH4K.epub"
        assert "]52;c;cm0gLXJmIH4K.opf inside the EPUB is malformed XML" in note.message
        assert clean(note.title + note.message)
        assert str(library) not in note.title + note.message


async def test_a_reason_quoting_the_server_path_is_shown_relative(
    library: Path, data_dir: Path
) -> None:
    app = TuiReaderApp(library, data_dir=data_dir, hosted=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        # what a failed read of a symlink loop says: the absolute path, quoted by the OS
        app.notify(f"could not be read (OSError: [Errno 40] too many links: '{library}/sub/x.md')")
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert shown[-1] == "could not be read (OSError: [Errno 40] too many links: 'sub/x.md')"


async def test_a_story_named_with_controls_opens_and_is_searched(
    library: Path, data_dir: Path
) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        text = await search_for(app, pilot, "gulls")
        assert "named]52;c;cm0gLXJmIH4K31m  Chapter 1: Quay, paragraph 1" in text
        assert clean(text)


async def test_a_non_utf8_file_name_is_listed_and_opens(tmp_path: Path, data_dir: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    odd = Path(os.fsdecode(os.fsencode(lib) + b"/caf\xe9.txt"))
    odd.write_bytes(b"Chapter 1: Arrival\n\nThe ferry came in under a low sky.\n")
    app = TuiReaderApp(lib, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(LibraryTable)
        assert [table.get_row_at(i)[0].plain for i in range(table.row_count)] == ["Caf\ufffd"]
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert "The ferry came in under a low sky." in screen_text(app)


async def test_search_lives_when_the_cache_cannot_be_made(library: Path, data_dir: Path) -> None:
    (data_dir / "cache").write_text("a file where the cache folder should be", encoding="utf-8")
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        text = await search_for(app, pilot, "harbour")
        assert isinstance(app.screen, SearchScreen)
        assert "Harbour Lights  Chapter 1: One, paragraph 1" in text
        messages = [n.message for n in app._notifications]
        assert any("search index cannot be saved" in m for m in messages), messages
