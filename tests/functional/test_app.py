"""The app's flows: open a story through its warning, warn modes, gates, quit, help, palette."""

from __future__ import annotations

import signal
from inspect import isclass
from pathlib import Path

import pytest

from tests.fixtures.pilot import screen_text, type_text
from tui_reader.config import Settings
from tui_reader.importers import load_story
from tui_reader.state import StateStore
from tui_reader.ui.app import TuiReaderApp, run_app
from tui_reader.ui.commands import ChapterCommands, ReaderCommands
from tui_reader.ui.dialogs.confirm import ConfirmDialog
from tui_reader.ui.screens.help import HelpScreen
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.widgets.library_table import LibraryTable

SIZE = (100, 32)
BELL = "the-ninth-bell.md"
QUIET = "a-quiet-orchard.md"


async def open_row(app: TuiReaderApp, pilot, filename: str) -> None:  # type: ignore[no-untyped-def]
    """Wait for the scan, put the cursor on a story's row and press enter."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    table = app.screen.query_one(LibraryTable)
    path = str(next(p for p in table.rows_by_key if p.endswith(filename)))
    table.move_cursor(row=table.get_row_index(path))
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_warned_story_shows_warning_and_no_goes_back(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, BELL)
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "warning"
        text = screen_text(app)
        assert "Rating: Mature" in text
        assert "Graphic Depictions Of Violence" in text
        assert "Chapter 2 describes a fall from a height in some detail." in text
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        bell = load_story(library / BELL)
        assert not app.store.acknowledged(bell.story_id)


async def test_warning_dialog_footer_shows_its_keys(library: Path, data_dir: Path) -> None:
    """The warning's footer names the keys in force, remapped ones too."""
    settings = Settings(keys={"warning.yes": "c"})
    app = TuiReaderApp(library, data_dir=data_dir, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, BELL)
        assert isinstance(app.screen, ConfirmDialog)
        footer = screen_text(app).splitlines()[-1]
        assert "c Yes, continue" in footer and "n No, go back" in footer


async def test_yes_continues_into_reader_and_is_remembered(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, BELL)
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "warning"
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.story.title == "The Ninth Bell"
        await pilot.press("q")
    # a new launch: "once" mode remembers the acknowledgement
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, BELL)
        assert isinstance(app.screen, ReaderScreen)


async def test_enter_on_warning_continues(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, BELL)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)


async def test_escape_on_warning_goes_back(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, BELL)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_warn_always_asks_again(library: Path, data_dir: Path) -> None:
    store = StateStore(data_dir, "local")
    store.acknowledge(load_story(library / BELL).story_id)
    store.set_pref("warn_mode", "always")
    store.flush()
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, BELL)
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "warning"


async def test_warn_never_skips(library: Path, data_dir: Path) -> None:
    store = StateStore(data_dir, "local")
    store.set_pref("warn_mode", "never")
    store.flush()
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, BELL)
        assert isinstance(app.screen, ReaderScreen)


async def test_unwarned_story_opens_directly(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, QUIET)
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_gate_stop_returns_to_library_and_marks_stopped(
    library: Path, data_dir: Path
) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    bell = load_story(library / BELL)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, BELL)
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "gate"
        text = screen_text(app)
        assert "The author suggests stopping before Chapter 2" in text
        assert "Chapter 1 stands alone. Chapter 2 is the fall" in text
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert app.store.stopped_at(bell.story_id) == 2


async def test_gate_continue_reads_on(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    bell = load_story(library / BELL)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, BELL)
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "gate"
        await pilot.press("y")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.chapter_index == 1
        assert app.store.gate_passed(bell.story_id, 2)


async def test_q_quits_and_saves_the_place(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    quiet = load_story(library / QUIET)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, QUIET)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    position = StateStore(data_dir, "local").position(quiet.story_id)
    assert position is not None and position.chapter == 1


async def test_sigterm_handler_saves_and_exits(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    quiet = load_story(library / QUIET)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, QUIET)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        app.on_signal(signal.SIGTERM)
        await pilot.pause()
    assert app.return_code == 0
    position = StateStore(data_dir, "local").position(quiet.story_id)
    assert position is not None and position.chapter == 2


