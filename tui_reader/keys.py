"""Every key binding of the app, by id: the table screens, help and ``tui-reader keys`` read.

Each binding has a unique id ``<screen>.<action>`` (``reader.next_chapter``). The screens build
their Textual bindings from this table (``tui_reader.ui.bindings``), the help screen lists it,
and a reader's ``[keys]`` in the config file remaps it by id (Textual's keymap). The table is
plain data so ``tui-reader keys`` prints it without loading Textual.

Keys are written as Textual names them: ``j``, ``G``, ``ctrl+f``, ``question_mark``,
``right_square_bracket``, ``pagedown``; several alternatives are comma-separated.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

__all__ = [
    "CLOSE_STORY_HELP",
    "KEY_TABLE",
    "SCREENS",
    "KeySpec",
    "bad_key",
    "by_id",
    "key_label",
    "keys_label",
    "normalise_key",
    "normalise_keys",
    "screen_specs",
]


class KeySpec(NamedTuple):
    """One binding: its id, default keys, the action it runs and what a reader is told (a named
    tuple: the table is made at start-up, and a named tuple is cheaper to define and make)."""

    id: str
    """``<screen>.<action>``, unique over the table; the name a config file remaps it by."""
    keys: str
    """Default keys (Textual key names, comma-separated)."""
    action: str
    """The Textual action it runs (``chapter(1)``)."""
    description: str
    """The short label in the footer."""
    help: str
    """What it does, in a sentence fragment (help screen, ``tui-reader keys``)."""
    show: bool = False
    """True when the footer shows it."""

    @property
    def screen(self) -> str:
        """The screen (or ``app``, or a dialog) the binding belongs to."""
        return self.id.split(".", 1)[0]


def _k(
    id: str, keys: str, action: str, description: str, help: str = "", show: bool = False
) -> KeySpec:
    """A table row (``help`` defaults to the description)."""
    return KeySpec(id, keys, action, description, help or description, show)


CLOSE_STORY_HELP = "Close the story (place saved)"
"""What the reading screen's back key (``reader.back``) does when no library is behind it (one
story file opened): the help screen and the key's tooltip say this instead of its table help."""

