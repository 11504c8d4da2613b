"""The config file: remapped keys, plain mode and the reader's default preferences.

The file is TOML, found at ``--config FILE``, else ``$TUI_READER_CONFIG``, else
``<user config dir>/tui-reader/config.toml``; a missing file at the default place is no error::

    plain = false              # no box-drawing, every state in words (see README)
    theme = "nord"             # the preferences a reader can also set in the palette;
    reading_width = 72         # a choice made there wins over these defaults
    notes = "folded"           # folded | unfolded | hidden
    warn_mode = "once"         # always | once | never

    [keys]
    "reader.next_chapter" = "l"
    "reader.previous_chapter" = "h,left"

:class:`Settings` is the one typed place every such preference and its default is declared.
:func:`load_settings` never raises for what is in the file: each bad entry (unknown name or
binding id, a key that is no key, a value of the wrong type, TOML that does not parse) becomes
one line in ``Settings.problems`` and is ignored.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args

from platformdirs import user_config_dir

from tui_reader import keys as key_table
from tui_reader.paths import display_path
from tui_reader.text import collapse_whitespace, sanitise
from tui_reader.values import FrozenValue

NoteMode = Literal["folded", "unfolded", "hidden"]
"""How author's notes show by default."""

WarnMode = Literal["always", "once", "never"]
"""When the warning screen shows before a story that carries warnings."""

NOTE_MODES: tuple[NoteMode, ...] = get_args(NoteMode)
"""Every note mode, in toggle order."""

WARN_MODES: tuple[WarnMode, ...] = get_args(WarnMode)
"""Every warn mode."""

ENV_VAR = "TUI_READER_CONFIG"
"""The environment variable naming the config file."""

MIN_WIDTH, MAX_WIDTH = 20, 200
"""The reading column's bounds, in cells."""


_PREFERENCE_FIELDS = (
    "theme",
    "reading_width",
    "notes",
    "warn_mode",
    "wpm",
    "hidden_warnings",
    "whole_work",
)


@dataclass(init=False, repr=False, eq=False)  # (fields() and replace() work; the methods are
class Preferences(FrozenValue, fields=_PREFERENCE_FIELDS):  # written out: see values.py)
    """A reader's preferences, typed, each with its default: the one place the defaults live
    (``__init__`` repeats them, for speed at start; a test holds the two equal).

    The reader changes them in the app (palette, reader keys); the config file's
    :class:`Settings` give the first four new defaults. The store hands them out through
    :meth:`tui_reader.state.StateStore.prefs`. Frozen.
    """

    theme: str = "textual-dark"
    """The colour theme (a Textual theme name)."""
    reading_width: int = 72
    """The reading column's width in cells (:data:`MIN_WIDTH` to :data:`MAX_WIDTH`)."""
    notes: NoteMode = "folded"
    """How author's notes show until folded or unfolded."""
    warn_mode: WarnMode = "once"
    """When the warning screen shows."""
    wpm: int = 200
    """Reading pace (words a minute) assumed before the reader's own is known."""
    hidden_warnings: frozenset[str] = frozenset()
    """Archive warnings whose stories the library and search leave out."""
    whole_work: bool = False
    """Read the whole work as one page rather than chapter by chapter."""

    def __init__(
        self,
        theme: str = "textual-dark",
        reading_width: int = 72,
        notes: NoteMode = "folded",
        warn_mode: WarnMode = "once",
        wpm: int = 200,
        hidden_warnings: frozenset[str] = frozenset(),
        whole_work: bool = False,
    ) -> None:
        """Preferences; each not given is its default."""
        set_field = object.__setattr__
        set_field(self, "theme", theme)
        set_field(self, "reading_width", reading_width)
        set_field(self, "notes", notes)
        set_field(self, "warn_mode", warn_mode)
        set_field(self, "wpm", wpm)
        set_field(self, "hidden_warnings", hidden_warnings)
        set_field(self, "whole_work", whole_work)

    def to_json(self) -> dict[str, Any]:
        """The preferences as stored values (hidden warnings as a sorted list)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["hidden_warnings"] = sorted(self.hidden_warnings)
        return values

    @classmethod
    def from_values(
        cls, values: Mapping[str, Any], defaults: Preferences | None = None
    ) -> Preferences:
        """Preferences from stored values; a missing or unusable value is its default's."""
        base = defaults or cls()
        good: dict[str, Any] = {}
        for name in PREFERENCE_NAMES:
            value = values.get(name)
            if value is not None and preference_problem(name, value) is None:
                good[name] = frozenset(value) if name == "hidden_warnings" else value
        return replace(base, **good)


