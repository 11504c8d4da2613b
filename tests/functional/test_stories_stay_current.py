"""Stories that stay current, the whole way through (issue 15, "done when").

A reader reads into chapter 2 of a three-chapter EPUB that FanFicFare made, bookmarks the place
and marks the story "reading". ``tui-reader update`` (the real command, running the real
FanFicFare with its offline test adapter) brings the EPUB to five chapters. On the next launch
the library row says "+2 new" and the story opens on the same paragraph. Then the EPUB is
replaced by the same story as FanFicFare HTML: the place, the bookmark and the status are still
the story's.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from test_app import open_row, screen_text

from tests.fixtures.fanficfare import GROWING, GROWN, FanFicFare, personal_ini
from tests.fixtures.pilot import settle, top_paragraph, type_text
from tui_reader.importers import load_story
from tui_reader.state import StateStore
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.reader import ReaderScreen

SIZE = (80, 14)
"""Small enough that chapter 2 does not fit on one screen."""


async def open_story(library: Path, data_dir: Path, name: str) -> tuple[int, str, str]:
    """Launch on the library, open ``name``: (chapter, top paragraph, the library's text)."""
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        listed = screen_text(app)
        await open_row(app, pilot, name)
        await settle(app, pilot)
        chapter, text = top_paragraph(app)
        await pilot.press("q")
        await pilot.pause()
    return chapter, text, listed


def run_update(library: Path, data_dir: Path, ini: Path, fanficfare: FanFicFare) -> str:
    """``tui-reader update`` on the library, as a reader runs it; its output."""
    command = shlex.join(fanficfare.command(ini))
    argv = [sys.executable, "-m", "tui_reader", "update", "--library", str(library)]
    done = subprocess.run(
        [*argv, "--delay", "0", "--fanficfare", command],
        env={**os.environ, "TUI_READER_DATA": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


async def test_update_then_a_new_format_keeps_the_place_bookmark_and_status(
    fanficfare: FanFicFare, tmp_path: Path, home: Path
) -> None:
    library, data_dir = tmp_path / "library", tmp_path / "data"
    library.mkdir()
    epub = library / "winter-harbour.epub"
    epub.write_bytes(fanficfare.make("epub", GROWING.sid, personal_ini([GROWING])).read_bytes())
    assert len(load_story(epub).chapters) == 3

    # Read into the middle of chapter 2, bookmark it, and say it is being read.
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_row(app, pilot, epub.name)
        await settle(app, pilot)
        await pilot.press("]")
        await settle(app, pilot)
        # Past the adapter's per-fetch timestamp, into the prose.
        for _ in range(15):
            await pilot.press("}")
            await settle(app, pilot)
            chapter, place = top_paragraph(app)
            if "Lorem ipsum" in place:
                break
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        story_id = screen.story.story_id
        await pilot.press("m")  # bookmark, with a note
        await pilot.pause()
        await type_text(pilot, "the fog")
        await pilot.press("enter")
        await settle(app, pilot)
        app.store.set_status(story_id, "reading")
        await pilot.press("q")
        await pilot.pause()
    assert chapter == 1 and "Lorem ipsum" in place

    # The author posts two chapters; the reader runs the update.
    ini = tmp_path / "personal.ini"
    ini.write_text(personal_ini([GROWN]), encoding="utf-8")
    said = run_update(library, data_dir, ini, fanficfare)
    assert "1 updated, +2 chapters" in said
    assert len(load_story(epub).chapters) == 5

    chapter_after, place_after, listed = await open_story(library, data_dir, epub.name)
    assert "+2 new" in listed
    assert (chapter_after, place_after) == (1, place)

    # The same story as FanFicFare HTML instead of the EPUB.
    html = library / "winter-harbour.html"
    html.write_bytes(fanficfare.make("html", GROWN.sid, personal_ini([GROWN])).read_bytes())
    epub.unlink()
    chapter_html, place_html, _ = await open_story(library, data_dir, html.name)
    assert (chapter_html, place_html) == (1, place)
    store = StateStore(data_dir)
    try:
        new_id = load_story(html).story_id
        assert new_id == story_id
        assert store.status(new_id) == "reading"
        assert [b.note for b in store.bookmarks(new_id)] == ["the fog"]
    finally:
        store.close()