KEY_TABLE: tuple[KeySpec, ...] = (
    # everywhere
    _k("app.quit", "q", "quit", "Quit", "Quit (your place is saved)", show=True),
    _k("app.help", "question_mark", "help", "Help", "Every key", show=True),
    _k(
        "app.search",
        "ctrl+f,S",
        "search_library",
        "Search all",
        "Search the text of every story in the library",
        show=True,
    ),
    _k("app.bookmarks", "B", "bookmarks", "Bookmarks", "Every bookmark"),
    _k("app.history", "H", "history", "History", "Recently read stories"),
    _k("app.back", "escape", "back", "Back", "Back one screen"),
    _k("app.screenshot", "ctrl+s", "screenshot", "Screenshot", "Save a screenshot (SVG)"),
    # the library
    _k(
        "library.open",
        "enter",
        "open",
        "Open",
        "Open the story (the Continue row resumes it)",
        show=True,
    ),
    _k(
        "library.filter",
        "slash",
        "filter",
        "Filter",
        "Filter by title, author, fandom, tag (fuzzy); or rating:M warning:x fandom:x tag:x "
        "status:x",
        show=True,
    ),
    _k(
        "library.sort_next",
        "o",
        "sort_next",
        "Sort",
        "Sort by the next column (or click a header)",
        show=True,
    ),
    _k("library.sort_reverse", "O", "sort_reverse", "Reverse", "Reverse the order", show=True),
    _k("library.clear_filter", "escape", "clear_filter", "Clear filter", "Clear the filter"),
    _k("library.rescan", "r", "rescan", "Rescan", "Scan the folder again"),
    _k(
        "library.status",
        "s",
        "status",
        "Status",
        "Set the reading status of the story",
        show=True,
    ),
    _k(
        "library.toggle_hidden",
        "h",
        "toggle_hidden",
        "Show hidden",
        "Show or hide stories with warnings you chose to hide",
    ),
    _k(
        "library.mute",
        "m",
        "mute",
        "Mute",
        "Mute the story's author, fandom, relationship or tag",
    ),
    _k("library.next_story", "j,down", "down", "Next story"),
    _k("library.previous_story", "k,up", "up", "Previous story"),
    _k("library.first_story", "g,home", "first", "First story", "Go to the first story"),
    _k("library.last_story", "G,end", "last", "Last story", "Go to the last story"),
    # the warning before a story, and the author's stop point before a chapter
    _k("warning.yes", "y", "answer(True)", "Yes, continue", show=True),
    _k("warning.no", "n", "answer(False)", "No, go back", show=True),
    _k("warning.cancel", "escape", "answer(False)", "Go back"),
    _k("gate.continue", "y", "answer(True)", "Continue", "Read on past the stop point", show=True),
    _k("gate.stop", "n", "answer(False)", "Stop here", show=True),
    _k("gate.cancel", "escape", "answer(False)", "Stop here"),
    # the reader
    _k("reader.line_down", "j,down", "line(1)", "Line down", "Scroll one line down"),
    _k("reader.line_up", "k,up", "line(-1)", "Line up", "Scroll one line up"),
    _k(
        "reader.page_down",
        "space,pagedown",
        "page(1)",
        "Page",
        "Next page (continues into the next chapter)",
        show=True,
    ),
    _k(
        "reader.page_up",
        "b,pageup",
        "page(-1)",
        "Page back",
        "Previous page (back into the previous chapter)",
    ),
    _k("reader.half_page_down", "d", "half(1)", "Half page down", "Half a page down"),
    _k("reader.half_page_up", "u", "half(-1)", "Half page up", "Half a page up"),
    _k("reader.chapter_start", "g,home", "chapter_start", "Chapter start", "Start of the chapter"),
    _k("reader.chapter_end", "G,end", "chapter_end", "Chapter end", "End of the chapter"),
    _k(
        "reader.next_chapter",
        "right_square_bracket,right",
        "chapter(1)",
        "Next ch.",
        "Next chapter",
        show=True,
    ),
    _k(
        "reader.previous_chapter",
        "left_square_bracket,left",
        "chapter(-1)",
        "Prev ch.",
        "Previous chapter",
        show=True,
    ),
    _k("reader.next_paragraph", "right_curly_bracket", "paragraph(1)", "Next paragraph"),
    _k("reader.previous_paragraph", "left_curly_bracket", "paragraph(-1)", "Previous paragraph"),
    _k("reader.index", "t", "index", "Chapters", "Chapter index", show=True),
    _k("reader.search", "slash", "search", "Search", "Search the story", show=True),
    _k("reader.next_match", "n", "match(1)", "Next match", "Next search match"),
    _k("reader.previous_match", "N", "match(-1)", "Previous match", "Previous search match"),
    _k(
        "reader.bookmark",
        "m",
        "bookmark",
        "Bookmark",
        "Bookmark this place (with a note)",
        show=True,
    ),
    _k(
        "reader.notes",
        "a",
        "notes",
        "Notes",
        "Fold or unfold the author's notes on screen",
        show=True,
    ),
    _k("reader.wider", "greater_than_sign,plus", "width(4)", "Wider", "Wider reading column"),
    _k(
        "reader.narrower",
        "less_than_sign,minus",
        "width(-4)",
        "Narrower",
        "Narrower reading column",
    ),
    _k(
        "reader.whole_work",
        "w",
        "whole_work",
        "Whole work",
        "Whole-work view (all chapters) or chapter by chapter",
        show=True,
    ),
    _k("reader.status", "s", "status", "Status", "Set the reading status (reading, finished, ...)"),
    _k("reader.back", "escape", "back", "Library", "Back to the library (place saved)", show=True),
    # the smaller screens and dialogs
    _k("help.close", "escape,question_mark", "close", "Close", "Close the help", show=True),
    _k("index.back", "escape", "close", "Back", "Back to the text", show=True),
    _k("search.back", "escape", "close", "Back", "Back to where you were", show=True),
    _k("search.results", "down", "focus_results", "Results", "From the query to the results"),
    _k("bookmarks.back", "escape", "close", "Back", show=True),
    _k("bookmarks.edit", "e", "edit", "Edit note", "Change the bookmark's note", show=True),
    _k("bookmarks.delete", "x,delete", "delete", "Delete", "Delete the bookmark", show=True),
    _k("history.back", "escape", "close", "Back", show=True),
    _k("section.back", "escape", "close", "Back", show=True),
    _k("bookmark_note.cancel", "escape", "cancel", "Cancel", "Leave without a bookmark"),
    _k("status.cancel", "escape", "cancel", "Cancel", "Keep the status as it is"),
    _k("mute.cancel", "escape", "cancel", "Cancel", "Mute nothing"),
    _k("mutes.back", "escape", "close", "Back", show=True),
    _k(
        "mutes.unmute",
        "x,delete,u",
        "unmute",
        "Unmute",
        "Unmute: show that author's, fandom's or tag's stories again",
        show=True,
    ),
)
"""Every binding of the app, its screens and dialogs (the order help and ``keys`` list them in)."""

