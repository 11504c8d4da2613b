"""The reading screen: a thin map from keys and view messages to the reading session.

:class:`~tui_reader.reading.ReadingSession` holds the place and every rule of reading; this
screen shows what it says (the chapter view, the header) and asks the reader at gates, for a
bookmark's note and for the status. A chapter whose body is not parsed yet is parsed in a
thread: its heading shows at once and the text when a :class:`ChapterReady` message arrives.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen

from tui_reader.keys import CLOSE_STORY_HELP
from tui_reader.model import Story
from tui_reader.reading import Anchor, HeaderInfo, ReadingSession, Target, load_chapters
from tui_reader.state import Position, StateStore
from tui_reader.ui import lazy
from tui_reader.ui.bindings import bindings
from tui_reader.ui.messages import (
    AnchorChanged,
    ChapterReady,
    NotesPreferenceChanged,
    NotesToggled,
    ReachedEnd,
    ReachedStart,
    SearchClosed,
    SearchReady,
    SearchRequested,
)
from tui_reader.ui.widgets.chapter_view import ChapterView
from tui_reader.ui.widgets.footer_slot import FooterSlot
from tui_reader.ui.widgets.reader_header import ReaderHeader

if TYPE_CHECKING:  # imported when first shown (tui_reader.ui.lazy): not needed to start
    from tui_reader.library import LibraryEntry
    from tui_reader.ui.dialogs.bookmark_note import BookmarkNoteDialog
    from tui_reader.ui.dialogs.chapter_index import ChapterIndexScreen
    from tui_reader.ui.dialogs.confirm import ConfirmDialog
    from tui_reader.ui.dialogs.mute import MuteDialog
    from tui_reader.ui.dialogs.status import StatusDialog
    from tui_reader.ui.screens.mutes import MutesScreen
    from tui_reader.ui.widgets.search_field import SearchField

REFRESH_SECONDS = 30.0
"""How often what another session may change (the pace) is read again."""

AFTER_FIRST_PAINT = 0.1
"""Seconds after the story's text is first painted before what waited for it runs (the write
of the place, parsing the chapters around, the app's start-up pauses ending): the terminal gets
the frame before the process is busy again."""


BACK_BINDING = "reader.back"
"""The id of the reading screen's "back to the library" binding (escape unless remapped)."""

SEARCH_PLACEHOLDER = "Search this story — enter finds, escape closes"
"""What the empty search field shows."""

SEARCH_ID = "search"
"""The search field's id (the field and its module come with the first search: not before the
first frame)."""


