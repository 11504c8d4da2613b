"""One story file opened: its reading screen is the app's bottom screen when nothing comes first.

No blank screen is composed and painted before the text (the first frame is the reading screen
itself); a story whose warning is due still shows the warning first, over a blank screen.
Leaving the story (escape, q) ends the app with the place saved, as when the reading screen
was pushed over the blank one.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from test_app import BELL

from benchmarks.generate import make_story
from tests.fixtures.pilot import screen_text
from tui_reader.importers import load_first_chapter, load_story
from tui_reader.state import StateStore
from tui_reader.story_cache import open_story
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.dialogs.confirm import ConfirmDialog
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.screens.story_only import StoryOnlyScreen

SIZE = (100, 32)

pytestmark = pytest.mark.usefixtures("whole_story_soon")


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A generated three-chapter EPUB without warnings."""
    return make_story(tmp_path / "lib", 15_000, "epub").path


@pytest.mark.parametrize("key", ["escape", "q"])
async def test_the_story_is_the_bottom_screen_and_leaving_it_ends_the_app(
    book: Path, data_dir: Path, key: str
) -> None:
    story = load_story(book)
    app = TuiReaderApp(book, data_dir=data_dir, story=story)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(app.screen_stack) == 1 and isinstance(app.screen, ReaderScreen)
        assert story.chapters[0].blocks[0].text[:30] in " ".join(screen_text(app).split())
        await pilot.press("space")  # read on a page
        await pilot.pause()
        place = app.screen.position()
        assert place.paragraph > 0
        await pilot.press(key)
        await pilot.pause()
    assert app.return_code == 0
    store = StateStore(data_dir, "local")
    saved = store.position(story.story_id)
    store.close()
    assert saved == place


async def test_a_first_chapter_shown_first_is_the_bottom_screen(book: Path, data_dir: Path) -> None:
    first = load_first_chapter(book)
    assert first is not None
    whole = partial(open_story, book, data_dir)
    app = TuiReaderApp(book, data_dir=data_dir, story=first, whole=whole)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(app.screen_stack) == 1 and isinstance(app.screen, ReaderScreen)
        bottom = app.screen
        for _ in range(200):  # the whole story arrives in the same screen
            await app.workers.wait_for_complete()
            await pilot.pause(0.02)
            if len(bottom.story.chapters) == 3:
                break
        assert len(bottom.story.chapters) == 3
        assert app.screen is bottom


async def test_a_warned_story_shows_its_warning_over_a_blank_screen(
    library: Path, data_dir: Path
) -> None:
    path = library / BELL
    app = TuiReaderApp(path, data_dir=data_dir, story=load_story(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen_stack[0], StoryOnlyScreen)
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "warning"
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 0


async def test_with_no_library_behind_it_the_back_key_says_close(
    book: Path, library: Path, data_dir: Path
) -> None:
    """Escape from a story opened alone closes it (there is no library to go back to): the
    footer says "Close"; opened from the library, the same key says "Library"."""
    from textual.widgets._footer import FooterKey

    def shown(app: TuiReaderApp) -> dict[str, str]:
        """The footer's keys: key shown → description."""
        return {key.key_display: key.description for key in app.screen.query(FooterKey)}

    app = TuiReaderApp(book, data_dir=data_dir, story=load_story(book))
    async with app.run_test(size=(160, 40)) as pilot:
        for _ in range(20):
            await pilot.pause(0.02)
            if shown(app):
                break
        assert shown(app).get("esc") == "Close"
    app = TuiReaderApp(library, data_dir=data_dir / "from-library")
    async with app.run_test(size=(160, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, ReaderScreen) and shown(app):
                break
        assert isinstance(app.screen, ReaderScreen)
        assert shown(app).get("esc") == "Library"


async def test_with_no_library_behind_it_help_says_escape_closes_the_story(
    book: Path, library: Path, data_dir: Path
) -> None:
    """The help screen says what the reader's back key does: close the story when it was
    opened alone, go back to the library when opened from it."""
    from tui_reader.keys import CLOSE_STORY_HELP
    from tui_reader.ui.screens.help import HelpScreen

    def help_text(app: TuiReaderApp) -> str:
        """The help screen's text, its lines joined (a row may wrap)."""
        assert isinstance(app.screen, HelpScreen)
        return " ".join(screen_text(app).split())

    app = TuiReaderApp(book, data_dir=data_dir, story=load_story(book))
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert CLOSE_STORY_HELP in help_text(app)
        assert "Back to the library" not in help_text(app)
    app = TuiReaderApp(library, data_dir=data_dir / "from-library")
    async with app.run_test(size=(160, 60)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Back to the library (place saved)" in help_text(app)
        assert CLOSE_STORY_HELP not in help_text(app)
