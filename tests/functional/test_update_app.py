"""The palette's "Check for updates": offered locally, runs FanFicFare in a worker with a
progress bar, rescans and says the summary; never offered (and refused) when hosted over ssh."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.fixtures.fanficfare import GROWING, GROWN, FanFicFare, personal_ini
from tests.fixtures.pilot import type_text
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.commands import ReaderCommands
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.widgets.update_progress import (
    HOSTED_REFUSAL,
    UpdateProgress,
    check_for_updates,
)

SIZE = (100, 30)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A library with one plain story (no source URL)."""
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "notes.md").write_text("# Notes\n\nA story of my own.\n", encoding="utf-8")
    return folder


async def commands(app: TuiReaderApp, query: str) -> list[str]:
    """The palette's command titles that match ``query``."""
    return [hit.text or "" async for hit in ReaderCommands(app.screen).search(query)]


def messages(app: TuiReaderApp) -> list[str]:
    """The notifications shown so far."""
    return [n.message for n in app._notifications]


async def test_hosted_readers_are_never_offered_updates(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir, hosted=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Check for updates" not in await commands(app, "check for updates")
        await pilot.press("ctrl+p")
        await type_text(pilot, "Check for updates")
        await pilot.pause(0.3)
        await pilot.press("enter")  # whatever it picks, it is not an update
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert not app.query(UpdateProgress)
        check_for_updates(app)  # the action itself refuses too
        await pilot.pause()
        assert HOSTED_REFUSAL in messages(app)
        assert not app.screen.query(UpdateProgress)


async def test_check_for_updates_fetches_rescans_and_says_so(
    fanficfare: FanFicFare,
    library: Path,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The reader's own ~/.fanficfare/personal.ini is what FanFicFare reads."""
    home = tmp_path / "home"
    (home / ".fanficfare").mkdir(parents=True)
    (home / ".fanficfare" / "personal.ini").write_text(personal_ini([GROWN]), encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    story = library / "winter-harbour.epub"
    shutil.copyfile(fanficfare.make("epub", GROWING.sid, personal_ini([GROWING])), story)
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        assert [e.chapters for e in screen.entries if e.path == story] == [3]
        hits = [h async for h in ReaderCommands(app.screen).search("check for updates")]
        next(h for h in hits if h.text == "Check for updates").command()
        assert screen.query(UpdateProgress), "the progress bar shows while it runs"
        while screen.query(UpdateProgress):
            await app.workers.wait_for_complete()
            await pilot.pause()
        await app.workers.wait_for_complete()  # the rescan
        await pilot.pause()
        assert "1 updated, +2 chapters; 1 skipped" in messages(app)
        assert [e.chapters for e in screen.entries if e.path == story] == [5]
