"""The config file and the binding table: parsing, every kind of bad entry, ``tui-reader keys``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.keys import Keys, _character_to_key

from tui_reader.config import ENV_VAR, Settings, config_path, load_settings, parse_settings
from tui_reader.keys import (
    CHARACTER_KEYS,
    KEY_TABLE,
    NAMED_KEYS,
    SCREENS,
    bad_key,
    keys_label,
    normalise_key,
)


def write(tmp_path: Path, text: str | bytes) -> Path:
    """A config file holding ``text``."""
    path = tmp_path / "config.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- the binding table ------------------------------------------------------------------------


def test_binding_ids_are_unique_and_name_their_screen() -> None:
    ids = [spec.id for spec in KEY_TABLE]
    assert len(ids) == len(set(ids))
    for spec in KEY_TABLE:
        screen, _, action = spec.id.partition(".")
        assert screen in SCREENS and action, spec.id
        assert bad_key(spec.keys) is None, spec.id
    assert {"reader.next_chapter", "reader.previous_chapter"} <= set(ids)


def test_every_binding_of_the_app_has_an_id_from_the_table() -> None:
    """Each screen's, dialog's and widget's Textual bindings come from the table, ids and keys."""
    import tui_reader.ui

    table = {spec.id: spec for spec in KEY_TABLE}
    seen: set[str] = set()
    owners = 0
    for info in pkgutil.walk_packages(tui_reader.ui.__path__, "tui_reader.ui."):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if not (inspect.isclass(cls) and cls.__module__ == info.name):
                continue
            if "BINDINGS" not in cls.__dict__:
                continue
            owners += 1
            for binding in Binding.make_bindings(cls.__dict__["BINDINGS"]):
                assert binding.id in table, (cls.__name__, binding.key, binding.action)
                assert binding.key in table[binding.id].keys.split(",")
                seen.add(binding.id)
    assert owners >= 13  # the app, every screen and dialog, the library table
    assert seen == set(table)


def test_key_names_are_textuals() -> None:
    """Our Textual-free key names agree with Textual's own."""
    for code in range(0x21, 0x7F):
        char = chr(code)
        assert normalise_key(char) == _character_to_key(char), char
    assert set(CHARACTER_KEYS) <= {_character_to_key(chr(c)) for c in range(0x21, 0x7F)}
    values = {key.value for key in Keys}
    assert values >= NAMED_KEYS


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("l", "l"),
        ("?", "question_mark"),
        ("question_mark", "question_mark"),
        ("]", "right_square_bracket"),
        ("ctrl+f", "ctrl+f"),
        ("Esc", "escape"),
        ("PgDn", "pagedown"),
        ("F5", "f5"),
        ("shift+tab", "shift+tab"),
    ],
)
def test_keys_a_reader_writes(written: str, normal: str) -> None:
    assert normalise_key(written) == normal


@pytest.mark.parametrize("written", ["", "ctrl+", "lf", "hyper+ctrl+ctrl+x", "nope+x", "\x1b"])
def test_no_keys(written: str) -> None:
    assert normalise_key(written) is None


def test_key_labels() -> None:
    assert keys_label("right_square_bracket,right") == "] →"
    assert keys_label("right_square_bracket,right", plain=True) == "] right"
    assert keys_label("escape,question_mark") == "esc ?"


# --- the config file --------------------------------------------------------------------------


