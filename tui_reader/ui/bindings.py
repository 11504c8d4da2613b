"""Textual bindings built from the binding table (:mod:`tui_reader.keys`), one id per binding;
keys written and matched as Textual does, without reading Unicode's name table for them."""

from __future__ import annotations

from collections.abc import Callable

from textual import screen as textual_screen
from textual.binding import Binding, BindingType
from textual.keys import KEY_DISPLAY_ALIASES, format_key, key_to_character

from tui_reader.keys import (
    CHARACTER_KEYS,
    NAME_REPLACEMENTS,
    NAMED_KEYS,
    KeySpec,
    by_id,
    screen_specs,
)

NAMED_CHARACTERS: dict[str, str] = {
    "space": " ",
    "tab": "\t",
    "escape": "\x1b",
    "backspace": "\x08",
    "delete": "\x7f",
}
"""The named keys that Textual takes for a character (their Unicode names or aliases); the
other named keys type none. A test holds them to Textual's ``key_to_character``."""

UNICODE_NAMED_KEYS: dict[str, str] = {
    name: char for name, char in CHARACTER_KEYS.items() if name not in NAME_REPLACEMENTS.values()
}
"""The ASCII punctuation keys whose Textual name is their Unicode name (``question_mark``), so
Textual finds their character. Its shorter names (``slash``) it does not: they type none."""


def to_binding(spec: KeySpec, action: str | None = None) -> Binding:
    """The Textual binding for ``spec`` (``action`` replaces its action, for a widget's own)."""
    return Binding(
        spec.keys,
        action or spec.action,
        spec.description,
        show=spec.show,
        id=spec.id,
        tooltip=spec.help,
    )


def bindings(screen: str) -> list[BindingType]:
    """Every binding of ``screen`` ("reader", "library", ...), ids and all."""
    return [to_binding(spec) for spec in screen_specs(screen)]


def binding(binding_id: str, action: str | None = None) -> Binding:
    """One binding by id (``action`` replaces its action: a widget's way to the same thing)."""
    spec = by_id(binding_id)
    if spec is None:
        raise KeyError(binding_id)
    return to_binding(spec, action)


def key_display(key: str) -> str:
    """How Textual's footer writes ``key`` (what its ``App.get_key_display`` gives: ``]``,
    ``esc``, ``^p``), known without Unicode's name table where it can be.

    Textual writes a key by looking its name up in that table (``question_mark`` → ``?``); the
    lookups for a screen's keys read about 0.5 MiB of the table's pages, resident for the rest
    of the run. Display aliases (``esc``), ASCII punctuation (its names are written out in
    :data:`~tui_reader.keys.CHARACTER_KEYS`) and one-character keys (no character's name is
    one letter long) are answered here; any other key is left to Textual. A test holds the
    answers equal to Textual's."""
    *modifiers, name = key.split("+")
    shown = KEY_DISPLAY_ALIASES.get(name) or CHARACTER_KEYS.get(name)
    if shown is None:
        shown = name if len(name) == 1 else format_key(name)
    if "ctrl" in modifiers:
        modifiers.remove("ctrl")
        shown = f"^{shown}"
    return "+".join([*modifiers, shown])


def key_character(key: str) -> str | None:
    """The character Textual takes ``key`` to type (its ``key_to_character``: ``?`` for
    ``question_mark``, None for ``pagedown`` or ``ctrl+f``), from tables where they know.

    Textual asks it of every key of a screen and the app whenever a widget has focus (may the
    widget take the key as typing?), looking each name up in Unicode's name table: "PAGEDOWN",
    "UP" and the like are not found there only after reading scattered pages of it. Other
    keys are left to Textual's function."""
    _, separator, name = key.rpartition("+")
    if separator:
        return None
    if len(name) == 1:
        return name
    if name in UNICODE_NAMED_KEYS:
        return UNICODE_NAMED_KEYS[name]
    if name in NAMED_KEYS or name in NAME_REPLACEMENTS.values():
        return NAMED_CHARACTERS.get(name)
    return _TEXTUAL_KEY_TO_CHARACTER(key)


_TEXTUAL_KEY_TO_CHARACTER: Callable[[str], str | None] = key_to_character
"""Textual's own ``key_to_character``, for the keys :func:`key_character` has no table for."""


def use_key_tables() -> bool:
    """Have Textual's screens ask :func:`key_character` which character a key types (its
    answers are Textual's, key for key). True when in place; False when this Textual's screens
    no longer call ``key_to_character`` as the version this was written for did (left alone)."""
    current = getattr(textual_screen, "key_to_character", None)
    if current is key_character:
        return True
    if current is not _TEXTUAL_KEY_TO_CHARACTER:
        return False
    textual_screen.key_to_character = key_character  # type: ignore[attr-defined,assignment]
    return True
