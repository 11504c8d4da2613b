"""Library-wide search in the app lists a story kept in two files (an older and a newer copy of
one work: one story id) once, from the file the library lists (the newest)."""

from __future__ import annotations

import os
from pathlib import Path

from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.search import SearchScreen
from tui_reader.ui.widgets.library_table import LibraryTable

SIZE = (100, 32)


def write_copy(folder: Path, name: str, text: str, when: int) -> Path:
    """One file of the story "Heron Weather" by Wren Tally, modified at ``when``."""
    path = folder / name
    path.write_text(
        f'+++\ntitle = "Heron Weather"\nauthor = "Wren Tally"\n+++\n\n# One\n\n{text}\n',
        encoding="utf-8",
    )
    os.utime(path, (when, when))
    return path


async def test_search_lists_a_story_in_two_files_once(tmp_path: Path, data_dir: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    write_copy(library, "heron.md", "The heron waited on the weir.", 1_700_000_000)
    newer = write_copy(library, "heron-2.md", "The heron waited on the old weir.", 1_800_000_000)
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.screen.query_one(LibraryTable).rows_by_key) == 1
        await pilot.press("ctrl+f")
        await pilot.press(*"heron")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert [(h.path, h.plain_snippet()) for h in screen.hits] == [
            (str(newer), "The heron waited on the old weir.")
        ]
        assert "1 matching paragraphs for heron" in str(screen.query_one("#search-status").render())
