"""Keys are written and matched as Textual does, without Unicode's name table for ours.

:func:`tui_reader.ui.bindings.key_display` answers what Textual's ``App.get_key_display`` gives
(``]``, ``esc``, ``^p``) from tables where it can, because Textual's own answer looks each
key's name up in the Unicode name database and those lookups keep about 0.5 MiB of its pages
resident. Likewise :func:`~tui_reader.ui.bindings.key_character` answers Textual's
``key_to_character`` (which character a key types), which Textual's screens ask of every key
whenever a widget has focus. Their answers must stay Textual's, key for key.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from textual import screen as textual_screen
from textual.app import App
from textual.binding import Binding
from textual.keys import Keys
from textual.keys import key_to_character as textual_key_to_character

from tui_reader.keys import CHARACTER_KEYS, KEY_TABLE, screen_specs
from tui_reader.ui import bindings as binding_module
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.bindings import key_character, key_display, use_key_tables

NAMED_KEYS = [
    "enter", "escape", "tab", "space", "backspace", "delete", "insert", "home", "end",
    "pageup", "pagedown", "up", "down", "left", "right", "f1", "f5", "f12", "minus", "plus",
    "slash", "backslash", "underscore", "at", "full_stop", "tilde", "question_mark",
]  # fmt: skip
"""Named keys: Textual's aliases, its renamed characters and keys with no character."""

MODIFIERS = ["", "ctrl+", "shift+", "alt+", "ctrl+shift+"]
"""Prefixes each key is also written with."""


def textual_display(key: str) -> str:
    """What Textual's own ``App.get_key_display`` gives for ``key``."""
    return App.get_key_display(App(), Binding(key, "noop"))


def every_key() -> list[str]:
    """The keys of the app's binding table, each printable ASCII character, each ASCII
    punctuation name and the named keys, each with and without modifiers."""
    table = {key.strip() for spec in KEY_TABLE for key in spec.keys.split(",")}
    singles = [c for c in string.printable if c.strip() and c not in "+,"]
    bases = sorted(table | set(singles) | set(CHARACTER_KEYS) | set(NAMED_KEYS))
    keys = [f"{mod}{base}" for base in bases for mod in MODIFIERS]
    return [*keys, "é", "ctrl+é"]


def test_every_key_is_written_as_textual_writes_it() -> None:
    """Key for key, the same text as Textual's footer: the app's keys, ASCII characters and
    their names, named keys, with modifiers."""
    keys = every_key()
    assert len(keys) > 500
    different = {k: (key_display(k), textual_display(k)) for k in keys}
    different = {k: pair for k, pair in different.items() if pair[0] != pair[1]}
    assert different == {}


@pytest.mark.parametrize("screen", ["reader", "library", "app"])
def test_a_screens_footer_keys_need_no_name_lookup(
    screen: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys the reading screen, the library and the app show are written without asking
    Textual's name lookup (the 0.5 MiB of the Unicode name table stays unread)."""

    def refuse(key: str) -> str:
        raise AssertionError(f"looked {key!r} up")

    monkeypatch.setattr(binding_module, "format_key", refuse)
    shown = [
        key_display(key.strip())
        for spec in screen_specs(screen)
        if spec.show
        for key in spec.keys.split(",")
    ]
    assert shown
    assert all(shown)


def textual_keys() -> list[str]:
    """Every key name Textual has (its ``Keys``), ours, ASCII characters and their names, each
    with and without modifiers."""
    return [*every_key(), *(f"{mod}{k.value}" for k in Keys for mod in MODIFIERS)]


def test_every_key_types_the_character_textual_says() -> None:
    """Key for key, the character Textual's own ``key_to_character`` gives (None for a key that
    types none): named keys, ASCII characters and their names, Textual's keys, modifiers."""
    keys = textual_keys()
    different = {
        k: (key_character(k), textual_key_to_character(k))
        for k in keys
        if key_character(k) != textual_key_to_character(k)
    }
    assert different == {}


def test_the_app_answers_textuals_screens_from_its_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the app is made, Textual's screens ask :func:`key_character` (so a new Textual that
    no longer asks there is noticed here)."""
    monkeypatch.setattr(textual_screen, "key_to_character", textual_key_to_character)
    library = tmp_path / "library"
    library.mkdir()
    TuiReaderApp(library, data_dir=tmp_path / "data", reader_id="r")
    assert textual_screen.key_to_character is key_character
    assert use_key_tables()  # (a second time: still in place)


@pytest.mark.parametrize("screen", ["reader", "library", "app"])
def test_a_screens_keys_are_matched_without_textuals_lookup(
    screen: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every key of the reading screen, the library and the app is answered from the tables."""

    def refuse(key: str) -> str:
        raise AssertionError(f"looked {key!r} up")

    monkeypatch.setattr(binding_module, "_TEXTUAL_KEY_TO_CHARACTER", refuse)
    keys = [key.strip() for spec in screen_specs(screen) for key in spec.keys.split(",")]
    assert keys
    assert [key_character(k) for k in keys]