SCREENS: dict[str, str] = {
    "app": "Everywhere",
    "library": "Library",
    "warning": "Warning before a story",
    "gate": "Author's stop point",
    "reader": "Reading",
    "help": "Help",
    "index": "Chapter index",
    "search": "Search",
    "bookmarks": "Bookmarks",
    "history": "History",
    "section": "Summary and notes",
    "bookmark_note": "Bookmark note",
    "status": "Reading status",
    "mute": "Mute a story's author or tag",
    "mutes": "Muted authors and tags",
}
"""Each screen a binding id may start with, and its title."""

_BY_ID: dict[str, KeySpec] = {spec.id: spec for spec in KEY_TABLE}


def by_id(binding_id: str) -> KeySpec | None:
    """The binding with this id (None when there is none)."""
    return _BY_ID.get(binding_id)


def screen_specs(screen: str) -> list[KeySpec]:
    """The bindings of one screen (``"reader"``), in table order."""
    return [spec for spec in KEY_TABLE if spec.screen == screen]


NAMED_KEYS: frozenset[str] = frozenset(
    {
        "escape",
        "enter",
        "tab",
        "space",
        "backspace",
        "delete",
        "insert",
        "home",
        "end",
        "pageup",
        "pagedown",
        "up",
        "down",
        "left",
        "right",
        *(f"f{n}" for n in range(1, 25)),
    }
)
"""Key names that are not a character (Textual's names; a test checks them against Textual)."""

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
"""Modifiers a key may carry (``ctrl+f``)."""

ALIASES: dict[str, str] = {
    "esc": "escape",
    "return": "enter",
    "pgup": "pageup",
    "pgdn": "pagedown",
    "del": "delete",
}
"""Other names readers write for some keys."""

LABELS: dict[str, str] = {
    "space": "space",
    "escape": "esc",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "home": "Home",
    "end": "End",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "delete": "del",
}
"""How some keys are written for a reader (the rest as their character)."""

PLAIN_LABELS: dict[str, str] = {
    **LABELS,
    "up": "up",
    "down": "down",
    "left": "left",
    "right": "right",
}
"""The same in plain mode: words rather than arrows."""


NAME_REPLACEMENTS: dict[str, str] = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}
"""Shorter names Textual gives some characters than their Unicode names."""


