"""The command palette's tui-reader commands: open a story, go to a chapter, notes, theme, warnings.

Story titles are untrusted: hits are built from ``Content(text)`` (plain) with the match
highlighted by offsets, and help texts are markup-escaped, never parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

from tui_reader.config import NOTE_MODES, WARN_MODES
from tui_reader.model import ARCHIVE_WARNINGS, NO_WARNINGS

HIDEABLE_WARNINGS = tuple(w for w in ARCHIVE_WARNINGS if w != NO_WARNINGS)
"""Archive warnings a reader can choose to hide stories by."""

CommandSpec = tuple[str, Callable[[], Any], str]
"""(title, callback, help) of one command."""


def plain_highlight(matcher: Matcher, candidate: str) -> Content:
    """``candidate`` as plain content with the matched characters highlighted."""
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if score:
        for offset in offsets:
            if not candidate[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class ReaderCommands(Provider):
    """Our commands for the palette (added to ``App.COMMANDS``)."""

    def commands(self) -> Iterator[CommandSpec]:
        """Every command that applies on the current screen."""
        from tui_reader.ui.app import TuiReaderApp

        app = self.app
        if not isinstance(app, TuiReaderApp):
            return
        screen = self.screen
        chapters = getattr(getattr(screen, "story", None), "chapters", None)
        go_to = getattr(screen, "go_to_chapter", None) or getattr(screen, "_go", None)
        if chapters and callable(go_to):
            for index, chapter in enumerate(chapters):
                yield (
                    f"Go to chapter {chapter.display_title[len('Chapter ') :]}",
                    partial(go_to, index),
                    f"{chapter.words:,} words",
                )
        toggle = getattr(screen, "action_notes", None)
        if callable(toggle):
            yield ("Toggle author's notes", toggle, "Fold or unfold the notes on screen")
        yield ("Change theme", app.action_change_theme, "Pick colours (remembered)")
        for mode in WARN_MODES:
            yield (
                f"Warning screens: {mode}",
                partial(app.set_warn_mode, mode),
                {
                    "always": "Show the warning screen every time a warned story opens",
                    "once": "Show it until you continue, once per story",
                    "never": "Never show warning screens",
                }[mode],
            )
        hidden = app.hidden_warnings()
        for warning in HIDEABLE_WARNINGS:
            verb = "Show" if warning in hidden else "Hide"
            yield (
                f"{verb} stories warned: {warning}",
                partial(app.toggle_hidden_warning, warning),
                "In the library and in search (h in the library shows them anyway)",
            )
        for notes in NOTE_MODES:
            yield (
                f"Author's notes: {notes}",
                partial(app.set_notes_mode, notes),
                f"Show author's notes {notes} by default",
            )
        for entry in app.library_entries:
            if entry.error:
                continue
            byline = f" by {entry.author}" if entry.author else ""
            yield (
                f"Open {entry.title}",
                partial(app.open_entry, entry),
                escape(f"{entry.words:,} words{byline}"),
            )

    async def discover(self) -> Hits:
        """Everything, shown when the palette opens empty."""
        for title, callback, help_text in self.commands():
            yield DiscoveryHit(Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        """The commands that match ``query`` fuzzily."""
        matcher = self.matcher(query)
        for title, callback, help_text in self.commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score, plain_highlight(matcher, title), callback, text=title, help=help_text
                )