_SETTINGS_FIELDS = (
    "theme",
    "reading_width",
    "notes",
    "warn_mode",
    "plain",
    "keys",
    "source",
    "problems",
)


@dataclass(init=False, repr=False, eq=False)  # (as Preferences)
class Settings(FrozenValue, fields=_SETTINGS_FIELDS):
    """Everything the config file may set, with its default (the one place defaults live;
    ``__init__`` repeats them, and a test holds the two equal).

    Frozen.
    """

    theme: str = Preferences.theme
    """The colour theme (a Textual theme name)."""
    reading_width: int = Preferences.reading_width
    """The reading column's width in cells."""
    notes: NoteMode = Preferences.notes
    """How author's notes show until folded or unfolded."""
    warn_mode: WarnMode = Preferences.warn_mode
    """When the warning screen shows."""
    plain: bool = False
    """Plain mode: no box-drawing or block characters, states in words, text at column 0."""
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id → keys (Textual names, comma-separated), applied as the app's keymap."""
    source: Path | None = None
    """The file these came from (None for the defaults)."""
    problems: tuple[str, ...] = ()
    """One line per entry that was ignored, naming the file and the entry."""

    def __init__(
        self,
        theme: str = Preferences.theme,
        reading_width: int = Preferences.reading_width,
        notes: NoteMode = Preferences.notes,
        warn_mode: WarnMode = Preferences.warn_mode,
        plain: bool = False,
        keys: dict[str, str] | None = None,
        source: Path | None = None,
        problems: tuple[str, ...] = (),
    ) -> None:
        """Settings; each not given is its default (``keys``: a new empty table)."""
        set_field = object.__setattr__
        set_field(self, "theme", theme)
        set_field(self, "reading_width", reading_width)
        set_field(self, "notes", notes)
        set_field(self, "warn_mode", warn_mode)
        set_field(self, "plain", plain)
        set_field(self, "keys", {} if keys is None else keys)
        set_field(self, "source", source)
        set_field(self, "problems", problems)

    def preferences(self) -> dict[str, Any]:
        """The preferences this file sets as defaults for the reader's own choices."""
        return {name: getattr(self, name) for name in PREFERENCES}

    def keys_in_force(self) -> dict[str, str]:
        """Every binding id → the keys it has with this file's keymap applied."""
        return {spec.id: self.keys.get(spec.id, spec.keys) for spec in key_table.KEY_TABLE}


PREFERENCES = ("theme", "reading_width", "notes", "warn_mode")
"""The settings that are also preferences a reader can change in the app."""

PREFERENCE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Preferences))
"""Every preference :class:`Preferences` holds."""


def config_path(explicit: str | os.PathLike[str] | None = None) -> tuple[Path, bool]:
    """The config file to read, and whether it was named (a named file must exist)."""
    if explicit:
        return Path(explicit).expanduser(), True
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser(), True
    return Path(user_config_dir("tui-reader", appauthor=False)) / "config.toml", False


def load_settings(explicit: str | os.PathLike[str] | None = None) -> Settings:
    """The settings from the config file (see :func:`config_path`); never raises for its content."""
    path, named = config_path(explicit)
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if named:
            return Settings(problems=(f"config: {shown}: no such file",))
        return Settings()
    except OSError as exc:
        reason = sanitise(exc.strerror or type(exc).__name__)
        return Settings(problems=(f"config: {shown}: cannot read it ({reason})",))
    return parse_settings(raw, path)


def parse_settings(raw: bytes | str, path: Path) -> Settings:
    """Settings from the text of a config file at ``path`` (the name used in problems)."""
    shown = display_path(path)
    problems: list[str] = []

    def problem(what: str) -> None:
        """Record one ignored entry."""
        problems.append(collapse_whitespace(f"config: {shown}: {sanitise(what)} (ignored)"))

    import tomllib  # (only when there is a config file: most starts have none)

    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        return Settings(source=path, problems=(f"config: {shown}: not UTF-8 text (ignored)",))
    except tomllib.TOMLDecodeError as exc:
        reason = collapse_whitespace(sanitise(str(exc)))
        return Settings(source=path, problems=(f"config: {shown}: not TOML: {reason} (ignored)",))

    values: dict[str, Any] = {}
    known = {f.name: f for f in fields(Settings) if f.name not in ("source", "problems")}
    for name, value in data.items():
        if name == "keys":
            if isinstance(value, dict):
                values["keys"] = _parse_keys(value, problem)
            else:
                problem('[keys] must be a table of binding id = "keys"')
        elif name not in known:
            problem(f"unknown setting {name!r}")
        else:
            checked = _check(name, value)
            if checked is None:
                values[name] = value
            else:
                problem(checked)
    return replace(Settings(), **values, source=path, problems=tuple(problems))