class ReaderScreen(Screen[None]):
    """Reads one story chapter by chapter (or as one whole work), keyboard first."""

    CSS_PATH = "reader.tcss"
    """Layout of the header, the view and the search field."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("reader")
    """The reader's keys (also listed in help)."""

    COMMANDS = Screen.COMMANDS | {lazy.chapter_commands}
    """The palette's chapter commands, on this screen."""

    def __init__(
        self,
        story: Story,
        store: StateStore,
        *,
        path: Path,
        chapter: int | None = None,
        position: Position | None = None,
        session: ReadingSession | None = None,
        indexing: bool = False,
    ) -> None:
        """Read ``story``; at ``position`` if given, else at the start of ``chapter`` (or 0).

        ``session``: the reading session, made before (for ``story`` at that place) by who
        could do its slow part off the event loop (:meth:`ReadingSession.place_start`).
        ``indexing``: ``story`` holds its first chapter only while the rest is read (first
        chapter first; :meth:`story_indexed` brings the whole story).
        """
        super().__init__()
        self.story = story
        """The story being read."""
        self.story_id = story.story_id
        """The id reader state is kept under."""
        if session is None:
            session = ReadingSession(story, store, path=path, chapter=chapter, position=position)
        self.session = session
        """The reading engine: the place and every rule."""
        self._view = ChapterView()
        """The chapter view (kept: it is still needed while the screen unmounts)."""
        self._painted = False
        """True once the story's text was first shown (and the app told of it)."""
        self._problems_told = False
        """True once the reader was told that part of the file could not be read."""
        self.indexing = indexing
        """True while only the first chapter is read: the header claims no chapter count."""
        self._index_shown: ChapterIndexScreen | None = None
        """The chapter index opened while only the first chapter was read (it fills in when the
        whole story arrives)."""
        self._next_when_indexed: int | None = None
        """The chapter asked for with "next chapter" while only the first chapter was read (it
        opens when the whole story arrives)."""
        self._followed = 0
        """The view's move (:attr:`ChapterView.moves`) the screen last followed."""
        self._search_when_indexed: str | None = None
        """A search asked for while only the first chapter was read (it runs over the whole
        story when that arrives)."""
        self._rest_unreadable = False
        """The rest of the story could not be read (nothing waits for it any more)."""

    # the session's state, as the screen showed it before the session existed
    chapter_index = property(lambda self: self.session.chapter, doc="The chapter at the top.")
    whole_work = property(lambda self: self.session.whole_work, doc="True in the whole work.")
    search_text = property(lambda self: self.session.search_text, doc="The last search.")
    match_index = property(lambda self: self.session.match_index, doc="The current match.")

    items = property(lambda self: self.session.items, doc="The items shown.")
    matches = property(lambda self: self.session.matches, doc="Search matches in the story.")

    @property
    def view(self) -> ChapterView:
        """The chapter view."""
        return self._view

    def compose(self) -> ComposeResult:
        """Header, the text and the footer."""
        yield ReaderHeader(id="reader-header")
        self._view = ChapterView(
            reading_width=self.session.reading_width,
            note_mode=self.session.note_mode,
            id="chapter-view",
        )
        yield self._view
        # the footer, once the first frame is painted (the search field: when first opened)
        yield FooterSlot()

    def on_mount(self) -> None:
        """Open at the start position (through a gate when it stands there)."""
        if not self.story.chapters:
            self.notify("This story has no chapters.", severity="warning")
            return
        self.set_interval(REFRESH_SECONDS, self._refresh_state)
        pos = self.session.start
        self.view.focus()
        self._go(Target(pos.chapter, pos.paragraph, pos.offset), gate_from=pos.chapter - 1)
        self._tell_problems()

    def _tell_problems(self) -> None:
        """Say once when part of the file could not be read (an EPUB's chapter file missing):
        the chapters shown are not the whole story, and the reader should know."""
        problems = self.story.problems
        if not problems or self._problems_told:
            return
        self._problems_told = True
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        self.notify(
            f"Part of this file could not be read: {problems[0]}{more}. The rest is shown.",
            severity="warning",
            timeout=10,
        )

    def story_indexed(self, story: Story) -> None:
        """The whole story arrived after its first chapter was shown (first chapter first): read
        on in it from the same place; the header's counts, the time left and the chapter index
        fill in."""
        session = self.session
        shown = self.is_mounted and session.chapter >= 0 and bool(session.items)
        pos = self.position() if shown else session.start
        self.story = story
        self.story_id = story.story_id
        if shown:
            self._tell_problems()
        self.session = ReadingSession(story, session.store, path=session.path, position=pos)
        self.indexing = False
        if shown and story.chapters:
            self._show(Target(pos.chapter, pos.paragraph, pos.offset))
        index, self._index_shown = self._index_shown, None
        if index is not None and index.is_attached:
            index.show_session(self.session)  # (the index opened on the first chapter alone)
        wanted, self._next_when_indexed = self._next_when_indexed, None
        if shown and wanted is not None and wanted < len(story.chapters):
            self._go(Target(wanted))  # (the reader asked for the next chapter meanwhile)
        self._run_waiting_search(shown)  # (asked for meanwhile)

    def rest_unreadable(self) -> None:
        """The rest of the story could not be read (the app says why): what waited for it is
        done on the first chapter alone (a search), or dropped (the next chapter)."""
        self._rest_unreadable = True
        self._next_when_indexed = None
        self._run_waiting_search(True)

    def _run_waiting_search(self, run: bool) -> None:
        """The search asked for while only the first chapter was read, if one was: run now
        (``run``), or dropped."""
        query, self._search_when_indexed = self._search_when_indexed, None
        if run and query is not None:
            self.on_search_requested(SearchRequested(query))

    @property
    def _waits_for_rest(self) -> bool:
        """True while only the first chapter is read and the rest is still coming."""
        return self.indexing and not self._rest_unreadable

    def _refresh_state(self) -> None:
        """Re-read what another session may change (in a thread: it reads the state file)."""
        self.run_worker(self.session.refresh, thread=True, group="refresh", exit_on_error=False)

    def on_unmount(self) -> None:
        """Save the place."""
        self._save_now()

    def position(self) -> Position:
        """The reading position from the view's anchor."""
        return self.session.position(self.view.reading_anchor)

    def save_position(self, *, write_now: bool = False) -> None:
        """Save the reading position (the store batches writes unless ``write_now``)."""
        self.session.save(self.view.reading_anchor, write_now=write_now)

    def go_to_chapter(self, index: int) -> None:
        """Go to the start of chapter ``index`` (0-based), asking at any gate on the way."""
        self._go(Target(index))

    # --- moving -----------------------------------------------------------------------------

    def _go(self, target: Target, *, gate_from: int | None = None) -> None:
        """Show ``target``, asking at the first gate not yet passed on the way."""
        session = self.session
        start = session.chapter if gate_from is None else gate_from
        gate = session.gate_between(start, target.chapter)
        if gate is None:
            self._show(target)
            return

        def answered(go_on: bool | None) -> None:
            """Continue past the gate, or stop and go back to the library."""
            if go_on:
                session.pass_gate(gate)
                self._go(target, gate_from=start)
            else:
                session.stop_at(gate)
                self._leave()

        confirm: type[ConfirmDialog] = lazy.name(lazy.CONFIRM, "ConfirmDialog")
        self.app.push_screen(confirm.at_gate(self.story, gate), answered)

    def _show(self, target: Target, *, parsed: bool = False) -> None:
        """Show ``target`` (no gate check); its heading only while its body is parsed."""
        session, view = self.session, self.view
        missing = [] if parsed else session.needs_loading(target.chapter)
        if missing:
            heading = session.show_heading(target)
            view.set_items(session.items, heading)
            view.set_highlights([], None)
            self._header(session.moved(view.reading_anchor))
            work = partial(self._parse, missing, ChapterReady(session.waiting or target))
            self.run_worker(work, thread=True, group="chapter", exit_on_error=False)
            return
        arrived = session.show(target)
        if arrived.new_items:
            view.set_items(session.items, arrived.anchor)
        else:
            view.go_to(arrived.anchor)
        if target.at_end:
            view.when_laid_out(partial(self._to_chapter_end, session.chapter))
        self._apply_highlights()
        first = not self._painted
        self._painted = True
        # the first text's place is written once it is painted (the write shares no processor
        # with the first frame); every later chapter change at once
        self._moved(write_now=arrived.changed_chapter and not first)
        notice = session.take_notice()
        if notice is not None:
            self.notify(notice, severity="warning")
        self.call_after_refresh(self._check_end_visible)
        if first:
            done = partial(self._first_painted, arrived.changed_chapter)
            self.call_after_refresh(self.set_timer, AFTER_FIRST_PAINT, done)
        else:
            self._parse_ahead()

    def _first_painted(self, write: bool) -> None:
        """The story's text is first on screen: the app may resume what waited for the first
        frame, the place is written, the chapters around are parsed."""
        painted = getattr(self.app, "start_painted", None)
        if painted is not None:
            painted()
        if write:
            self.session.store.flush()
        self._parse_ahead()

    def _parse_ahead(self) -> None:
        """Parse the chapters next to this one in a thread worker (before the reader gets
        there)."""
        ahead = self.session.to_parse_ahead()
        if ahead:
            work = partial(load_chapters, self.story, ahead)
            self.run_worker(work, thread=True, group="prefetch", exit_on_error=False)

    def _parse(self, chapters: list[int], then: ChapterReady | SearchReady) -> None:
        """(In a thread.) Parse the bodies of ``chapters``, then post ``then``."""
        try:
            self.session.load(chapters)
        finally:
            self.post_message(then)

    def on_chapter_ready(self, event: ChapterReady) -> None:
        """The body a move waited for is parsed: show it (unless the reader moved on)."""
        if self.session.waiting == event.target:
            self._show(event.target, parsed=True)

    def _moved(self, *, write_now: bool) -> None:
        """After a move: the pace, the saved place and the header."""
        self._header(self.session.moved(self.view.reading_anchor, write_now=write_now))

    def _header(self, info: HeaderInfo) -> None:
        """Show ``info`` in the header."""
        self.query_one(ReaderHeader).show(info, indexing=self.indexing)

    def _check_end_visible(self) -> None:
        """A chapter that fits on screen is read once shown (paging on offers "finished")."""
        if self.view.lines:
            self.session.end_visible(self.view.last_visible_item)

    def _to_chapter_end(self, chapter: int) -> None:
        """Show the last page of ``chapter``."""
        view = self.view
        nxt = self.session.chapter_first(chapter + 1)
        if nxt is None:
            view.to_end()
        else:
            view.go_to_line(view.line_of(nxt) - view.page_height)

    def _save_now(self) -> None:
        """Save the place and write what is pending."""
        self.save_position(write_now=True)
        self.session.store.flush()

    def leaving_closes_the_story(self) -> None:
        """One story file opened: no library is behind this screen, so its "back" key (escape,
        or what the keymap makes it) closes the story, and the footer says so (the help screen
        keeps the keymap's own words). Textual has no public way to reword one instance's
        binding: this replaces it in the screen's own binding map (``_bindings``, a copy per
        instance)."""
        keys = self._bindings.key_to_bindings
        for key, found in list(keys.items()):
            keys[key] = [  # (a new list: the class's lists are shared by every instance)
                replace(b, description="Close", tooltip=CLOSE_STORY_HELP)
                if b.id == BACK_BINDING
                else b
                for b in found
            ]

    def _leave(self) -> None:
        """Save and go back to the library (or quit, with one story file opened)."""
        self._save_now()
        if self.app.screen is not self:
            return
        if len(self.app.screen_stack) > 1:
            self.dismiss()
            return
        # the app's bottom screen (one story file opened): leaving the story ends the app
        closed = getattr(self.app, "story_closed", None)
        if closed is not None:
            closed()
        else:
            self.app.exit()

    # --- view messages ----------------------------------------------------------------------

    def on_anchor_changed(self, event: AnchorChanged) -> None:
        """Follow the view's move, unless a key's move already followed it (or a later one)."""
        if event.view is self.view and event.move > self._followed:
            self._follow(event.anchor, event.last_item, event.move)

    def _follow_key(self) -> None:
        """After a key moved the view: follow it now, not when its message arrives, so the
        header changes in the same frame as the text (one frame per page turn, not two: the
        screen's update could run between the scroll and the message)."""
        view = self.view
        if view.moves > self._followed:
            self._follow(view.reading_anchor, view.last_visible_item, view.moves)

    def _follow(self, anchor: Anchor, last_item: int, move: int) -> None:
        """Save the place, mark chapters read, follow chapters in the whole-work view."""
        self._followed = move
        if not self.session.items or self.session.waiting is not None:
            return
        changed, offer = self.session.scrolled(anchor, last_item)
        if offer:
            self.action_status(offer=True)
        self._moved(write_now=changed)

    def on_reached_end(self, event: ReachedEnd) -> None:
        """Paging past the end: on into the next chapter."""
        onward = self.session.onward()
        if onward.offer_finished:
            self.action_status(offer=True)
        if onward.target is not None:
            self._go(onward.target, gate_from=onward.gate_from)

    def on_reached_start(self, event: ReachedStart) -> None:
        """Paging back before the first line: to the previous chapter's end."""
        target = self.session.backward()
        if target is not None:
            self._go(target)

    def on_notes_preference_changed(self, event: NotesPreferenceChanged) -> None:
        """The default for notes changed: show them so at once (the reader's folds stay)."""
        self.session.notes_preference = event.mode
        self.view.relayout()

    def on_notes_toggled(self, event: NotesToggled) -> None:
        """Remember the folds."""
        self.session.set_folds(event.keys, event.folded)

    # --- actions ----------------------------------------------------------------------------

    def action_line(self, count: int) -> None:
        """Scroll by lines."""
        self.view.scroll_lines(count)
        self._follow_key()

    def action_page(self, pages: int) -> None:
        """Page (on into the next or previous chapter at the ends)."""
        self.view.page(pages)
        self._follow_key()

    def action_half(self, direction: int) -> None:
        """Half a page."""
        self.view.page(0.5 * direction)
        self._follow_key()

    def action_chapter_start(self) -> None:
        """The chapter's first line."""
        if self.session.whole_work:
            self.view.scroll_to_item(self.session.chapter_first(self.session.chapter) or 0)
        else:
            self.view.to_start()
        self._follow_key()

    def action_chapter_end(self) -> None:
        """The chapter's last page."""
        if self.session.whole_work:
            self._to_chapter_end(self.session.chapter)
        else:
            self.view.to_end()
        self._follow_key()

    def action_chapter(self, step: int) -> None:
        """Next or previous chapter. Asked for the next one while only the first chapter is
        read (first chapter first), it goes there once the whole story arrives."""
        target = self.session.chapter_step(step)
        if target is not None:
            self._go(target)
        elif step > 0 and self._waits_for_rest:
            self._next_when_indexed = self.session.chapter + 1
            self.notify("Reading the rest of the story…", timeout=2)
        else:
            self.notify("No next chapter." if step > 0 else "This is the first chapter.")

    def action_paragraph(self, step: int) -> None:
        """Next or previous paragraph."""
        if step > 0:
            self.view.next_paragraph()
        else:
            self.view.previous_paragraph()
        self._follow_key()

    def action_index(self) -> None:
        """The chapter index; jump to the chosen chapter."""
        index: type[ChapterIndexScreen] = lazy.name(lazy.CHAPTER_INDEX, "ChapterIndexScreen")
        shown = index.of(self.session, reading_on=self.indexing)
        self._index_shown = shown if self.indexing else None
        self.app.push_screen(shown, self._chosen_chapter)

    def _chosen_chapter(self, index: int | None) -> None:
        """Jump to the chapter chosen in the index (None: it was closed)."""
        if index is not None:
            self._go(Target(index))

    def action_notes(self) -> None:
        """Fold or unfold the notes on screen."""
        if not self.view.toggle_notes_on_screen():
            if self.session.notes_preference == "hidden":
                self.notify("Author's notes are hidden (preference).")
            else:
                self.notify("No author's notes on screen.")

    def action_width(self, step: int) -> None:
        """Change the reading width (remembered)."""
        view = self.view
        view.set_width(view.reading_width + step)
        self.session.set_reading_width(view.reading_width)
        self.notify(f"Reading width: {view.reading_width}", timeout=1.5)

    def action_whole_work(self) -> None:
        """Toggle the whole-work view, keeping the place."""
        self._show(self.session.toggle_whole_work(self.view.reading_anchor))
        self.notify("Whole work" if self.session.whole_work else "Chapter by chapter", timeout=1.5)

    def action_bookmark(self) -> None:
        """Bookmark the paragraph at the top, with an optional note."""
        dialog: type[BookmarkNoteDialog] = lazy.name(lazy.BOOKMARK_NOTE, "BookmarkNoteDialog")
        dialog.ask(self, self.session, self.view.reading_anchor)

    def action_status(self, offer: bool = False) -> None:
        """Pick the reading status (``offer``: the end was reached, "finished" is suggested)."""
        dialog: type[StatusDialog] = lazy.name(lazy.STATUS, "StatusDialog")
        dialog.ask(self, self.session, offer=offer)

    def action_mute(self) -> None:
        """Mute (or unmute) this story's author, a fandom, a relationship or a tag (palette:
        "Mute author or tag…"); the library leaves its stories out when the reader goes back."""
        entry_type: type[LibraryEntry] = lazy.name(lazy.LIBRARY, "LibraryEntry")
        entry = entry_type.from_story(Path(self.session.path), self.story)
        hint = " (its stories leave the library when you go back; h there shows them)"
        dialog: type[MuteDialog] = lazy.name(lazy.MUTE, "MuteDialog")
        dialog.ask(self, self.session.store, entry, hint)

    def show_mutes(self) -> None:
        """The review screen of every mute (palette: "Muted authors and tags")."""
        screen: type[MutesScreen] = lazy.name(lazy.MUTES, "MutesScreen")
        self.app.push_screen(screen(self.session.store, getattr(self.app, "library_entries", ())))

    def action_back(self) -> None:
        """Close the search field, or go back to the library."""
        field = self.search_field
        if field is None or not field.close():
            self._leave()

    # --- search -----------------------------------------------------------------------------

    @property
    def search_field(self) -> SearchField | None:
        """The search field, once it was first opened (the first frame has none to mount)."""
        return cast("SearchField | None", self.query_one_optional(f"#{SEARCH_ID}"))

    async def action_search(self) -> None:
        """Open the search field (mounting it, hidden, above the footer the first time)."""
        field = self.search_field
        if field is None:
            search_field: type[SearchField] = lazy.name(lazy.SEARCH_FIELD, "SearchField")
            field = search_field(placeholder=SEARCH_PLACEHOLDER, id=SEARCH_ID)
            await self.mount(field, before=self.query_one("FooterSlot, KeysFooter"))
        field.open(self.session.search_text)

    def on_search_closed(self, event: SearchClosed) -> None:
        """The reading view takes the focus back."""
        self.view.focus()

    def on_search_requested(self, event: SearchRequested) -> None:
        """Search every chapter (parsed first, in a thread, when some are not yet). Asked for
        while only the first chapter is read (first chapter first), it runs once the whole story
        arrives: a word of a later chapter is not "not found" meanwhile."""
        if self._waits_for_rest:
            self._search_when_indexed = event.query
            self.notify("Reading the rest of the story…", timeout=2)
            return
        unparsed = self.session.unparsed()
        if unparsed:
            work = partial(self._parse, unparsed, SearchReady(event.query))
            self.run_worker(work, thread=True, group="search", exit_on_error=False)
        else:
            self.on_search_ready(SearchReady(event.query))

    def on_search_ready(self, event: SearchReady) -> None:
        """Go to the first match from here."""
        index = self.session.search(event.query, self.view.reading_anchor)
        if index is None:
            self._apply_highlights()
            self.notify(f"Not found: {event.query}", severity="warning")
            return
        self._go_match(index)
        count = len(self.session.matches)
        self.notify(f"{count} match{'' if count == 1 else 'es'}", timeout=2)

    def action_match(self, step: int) -> None:
        """Next or previous match (across chapters)."""
        index = self.session.match_step(step)
        if index is None:
            self.notify("No search (press /).")
        else:
            self._go_match(index)

    def _go_match(self, index: int) -> None:
        """Show match ``index`` at the top (a folded note it lies in unfolded first, as the
        reader's click on its label would)."""
        note = self.session.match_note_key(index)
        if note is not None and self.view.note_mode(note) == "folded":
            self.view.set_notes([note], False)
        self._go(self.session.go_to_match(index))
        self._apply_highlights()

    def _apply_highlights(self) -> None:
        """Highlight the matches among the items shown."""
        self.view.set_highlights(*self.session.highlights())
