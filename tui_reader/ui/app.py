"""The Textual app: library or single story, the open flow (warning screen, reader), themes, quit.

:func:`run_app` is what ``tui-reader [PATH]`` calls. :class:`TuiReaderApp` is also built by the
ssh host for each connection (``hosted=True``), which turns off everything that writes files.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import get_current_worker

from tui_reader.config import Settings
from tui_reader.first_read import FirstRead
from tui_reader.importers import load_first_chapter
from tui_reader.keys import key_label
from tui_reader.model import Story, StoryError
from tui_reader.paths import display_path, display_text
from tui_reader.reading import ReadingSession, load_chapters, opening_chapter
from tui_reader.state import Bookmark, HistoryEntry, Position, StateStore
from tui_reader.story_cache import Fill, adopt_parsed, cached_story, open_story
from tui_reader.text import collapse_whitespace, sanitise
from tui_reader.ui import lazy
from tui_reader.ui.bindings import bindings, key_display, use_key_tables
from tui_reader.ui.messages import NotesPreferenceChanged, OpenStory
from tui_reader.ui.plain import PLAIN_CLASS
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.shutdown import ShutdownGuard
from tui_reader.ui.styles import SharedStylesheet, load_parsed, save_parsed, unsaved_parsed

if TYPE_CHECKING:
    from tui_reader.library import Library, LibraryEntry
    from tui_reader.search import SearchHit
    from tui_reader.ui.dialogs.confirm import ConfirmDialog
    from tui_reader.ui.screens.library import LibraryScreen

HOSTED_BLOCKED_COMMANDS = frozenset({"Screenshot"})
"""System commands a hosted app never offers (they write files on the host)."""

HOSTED_ERROR = "tui-reader: the reader hit an internal error and closed; please reconnect."
"""All a remote reader sees of a crash: never a traceback (server paths, locals)."""

HOSTED_ERROR_LOG = "reader-errors.log"
"""File in the data dir where a hosted reader's tracebacks go, for the host's operator."""

LIBRARY_SCREEN = "tui_reader.ui.screens.library"
"""The library screen's module: imported only when a folder was opened (or asked for)."""

STORY_ONLY_SCREEN = "tui_reader.ui.screens.story_only"
"""The blank bottom screen's module: imported only when a single story's warning comes first."""

APP_CSS = "app.tcss"
"""App-wide styles."""

PLAIN_CSS = "plain.tcss"
"""Plain mode's styles: loaded only by an app in plain mode."""

LIBRARY_CSS = "screens/library.tcss"
"""The library screen's styles: loaded only by an app opened on a folder (Textual never loads
a default screen's CSS_PATH, so the app loads it)."""


READER_CSS = "screens/reader.tcss"
"""The reading screen's styles (its CSS_PATH): an app on a single story loads them with its own,
so pushing the reading screen parses and applies no stylesheet again before the first frame."""


def app_css(*, plain: bool, library: bool) -> list[str | PurePath]:
    """The app's CSS files, in the order they apply: only those this app uses, so a single
    story's first frame parses no rule it will never match (plain mode's, the library's)."""
    return [APP_CSS, *([PLAIN_CSS] if plain else []), LIBRARY_CSS if library else READER_CSS]


DEFERRED_MODULES: tuple[str, ...] = (
    *lazy.MODULES,
    "tui_reader.ui.screens.search",
    "tui_reader.ui.screens.bookmarks",
    "tui_reader.ui.screens.history",
    "tui_reader.ui.screens.help",
)
"""Screens and dialogs the first frame does not need (with what they import: the search index,
SQLite, the library, Textual's inputs). Imported when first shown, or in a thread worker
:data:`PRELOAD_DELAY` after start so a key press rarely waits for one; a warm host that forks
sessions imports them before it freezes. Not the library screen: it is the first screen of a
library folder, and a single story's session never shows it (its table would hold ~1.6 MiB)."""

PRELOAD_DELAY = 1.5
"""Seconds after start before :data:`DEFERRED_MODULES` are imported in a thread worker."""

WHOLE_STORY_LIMIT = 1.0
"""First chapter first: the whole story is read in a thread worker once the first chapter's text
is painted (:meth:`App.start_painted`), so the first paint never shares the processor with it;
or this many seconds after it was asked for, when no text paints first (a warning screen up)."""

CACHE_FILL_DELAY = 1.0
"""Seconds after a story first shows before its cache entry is written (the chapters parsed one
at a time in a thread worker, none kept): the first paint never shares the processor with it."""


SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the interpreter while another waits for it, in the reader (Python's
default is 5 ms). Textual writes every frame from its own output thread, which must take the
interpreter from the event loop to write: with the default, a frame the loop painted waited up
to 5 ms (the first frame ~6 ms, while the loop painted the next ones) before the terminal got
it, and a key waited as long behind a worker thread parsing chapters."""

GC_RESUME_LIMIT = 1.0
"""Seconds after the app mounts by which the garbage collector paused for start-up
(:func:`run_app`) runs again, when no story text was painted before (a library, a warning)."""


Whole = Callable[[], tuple[Story, Fill | None]]
"""Reads the whole story (and its cache fill) when the app was given its first chapter only."""


def confirm_dialog() -> type[ConfirmDialog]:
    """The warning screen's class (imported when a story first needs it)."""
    dialog: type[ConfirmDialog] = lazy.name(lazy.CONFIRM, "ConfirmDialog")
    return dialog