def test_a_good_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'plain = true\ntheme = "nord"\nreading_width = 60\nnotes = "unfolded"\n'
        'warn_mode = "always"\n\n[keys]\n"reader.next_chapter" = "l"\n'
        '"reader.previous_chapter" = "h, left"\n"app.help" = "?"\n',
    )
    settings = load_settings(path)
    assert settings.problems == ()
    assert settings.plain is True
    assert settings.preferences() == {
        "theme": "nord",
        "reading_width": 60,
        "notes": "unfolded",
        "warn_mode": "always",
    }
    assert settings.keys == {
        "reader.next_chapter": "l",
        "reader.previous_chapter": "h,left",
        "app.help": "question_mark",
    }
    assert settings.keys_in_force()["reader.next_chapter"] == "l"
    assert settings.keys_in_force()["reader.line_down"] == "j,down"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[keys]\n"reader.chapter" = "l"\n', "unknown binding id 'reader.chapter'"),
        ('[keys]\n"reader.next_chapter" = "ctrl+"\n', "'ctrl+' is not a key"),
        ('[keys]\n"reader.next_chapter" = "lf"\n', "'lf' is not a key"),
        ('[keys]\n"reader.next_chapter" = ""\n', "'' is not a key"),
        ('[keys]\n"reader.next_chapter" = 5\n', "reader.next_chapter = 5: not a string"),
        ('keys = "l"\n', "[keys] must be a table"),
        ("plain = 1\n", "plain = 1: not true or false"),
        ('reading_width = "wide"\n', "reading_width = 'wide': not a whole number"),
        ("reading_width = 5\n", "reading_width = 5: not a whole number from 20 to 200"),
        ("reading_width = true\n", "reading_width = True"),
        ('notes = "rolled"\n', "notes = 'rolled': not one of folded, unfolded, hidden"),
        ('warn_mode = "sometimes"\n', "not one of always, once, never"),
        ("theme = 3\n", "theme = 3: not a name"),
        ('colour = "red"\n', "unknown setting 'colour'"),
        (
            '[keys]\n"reader.next_chapter" = "j"\n',
            "reader.next_chapter: j is already reader.line_down",
        ),
    ],
)
def test_each_bad_entry_is_named_in_one_line_and_ignored(
    tmp_path: Path, text: str, named: str
) -> None:
    good, attribute, value = ('warn_mode = "never"\n', "warn_mode", "never")
    if "warn_mode" in text:
        good, attribute, value = ('notes = "hidden"\n', "notes", "hidden")
    path = write(tmp_path, good + text)
    settings = load_settings(path)
    assert len(settings.problems) == 1, settings.problems
    (line,) = settings.problems
    assert "\n" not in line
    assert line.startswith(f"config: {path}: ") and line.endswith("(ignored)"), line
    assert named in line
    assert getattr(settings, attribute) == value  # the good entry still applies
    assert settings.keys == {}
    for name in ("plain", "reading_width", "notes", "theme", "warn_mode"):
        if name != attribute:
            assert getattr(settings, name) == getattr(Settings(), name), name


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("plain = \n", "not TOML: "),
        ("[keys\n", "not TOML: "),
        (b"theme = '\xff\xfe'\n", "not UTF-8 text"),
    ],
)
def test_a_file_that_is_no_toml_is_named_and_ignored(
    tmp_path: Path, text: str | bytes, named: str
) -> None:
    path = write(tmp_path, text)
    settings = load_settings(path)
    (line,) = settings.problems
    assert line.startswith(f"config: {path}: {named}") and "\n" not in line
    assert settings.keys == {} and settings.plain is False


def test_where_the_file_is_looked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    named = tmp_path / "named.toml"
    env = tmp_path / "env.toml"
    assert config_path(named) == (named, True)
    monkeypatch.setenv(ENV_VAR, str(env))
    assert config_path(None) == (env, True)
    assert config_path(named) == (named, True)
    monkeypatch.delenv(ENV_VAR)
    default, is_named = config_path(None)
    assert default == tmp_path / "xdg-config" / "tui-reader" / "config.toml"
    assert not is_named


def test_a_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(None) == Settings()  # nothing at the default place: no problem
    missing = tmp_path / "nowhere.toml"
    monkeypatch.setenv(ENV_VAR, str(missing))
    assert load_settings(None).problems == (f"config: {missing}: no such file",)


def test_control_characters_in_the_file_never_reach_the_terminal(tmp_path: Path) -> None:
    settings = parse_settings('"\x1b[31mred" = 1\n'.replace("\x1b", "\\u001b"), tmp_path / "c")
    (line,) = settings.problems
    assert "\x1b" not in line


# --- tui-reader keys ---------------------------------------------------------------------------


def run_keys(*args: str) -> subprocess.CompletedProcess[str]:
    """``tui-reader keys`` in a fresh interpreter; it also prints whether Textual was loaded."""
    code = (
        "import sys; from tui_reader.cli import main; rc = main(['keys', *sys.argv[1:]]); "
        "print('TEXTUAL LOADED' if 'textual' in sys.modules else 'NO TEXTUAL'); sys.exit(rc)"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
    )


def test_keys_lists_every_id_with_its_keys_without_textual() -> None:
    result = run_keys()
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[-1] == "NO TEXTUAL"
    for spec in KEY_TABLE:
        (line,) = [x for x in lines if x.split()[:1] == [spec.id]]
        assert spec.help in line
    (line,) = [x for x in lines if x.split()[:1] == ["reader.next_chapter"]]
    assert line.split()[1:3] == ["]", "right"]


def test_keys_shows_the_config_and_names_its_problems(tmp_path: Path) -> None:
    path = write(tmp_path, '[keys]\n"reader.next_chapter" = "l"\n"reader.nope" = "x"\n')
    result = run_keys("--config", str(path))
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        f"config: {path}: [keys] unknown binding id 'reader.nope' (see 'tui-reader keys') (ignored)"
    ]
    (line,) = [x for x in result.stdout.splitlines() if "reader.next_chapter" in x]
    assert line.split()[1] == "l" and line.endswith("(config)")
