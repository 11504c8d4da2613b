"""The reading screen: header, the chapter view, search, bookmarks, gates and resume.

The reading position is the chapter view's anchor turned into a ``Position`` (chapter, block,
offset); it is saved on every anchor change (the store debounces), at once on a chapter change,
and flushed when the screen closes.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input

from tui_reader.layout import Item, Match, chapter_items, collapse, search_story, work_items
from tui_reader.model import Story, WarningGate
from tui_reader.text import count_words
from tui_reader.ui.bindings import bindings
from tui_reader.ui.widgets.chapter_view import Anchor, ChapterView
from tui_reader.ui.widgets.reader_header import HeaderInfo, ReaderHeader

if TYPE_CHECKING:
    from tui_reader.state import Position, StateStore


def _position(chapter: int, paragraph: int, offset: int) -> Position:
    """A ``Position`` (imported late so this module loads before the state store exists)."""
    from tui_reader.state import Position

    return Position(chapter, paragraph, offset)


class ReaderScreen(Screen[None]):
    """Reads one story chapter by chapter (or as one whole work), keyboard first."""

    CSS_PATH = "reader.tcss"
    """Layout of the header, the view and the search field."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("reader")
    """The reader's keys (also listed in help)."""

    def __init__(
        self,
        story: Story,
        store: StateStore,
        *,
        path: Path,
        chapter: int | None = None,
        position: Position | None = None,
    ) -> None:
        """Read ``story``; at ``position`` if given, else at the start of ``chapter`` (or 0)."""
        super().__init__()
        self.story = story
        """The story being read."""
        self.store = store
        """The reader's state."""
        self.path = path
        """The story's file."""
        self.story_id = story.story_id
        """The id reader state is kept under."""
        self.whole_work = bool(store.pref("whole_work"))
        """True in the whole-work view (all chapters in one scroll)."""
        self.chapter_index = -1
        """The chapter at the top (index into story.chapters); -1 before the first show."""
        self.items: list[Item] = []
        """The items shown in the view."""
        self.limit = 0
        """Whole-work view: chapters shown are [0, limit) (a gate not yet passed stops it)."""
        self._item_of: dict[tuple[int, int], int] = {}
        """(chapter, block) → item index."""
        self._chapter_first: dict[int, int] = {}
        """chapter → index of its first item."""
        self._words_before: dict[int, list[int]] = {}
        """chapter → cumulative words before each block."""
        self._chapter_words_before = [0]
        """Words in the chapters before each chapter index (and the story's total at the end)."""
        for c in story.chapters:
            self._chapter_words_before.append(self._chapter_words_before[-1] + c.words)
        self._marked_read: set[int] = set()
        """Chapters marked read in this visit (the store writes the file on every mark)."""
        self.matches: list[Match] = []
        """Search matches over the whole story."""
        self.match_index: int | None = None
        """The current match."""
        self.search_text = ""
        """The last search."""
        self._view: ChapterView = ChapterView()
        """The chapter view (kept: it is still needed while the screen unmounts)."""
        start = position
        if start is None or not 0 <= start.chapter < len(story.chapters):
            index = chapter if chapter is not None and 0 <= chapter < len(story.chapters) else 0
            start = _position(index, 0, 0)
        self._start = start
        """Where to open."""
        self._pace_mark: tuple[float, int] | None = None
        """(monotonic time, words into the story) at the last scroll, to measure reading pace."""
        self._finish_offered = False
        """True once "mark as finished?" was asked in this visit."""

    # --- composition ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Header, the text, the (hidden) search field and the footer."""
        yield ReaderHeader(id="reader-header")
        width = int(self.store.pref("reading_width") or 72)
        self._view = ChapterView(reading_width=width, note_mode=self._note_mode, id="chapter-view")
        yield self._view
        yield Input(placeholder="Search this story — enter finds, escape closes", id="search")
        yield Footer()

    @property
    def view(self) -> ChapterView:
        """The chapter view."""
        return self._view

    def on_mount(self) -> None:
        """Open at the start position (through a gate when it stands there)."""
        self.query_one("#search", Input).display = False
        if not self.story.chapters:
            self.notify("This story has no chapters.", severity="warning")
            return
        pos = self._start
        self.view.focus()
        self._go(pos.chapter, block=pos.paragraph, offset=pos.offset, gate_from=pos.chapter - 1)

    def on_unmount(self) -> None:
        """Save the place."""
        self._save(write_now=True)
        self.store.flush()

    # --- notes ------------------------------------------------------------------------------

    def _note_mode(self, key: str) -> str:
        """How a note shows: the reader's fold for it, else the "notes" preference."""
        default = str(self.store.pref("notes") or "folded")
        if default == "hidden":
            return "hidden"
        folded = self.store.fold(self.story_id, key)
        if folded is None:
            return default
        return "folded" if folded else "unfolded"

    def on_chapter_view_notes_toggled(self, event: ChapterView.NotesToggled) -> None:
        """Remember the folds."""
        for key in event.keys:
            self.store.set_fold(self.story_id, key, event.folded)

    # --- items and positions ----------------------------------------------------------------

    def _build(self, items: list[Item]) -> None:
        """Index ``items``."""
        self.items = items
        self._item_of = {}
        self._chapter_first = {}
        for index, item in enumerate(items):
            self._chapter_first.setdefault(item.chapter, index)
            if item.block is not None:
                self._item_of[(item.chapter, item.block)] = index

    def _anchor_for(self, chapter: int, block: int, offset: int) -> Anchor:
        """The anchor of (chapter, block, offset); block 0 offset 0 is the chapter's start."""
        if block <= 0 and offset <= 0:
            return Anchor(self._chapter_first.get(chapter, 0), 0)
        item = self._item_of.get((chapter, block))
        if item is None:
            blocks = [b for (c, b) in self._item_of if c == chapter and b <= block]
            if not blocks:
                return Anchor(self._chapter_first.get(chapter, 0), 0)
            item = self._item_of[(chapter, max(blocks))]
            offset = 0
        return Anchor(item, offset)

    def position(self) -> Position:
        """The reading position from the view's anchor."""
        anchor = self.view.reading_anchor
        if not self.items:
            return _position(max(0, self.chapter_index), 0, 0)
        item = self.items[min(anchor.item, len(self.items) - 1)]
        chapter = item.chapter
        if item.block is not None:
            return _position(chapter, item.block, anchor.offset)
        # a note, a title or the end marker: before the first block, or after the last one
        blocks = self.story.chapters[chapter].blocks
        first = self._chapter_first.get(chapter, 0)
        after = any(
            self.items[i].block is not None and self.items[i].chapter == chapter
            for i in range(first, anchor.item)
        )
        if after and blocks:
            last = len(blocks) - 1
            return _position(chapter, last, len(blocks[last].text) + 1)
        return _position(chapter, 0, 0)

    def save_position(self, *, write_now: bool = False) -> None:
        """Save the reading position (the store debounces unless ``write_now``)."""
        self._save(write_now=write_now)

    def go_to_chapter(self, index: int) -> None:
        """Go to the start of chapter ``index`` (0-based), asking at any gate on the way."""
        self._go(index)

    def _save(self, *, write_now: bool = False, pos: Position | None = None) -> None:
        """Save the position (``pos`` when the caller already has it)."""
        if self.chapter_index < 0 or not self.items:
            return
        self.store.save_position(
            self.story_id,
            pos or self.position(),
            title=self.story.title,
            path=str(self.path),
            write_now=write_now,
        )

    # --- moving between chapters ------------------------------------------------------------

    def _unpassed_gate(self, after: int, upto: int) -> WarningGate | None:
        """The first gate not yet passed in front of a chapter index in (after, upto]."""
        for index in range(max(0, after + 1), upto + 1):
            gate = self.story.gate_before(self.story.chapters[index].number)
            if gate is not None and not self.store.gate_passed(self.story_id, gate.before_chapter):
                return gate
        return None

    def _go(
        self,
        chapter: int,
        *,
        block: int = 0,
        offset: int = 0,
        at_end: bool = False,
        gate_from: int | None = None,
    ) -> None:
        """Show ``chapter`` (at a block/offset, or its end), asking at any gate on the way."""
        chapter = max(0, min(chapter, len(self.story.chapters) - 1))
        start = self.chapter_index if gate_from is None else gate_from
        gate = self._unpassed_gate(start, chapter) if chapter > start else None
        if gate is not None:
            from tui_reader.ui.screens.warning import GateScreen

            def answered(go_on: bool | None) -> None:
                """Continue past the gate, or stop and go back to the library."""
                if go_on:
                    self.store.pass_gate(self.story_id, gate.before_chapter)
                    self._go(chapter, block=block, offset=offset, at_end=at_end, gate_from=start)
                else:
                    self.store.stop_at(self.story_id, gate.before_chapter)
                    self._leave()

            self.app.push_screen(GateScreen(self.story, gate), answered)
            return
        self._show(chapter, block=block, offset=offset, at_end=at_end)

    def _show(self, chapter: int, *, block: int = 0, offset: int = 0, at_end: bool = False) -> None:
        """Lay out and show ``chapter`` (no gate check)."""
        view = self.view
        changed = chapter != self.chapter_index
        if self.whole_work:
            limit = self._whole_limit()
            if not self.items or limit != self.limit:
                self.limit = limit
                self._build(work_items(self.story, limit))
                view.set_items(self.items, self._anchor_for(chapter, block, offset))
            else:
                view.go_to(self._anchor_for(chapter, block, offset))
        elif changed or not self.items:
            self._build(chapter_items(self.story, chapter))
            view.set_items(self.items, self._anchor_for(chapter, block, offset))
        else:
            view.go_to(self._anchor_for(chapter, block, offset))
        self.chapter_index = chapter
        if at_end:
            view.when_laid_out(lambda: self._to_chapter_end(chapter))
        self._apply_highlights()
        self._moved(write_now=changed)
        self.call_after_refresh(self._check_end_visible)

    def _moved(self, *, write_now: bool) -> None:
        """After a move: the header, the pace and the saved place (one position for all three)."""
        pos = self.position()
        self._refresh_header(pos)
        self._record_pace(pos)
        self._save(write_now=write_now, pos=pos)

    def _mark_read(self, chapter: int) -> None:
        """Mark ``chapter`` read, once per visit (the store writes the file on each mark).

        A chapter whose body could not be read was not read: it is never marked.
        """
        if self.story.chapters[chapter].load_error is not None:
            return
        if chapter not in self._marked_read:
            self._marked_read.add(chapter)
            self.store.mark_chapter_read(self.story_id, chapter)

    def _check_end_visible(self) -> None:
        """A chapter that fits on screen is read once shown (paging on offers "finished")."""
        view = self.view
        if not self.items or not view.lines:
            return
        last = self.items[min(view.last_visible_item, len(self.items) - 1)]
        if last.kind == "end":
            self._mark_read(last.chapter)

    def _whole_limit(self) -> int:
        """Whole-work view: how many chapters to show (up to the first unpassed gate)."""
        for index in range(1, len(self.story.chapters)):
            gate = self.story.gate_before(self.story.chapters[index].number)
            if gate is not None and not self.store.gate_passed(self.story_id, gate.before_chapter):
                return max(index, self.chapter_index + 1, self._start.chapter + 1)
        return len(self.story.chapters)

    def _to_chapter_end(self, chapter: int) -> None:
        """Show the last page of ``chapter``."""
        view = self.view
        nxt = self._chapter_first.get(chapter + 1)
        if nxt is None:
            view.to_end()
        else:
            view.go_to_line(view.line_of(nxt) - view.page_height)

    def _leave(self) -> None:
        """Save and go back to the library."""
        self._save(write_now=True)
        self.store.flush()
        if self.app.screen is self:
            self.app.pop_screen()

    # --- view messages ----------------------------------------------------------------------

    def on_chapter_view_anchor_changed(self, event: ChapterView.AnchorChanged) -> None:
        """Save the place, mark chapters read, follow chapters in the whole-work view."""
        if not self.items:
            return
        item = self.items[min(event.anchor.item, len(self.items) - 1)]
        changed = item.chapter != self.chapter_index
        if changed and self.whole_work:
            if item.chapter > self.chapter_index:
                for index in range(max(0, self.chapter_index), item.chapter):
                    self._mark_read(index)
            self.chapter_index = item.chapter
        last = self.items[min(event.last_item, len(self.items) - 1)]
        if last.kind == "end":
            self._mark_read(last.chapter)
            if last.chapter == len(self.story.chapters) - 1:
                self._offer_finished()
        self._moved(write_now=changed)

    def _record_pace(self, pos: Position) -> None:
        """Feed the reader's own pace (words read forward over time) to the store."""
        before = self._words_before_blocks(pos.chapter)
        words = (
            self._chapter_words_before[pos.chapter] + before[min(pos.paragraph, len(before) - 1)]
        )
        now = time.monotonic()
        mark, self._pace_mark = self._pace_mark, (now, words)
        if mark is None:
            return
        seconds, advanced = now - mark[0], words - mark[1]
        if advanced > 0 and 0 < seconds < 600:
            self.store.record_pace(advanced, seconds)

    def _offer_finished(self) -> None:
        """At the end of a complete story: offer to mark it "finished" (once per visit)."""
        if (
            self._finish_offered
            or not self.story.is_complete
            or self.store.status(self.story_id) == "finished"
        ):
            return
        self._finish_offered = True
        self.action_status(suggest="finished")

    def on_chapter_view_reached_end(self, event: ChapterView.ReachedEnd) -> None:
        """Paging past the end: on into the next chapter."""
        self._mark_read(self.chapter_index)
        if self.chapter_index == len(self.story.chapters) - 1:
            self._offer_finished()
        if self.whole_work:
            if self.limit < len(self.story.chapters):
                self._go(self.limit, gate_from=self.limit - 1)
            return
        if self.chapter_index + 1 < len(self.story.chapters):
            self._go(self.chapter_index + 1)

    def on_chapter_view_reached_start(self, event: ChapterView.ReachedStart) -> None:
        """Paging back before the first line: to the previous chapter's end."""
        if not self.whole_work and self.chapter_index > 0:
            self._go(self.chapter_index - 1, at_end=True)

    # --- header -----------------------------------------------------------------------------

    def _words_before_blocks(self, chapter: int) -> list[int]:
        """Cumulative words before each block of ``chapter``."""
        cached = self._words_before.get(chapter)
        if cached is None:
            cached = [0]
            for block in self.story.chapters[chapter].blocks:
                cached.append(cached[-1] + count_words(block.text))
            self._words_before[chapter] = cached
        return cached

    def _refresh_header(self, pos: Position) -> None:
        """Show where the reader is (at ``pos``) and how long is left."""
        chapters = self.story.chapters
        chapter = chapters[pos.chapter]
        words = self._words_before_blocks(pos.chapter)
        left_chapter = max(0, words[-1] - words[min(pos.paragraph, len(words) - 1)])
        after = self._chapter_words_before[-1] - self._chapter_words_before[pos.chapter + 1]
        left_story = left_chapter + after
        wpm = max(1, int(self.store.words_per_minute() or 200))
        self.query_one(ReaderHeader).show(
            HeaderInfo(
                story_title=self.story.title,
                chapter_number=pos.chapter + 1,
                chapters_present=len(chapters),
                chapters_total=self.story.chapters_total,
                chapter_title=chapter.display_title,
                chapter_words=chapter.words,
                minutes_chapter=left_chapter / wpm,
                minutes_story=left_story / wpm,
                whole_work=self.whole_work,
            )
        )

    # --- actions ----------------------------------------------------------------------------

    def action_line(self, count: int) -> None:
        """Scroll by lines."""
        self.view.scroll_lines(count)

    def action_page(self, pages: int) -> None:
        """Page (on into the next or previous chapter at the ends)."""
        self.view.page(pages)

    def action_half(self, direction: int) -> None:
        """Half a page."""
        self.view.page(0.5 * direction)

    def action_chapter_start(self) -> None:
        """The chapter's first line."""
        if self.whole_work:
            self.view.scroll_to_item(self._chapter_first.get(self.chapter_index, 0))
        else:
            self.view.to_start()

    def action_chapter_end(self) -> None:
        """The chapter's last page."""
        if self.whole_work:
            self._to_chapter_end(self.chapter_index)
        else:
            self.view.to_end()

    def action_chapter(self, step: int) -> None:
        """Next or previous chapter."""
        target = self.chapter_index + step
        if 0 <= target < len(self.story.chapters):
            self._go(target)
        else:
            self.notify("No next chapter." if step > 0 else "This is the first chapter.")

    def action_paragraph(self, step: int) -> None:
        """Next or previous paragraph."""
        if step > 0:
            self.view.next_paragraph()
        else:
            self.view.previous_paragraph()

    def action_index(self) -> None:
        """The chapter index."""
        from tui_reader.ui.screens.chapter_index import ChapterIndexScreen

        gated = {
            i
            for i, c in enumerate(self.story.chapters)
            if self.story.gate_before(c.number) is not None
        }
        screen = ChapterIndexScreen(
            self.story,
            read=self.store.chapters_read(self.story_id),
            current=self.chapter_index,
            gated=gated,
        )

        def chosen(index: int | None) -> None:
            """Jump to the chosen chapter."""
            if index is not None:
                self._go(index)

        self.app.push_screen(screen, chosen)

    def action_notes(self) -> None:
        """Fold or unfold the notes on screen."""
        if not self.view.toggle_notes_on_screen():
            if self.store.pref("notes") == "hidden":
                self.notify("Author's notes are hidden (preference).")
            else:
                self.notify("No author's notes on screen.")

    def action_width(self, step: int) -> None:
        """Change the reading width (remembered)."""
        view = self.view
        view.set_width(view.reading_width + step)
        self.store.set_pref("reading_width", view.reading_width)
        self.notify(f"Reading width: {view.reading_width}", timeout=1.5)

    def action_whole_work(self) -> None:
        """Toggle the whole-work view, keeping the place."""
        pos = self.position()
        self.whole_work = not self.whole_work
        self.store.set_pref("whole_work", self.whole_work)
        self.items = []
        self.limit = 0
        self._show(pos.chapter, block=pos.paragraph, offset=pos.offset)
        self.notify("Whole work" if self.whole_work else "Chapter by chapter", timeout=1.5)

    def action_bookmark(self) -> None:
        """Bookmark the paragraph at the top, with an optional note."""
        from tui_reader.ui.dialogs.bookmark_note import BookmarkNoteDialog

        pos = self.position()
        blocks = self.story.chapters[pos.chapter].blocks
        text = blocks[pos.paragraph].text if pos.paragraph < len(blocks) else ""
        snippet = collapse(text[pos.offset if pos.offset <= len(text) else 0 :])[:120]

        def saved(note: str | None) -> None:
            """Add the bookmark unless cancelled."""
            if note is None:
                return
            self.store.add_bookmark(
                self.story_id, self.story.title, str(self.path), pos, note=note, snippet=snippet
            )
            notify = self.app.notify  # (this screen may be closed by the time it is saved)

            def told(error: str | None) -> None:
                """Say "Bookmarked." once it is on disk, or that it could not be saved."""
                if error is None:
                    notify("Bookmarked.", timeout=2)
                else:
                    notify(
                        f"Bookmark kept for this session only: it could not be saved ({error}).",
                        severity="warning",
                        timeout=8,
                    )

            self.store.when_saved(told)

        self.app.push_screen(BookmarkNoteDialog(snippet), saved)

    def action_status(self, suggest: str | None = None) -> None:
        """Pick the reading status; ``suggest`` is highlighted (the end suggests "finished")."""
        from tui_reader.ui.dialogs.status import StatusDialog

        def chosen(status: str | None) -> None:
            """Keep the choice."""
            if status is None:
                return
            self.store.set_status(self.story_id, status or None)
            self.notify(f"Status: {status or 'none'}", timeout=2)

        heading = "You reached the end." if suggest else None
        dialog = StatusDialog(
            self.story.title, self.store.status(self.story_id), suggest=suggest, heading=heading
        )
        self.app.push_screen(dialog, chosen)

    def action_back(self) -> None:
        """Close the search field, or go back to the library."""
        field = self.query_one("#search", Input)
        if field.display:
            field.display = False
            self.view.focus()
            return
        self._leave()

    # --- search -----------------------------------------------------------------------------

    def action_search(self) -> None:
        """Open the search field."""
        field = self.query_one("#search", Input)
        field.display = True
        field.value = self.search_text
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Search every chapter's raw text and go to the first match from here."""
        if event.input.id != "search":
            return
        event.stop()
        self.search_text = event.value
        event.input.display = False
        self.view.focus()
        self.matches = search_story(self.story, self.search_text)
        if not self.matches:
            self.match_index = None
            self._apply_highlights()
            self.notify(f"Not found: {self.search_text}", severity="warning")
            return
        pos = self.position()
        here = (pos.chapter, pos.paragraph, pos.offset)
        keys = [(c, b, s) for c, b, s, _ in self.matches]
        index = bisect_right(keys, here) - 1
        if index < 0 or keys[index] != here:
            index += 1
        self._go_match(index % len(self.matches))
        self.notify(f"{len(self.matches)} matches", timeout=2)

    def on_key(self, event: Any) -> None:
        """Escape in the search field closes it."""
        field = self.query_one("#search", Input)
        if event.key == "escape" and field.has_focus:
            event.stop()
            field.display = False
            self.view.focus()

    def action_match(self, step: int) -> None:
        """Next or previous match (across chapters)."""
        if not self.matches:
            self.notify("No search (press /).")
            return
        current = self.match_index if self.match_index is not None else -step
        self._go_match((current + step) % len(self.matches))

    def _go_match(self, index: int) -> None:
        """Show match ``index`` at the top."""
        self.match_index = index
        chapter, block, start, _ = self.matches[index]
        self._go(chapter, block=block, offset=max(start, 1))
        self._apply_highlights()

    def _apply_highlights(self) -> None:
        """Highlight the matches among the items shown."""
        spans: list[tuple[int, int, int]] = []
        current: int | None = None
        for index, (chapter, block, start, end) in enumerate(self.matches):
            item = self._item_of.get((chapter, block))
            if item is None:
                continue
            if index == self.match_index:
                current = len(spans)
            spans.append((item, start, end))
        self.view.set_highlights(spans, current)
