"""Typed preferences: one dataclass with the defaults, read typed from the store; note mode rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_reader.config import NOTE_MODES, WARN_MODES, Preferences, Settings, parse_settings
from tui_reader.layout import note_mode
from tui_reader.state import PREF_DEFAULTS, StateStore


def test_defaults_live_in_one_place(data_dir: Path) -> None:
    prefs = StateStore(data_dir, "local").prefs()
    assert prefs == Preferences()
    assert (prefs.theme, prefs.reading_width, prefs.notes, prefs.warn_mode) == (
        "textual-dark",
        72,
        "folded",
        "once",
    )
    assert (prefs.wpm, prefs.hidden_warnings, prefs.whole_work) == (200, frozenset(), False)
    assert Settings().preferences() == {
        name: getattr(prefs, name) for name in ("theme", "reading_width", "notes", "warn_mode")
    }
    assert prefs.to_json() == PREF_DEFAULTS
    assert NOTE_MODES == ("folded", "unfolded", "hidden")
    assert WARN_MODES == ("always", "once", "never")


def test_reader_choices_come_back_typed(data_dir: Path) -> None:
    store = StateStore(data_dir, "local")
    store.set_pref("hidden_warnings", ["Major Character Death"])
    store.set_pref("notes", "hidden")
    store.set_pref("whole_work", True)
    store.flush()
    prefs = StateStore(data_dir, "local").prefs()
    assert prefs.hidden_warnings == frozenset({"Major Character Death"})
    assert (prefs.notes, prefs.whole_work, prefs.reading_width) == ("hidden", True, 72)


def test_config_file_defaults_yield_to_the_readers_choice(data_dir: Path, tmp_path: Path) -> None:
    settings = parse_settings('notes = "unfolded"\nreading_width = 60\n', tmp_path / "c.toml")
    store = StateStore(data_dir, "local")
    store.pref_defaults.update(settings.preferences())
    assert (store.prefs().notes, store.prefs().reading_width) == ("unfolded", 60)
    store.set_pref("reading_width", 90)
    assert (store.prefs().notes, store.prefs().reading_width) == ("unfolded", 90)


def test_a_value_no_preference_can_hold_is_refused(data_dir: Path) -> None:
    store = StateStore(data_dir, "local")
    with pytest.raises(ValueError, match="warn_mode"):
        store.set_pref("warn_mode", "sometimes")
    with pytest.raises(ValueError, match="hidden_warnings"):
        store.set_pref("hidden_warnings", "Major Character Death")
    assert store.prefs().warn_mode == "once"


def test_an_unusable_stored_value_reads_as_the_default() -> None:
    got = Preferences.from_values({"notes": "sideways", "wpm": 0, "theme": "", "warn_mode": 3})
    assert got == Preferences()
    fallback = Preferences(notes="unfolded")
    assert Preferences.from_values({"notes": "sideways"}, fallback).notes == "unfolded"


@pytest.mark.parametrize(
    ("preference", "folded", "shown"),
    [
        ("folded", None, "folded"),
        ("unfolded", None, "unfolded"),
        ("folded", False, "unfolded"),
        ("unfolded", True, "folded"),
        ("hidden", False, "hidden"),  # hidden hides every note, whatever the folds
        ("hidden", None, "hidden"),
        ("sideways", None, "folded"),
        (None, None, "folded"),
    ],
)
def test_note_mode_rule(preference: str | None, folded: bool | None, shown: str) -> None:
    assert note_mode(preference, folded) == shown