def preference_problem(name: str, value: Any) -> str | None:
    """Why ``value`` cannot be preference (or setting) ``name`` (None when it can)."""
    if name == "wpm":
        is_int = isinstance(value, int) and not isinstance(value, bool)
        return None if is_int and value > 0 else f"wpm = {value!r}: not a whole number above 0"
    if name == "hidden_warnings":
        ok = isinstance(value, list | tuple | frozenset | set)
        if ok and all(isinstance(v, str) for v in value):
            return None
        return f"hidden_warnings = {value!r}: not a list of warnings"
    if name in ("whole_work", "plain"):
        return None if isinstance(value, bool) else f"{name} = {value!r}: not true or false"
    return _check(name, value)


def _check(name: str, value: Any) -> str | None:
    """Why ``value`` cannot be setting ``name`` (None when it can)."""
    if name == "plain":
        return None if isinstance(value, bool) else f"plain = {value!r}: not true or false"
    if name == "reading_width":
        is_int = isinstance(value, int) and not isinstance(value, bool)
        if is_int and MIN_WIDTH <= value <= MAX_WIDTH:
            return None
        return f"reading_width = {value!r}: not a whole number from {MIN_WIDTH} to {MAX_WIDTH}"
    if name == "theme":
        return None if isinstance(value, str) and value else f"theme = {value!r}: not a name"
    choices: tuple[str, ...] = NOTE_MODES if name == "notes" else WARN_MODES
    if value in choices:
        return None
    return f"{name} = {value!r}: not one of {', '.join(choices)}"


def _parse_keys(table: dict[str, Any], problem: Any) -> dict[str, str]:
    """The valid entries of ``[keys]`` in Textual's key names; a key may serve one id a screen."""
    keymap: dict[str, str] = {}
    for binding_id, value in table.items():
        if key_table.by_id(binding_id) is None:
            problem(f"[keys] unknown binding id {binding_id!r} (see 'tui-reader keys')")
            continue
        if not isinstance(value, str):
            problem(f"[keys] {binding_id} = {value!r}: not a string of keys")
            continue
        bad = key_table.bad_key(value)
        if bad is not None:
            problem(f"[keys] {binding_id} = {value!r}: {bad!r} is not a key")
            continue
        keymap[binding_id] = key_table.normalise_keys(value)
    for binding_id, clash in _clashes(keymap):
        problem(f"[keys] {binding_id}: {clash}")
        del keymap[binding_id]
    return keymap


def _clashes(keymap: dict[str, str]) -> list[tuple[str, str]]:
    """Remapped ids whose key another binding of the same screen already has, and why."""
    found: list[tuple[str, str]] = []
    for binding_id in list(keymap):
        spec = key_table.by_id(binding_id)
        assert spec is not None
        owners: dict[str, str] = {}
        for other in key_table.screen_specs(spec.screen):
            if other.id == binding_id:
                continue
            for key in keymap.get(other.id, other.keys).split(","):
                owners.setdefault(key, other.id)
        for key in keymap[binding_id].split(","):
            if key in owners:
                found.append((binding_id, f"{key_table.key_label(key)} is already {owners[key]}"))
                break
    return found


def keys_report(settings: Settings) -> list[str]:
    """Lines for ``tui-reader keys``: by screen, each id, its keys in force and what it does."""
    in_force = settings.keys_in_force()
    width = max(len(spec.id) for spec in key_table.KEY_TABLE)
    lines: list[str] = []
    for screen, title in key_table.SCREENS.items():
        specs = key_table.screen_specs(screen)
        if not specs:
            continue
        if lines:
            lines.append("")
        lines.append(f"{title}:")
        for spec in specs:
            keys = key_table.keys_label(in_force[spec.id], plain=True)
            mark = "  (config)" if spec.id in settings.keys else ""
            lines.append(f"  {spec.id:<{width}}  {keys:<12}  {spec.help}{mark}")
    return lines


def run_keys_cli(args: Any) -> int:
    """``tui-reader keys``: print every binding; the config file's problems go to stderr."""
    settings = load_settings(args.config)
    for problem in settings.problems:
        print(problem, file=sys.stderr)
    print("\n".join(keys_report(settings)))
    return 0