async def test_help_lists_library_and_reader_keys(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for expected in (
            "Filter by title",
            "Sort by",
            "Next chapter",
            "Chapter index",
            "< -",
            "> +",
            "] →",
        ):
            assert expected in text, expected
        await pilot.press("end")  # the help scrolls: the warning screen's keys are below
        await pilot.pause()
        assert "Yes, continue" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_palette_offers_our_commands(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        provider = ReaderCommands(app.screen)
        titles = [hit.text async for hit in provider.search("open")]
        assert "Open The Ninth Bell" in titles
        assert "Open [bold]Loud[/] and $var" in titles
        settings = [hit.text async for hit in provider.search("warning screens")]
        assert {
            "Warning screens: always",
            "Warning screens: once",
            "Warning screens: never",
        } <= set(settings)
        hits = [h async for h in provider.search("warning screens never")]
        next(h for h in hits if h.text == "Warning screens: never").command()
        assert app.store.pref("warn_mode") == "never"
        notes = [h async for h in provider.search("notes unfolded")]
        next(h for h in notes if h.text == "Author's notes: unfolded").command()
        assert app.store.pref("notes") == "unfolded"
        assert "Change theme" in [h.text async for h in provider.search("theme")]
        assert not [h async for h in provider.search("go to chapter")]
        await open_row(app, pilot, QUIET)
        loaded = {p if isclass(p) else p() for p in app.screen.COMMANDS}
        assert ChapterCommands in loaded  # the reader screen's own commands (loaded lazily)
        provider = ChapterCommands(app.screen)
        chapter_hits = [h async for h in provider.search("go to chapter 3")]
        jump = next(h for h in chapter_hits if h.text == "Go to chapter 3: The Jam")
        jump.command()
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.chapter_index == 2


async def test_the_palette_on_the_reading_screen_goes_to_a_chapter(
    library: Path, data_dir: Path
) -> None:
    """The reading screen's commands (loaded when the palette first opens) are offered and run."""
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, QUIET)
        await pilot.press("ctrl+p")
        await type_text(pilot, "Go to chapter 3")
        await pilot.pause(0.3)
        assert "Go to chapter 3: The Jam" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.chapter_index == 2


async def test_hosted_has_no_screenshot_command(library: Path, data_dir: Path) -> None:
    local = TuiReaderApp(library, data_dir=data_dir)
    hosted = TuiReaderApp(library, data_dir=data_dir, hosted=True)
    async with local.run_test(size=SIZE):
        assert "Screenshot" in [c.title for c in local.get_system_commands(local.screen)]
    async with hosted.run_test(size=SIZE) as pilot:
        names = [c.title for c in hosted.get_system_commands(hosted.screen)]
        assert "Screenshot" not in names and "Theme" in names
        assert hosted.deliver_screenshot() is None
        await pilot.press("ctrl+s")
        assert not list(data_dir.glob("*.svg")) and not list(Path.cwd().glob("tui*.svg"))
        assert not hosted.allowed(library.parent / "elsewhere.md")
        assert hosted.allowed(library / BELL)


async def test_theme_is_remembered(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "nord"
        await pilot.pause()
        await pilot.press("q")
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE):
        assert app.theme == "nord"


async def test_story_file_target_opens_directly(library: Path, data_dir: Path) -> None:
    path = library / BELL
    app = TuiReaderApp(path, data_dir=data_dir, story=load_story(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "warning"
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("escape")  # leaving the only story quits
        await pilot.pause()
        await pilot.pause()
    assert app.return_code == 0


def test_run_app_bad_file_is_one_line_error(
    library: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run_app(
        library / "broken-file.md", data_dir=data_dir, reader_id="local", hosted=False, guest=False
    )
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith(f"error: {library / 'broken-file.md'}: ")
    assert err.count("\n") == 1 and "Traceback" not in err


async def test_hosted_reader_is_told_of_a_damaged_state_file_without_the_server_path(
    library: Path, data_dir: Path
) -> None:
    """A reader on ssh learns that their state file was set aside, never where the host keeps it."""
    readers = data_dir / "readers"
    readers.mkdir(parents=True)
    (readers / "ab12.json").write_text("{not json", encoding="utf-8")
    app = TuiReaderApp(library, data_dir=data_dir, reader_id="ab12", hosted=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = [n.message for n in app._notifications]
    (warning,) = [m for m in shown if "could not be read" in m]
    assert "moved aside" in warning and "ab12.json.corrupt-" in warning
    assert str(data_dir) not in warning and "readers/" not in warning


@pytest.mark.parametrize(
    ("plain", "folder", "expected"),
    [
        (False, False, ["app.tcss", "reader.tcss"]),
        (True, False, ["app.tcss", "plain.tcss", "reader.tcss"]),
        (False, True, ["app.tcss", "library.tcss"]),
        (True, True, ["app.tcss", "plain.tcss", "library.tcss"]),
    ],
)
def test_an_app_loads_only_the_css_it_uses(
    tmp_path: Path, plain: bool, folder: bool, expected: list[str]
) -> None:
    """A single story's app parses no library or plain-mode rule before its first frame; the
    reading screen's styles come with the app's own (in the order they applied before)."""
    story = tmp_path / "lib" / "story.md"
    story.parent.mkdir()
    story.write_text("# A\n\n## One\n\nText.\n", encoding="utf-8")
    target = story.parent if folder else story
    app = TuiReaderApp(target, data_dir=tmp_path / "data", settings=Settings(plain=plain))
    assert [Path(path).name for path in app.css_path] == expected
    assert all(Path(path).is_file() for path in app.css_path)