def is_screen(screen: object, module: str, name: str) -> bool:
    """True when ``screen`` is a ``module.name`` screen (never imports: a module not loaded yet
    has no screens)."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(screen, getattr(loaded, name))


def preload_deferred() -> None:
    """Import :data:`DEFERRED_MODULES` (in a thread worker, or a warm host before forking)."""
    for module in DEFERRED_MODULES:
        importlib.import_module(module)


def _warned_of(story: Story) -> tuple[object, ...]:
    """What a story's warning screen lists: its rating, warnings, site warnings and notes."""
    return (
        story.rating,
        story.rating_level,
        tuple(story.warnings),
        tuple(story.site_warnings),
        tuple(story.content_notes),
    )


def _library_screens(screens: Iterable[object]) -> list[LibraryScreen]:
    """The library screens among ``screens``."""
    found = [s for s in screens if is_screen(s, LIBRARY_SCREEN, "LibraryScreen")]
    return cast("list[LibraryScreen]", found)


class TuiReaderApp(App[int]):
    """The reader: a library of stories or one story, warning screens, the reading screen."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [APP_CSS, PLAIN_CSS, LIBRARY_CSS]
    """App-wide styles, plain mode's and the library's (Textual never loads a default screen's
    CSS_PATH); an app loads only those it uses (:func:`app_css`)."""
    TITLE = "tui-reader"
    COMMANDS = App.COMMANDS | {lazy.reader_commands}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = bindings("app")
    """Keys available everywhere (screens add their own)."""

    def __init__(
        self,
        target: Path,
        *,
        data_dir: Path,
        reader_id: str = "local",
        hosted: bool = False,
        guest: bool = False,
        story: Story | None = None,
        store: StateStore | None = None,
        install_signals: bool = False,
        settings: Settings | None = None,
        cache_fill: Fill | None = None,
        whole: Whole | None = None,
        gc_paused: bool = False,
        **kwargs: Any,
    ) -> None:
        """Open ``target`` (a library folder, or a story file whose ``story`` may be given).

        ``settings`` (the config file) remaps keys, turns plain mode on and gives the
        preferences' defaults; its problems are shown once the app runs. ``cache_fill`` writes
        the given ``story``'s cache entry (:func:`~tui_reader.story_cache.open_story` missed):
        it runs in a thread worker once the story shows. ``whole`` reads the whole story when
        ``story`` holds its first chapter only (first chapter first): that chapter shows, then
        the whole story is read in a thread worker and the reader reads on in it.
        ``gc_paused``: the garbage collector was paused for start-up; the app resumes it once
        the story's text is painted (:meth:`start_painted`), or after :data:`GC_RESUME_LIMIT`;
        until then the state file is not written either (the changes wait in memory).
        """
        settings = settings or Settings()
        if not (hosted or guest):  # (a hosted session's CSS: parsed by the warm host, forked)
            load_parsed(Path(data_dir))
        use_key_tables()  # (Textual's key-to-character question answered without Unicode's names)
        kwargs.setdefault("css_path", app_css(plain=settings.plain, library=Path(target).is_dir()))
        super().__init__(**kwargs)
        # parsed CSS shared by every app of the process (the warm host parses it for sessions);
        # its variables are those Textual's __init__ just computed for its own stylesheet
        # (get_css_variables sets theme_variables: computing them again is ~0.3 % of a start)
        variables = self.theme_variables or self.get_css_variables()
        self.stylesheet = SharedStylesheet(variables=variables)
        self.settings = settings
        """The config file's settings."""
        self.plain = self.settings.plain
        """Plain mode: no box-drawing or block characters, every state in words."""
        if self.plain:
            self.add_class(PLAIN_CLASS)
        self.set_keymap(self.settings.keys)
        self.target = Path(target)
        """The library folder or the story file."""
        self.data_dir = Path(data_dir)
        """Where reader state and caches live."""
        self.hosted = hosted
        """True when served over ssh: nothing writes files on the host, no paths outside."""
        self.guest = guest
        """True for a reader whose state is not kept."""
        self.shutdown_guard = ShutdownGuard(self.save_and_wait) if install_signals else None
        """Saves and exits within 2 s on SIGHUP/SIGTERM (run_app installs it; tests do not)."""
        self._pending_warnings: list[str] = []
        self._store_loop: asyncio.AbstractEventLoop | None = None
        self.store_closed = False
        """True once the app has written what it could and stopped the store's writer."""
        self._shown_warnings: set[str] = set()
        if store is None:
            store = StateStore(
                self.data_dir,
                reader_id,
                persist=not guest,
                on_warning=self.store_warning,
                background=True,  # saving never waits on the event loop (lock, slow disk)
                dispatch=self._from_store,
            )
        self.store: StateStore = store
        """The reader's state (progress, acknowledgements, preferences)."""
        self.store.pref_defaults.update(self.settings.preferences())
        if gc_paused:
            self.store.hold_writes()
        for message in self.store.warnings:
            self.store_warning(message)
        self.library: Library | None = None
        """The library when a folder was opened."""
        self.single_story = story
        """The story when one file was opened."""
        if story is not None:  # its state may sit under the id before identity by source
            self.store.adopt_ids([(story.legacy_id, story.story_id)])
        self._cache_fill = cache_fill
        self._whole = whole
        self._gc_paused = gc_paused
        self._first_session: ReadingSession | None = None
        self._after_paint: list[Callable[[], None]] = []
        """What waits for a story's text to be painted (:meth:`start_painted`): the whole-story
        reads of first-chapter-first stories."""
        self._first_only: list[Story] = []
        """Stories shown from their first chapter only while the whole story is read."""
        self._warned_first: list[Story] = []
        """First-chapter stories whose warning screen the reader passed in this run."""
        self._replaced: list[tuple[Story, Story]] = []
        """(first chapter, whole story) pairs: the whole story was read while the first one's
        warning screen waited for an answer, so the reader opens on the whole story."""
        self._reader_at_bottom = False
        """True when the single story's reading screen is the app's bottom screen."""
        if self.target.is_dir():
            library: type[Library] = lazy.name(lazy.LIBRARY, "Library")
            self.library = library(self.target, self.data_dir)

    # --- start-up ---------------------------------------------------------------------------

    def get_key_display(self, binding: Binding) -> str:
        """A key as the footer shows it, as Textual would (:func:`~tui_reader.ui.bindings.
        key_display`); in plain mode in words ("enter", "ctrl+p")."""
        if self.plain:
            return key_label(binding.key, plain=True)
        return binding.key_display or key_display(binding.key)

    def get_default_screen(self) -> Screen[Any]:
        """The library; or, with one story file opened, its reading screen when nothing has to
        come first (no warning due; with only its first chapter read, the place in that
        chapter), else a blank bottom screen under the warning.

        The reading screen at the bottom is the first frame itself: no blank screen is composed,
        styled and painted before it (a story's first frame, ~3 % of its instructions)."""
        if self.library is not None:
            return lazy.name(LIBRARY_SCREEN, "LibraryScreen")(self.library, self.store)
        story = self.single_story
        if story is None or self.needs_warning(story):
            return lazy.name(STORY_ONLY_SCREEN, "StoryOnlyScreen")()
        if self._whole is not None:
            if not self.may_show_first(story):
                return lazy.name(STORY_ONLY_SCREEN, "StoryOnlyScreen")()
            self._first_only.append(story)
        self._reader_at_bottom = True
        return self.reader_screen(story, self.target)

    def on_mount(self) -> None:
        """Restore the theme, show the config's and stored warnings, open a single story,
        hook signals."""
        self._store_loop = asyncio.get_running_loop()
        theme = self.store.prefs().theme
        if theme in self.available_themes:
            self.theme = theme
        elif theme == self.settings.theme and self.settings.source is not None:
            shown = display_path(self.settings.source)
            self.settings = replace(
                self.settings,
                problems=(
                    *self.settings.problems,
                    f"config: {shown}: theme {theme!r} is not a theme (ignored)",
                ),
            )
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        for problem in self.settings.problems:
            self.notify(self._config_problem(problem), severity="warning", timeout=8)
        while self._pending_warnings:  # (the store's writer may add one meanwhile)
            self.notify(self._pending_warnings.pop(0), severity="warning", timeout=8)
        self.set_timer(PRELOAD_DELAY, self._preload)
        if self._gc_paused:
            self.set_timer(GC_RESUME_LIMIT, self.start_painted)
        if self.shutdown_guard is not None:
            loop = asyncio.get_running_loop()
            self.shutdown_guard.request_exit = lambda sig: loop.call_soon_threadsafe(
                self.on_signal, sig
            )
        if self.single_story is not None and self._whole is not None:
            if self._reader_at_bottom:  # (its first chapter is on show: read the rest)
                self.read_whole_later(self.single_story, self._whole, shown=True)
            else:
                self.open_whole_story(self.single_story, self._whole)
            self._whole = None
        elif self.single_story is not None:
            if not self._reader_at_bottom:
                self.show_story(self.single_story, self.target)
            if self._cache_fill is not None:
                self.fill_cache_later(self.single_story, self._cache_fill)
                self._cache_fill = None

    def prepare_first_session(self, story: Story) -> None:
        """Before the app runs: the reading session of the single ``story`` (at the saved place,
        its chapter parsed), with the saved place already found in that chapter's text, so the
        first frame shows the text at once rather than its heading while a worker looks."""
        position = self.store.position(story.story_id)
        session = ReadingSession(story, self.store, path=self.target, position=position)
        session.place_start()
        self._first_session = session

    def start_painted(self) -> None:
        """A story's text is on screen (a reading screen says so, or :data:`GC_RESUME_LIMIT`
        passed): the garbage collector paused for start-up runs again, and what waited for the
        paint starts (:meth:`read_whole_later`)."""
        self._run_after_paint()
        parsed = None if self.hosted or self.guest else unsaved_parsed()
        if parsed is not None:  # the CSS parsed for this start, kept for the next one
            save = partial(save_parsed, self.data_dir, parsed)
            self.run_worker(save, thread=True, group="css", exit_on_error=False)
        if self._gc_paused:
            self._gc_paused = False
            gc.enable()
            self.store.release_writes()

    def open_whole_story(self, first: Story, whole: Whole) -> None:
        """First chapter first: show ``first`` (the story's first chapter only) unless the reader's
        place is further on, then read the whole story in a thread worker and read on in it."""
        early = self.may_show_first(first)
        if early:
            self._first_only.append(first)
            self.show_story(first, self.target)
        self.read_whole_later(first, whole, shown=early)

    def may_show_first(self, first: Story) -> bool:
        """True when a story's first chapter (and its warning screen, when one is due) may show
        before the whole story is read: the reader's place (if any) is in that chapter.

        A warning screen shown from the first chapter lists what the quick read found: the
        importers read a story's warnings, rating and notes from its preface, title page or
        package, before any chapter. Should the whole story warn of more, the reader is warned
        again before reading on (:meth:`_warns_anew`)."""
        saved = self.store.position(first.story_id)
        return saved is None or saved.chapter == 0

    def read_whole_later(self, first: Story, whole: Whole, *, shown: bool) -> None:
        """Read the whole story in a thread worker (after the first paint when ``first`` is
        shown), then read on in it (:meth:`_whole_story`)."""

        def work() -> None:
            try:
                story, fill = whole()
            except StoryError as exc:
                self.call_from_thread(self._whole_failed, first, exc, shown)
                return
            adopt_parsed(first, story)  # (chapter 1 is not parsed a second time)
            self.call_from_thread(self._whole_story, first, story, fill, shown)

        def start() -> None:
            self.run_worker(work, thread=True, group="whole-story", exit_on_error=False)

        if shown:
            self._after_paint.append(start)
            self.set_timer(WHOLE_STORY_LIMIT, self._run_after_paint)
        else:
            start()

    def _run_after_paint(self) -> None:
        """Start what waited for a story's text to be painted (each once)."""
        waiting, self._after_paint = self._after_paint, []
        for start in waiting:
            start()

    def _whole_story(self, first: Story, story: Story, fill: Fill | None, shown: bool) -> None:
        """The whole story is read: the reading screen showing its first chapter reads on in it
        (or, when it was not shown, the story opens now)."""
        if self.single_story is first:
            self.single_story = story
        self._first_only = [s for s in self._first_only if s is not first]
        if shown:
            readers = [
                screen
                for screen in self.screen_stack
                if isinstance(screen, ReaderScreen) and screen.story is first
            ]
            for screen in readers:
                screen.story_indexed(story)
            if not readers and self._first_awaits_warning(first):
                self._replaced.append((first, story))  # (its warning screen is still up)
            elif self._warns_anew(first, story):
                self._warn_late(story)  # (what the first chapter showed did not warn of it)
        else:
            self.show_story(story, self.target)
        if fill is not None:
            self.fill_cache_later(story, fill)

    def _first_awaits_warning(self, first: Story) -> bool:
        """True when ``first``'s warning screen is up, waiting for the reader's answer."""
        dialogs = [s for s in self.screen_stack if is_screen(s, lazy.CONFIRM, "ConfirmDialog")]
        return any(
            dialog.kind == "warning" and dialog.story is first
            for dialog in cast("list[ConfirmDialog]", dialogs)
        )

    def _warns_anew(self, first: Story, whole: Story) -> bool:
        """True when the whole story must show its warning screen although its first chapter is
        read: the first chapter called for none and the whole one does, or the reader passed
        the first chapter's warning screen and the whole story warns of something it did not
        list (rating, warnings, site warnings or content notes)."""
        if not any(s is first for s in self._warned_first):
            return self.needs_warning(whole) and not first.needs_warning
        if self.store.prefs().warn_mode == "never" or not whole.needs_warning:
            return False
        return _warned_of(whole) != _warned_of(first)

    def _warn_late(self, story: Story) -> None:
        """The warning screen over the reader: the whole story warns where its first chapter did
        not; declining leaves the story."""

        def answered(ok: bool | None) -> None:
            if ok:
                self.store.acknowledge(story.story_id)
            else:
                self.save_state()
                self.story_closed()

        self.push_screen(confirm_dialog().warning(story), answered)

    def _whole_failed(self, first: Story, error: StoryError, shown: bool) -> None:
        """The whole story could not be read after its first chapter was: say why (in one line);
        with nothing shown yet, end as a file that cannot be opened does."""
        if shown:
            title = f"Cannot open {self.shown_name(error.path)}"
            self.notify(error.reason, title=title, severity="error")
            for screen in self.screen_stack:
                if isinstance(screen, ReaderScreen) and screen.story is first:
                    screen.rest_unreadable()
        else:
            line = f"error: {self.shown_name(error.path)}: {error.reason}"
            self.exit(1, return_code=1, message=Text(self.shown_text(line)))

    def _preload(self) -> None:
        """Import the screens the first frame did not need, in a thread worker."""
        self.run_worker(preload_deferred, thread=True, group="preload", exit_on_error=False)

    def _config_problem(self, line: str) -> str:
        """A config problem as a reader is shown it (hosted: not where the host keeps the file)."""
        if self.hosted and self.settings.source is not None:
            return line.replace(display_path(self.settings.source), "the host's config file")
        return line

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification as plain text, whoever asks (screens pass ``markup=True``).

        Our notifications carry story titles, file names, import reasons and the reader's own
        search words: none of it may be parsed as markup, and all of it passes the sanitiser
        (:func:`display_text`). Paths inside the library are shown relative to it, so a reader
        on a hosted library never sees where it lives on the server.
        """
        message, title = (self.shown_text(text) for text in (message, title))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def shown_text(self, text: str) -> str:
        """``text`` made safe to show: sanitised, with library paths made relative to it."""
        root = self.library.root if self.library is not None else self.target.parent
        return display_text(text.replace(os.path.join(root, ""), ""))

    def shown_name(self, path: str | Path) -> str:
        """A story file's name as a reader is shown it: relative to the library, sanitised."""
        root = self.library.root if self.library is not None else Path(path).parent
        return display_path(path, root)

    def _from_store(self, callback: Callable[[], None]) -> None:
        """Run a callback of the store's writer thread on the event loop (now, once stopped)."""
        loop = self._store_loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._run_store_callback, callback)
                return
            except RuntimeError:  # the loop has closed
                pass
        self._run_store_callback(callback)

    def _run_store_callback(self, callback: Callable[[], None]) -> None:
        """Run a store callback; one that fails (its screen gone) must not reach the terminal."""
        with contextlib.suppress(Exception):
            callback()

    def hosted_safe(self, message: str) -> str:
        """A state-store message as a reader may see it: hosted, the reader file is named by
        its own name only, never by where the host keeps it."""
        path = self.store.path
        if self.hosted and path is not None:
            message = message.replace(str(path), path.name)
            message = message.replace(str(self.data_dir), "the host's data folder")
        return message

    def store_warning(self, message: str) -> None:
        """A message from the state store: shown once as a notification."""
        message = collapse_whitespace(sanitise(self.hosted_safe(message)))
        if message in self._shown_warnings:
            return
        self._shown_warnings.add(message)
        if self.is_running:
            self.notify(message, severity="warning", timeout=8)
        else:
            self._pending_warnings.append(message)

    def _theme_changed(self, theme: Theme) -> None:
        """Remember the theme the reader picked."""
        if self.store.prefs().theme != theme.name:
            self.store.set_pref("theme", theme.name)

    # --- quitting ---------------------------------------------------------------------------

    def save_state(self) -> None:
        """Ask open reading screens to save their place, then write everything to disk."""
        try:
            for screen in self.screen_stack:
                if isinstance(screen, ReaderScreen):
                    screen.save_position(write_now=True)
        finally:
            self.store.flush()  # what was saved before a failing screen still reaches the disk

    def save_and_wait(self) -> None:
        """Save, and wait (at most 1 s: a signal's sender will not wait long) until it is on disk.

        What the shutdown guard calls: the store's writer thread must have written the place
        before the process may end. Raises OSError (the guard says so in one line and the process
        ends with status 1) when the place did not reach the disk.
        """
        self.save_state()
        if not self.store.wait_saved(timeout=1.0):
            reason = self.store.write_error or "it was not written in time"
            raise OSError(self.hosted_safe(reason))

    async def on_unmount(self) -> None:
        """Write what is still pending (off the event loop) and stop the store's writer."""
        self._store_loop = None
        await asyncio.to_thread(self.store.close)
        self.store_closed = True

    async def action_quit(self) -> None:
        """Save and quit."""
        self.save_state()
        self.exit(0)

    def on_signal(self, sig: int) -> None:
        """SIGHUP/SIGTERM: save and leave cleanly (the guard ends the process if Textual hangs).

        The sender may kill us after a grace period (the ssh host: 3 s), so the place is put on
        disk before anything else of the shutdown (:meth:`save_and_wait`).
        """
        if self.shutdown_guard is not None:
            self.shutdown_guard.save_now()
        else:
            self.save_and_wait()
        self.exit(0)

    async def action_back(self) -> None:
        """Escape: back one screen (never below the bottom one)."""
        if len(self.screen_stack) > 1:
            self.pop_screen()

    def action_help(self) -> None:
        """Show every key."""
        help_module = "tui_reader.ui.screens.help"
        if not is_screen(self.screen, help_module, "HelpScreen"):
            help_screen = lazy.name(help_module, "HelpScreen")
            alone = self.library is None  # (no library: the reader's back key closes the story)
            self.push_screen(help_screen(self.settings.keys, plain=self.plain, story_alone=alone))

    # --- hosted mode ------------------------------------------------------------------------

    def _print_error_renderables(self) -> None:
        """Hosted: one plain line instead of Textual's traceback (logged for the operator)."""
        if self.hosted and self._exit_renderables:
            self._exit_renderables.clear()
            if self._exception is not None:
                log_hosted_error(self.data_dir, self._exception)
            self.error_console.print(HOSTED_ERROR, markup=False, highlight=False)
            return
        super()._print_error_renderables()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's system commands, without those that write files when hosted."""
        for command in super().get_system_commands(screen):
            if self.hosted and command.title in HOSTED_BLOCKED_COMMANDS:
                continue
            yield command

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Save a screenshot (never when hosted: that would write on the host)."""
        if self.hosted:
            self.bell()
            return
        super().action_screenshot(filename, path)

    def deliver_screenshot(self, *args: Any, **kwargs: Any) -> str | None:
        """Screenshots are off when hosted."""
        if self.hosted:
            return None
        return super().deliver_screenshot(*args, **kwargs)

    def allowed(self, path: Path) -> bool:
        """True when ``path`` may be opened: inside the library (or the single story)."""
        resolved = Path(path).resolve()
        if self.library is not None:
            return resolved.is_relative_to(self.library.root)
        return resolved == self.target.resolve()

    # --- opening stories --------------------------------------------------------------------

    @property
    def library_entries(self) -> list[LibraryEntry]:
        """The entries the library screen currently knows."""
        screens = _library_screens(self.screen_stack)
        return screens[0].entries if screens else []

    def open_entry(self, entry: LibraryEntry, *, chapter: int | None = None) -> None:
        """Open a library entry (a broken one shows its reason)."""
        if entry.error:
            self.notify(
                entry.error, title=f"Cannot open {self.shown_name(entry.path)}", severity="error"
            )
            return
        self.run_worker(self.open_path(entry.path, chapter=chapter), group="open", exclusive=True)

    def on_open_story(self, message: OpenStory) -> None:
        """A screen asks to open a library entry."""
        self.open_entry(message.entry, chapter=message.chapter)

    def open_at(self, path: Path, position: Position) -> None:
        """Open the story in ``path`` at ``position`` (a search hit, a bookmark), in place of
        the story being read."""
        work = self.open_path(path, position=position, replace=True)
        self.run_worker(work, group="open", exclusive=True)

    async def open_path(
        self,
        path: Path,
        *,
        chapter: int | None = None,
        position: Position | None = None,
        replace: bool = False,
    ) -> None:
        """Load a story file off the event loop, then show it (``replace``: in place of the
        reading screens open, which stay while it loads or when it cannot be opened)."""
        if not self.allowed(path):
            self.notify("That file is not in this library.", severity="error")
            return
        whole: Whole | None = None
        fill: Fill | None = None
        try:
            quick = await asyncio.to_thread(cached_story, path, self.data_dir)
            if quick is None and not chapter and position is None:  # first chapter first
                first = await asyncio.to_thread(load_first_chapter, path)
                if first is not None and self.may_show_first(first):
                    quick, whole = first, partial(open_story, path, self.data_dir)
            if quick is not None:
                story = quick
            else:
                story, fill = await asyncio.to_thread(open_story, path, self.data_dir)
            await asyncio.to_thread(self.store.adopt_ids, [(story.legacy_id, story.story_id)])
            start = opening_chapter(story, chapter, position or self.store.position(story.story_id))
            await asyncio.to_thread(load_chapters, story, [start])
        except StoryError as exc:
            self.notify(
                exc.reason, title=f"Cannot open {self.shown_name(exc.path)}", severity="error"
            )
            return
        while replace and len(self.screen_stack) > 1 and isinstance(self.screen, ReaderScreen):
            self.pop_screen()
        if whole is not None:
            self._first_only.append(story)
        self.show_story(story, path, chapter=chapter, position=position)
        if whole is not None:
            self.read_whole_later(story, whole, shown=True)
        elif fill is not None:
            self.fill_cache_later(story, fill)

    def fill_cache_later(self, story: Story, fill: Fill) -> None:
        """Write ``story``'s cache entry in a thread worker, :data:`CACHE_FILL_DELAY` from now.

        The fill streams the chapters (each one not parsed yet is parsed, written and dropped:
        the story keeps only what the reader parsed). Nothing of it is fatal: a failure means
        the story is imported again next time.
        """

        def work() -> None:
            worker = get_current_worker()
            with contextlib.suppress(Exception):
                # the app quitting cancels it between chapters: never hold up its exit
                fill(cancelled=lambda: worker.is_cancelled)

        def start() -> None:
            self.run_worker(work, thread=True, group="story-cache", exit_on_error=False)

        self.set_timer(CACHE_FILL_DELAY, start)

    def needs_warning(self, story: Story) -> bool:
        """True when the warning screen should show, by the "warn_mode" preference."""
        if not story.needs_warning:
            return False
        mode = self.store.prefs().warn_mode
        if mode == "never":
            return False
        if mode == "always":
            return True
        return not self.store.acknowledged(story.story_id)

    def show_story(
        self,
        story: Story,
        path: Path,
        *,
        chapter: int | None = None,
        position: Position | None = None,
        again: bool = False,
    ) -> None:
        """The open flow: the warning screen when due, then the reading screen (``again``: the
        warning screen whatever the reader answered before: the whole story warns of more than
        its first chapter's screen listed)."""

        def answered(ok: bool | None) -> None:
            if not ok:
                self.story_closed()
                return
            self.store.acknowledge(story.story_id)
            whole = next((w for f, w in self._replaced if f is story), None)
            self._replaced = [(f, w) for f, w in self._replaced if f is not story]
            if whole is not None or any(s is story for s in self._first_only):
                self._warned_first.append(story)  # (a first chapter's warning screen)
            if whole is None:
                self.push_reader(story, path, chapter=chapter, position=position)
            elif self._warns_anew(story, whole):
                self.show_story(whole, path, chapter=chapter, position=position, again=True)
            else:
                self.push_reader(whole, path, chapter=chapter, position=position)

        if again or self.needs_warning(story):
            self.push_screen(confirm_dialog().warning(story), answered)
        else:
            self.push_reader(story, path, chapter=chapter, position=position)

    def push_reader(
        self,
        story: Story,
        path: Path,
        *,
        chapter: int | None = None,
        position: Position | None = None,
    ) -> None:
        """Open the reading screen at ``position``, else the saved place (or ``chapter``).

        With one story file opened, leaving its reading screen quits (:meth:`story_closed`).
        """
        reader = self.reader_screen(story, path, chapter=chapter, position=position)
        self.push_screen(reader, lambda _: self.story_closed())

    def reader_screen(
        self,
        story: Story,
        path: Path,
        *,
        chapter: int | None = None,
        position: Position | None = None,
    ) -> ReaderScreen:
        """The reading screen of ``story`` at ``position``, else the saved place (or
        ``chapter``); with the session prepared before the app ran when it is for this story."""
        session, self._first_session = self._first_session, None
        if session is not None and (session.story is not story or chapter or position):
            session = None
        if position is None:
            position = self.store.position(story.story_id)
            if chapter is not None and position is not None and position.chapter != chapter:
                position = None
        reader = ReaderScreen(
            story,
            self.store,
            path=path,
            chapter=chapter,
            position=position,
            session=session,
            indexing=any(first is story for first in self._first_only),
        )
        if self.library is None:  # (no library behind it: leaving closes the story)
            reader.leaving_closes_the_story()
        return reader

    def story_closed(self) -> None:
        """A story was left (its reading screen dismissed, its warning declined): with one
        story file opened, that quits the app."""
        if self.single_story is not None:
            self.call_later(self.action_quit)

    # --- the reading life: search, bookmarks, history ----------------------------------------

    @property
    def library_root(self) -> Path:
        """The folder searched: the library, or the single story's folder."""
        return self.library.root if self.library is not None else self.target.parent

    def hidden_warnings(self) -> frozenset[str]:
        """Warnings whose stories the reader chose to hide from the library and search."""
        return self.store.prefs().hidden_warnings

    def toggle_hidden_warning(self, warning: str) -> None:
        """Hide (or show again) the stories carrying ``warning``, in the library and search."""
        hidden = set(self.hidden_warnings())
        hidden.symmetric_difference_update({warning})
        self.store.set_pref("hidden_warnings", sorted(hidden))
        state = "hidden" if warning in hidden else "shown"
        self.notify(f"Stories warned {warning}: {state}", timeout=2)
        for screen in _library_screens(self.screen_stack):
            if screen.scanned:
                screen.refresh_rows()

    def action_search_library(self) -> None:
        """Search the text of every story; enter opens the story at that paragraph."""
        module = "tui_reader.ui.screens.search"
        if is_screen(self.screen, module, "SearchScreen"):
            return

        def chosen(hit: SearchHit | None) -> None:
            """Open the chosen paragraph."""
            if hit is not None:
                self.open_at(Path(hit.path), Position(hit.chapter, hit.paragraph, 0))

        libraries = _library_screens(self.screen_stack)
        muted = libraries[0].muted_story_ids() if libraries else frozenset()
        search_screen = lazy.name(module, "SearchScreen")
        screen = search_screen(
            self.library_root,
            self.data_dir,
            self.hidden_warnings(),
            hide_stories=muted,
            hide_files=frozenset(path for entry in self.library_entries for path in entry.also),
        )
        self.push_screen(screen, chosen)

    def action_bookmarks(self) -> None:
        """Every bookmark; enter opens the story there."""
        module = "tui_reader.ui.screens.bookmarks"
        if is_screen(self.screen, module, "BookmarksScreen"):
            return

        def chosen(bookmark: Bookmark | None) -> None:
            """Open the chosen bookmark."""
            if bookmark is not None:
                self.open_at(self.story_file(bookmark.story_id, bookmark.path), bookmark.position)

        self.push_screen(lazy.name(module, "BookmarksScreen")(self.store), chosen)

    def story_file(self, story_id: str, path: str) -> Path:
        """The file to open for a story recorded with ``path``: the library's file of that story
        (its newest, which may have replaced the recorded one), else ``path``."""
        for entry in self.library_entries:
            if entry.story_id == story_id and not entry.error:
                return entry.path
        return Path(path)

    def action_history(self) -> None:
        """Recently read stories; enter resumes one."""
        module = "tui_reader.ui.screens.history"
        if is_screen(self.screen, module, "HistoryScreen"):
            return

        def chosen(entry: HistoryEntry | None) -> None:
            """Resume the chosen story at its saved place."""
            if entry is not None:
                position = self.store.position(entry.story_id)
                if position is None:
                    position = Position(entry.chapter, 0, 0)
                self.open_at(self.story_file(entry.story_id, entry.path), position)

        self.push_screen(lazy.name(module, "HistoryScreen")(self.store), chosen)

    # --- preferences ------------------------------------------------------------------------

    def set_warn_mode(self, mode: str) -> None:
        """Set the "warn_mode" preference."""
        self.store.set_pref("warn_mode", mode)
        self.notify(f"Warning screens: {mode}", timeout=2)

    def set_notes_mode(self, mode: str) -> None:
        """Set the "notes" preference (how author's notes show by default)."""
        self.store.set_pref("notes", mode)
        for screen in self.screen_stack:
            if isinstance(screen, ReaderScreen):
                screen.post_message(NotesPreferenceChanged(mode))
        self.notify(f"Author's notes: {mode} by default", timeout=2)


def log_hosted_error(data_dir: Path, error: BaseException) -> None:
    """Append ``error``'s traceback to the operator's error log (never shown to the reader)."""
    text = "".join(traceback.format_exception(error))
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    with (
        contextlib.suppress(OSError),
        (Path(data_dir) / HOSTED_ERROR_LOG).open("a", encoding="utf-8") as log,
    ):
        log.write(f"--- {stamp} pid {os.getpid()}\n{text}")


def _hosted_excepthook(data_dir: Path) -> Callable[..., None]:
    """A ``sys.excepthook`` for hosted readers: the one line, the traceback to the log."""

    def hook(kind: type[BaseException], error: BaseException, tb: Any) -> None:
        log_hosted_error(data_dir, error)
        print(HOSTED_ERROR, file=sys.stderr)

    return hook


def run_app(
    target: Path,
    *,
    data_dir: Path,
    reader_id: str,
    hosted: bool,
    guest: bool,
    settings: Settings | None = None,
    first_read: FirstRead | None = None,
    cannot_run: str | None = None,
) -> int:
    """Run the reader on a library folder or one story file; returns the exit status.

    ``first_read``: the story file's read as the command line began it before Textual was
    imported (:func:`tui_reader.first_read.start`: its cache hit, or a child reading its first
    chapter meanwhile); without it the story is looked up and read here. ``cannot_run``: why
    the app cannot run here (no terminal on standard input), said as a one-line error once the
    story file's own error, if any, has been said."""
    if hosted:
        sys.excepthook = _hosted_excepthook(data_dir)
    sys.setswitchinterval(SWITCH_INTERVAL)
    story = None
    fill = None
    whole: Whole | None = None
    paused = not gc.isenabled()  # (the command line pauses it until the first frame)
    if paused:
        gc.freeze()  # what start-up imported lives as long as the process: never scan it again
    if not target.is_dir():
        if first_read is None:  # (read here: no helper was begun)
            first_read = FirstRead(target, cached_story(target, data_dir))
        story = first_read.cached
        if story is None:  # first chapter first (or its warning screen), when the importer can
            first = first_read.first()
            if first is not None:
                story, whole = first, partial(open_story, target, data_dir)
        if story is None:
            try:
                story, fill = open_story(target, data_dir)
            except StoryError as exc:
                print(exc.line(), file=sys.stderr)
                return 1
    if cannot_run is not None:
        print(f"error: {cannot_run}", file=sys.stderr)
        return 1
    app = TuiReaderApp(
        target,
        data_dir=data_dir,
        reader_id=reader_id,
        hosted=hosted,
        guest=guest,
        story=story,
        install_signals=True,
        settings=settings,
        cache_fill=fill,
        whole=whole,
        gc_paused=paused,
    )
    if story is not None:  # the opening chapter's text is in the first frame (not a worker's)
        load_chapters(story, [opening_chapter(story, None, app.store.position(story.story_id))])
        app.prepare_first_session(story)
    guard = app.shutdown_guard
    if guard is not None:
        guard.install()
    try:
        result = app.run()
    finally:
        if guard is not None:
            guard.request_exit = None  # the loop is gone: a late signal saves at once
        unsaved = app.store.unsaved() if app.store_closed else app.store.close()
        if unsaved is not None and not (guard is not None and guard.failed):
            # the reader must know the place was not kept (once: the guard may have said so)
            shown = " ".join(sanitise(app.hosted_safe(unsaved)).split())
            print(f"warning: {shown}", file=sys.stderr)
    if guard is not None and guard.failed:
        return 1  # ended by a signal with the place unsaved: the caller must not think all is well
    return result if isinstance(result, int) else (app.return_code or 0)
