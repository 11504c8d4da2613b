"""The command palette's tui-reader commands.

:class:`ReaderCommands` (the app's: open a story, theme, warnings, notes preferences, and on the
library muting the highlighted story's author or tag and the review of every mute) and
:class:`ChapterCommands` (the reader screen's ``COMMANDS``: go to a chapter, fold notes). Each asks
its host through a small protocol, so this module imports neither the app nor the screens.

Story titles are untrusted: hits are built from ``Content(text)`` (plain) with the match
highlighted by offsets, and help texts are markup-escaped, never parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

from tui_reader.config import NOTE_MODES, WARN_MODES
from tui_reader.model import ARCHIVE_WARNINGS, NO_WARNINGS, Story
from tui_reader.ui import lazy

if TYPE_CHECKING:  # (the library is imported when a folder is opened: tui_reader.ui.lazy)
    from tui_reader.library import LibraryEntry

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


@runtime_checkable
class CommandHost(Protocol):
    """What the app's commands need of the app."""

    library_entries: list[LibraryEntry]
    """The entries the library screen knows."""

    def action_change_theme(self) -> None:
        """Pick a theme."""

    def set_warn_mode(self, mode: str) -> None:
        """Set the "warn_mode" preference."""

    def hidden_warnings(self) -> frozenset[str]:
        """The warnings whose stories are hidden."""

    def toggle_hidden_warning(self, warning: str) -> None:
        """Hide (or show again) the stories carrying ``warning``."""

    def set_notes_mode(self, mode: str) -> None:
        """Set the "notes" preference."""

    def open_entry(self, entry: LibraryEntry) -> None:
        """Open a library entry."""


@runtime_checkable
class MuteHost(Protocol):
    """What the mute commands need of the screen the palette was opened on (the library, or the
    reader screen for the story being read)."""

    def action_mute(self) -> None:
        """Open the mute menu of the highlighted story."""

    def show_mutes(self) -> None:
        """Open the review screen of every mute."""


@runtime_checkable
class ChapterHost(Protocol):
    """What the chapter commands need of the reader screen."""

    story: Story
    """The story being read."""

    def go_to_chapter(self, index: int) -> None:
        """Go to chapter ``index`` (0-based)."""

    def action_notes(self) -> None:
        """Fold or unfold the notes on screen."""


class _Commands(Provider):
    """A provider listing ``(title, callback, help)`` commands, found fuzzily."""

    def commands(self) -> Iterator[CommandSpec]:
        """Every command that applies."""
        raise NotImplementedError

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


class ChapterCommands(_Commands):
    """The reader screen's commands (its ``COMMANDS``): every chapter, and folding notes."""

    def commands(self) -> Iterator[CommandSpec]:
        """A "Go to chapter" command per chapter, and the notes toggle."""
        screen = self.screen
        if not isinstance(screen, ChapterHost):
            return
        for index, chapter in enumerate(screen.story.chapters):
            yield (
                f"Go to chapter {chapter.display_title[len('Chapter ') :]}",
                partial(screen.go_to_chapter, index),
                f"{chapter.words:,} words",
            )
        yield ("Toggle author's notes", screen.action_notes, "Fold or unfold the notes on screen")


class ReaderCommands(_Commands):
    """The app's commands (in ``App.COMMANDS``): theme, warnings, notes, opening a story."""

    def commands(self) -> Iterator[CommandSpec]:
        """Every app-wide command."""
        app = self.app
        if not isinstance(app, CommandHost):
            return
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
        screen = self.screen
        if isinstance(screen, MuteHost):
            story = "this" if isinstance(screen, ChapterHost) else "the highlighted"
            yield (
                "Mute author or tag…",
                screen.action_mute,
                f"Mute {story} story's author, a fandom, a relationship or a tag",
            )
            yield ("Muted authors and tags", screen.show_mutes, "Review your mutes and unmute")
        for notes in NOTE_MODES:
            yield (
                f"Author's notes: {notes}",
                partial(app.set_notes_mode, notes),
                f"Show author's notes {notes} by default",
            )
        if not getattr(app, "hosted", True) and getattr(app, "library", None) is not None:
            # never offered over ssh: fetching is for the host's administrator
            yield (
                "Check for updates",
                partial(lazy.name(lazy.UPDATE_PROGRESS, "check_for_updates"), app),
                "Fetch new chapters with FanFicFare for stories that name their source",
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
