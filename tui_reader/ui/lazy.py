"""Names from modules the first frame does not need, imported when first asked for.

A screen that opens a dialog only on a key press names the dialog's module here instead of
importing it at the top, so starting the reader does not import it. The app imports all of
them in a thread worker soon after start (:data:`tui_reader.ui.app.DEFERRED_MODULES`), so a key
press rarely waits for one.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.command import Provider

BOOKMARK_NOTE = "tui_reader.ui.dialogs.bookmark_note"
"""The bookmark's note dialog."""

CHAPTER_INDEX = "tui_reader.ui.dialogs.chapter_index"
"""The chapter index."""

CONFIRM = "tui_reader.ui.dialogs.confirm"
"""The warning screen and the gate's question."""

MUTE = "tui_reader.ui.dialogs.mute"
"""The mute dialog."""

STATUS = "tui_reader.ui.dialogs.status"
"""The reading status dialog."""

MUTES = "tui_reader.ui.screens.mutes"
"""The review screen of every mute."""

LIBRARY = "tui_reader.library"
"""The library (its entries; a process pool for cold scans)."""

UPDATE_PROGRESS = "tui_reader.ui.widgets.update_progress"
"""Checking stories for updates with FanFicFare."""

FOOTER = "tui_reader.ui.widgets.footer"
"""The footer with the keys, mounted once a screen's first frame is painted (FooterSlot)."""

SEARCH_FIELD = "tui_reader.ui.widgets.search_field"
"""The reading screen's search field (a Textual input), mounted when first opened."""

COMMANDS = "tui_reader.ui.commands"
"""The command palette's providers (the app's and the reading screen's ``COMMANDS``)."""

MODULES: tuple[str, ...] = (
    BOOKMARK_NOTE,
    CHAPTER_INDEX,
    CONFIRM,
    MUTE,
    STATUS,
    MUTES,
    LIBRARY,
    UPDATE_PROGRESS,
    FOOTER,
    SEARCH_FIELD,
    COMMANDS,
)
"""Every module above: what a key press (or a palette command) may need."""

UPDATES = "tui_reader.updates"
"""The updater (FanFicFare runs, the file swaps): imported by the update check's worker, so a
session that never checks never holds it (not in :data:`MODULES`: no key press needs it)."""


def name(module: str, attribute: str) -> Any:
    """``module.attribute``, importing ``module`` now if it is not yet."""
    return getattr(importlib.import_module(module), attribute)


def reader_commands() -> type[Provider]:
    """The app's palette commands (``ReaderCommands``): in the app's ``COMMANDS`` as this
    function, which Textual calls when the palette opens (a lazily loaded provider)."""
    provider: type[Provider] = name(COMMANDS, "ReaderCommands")
    return provider


def chapter_commands() -> type[Provider]:
    """The reading screen's palette commands (``ChapterCommands``), loaded as
    :func:`reader_commands` is."""
    provider: type[Provider] = name(COMMANDS, "ChapterCommands")
    return provider
