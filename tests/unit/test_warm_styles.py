"""The warm host parses the app's CSS once, before it forks: a session parses none of it.

:func:`tui_reader.ssh.warm.preload` runs the app once headless (:func:`rehearsal`); the CSS it
parsed stays in the process (:mod:`tui_reader.ui.styles`), so every app made afterwards (a
forked session is one) finds its stylesheet parsed and reads no ``.tcss`` file from disk.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import textual.css.stylesheet
from textual.app import App
from textual.css.errors import UnresolvedVariableError

from tests.fixtures.css import spy_on_parser
from tui_reader.ssh import warm
from tui_reader.ui import styles
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.styles import SharedStylesheet, read_css_files

STORY = """+++
title = "Harbour Lights"
author = "someone"
+++

# The Quay

The tide came in.
"""


async def _library_then_story(library: Path, data: Path) -> list[str]:
    """Run the app on ``library``, open its story; the screens' titles seen."""
    app = TuiReaderApp(library, data_dir=data, reader_id="r")
    seen = []
    async with app.run_test(size=(100, 32)) as pilot:
        for _ in range(300):
            screen = app.screen
            if isinstance(screen, LibraryScreen) and screen.scanned:
                break
            await pilot.pause(0.01)
        text = "\n".join(s.text for s in app.screen._compositor.render_strips())
        seen.append(text)
        assert isinstance(app.screen, LibraryScreen)
        app.open_entry(app.screen.entries[0])
        for _ in range(300):
            if isinstance(app.screen, ReaderScreen) and app.screen.is_mounted:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        seen.append("\n".join(s.text for s in app.screen._compositor.render_strips()))
    return seen


def test_after_the_warm_hosts_rehearsal_an_app_parses_no_css(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    assert warm.rehearsal() is True
    assert capfd.readouterr().out == ""  # stdout is the warm host's line to the server
    assert styles.parsed_count() > 0
    library = tmp_path / "library"
    library.mkdir()
    (library / "harbour.md").write_text(STORY, encoding="utf-8")
    parsed = spy_on_parser(monkeypatch)

    shown = asyncio.run(_library_then_story(library, tmp_path / "data"))

    assert "Harbour Lights" in shown[0] and "1 stories" in shown[0]
    assert "The tide came in." in shown[1]
    assert parsed == []  # the library's and the reading screen's CSS: parsed before


def test_preload_rehearses_packs_the_code_and_rehearses_again_before_it_freezes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps: list[str] = []
    monkeypatch.setattr(warm, "rehearsal", lambda: steps.append("rehearsal") or True)
    monkeypatch.setattr(warm, "pack_code", lambda codes: steps.append(f"pack {len(codes)}") or 0)
    monkeypatch.setattr(warm.gc, "freeze", lambda: steps.append("freeze"))
    warm.preload()
    assert steps[0] == "rehearsal" and steps[2:] == ["rehearsal", "freeze"]
    assert steps[1].startswith("pack ") and int(steps[1].split()[1]) > 0  # the parser's code


def test_a_css_file_read_before_is_not_read_from_disk_again(tmp_path: Path) -> None:
    css = tmp_path / "screen.tcss"
    css.write_text("Static { height: 3; }", encoding="utf-8")
    assert read_css_files([css]) == 1
    css.unlink()
    sheet = SharedStylesheet()
    sheet.read(css)
    assert [rule.css for rule in sheet.rules] == ["Static {\n    height: 3;\n}"]


def test_css_with_errors_is_not_kept_for_other_apps(monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = SharedStylesheet()
    sheet.add_source("Static { colour: red; }", read_from=("test", "bad"))
    with pytest.raises(textual.css.stylesheet.StylesheetParseError):
        sheet.parse()
    parsed = spy_on_parser(monkeypatch)
    again = SharedStylesheet()
    again.add_source("Static { colour: red; }", read_from=("test", "bad"))
    with pytest.raises(textual.css.stylesheet.StylesheetParseError):
        again.parse()
    assert parsed == [("test", "bad")]  # parsed again: its errors are reported again


def _rules_css(sheet: textual.css.stylesheet.Stylesheet, path: Path) -> list[str]:
    """The rules ``sheet`` parses from the CSS file at ``path``, as CSS text."""
    sheet.add_source(path.read_text(encoding="utf-8"), read_from=(str(path), ""))
    sheet.parse()
    return [rule.css for rule in sheet.rules]


@pytest.mark.parametrize(
    "path", sorted(styles.UI_FOLDER.rglob("*.tcss")), ids=lambda path: path.name
)
def test_every_tcss_file_parses_to_the_rules_textual_makes(path: Path) -> None:
    variables = App().get_css_variables()
    textual_rules = _rules_css(textual.css.stylesheet.Stylesheet(variables=variables), path)
    assert _rules_css(SharedStylesheet(variables=variables), path) == textual_rules


def test_css_defining_its_own_variable_is_parsed_with_it() -> None:
    sheet = SharedStylesheet(variables={"accent": "#ffa62b"})
    sheet.add_source("$edge: $accent; Static { color: $edge; }", read_from=("test", "own"))
    sheet.parse()
    assert [rule.css for rule in sheet.rules] == ["Static {\n    color: #FFA62B;\n}"]


def test_a_variable_missing_is_reported_as_textual_reports_it() -> None:
    messages = []
    for sheet in (
        textual.css.stylesheet.Stylesheet(variables={"accent": "#ffa62b"}),
        SharedStylesheet(variables={"accent": "#ffa62b"}),
    ):
        sheet.add_source("Static { color: $acent; }", read_from=("test", "typo"))
        with pytest.raises(UnresolvedVariableError) as error:
            sheet.parse()
        messages.append(str(error.value))
    assert messages[0] == messages[1]
    assert "accent" in messages[1]


def test_css_added_again_with_another_tie_breaker_gets_rules_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    css = "Static { height: 3; } Label { width: 4; }"
    first = SharedStylesheet()
    first.add_source(css, read_from=("test", "base"), is_default_css=True, tie_breaker=1)
    first.parse()
    parsed = spy_on_parser(monkeypatch)
    again = SharedStylesheet()
    again.add_source(css, read_from=("test", "base"), is_default_css=True, tie_breaker=5)
    again.parse()
    assert parsed == []
    textual_sheet = textual.css.stylesheet.Stylesheet()
    textual_sheet.add_source(css, read_from=("test", "base"), is_default_css=True, tie_breaker=5)
    textual_sheet.parse()
    expected = [(rule.css, rule.tie_breaker, rule.is_default_rules) for rule in textual_sheet.rules]
    assert [(rule.css, rule.tie_breaker, rule.is_default_rules) for rule in again.rules] == expected
    assert [rule.tie_breaker for rule in first.rules] == [1, 1]


def test_nested_css_added_again_with_another_tie_breaker_is_parsed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    css = "Static { height: 3; Label { width: 4; } }"
    first = SharedStylesheet()
    first.add_source(css, read_from=("test", "nested"), is_default_css=True, tie_breaker=1)
    first.parse()
    parsed = spy_on_parser(monkeypatch)
    again = SharedStylesheet()
    again.add_source(css, read_from=("test", "nested"), is_default_css=True, tie_breaker=5)
    again.parse()
    assert parsed == [("test", "nested")]
