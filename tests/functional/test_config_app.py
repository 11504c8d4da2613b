"""The config file in the app: remapped keys (and help showing them), problems, defaults, plain."""

from __future__ import annotations

import re
from pathlib import Path

from test_app import open_row, screen_text

from tui_reader.config import Settings, load_settings
from tui_reader.state import StateStore
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.help import HelpScreen
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.widgets.chapter_view import ChapterView

SIZE = (100, 32)
QUIET = "a-quiet-orchard.md"
BELL = "the-ninth-bell.md"
BOX = re.compile("[\u2500-\u259f]")
"""Box-drawing and block characters."""


def config(tmp_path: Path, text: str) -> Settings:
    """Settings read from a config file holding ``text``."""
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def help_row(text: str, description: str) -> str:
    """The keys on the help line whose description starts with ``description``."""
    for line in text.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        for index, cell in enumerate(cells[1:], 1):
            if cell.startswith(description):
                return cells[index - 1]
    raise AssertionError(f"{description!r} not in help:\n{text}")


NOTED = """+++
title = "Lamps on the Quay"
author = "Orla Venn"
rating = "Mature"
warnings = ["No Archive Warnings Apply"]
content_notes = ["A storm at sea, and a boat that does not come back."]
+++

# Chapter 1: Dusk

::: note
Written for a friend who keeps a lighthouse.
:::

Every evening Bram lit the lamps on the quay, one after another, from the harbour wall to the \
fish market, and counted the boats as they came in.

***

The last boat was late, and he waited for it with the lamp in his hand.

# Chapter 2: Dawn

It came in with the tide, its sail torn, and nobody on the quay said a word.
"""
"""A warned story with an author's note and a scene break (written for these tests)."""


async def test_remapped_next_chapter_moves_with_its_new_key_only(
    library: Path, data_dir: Path, tmp_path: Path
) -> None:
    settings = config(tmp_path, '[keys]\n"reader.next_chapter" = "l"\n')
    app = TuiReaderApp(library, data_dir=data_dir, settings=settings)
    async with app.run_test(size=(160, 50)) as pilot:  # wide: a remapped key ends the footer
        await open_row(app, pilot, QUIET)
        assert "Chapter 1 of 3" in screen_text(app)
        await pilot.press("right_square_bracket")  # its old key does nothing now
        await pilot.pause()
        assert "Chapter 1 of 3" in screen_text(app)
        await pilot.press("l")
        await pilot.pause()
        assert "Chapter 2 of 3" in screen_text(app)
        footer = screen_text(app).splitlines()[-1]
        assert "l Next ch." in footer


async def test_help_shows_the_keys_in_force(library: Path, data_dir: Path, tmp_path: Path) -> None:
    settings = config(
        tmp_path,
        '[keys]\n"reader.next_chapter" = "l"\n"reader.previous_chapter" = "h,left"\n'
        '"app.help" = "f1"\n',
    )
    app = TuiReaderApp(library, data_dir=data_dir, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("question_mark")  # no longer help
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert help_row(text, "Next chapter") == "l"
        assert help_row(text, "Previous chapter") == "h ←"
        assert help_row(text, "Every key") == "f1"
        assert help_row(text, "Next page") == "space PgDn"  # untouched keys stay


async def test_help_without_a_config_shows_the_defaults(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert help_row(text, "Next chapter") == "] →"
        assert help_row(text, "Every key") == "?"


async def test_each_config_problem_is_one_notification(
    library: Path, data_dir: Path, tmp_path: Path
) -> None:
    settings = config(
        tmp_path,
        'theme = "no-such-theme"\nnotes = "rolled"\n[keys]\n"reader.chapter" = "l"\n'
        '"reader.next_chapter" = "l"\n',
    )
    app = TuiReaderApp(library, data_dir=data_dir, settings=settings)
    async with app.run_test(size=(160, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        path = tmp_path / "config.toml"
        assert sorted(shown) == sorted(
            [
                f"config: {path}: notes = 'rolled': not one of folded, unfolded, hidden (ignored)",
                f"config: {path}: [keys] unknown binding id 'reader.chapter' (see 'tui-reader "
                "keys') (ignored)",
                f"config: {path}: theme 'no-such-theme' is not a theme (ignored)",
            ]
        )
        assert isinstance(app.screen, LibraryScreen)
        assert app.theme == "textual-dark"
        assert app.settings.keys == {"reader.next_chapter": "l"}  # the good entry applies


async def test_hosted_problems_never_name_the_hosts_path(
    library: Path, data_dir: Path, tmp_path: Path
) -> None:
    settings = config(tmp_path, 'warn_mode = "sometimes"\n')
    app = TuiReaderApp(library, data_dir=data_dir, settings=settings, hosted=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        (shown,) = [n.message for n in app._notifications]
        assert str(tmp_path) not in shown
        assert shown.startswith("config: the host's config file: warn_mode = 'sometimes'")


async def test_config_preferences_are_defaults_the_readers_choice_wins(
    library: Path, data_dir: Path, tmp_path: Path
) -> None:
    settings = config(tmp_path, 'reading_width = 40\nwarn_mode = "never"\n')
    app = TuiReaderApp(library, data_dir=data_dir, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, BELL)  # warned, but warn_mode = "never"
        view = app.screen.query_one(ChapterView)
        assert view.reading_width == 40
        assert max(len(line.text) for line in view.lines) <= 40
    store = StateStore(data_dir, "local")
    store.set_pref("reading_width", 64)
    store.flush()
    app = TuiReaderApp(library, data_dir=data_dir, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(app, pilot, BELL)
        assert app.screen.query_one(ChapterView).reading_width == 64


async def test_plain_mode_library_warning_and_reader(library: Path, data_dir: Path) -> None:
    (library / "lamps-on-the-quay.md").write_text(NOTED, encoding="utf-8")
    app = TuiReaderApp(library, data_dir=data_dir, settings=Settings(plain=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert not BOX.search(text), text
        assert "[warning]" in text and "⚠" not in text
        await open_row(app, pilot, "lamps-on-the-quay.md")
        text = screen_text(app)
        assert "Yes, continue" in text and "A storm at sea" in text
        assert not BOX.search(text), text
        await pilot.press("y")
        await pilot.pause()
        text = screen_text(app)
        assert not BOX.search(text), text
        lines = [line.rstrip() for line in text.splitlines()]
        assert "[note folded] Chapter note · 8 words" in lines
        assert "[scene break]" in lines
        assert "Chapter 1: Dusk" in lines  # the title is not centred either
        assert any(line.startswith("Every evening Bram lit the lamps") for line in lines), text
        assert app.screen.query_one(ChapterView).region.x == 0


async def test_plain_status_dialog_says_which_is_current(library: Path, data_dir: Path) -> None:
    app = TuiReaderApp(library, data_dir=data_dir, settings=Settings(plain=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        lines = [line.strip() for line in screen_text(app).splitlines()]
        assert "[current] No status" in lines and "Reading" in lines
        assert not BOX.search("\n".join(lines))


async def test_plain_footer_and_help_name_keys_in_words(library: Path, data_dir: Path) -> None:
    """Plain mode writes "enter" and "ctrl+p" (not ⏎ and ^p), with a gap before the palette."""
    app = TuiReaderApp(library, data_dir=data_dir, settings=Settings(plain=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "enter Open" in footer and "⏎" not in footer
        assert "^p" not in footer and re.search(r"\S ctrl\+p palette", footer), footer
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "ctrl+p" in text and "^p" not in text
