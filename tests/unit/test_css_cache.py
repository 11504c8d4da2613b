"""Parsed CSS kept in the data dir: the next start reads its rules back instead of parsing them.

:func:`tui_reader.ui.styles.save_parsed` writes what the process parsed once the story shows;
the next app on the same data dir loads it (:func:`~tui_reader.ui.styles.load_parsed`) and
gives Textual's parser nothing to do. A damaged file, or one holding anything but Textual's CSS
objects, is ignored and written again.
"""

from __future__ import annotations

import asyncio
import io
import os
import pickle
from collections import OrderedDict
from pathlib import Path

import pytest

from tests.fixtures.css import as_new_process, spy_on_parser
from tui_reader.story_cache import cached_story, open_cached
from tui_reader.ui import styles
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.reader import ReaderScreen

STORY = """+++
title = "Harbour Lights"
author = "someone"
+++

# The Quay

The tide came in over the harbour wall.
"""


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """As a new process: nothing parsed, nothing saved; returns what the parser is given."""
    as_new_process(monkeypatch)
    return spy_on_parser(monkeypatch)


def _read(story_file: Path, data: Path) -> str:
    """Run the app on ``story_file`` until its text shows and the parsed CSS is written (when
    there is any to write); the screen's text."""

    async def run() -> str:
        story = cached_story(story_file, data) or open_cached(story_file, data)
        app = TuiReaderApp(story_file, data_dir=data, story=story)
        async with app.run_test(size=(80, 24)) as pilot:
            shown = ""
            for _ in range(300):
                if isinstance(app.screen, ReaderScreen):
                    strips = app.screen._compositor.render_strips()
                    shown = "\n".join(strip.text for strip in strips)
                    if "palette" in shown and not styles.unsaved_parsed():
                        break  # (the footer comes after the text)
                await pilot.pause(0.02)
            await app.workers.wait_for_complete()
            return shown

    return asyncio.run(run())


@pytest.fixture
def story_file(tmp_path: Path) -> Path:
    """A small story."""
    path = tmp_path / "harbour.md"
    path.write_text(STORY, encoding="utf-8")
    return path


def test_the_next_start_parses_no_css(
    story_file: Path, data_dir: Path, fresh_process: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _read(story_file, data_dir)
    assert fresh_process  # the first start parsed the app's and the reading screen's CSS
    kept = styles.css_cache_path(data_dir)
    assert kept.is_file() and kept.parent == data_dir / "cache"
    as_new_process(monkeypatch)
    fresh_process.clear()
    written = kept.stat().st_mtime_ns
    again = _read(story_file, data_dir)
    assert fresh_process == []  # every rule came from the file
    assert again == first and "The tide came in over the harbour wall." in again
    assert kept.stat().st_mtime_ns == written  # nothing new to keep: not written again


def test_a_damaged_file_is_ignored_and_written_again(
    story_file: Path, data_dir: Path, fresh_process: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _read(story_file, data_dir)
    kept = styles.css_cache_path(data_dir)
    data = bytearray(kept.read_bytes())
    data[-10] ^= 0xFF
    kept.write_bytes(bytes(data))
    as_new_process(monkeypatch)
    assert styles.load_parsed(data_dir) == 0
    fresh_process.clear()
    assert _read(story_file, data_dir) == first
    assert fresh_process  # parsed again...
    assert styles.load_parsed(data_dir) > 0  # ...and the file is whole again


class Planted:
    """What a planted pickle would build: a call that must never be made."""

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Unpickling calls ``os.system``."""
        return (os.system, ("echo planted",))


@pytest.mark.parametrize(
    "payload",
    [
        Planted(),
        {"rules": [1, 2, 3]},
        (OrderedDict(), "not a dict"),
    ],
    ids=["a call to os.system", "not the cache's shape", "a part of the wrong type"],
)
def test_a_file_with_anything_but_parsed_css_is_refused(
    data_dir: Path, fresh_process: list[object], payload: object
) -> None:
    body = pickle.dumps(payload)
    kept = styles.css_cache_path(data_dir)
    kept.parent.mkdir(parents=True)
    kept.write_bytes(styles._MAGIC + styles.sha256(body).digest() + body)
    assert styles.load_parsed(data_dir) == 0
    assert len(styles._parsed) == 0


def test_only_textuals_css_objects_are_unpickled() -> None:
    sheet = styles.SharedStylesheet()
    sheet.add_source("Static { color: red; height: 3; } #id > .a Label { margin: 1 2; }")
    sheet.parse()
    rules = list(sheet.rules)
    back = styles._RulesUnpickler(io.BytesIO(pickle.dumps(rules))).load()
    assert [rule.css for rule in back] == [rule.css for rule in rules]
    for name in ("os.system", "builtins.eval", "textual.app.os"):
        module, _, attribute = name.rpartition(".")
        with pytest.raises(pickle.UnpicklingError):
            styles._RulesUnpickler(io.BytesIO(b"")).find_class(module, attribute)
    with pytest.raises(pickle.UnpicklingError):
        styles._safe_getattr(os, "system")


def test_another_layout_or_version_reads_another_file(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = styles.css_cache_path(data_dir)
    monkeypatch.setattr(styles, "CACHE_FORMAT", styles.CACHE_FORMAT + 1)
    assert styles.css_cache_path(data_dir) != before
