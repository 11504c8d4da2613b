"""Identity by source in the app (issue 15, item 1).

A reader file written before identity by source (by hand here, in the shape tui-reader wrote
it: records keyed by the old id, a hash of format, title and author) holds a place, a status,
an accepted warning and a bookmark for a FanFicFare story read as HTML. The library now holds
that story as HTML and as a newer EPUB: it lists one row (the EPUB), the place, status and
bookmark are the story's under its new id, and the reader resumes there without asking about
the warnings again; the bookmark made in the HTML opens in the EPUB. Opening the file directly
(no library) adopts the old state the same way. And an EPUB replaced by the same story as HTML
keeps the place, the bookmarks and the status.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from test_app import screen_text

from tests.fixtures.fanficfare import FanFicFare
from tests.fixtures.reader_files import story_ids_in
from tui_reader.importers import load_story
from tui_reader.library_query import STATUS_LABELS
from tui_reader.model import Story
from tui_reader.state import Position, StateStore, doc_id_for
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.bookmarks import BookmarksScreen
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.widgets.library_table import CONTINUE_KEY, LibraryTable

SIZE = (160, 40)
SID = 1001
NEW_ID = f"test1.com:sid:{SID}"
PLACE = Position(1, 2, 0)
"""Chapter 2, its third paragraph."""


def lantern_library(fanficfare: FanFicFare, root: Path) -> tuple[Path, Path, Path]:
    """A library holding story 1001 as FanFicFare HTML and, a day newer, as EPUB."""
    library = root / "library"
    library.mkdir()
    html = Path(shutil.copy(fanficfare.make("html", SID), library / "lantern.html"))
    epub = Path(shutil.copy(fanficfare.make("epub", SID), library / "lantern.epub"))
    os.utime(html, (1_700_000_000, 1_700_000_000))
    os.utime(epub, (1_700_086_400, 1_700_086_400))
    return library, html, epub


def write_old_reader_file(data_dir: Path, story: Story, path: Path) -> Path:
    """The reader file an older tui-reader left after reading ``story`` from ``path``."""
    old = story.legacy_id
    slot = str(doc_id_for(old))
    mark = "3c1d0e5f7a9b2468"
    data: dict[str, Any] = {
        "meta": {"1": {"schema_version": 1, "write": "00112233445566aa"}},
        "progress": {
            slot: {
                "story_id": old,
                "chapter": PLACE.chapter,
                "paragraph": PLACE.paragraph,
                "offset": 0,
                "when": 1_700_050_000.0,
                "title": story.title,
                "path": str(path),
                "read": [0],
            }
        },
        "acknowledgements": {
            slot: {"story_id": old, "acknowledged": True, "when": 1_700_040_000.0, "gates": []}
        },
        "statuses": {slot: {"story_id": old, "status": "reading", "when": 1_700_040_001.0}},
        "bookmarks": {
            str(doc_id_for(mark)): {
                "id": mark,
                "story_id": old,
                "story_title": story.title,
                "path": str(path),
                "chapter": 1,
                "paragraph": 1,
                "offset": 0,
                "note": "brass at the chandler's",
                "snippet": "Lorem ipsum",
                "created": 1_700_045_000.0,
            }
        },
    }
    reader = data_dir / "readers" / "local.json"
    reader.parent.mkdir(parents=True, exist_ok=True)
    reader.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    return reader


async def test_old_state_follows_the_story_to_its_new_id_and_file(
    fanficfare: FanFicFare, tmp_path: Path, data_dir: Path
) -> None:
    library, html, epub = lantern_library(fanficfare, tmp_path)
    from_html = load_story(html)
    assert from_html.story_id == load_story(epub).story_id == NEW_ID
    assert len(from_html.chapters[PLACE.chapter].blocks) > PLACE.paragraph
    reader = write_old_reader_file(data_dir, from_html, html)

    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        table = app.screen.query_one(LibraryTable)
        # one row for the story, from the newer file, with the status read under the old id
        assert [row.entry.path for row in table.rows_by_key.values()] == [epub]
        assert table.get_row_at(0)[0].plain.startswith("▶ Continue: The Lantern Keeper")
        assert table.get_row_at(0)[2].plain == "Ch. 2 of 4"
        story_row = table.get_row_index(str(epub))
        cells = [cell.plain for cell in table.get_row_at(story_row)]
        assert STATUS_LABELS["reading"] in cells
        assert cells[2].startswith("1/4")  # chapter 1 was read
        table.move_cursor(row=story_row)
        await pilot.pause()
        assert "Also in: lantern.html" in screen_text(app)
        assert "1 stories" in screen_text(app)

        table.move_cursor(row=0)
        assert table.current_key() == CONTINUE_KEY
        await pilot.press("enter")  # resumes: no warning asked again, same paragraph
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.session.path == str(epub)
        assert app.screen.position() == PLACE

        await pilot.press("B")
        await pilot.pause()
        assert isinstance(app.screen, BookmarksScreen)
        assert "brass at the chandler's" in screen_text(app)
        await pilot.press("enter")  # made in the HTML, opens in the story's newest file
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.session.path == str(epub)
        assert app.screen.position() == Position(1, 1, 0)
        await pilot.press("escape")
        await pilot.pause()
    assert story_ids_in(reader) == {NEW_ID}
    store = StateStore(data_dir)
    assert store.status(NEW_ID) == "reading"
    assert [b.note for b in store.bookmarks(NEW_ID)] == ["brass at the chandler's"]
    assert store.acknowledged(NEW_ID)


async def test_a_story_opened_directly_adopts_its_old_state(
    fanficfare: FanFicFare, tmp_path: Path, data_dir: Path
) -> None:
    _library, _html, epub = lantern_library(fanficfare, tmp_path)
    story = load_story(epub)
    reader = write_old_reader_file(data_dir, story, epub)

    app = TuiReaderApp(epub, data_dir=data_dir, story=story)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)  # the warning was accepted before
        assert app.screen.position() == PLACE
        assert app.store.status(NEW_ID) == "reading"
        await pilot.press("q")
        await pilot.pause()
    assert story_ids_in(reader) == {NEW_ID}


async def test_replacing_the_epub_with_html_keeps_place_bookmarks_and_status(
    fanficfare: FanFicFare, tmp_path: Path, data_dir: Path
) -> None:
    library, html, epub = lantern_library(fanficfare, tmp_path)
    html.unlink()
    story = load_story(epub)
    store = StateStore(data_dir)
    store.save_position(NEW_ID, PLACE, title=story.title, path=str(epub), write_now=True)
    store.set_status(NEW_ID, "on hold")
    store.acknowledge(NEW_ID)
    store.add_bookmark(NEW_ID, story.title, str(epub), Position(2, 0, 0), note="the wall")
    assert store.close() is None
    epub.unlink()  # the reader downloads the story again, as HTML this time
    html = Path(shutil.copy(fanficfare.make("html", SID), library / "lantern.html"))

    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(LibraryTable)
        assert [row.entry.path for row in table.rows_by_key.values()] == [html]
        cells = [cell.plain for cell in table.get_row_at(table.get_row_index(str(html)))]
        assert STATUS_LABELS["on hold"] in cells
        assert table.current_key() == CONTINUE_KEY
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.session.path == str(html)
        assert app.screen.position() == PLACE
        await pilot.press("B")
        await pilot.pause()
        await pilot.press("enter")  # the bookmark's EPUB is gone: it opens in the HTML
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.session.path == str(html)
        assert app.screen.position() == Position(2, 0, 0)