ASCII_PUNCTUATION_NAMES: dict[str, str] = {
    "!": "exclamation_mark",
    '"': "quotation_mark",
    "#": "number_sign",
    "$": "dollar_sign",
    "%": "percent_sign",
    "&": "ampersand",
    "'": "apostrophe",
    "(": "left_parenthesis",
    ")": "right_parenthesis",
    "*": "asterisk",
    "+": "plus",
    ",": "comma",
    "-": "minus",
    ".": "full_stop",
    "/": "slash",
    ":": "colon",
    ";": "semicolon",
    "<": "less_than_sign",
    "=": "equals_sign",
    ">": "greater_than_sign",
    "?": "question_mark",
    "@": "at",
    "[": "left_square_bracket",
    "\\": "backslash",
    "]": "right_square_bracket",
    "^": "circumflex_accent",
    "_": "underscore",
    "`": "grave_accent",
    "{": "left_curly_bracket",
    "|": "vertical_line",
    "}": "right_curly_bracket",
    "~": "tilde",
}
"""Textual's name of every ASCII punctuation character, written out: working them out reads
0.4 MiB of the Unicode name database's pages at start (a test checks them against it)."""


def _character_name(char: str) -> str:
    """Textual's name for a character key: itself when alphanumeric, else its Unicode name."""
    if char.isalnum():
        return char
    if char in ASCII_PUNCTUATION_NAMES:
        return ASCII_PUNCTUATION_NAMES[char]
    try:
        name = unicodedata.name(char).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return char
    return NAME_REPLACEMENTS.get(name, name)


CHARACTER_KEYS: dict[str, str] = {name: char for char, name in ASCII_PUNCTUATION_NAMES.items()}
"""Textual's name of every ASCII punctuation key → the character (``question_mark`` → ``?``)."""


def normalise_key(key: str) -> str | None:
    """One key in Textual's long form (``?`` → ``question_mark``), or None when it is no key."""
    key = key.strip()
    if not key:
        return None
    if len(key) == 1:
        return _character_name(key) if key.isprintable() else None
    *mods, name = key.split("+")
    if any(m.lower() not in MODIFIERS for m in mods) or len(set(mods)) != len(mods):
        return None
    if not name:
        return None
    if len(name) == 1:
        base = _character_name(name) if name.isprintable() else None
    else:
        lowered = ALIASES.get(name.lower(), name.lower())
        base = lowered if lowered in NAMED_KEYS or _is_character_name(lowered) else None
    if base is None:
        return None
    return "+".join([*(m.lower() for m in mods), base])


def _name_character(name: str) -> str | None:
    """The character Textual names ``name`` (``question_mark`` → ``?``), None when none is."""
    if name in CHARACTER_KEYS:
        return CHARACTER_KEYS[name]
    try:
        char = unicodedata.lookup(name.replace("_", " "))
    except KeyError:
        return None
    if char.isprintable() and not char.isalnum() and _character_name(char) == name:
        return char
    return None


def _is_character_name(name: str) -> bool:
    """True when ``name`` is Textual's name of one printable character (``question_mark``)."""
    return _name_character(name) is not None


def bad_key(keys: str) -> str | None:
    """The first of comma-separated ``keys`` that is no key (``""`` for none at all), else None."""
    parts = keys.split(",")
    if not keys.strip():
        return ""
    for part in parts:
        if normalise_key(part) is None:
            return part.strip()
    return None


def normalise_keys(keys: str) -> str:
    """Comma-separated keys in Textual's long form (each must be valid: see :func:`bad_key`)."""
    return ",".join(normalise_key(part) or part.strip() for part in keys.split(","))


def key_label(key: str, *, plain: bool = False) -> str:
    """A key as a reader would write it: ``]``, ``PgDn``, ``ctrl+f``, ``?`` (arrows as words when
    ``plain``)."""
    *mods, name = key.split("+")
    labels = PLAIN_LABELS if plain else LABELS
    if name in labels:
        label = labels[name]
    else:
        label = (_name_character(name) if len(name) > 1 else None) or name
    return "+".join([*mods, label])


def keys_label(keys: str, *, plain: bool = False) -> str:
    """Comma-separated keys as a reader writes them, apart by spaces: ``] →``."""
    labels: list[str] = []
    for key in keys.split(","):
        label = key_label(key.strip(), plain=plain)
        if label not in labels:
            labels.append(label)
    return " ".join(labels)
