"""One visit to one story: the place, the moves between chapters and every rule of reading.

The view scrolls display lines; the session knows what they mean. It turns the view's *anchor*
(item, offset) into a width-independent :class:`~tui_reader.state.Position` and back, decides
where a move goes and which author's gate stands in the way, marks chapters read, offers
"finished?" once at the end of a complete story, measures the reader's pace for the time left,
keeps note folds, searches the story and orders its matches from the reader's place, and lays
out either one chapter or the whole work.

Everything the session reads from the reader's state is read once, when it opens, and kept in
memory (a key press never reads the state file); what it changes goes to the store, which saves
it. Chapter bodies are parsed only by :func:`load_chapters`, meant to run off the event loop:
until a chapter is parsed the session shows its heading (:meth:`ReadingSession.needs_loading`,
:meth:`ReadingSession.show_heading`).
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from tui_reader.layout import (
    Item,
    Match,
    chapter_items,
    match_note,
    note_keys,
    note_mode,
    search_story,
    work_items,
)
from tui_reader.model import Story, WarningGate
from tui_reader.reading.relocate import fingerprint, relocate
from tui_reader.state import Position, StateStore
from tui_reader.text import collapse_whitespace, count_words, shorten

APPROXIMATE_PLACE = "This chapter changed since you last read it; your place is approximate."
"""What the reader is told when a saved place could not be found again in the changed text."""

PACE_GAP = 600.0
"""Seconds between two moves beyond which the pause is not counted as reading."""

_PARSE_LOCK = threading.Lock()
"""One chapter parse at a time (a chapter's lazy loader must never run twice at once)."""


class Anchor(NamedTuple):
    """What is at the top of the view: an item index and a character offset in its text."""

    item: int
    """Index into the shown items."""
    offset: int = 0
    """Character offset inside the item's text."""


class HeaderInfo(NamedTuple):
    """What the reader's header shows."""

    story_title: str
    """The story's title."""
    chapter_number: int
    """1-based position of the current chapter among those present."""
    chapters_present: int
    """Chapters in the file."""
    chapters_total: int | None
    """Chapters planned (None when unknown)."""
    chapter_title: str
    """ "Chapter 3: Title"."""
    chapter_words: int
    """Words in the current chapter."""
    minutes_chapter: float
    """Reading time left in the chapter, minutes."""
    minutes_story: float
    """Reading time left in the story, minutes."""
    whole_work: bool = False
    """True in the whole-work view."""


class Target(NamedTuple):
    """Where a move goes: a chapter and a place in it, or its last page."""

    chapter: int
    """0-based chapter index."""
    block: int = 0
    """Block index in the chapter."""
    offset: int = 0
    """Character offset in that block."""
    at_end: bool = False
    """True to show the chapter's last page instead."""
    note: str | None = None
    """A note to show instead of a block (its fold key): a search match in it."""


class Arrived(NamedTuple):
    """What the view must do after :meth:`ReadingSession.show`."""

    anchor: Anchor
    """The anchor to put at the top."""
    new_items: bool
    """True when the items changed (set them), False when only the anchor moves."""
    changed_chapter: bool
    """True when the chapter (with its body) changed: the place is saved at once."""


class Onward(NamedTuple):
    """What paging past a chapter's last page leads to."""

    target: Target | None
    """The next chapter to show (None at the end)."""
    gate_from: int | None = None
    """Where gates are counted from (the whole-work view continues past its limit)."""
    offer_finished: bool = False
    """True when "mark as finished?" is to be asked now."""


def opening_chapter(story: Story, chapter: int | None, position: Position | None) -> int:
    """The chapter a visit opens at: the saved ``position``'s (the last chapter when the story
    has fewer chapters now), else ``chapter``, else the first."""
    count = len(story.chapters)
    if position is not None and position.chapter >= 0:
        return min(position.chapter, max(0, count - 1))
    if chapter is not None and 0 <= chapter < count:
        return chapter
    return 0


def load_chapters(story: Story, indices: Iterable[int]) -> None:
    """Parse the bodies of the chapters ``indices`` (slow: call it off the event loop)."""
    for index in indices:
        if 0 <= index < len(story.chapters) and not story.chapters[index].loaded:
            with _PARSE_LOCK:
                _ = story.chapters[index].blocks


class ReadingSession:
    """One reader in one story: the place, the moves, the gates, pace, reads, notes and search."""

    def __init__(
        self,
        story: Story,
        store: StateStore,
        *,
        path: Path | str = "",
        chapter: int | None = None,
        position: Position | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Open ``story`` at ``position`` if given (and valid), else at ``chapter`` (or 0)."""
        self.story = story
        """The story read."""
        self.store = store
        """The reader's state (read here once; changes are sent to it)."""
        self.path = str(path)
        """The story's file, kept with saved places and bookmarks."""
        self.story_id = story.story_id
        """The id the reader's state is kept under."""
        self.clock = clock
        """Monotonic clock for the pace (tests may replace it)."""
        count = len(story.chapters)
        self.notice: str | None = None
        """What the reader must be told about the opening place (once), or None."""
        if position is not None and position.chapter >= 0 and count:
            if position.chapter >= count:  # chapters were removed: the last one, said so
                self.notice = APPROXIMATE_PLACE
                position = Position(
                    count - 1, position.paragraph, position.offset, position.fingerprint
                )
            self.start = position
        else:
            self.start = Position(opening_chapter(story, chapter, None), 0, 0)
        """Where the visit opens (found again in the chapter's text by :meth:`place_start`)."""
        self._unplaced: Position | None = self.start if self.start.fingerprint is not None else None
        """The saved place still to be found in its chapter's current text (None when done)."""
        self._placed: Target | None = None
        """Where :meth:`place_start` found it, used by the first :meth:`show` of that place."""
        self._fingerprints: dict[tuple[int, int], str] = {}
        """(chapter, block) → the block's fingerprint, as computed for a saved place."""
        prefs = store.prefs()
        self.whole_work = prefs.whole_work
        """True in the whole-work view (all chapters in one scroll)."""
        self.reading_width = prefs.reading_width
        """The reading column's width in cells."""
        self.notes_preference: str = prefs.notes
        """How notes show unless folded or unfolded by the reader: folded, unfolded, hidden."""
        self.status: str | None = store.status(self.story_id)
        """The story's reading status."""
        self.words_per_minute = store.words_per_minute()
        """The reader's pace, for the time left."""
        self.read: set[int] = set(store.chapters_read(self.story_id))
        """Chapters read (in any visit)."""
        self._passed = {
            gate.before_chapter
            for gate in story.warning_gates
            if store.gate_passed(self.story_id, gate.before_chapter)
        }
        """Numbers of the chapters whose gate the reader passed."""
        self._folds = {key: store.fold(self.story_id, key) for key in note_keys(story)}
        """Note key → True folded, False unfolded, None as the preference says."""
        self.chapter = -1
        """The chapter at the top (index into story.chapters); -1 before the first show."""
        self.items: list[Item] = []
        """The items shown."""
        self.limit = 0
        """Whole-work view: chapters shown are [0, limit) (a gate not yet passed stops it)."""
        self.waiting: Target | None = None
        """The move waiting for a chapter body to be parsed (only the heading is shown)."""
        self._item_of: dict[tuple[int, int], int] = {}
        """(chapter, block) → index of its item among those shown."""
        self._note_item: dict[str, int] = {}
        """The item of each note shown, by its fold key."""
        self._chapter_first: dict[int, int] = {}
        """chapter → index of its first item among those shown."""
        self._words_before: dict[int, list[int]] = {}
        """chapter → cumulative words before each of its blocks (parsed chapters only)."""
        self._chapter_words_before = [0]
        """Words in the chapters before each chapter index (and the story's total at the end)."""
        for c in story.chapters:
            self._chapter_words_before.append(self._chapter_words_before[-1] + c.words)
        self._marked_read: set[int] = set()
        """Chapters marked read in this visit (each is sent to the store once)."""
        self.matches: list[Match] = []
        """Search matches over the whole story, in reading order."""
        self._match_notes: list[str | None] = []
        """For each match, the fold key of the note it lies in (None: in the body)."""
        self.match_index: int | None = None
        """The current match."""
        self.search_text = ""
        """The last search."""
        self._pace_mark: tuple[float, int] | None = None
        """(clock, words into the story) at the last move, to measure the pace."""
        self._finish_offered = False
        """True once "mark as finished?" was offered in this visit."""
        # the library's "+N new" counts the chapters added since this visit
        store.mark_seen(self.story_id, len(story.chapters))

    # --- state read once ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read what another session may change meanwhile: the pace (call it on a timer)."""
        self.words_per_minute = self.store.words_per_minute()

    # --- notes --------------------------------------------------------------------------------

    def note_mode(self, key: str) -> str:
        """How the note ``key`` shows: the reader's fold for it, else the preference."""
        return note_mode(self.notes_preference, self._folds.get(key))

    def set_folds(self, keys: Iterable[str], folded: bool) -> None:
        """Remember that the reader folded (or unfolded) the notes ``keys``."""
        for key in keys:
            self._folds[key] = folded
            self.store.set_fold(self.story_id, key, folded)

    # --- items and positions ------------------------------------------------------------------

    def _build(self, items: list[Item]) -> None:
        """Show ``items`` and index them."""
        self.items = items
        self._item_of = {}
        self._note_item = {}
        self._chapter_first = {}
        for index, item in enumerate(items):
            self._chapter_first.setdefault(item.chapter, index)
            if item.block is not None:
                self._item_of[(item.chapter, item.block)] = index
            elif item.note_key is not None:
                self._note_item[item.note_key] = index

    def chapter_first(self, chapter: int) -> int | None:
        """Index of the first item of ``chapter`` among those shown (None when not shown)."""
        return self._chapter_first.get(chapter)

    def anchor_for(self, chapter: int, block: int, offset: int, note: str | None = None) -> Anchor:
        """The anchor of (chapter, block, offset); block 0 offset 0 is the chapter's start.
        With ``note`` (a fold key), the place is ``offset`` in that note, when it is shown."""
        if note is not None and note in self._note_item:
            return Anchor(self._note_item[note], offset)
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

    def position(self, anchor: Anchor) -> Position:
        """The reading position of ``anchor`` (the place waited for while a body is parsed)."""
        if self.waiting is not None:
            target = self.waiting
            return Position(target.chapter, target.block, target.offset)
        if not self.items:
            return Position(max(0, self.chapter), 0, 0)
        item = self.items[min(anchor.item, len(self.items) - 1)]
        chapter = item.chapter
        if item.block is not None:
            return Position(chapter, item.block, anchor.offset)
        # a note, a title or the end marker: before the first block, or after the last one
        first = self._chapter_first.get(chapter, 0)
        after = any(
            self.items[i].block is not None and self.items[i].chapter == chapter
            for i in range(first, anchor.item)
        )
        blocks = self.story.chapters[chapter].blocks if after else []
        if blocks:
            last = len(blocks) - 1
            return Position(chapter, last, len(blocks[last].text) + 1)
        return Position(chapter, 0, 0)

    def save(self, anchor: Anchor, *, write_now: bool = False) -> None:
        """Save the place at ``anchor`` (the store batches writes unless ``write_now``)."""
        if self.chapter < 0 or not self.items:
            return
        self._save(self.position(anchor), write_now=write_now)

    def _save(self, pos: Position, *, write_now: bool) -> None:
        """Send ``pos`` (with its block's fingerprint) to the store."""
        self.store.save_position(
            self.story_id,
            self.fingerprinted(pos),
            title=self.story.title,
            path=self.path,
            write_now=write_now,
        )

    def fingerprinted(self, pos: Position) -> Position:
        """``pos`` with the fingerprint of the block it points into (None when that chapter is
        not parsed); the opening place not yet found again keeps the fingerprint it came with."""
        unplaced = self._unplaced
        if unplaced is not None and (pos.chapter, pos.paragraph, pos.offset) == (
            unplaced.chapter,
            unplaced.paragraph,
            unplaced.offset,
        ):
            return Position(pos.chapter, pos.paragraph, pos.offset, unplaced.fingerprint)
        key = (pos.chapter, pos.paragraph)
        mark = self._fingerprints.get(key)
        if mark is None and 0 <= pos.chapter < len(self.story.chapters):
            chapter = self.story.chapters[pos.chapter]
            blocks = chapter.blocks if chapter.loaded else []
            if 0 <= pos.paragraph < len(blocks):
                mark = self._fingerprints[key] = fingerprint(blocks[pos.paragraph].text)
        return Position(pos.chapter, pos.paragraph, pos.offset, mark)

    # --- finding the saved place in a changed text ----------------------------------------------

    def load(self, indices: Iterable[int]) -> None:
        """Parse the chapters ``indices``, then find the opening place in its chapter's text
        (slow: call it off the event loop)."""
        load_chapters(self.story, indices)
        self.place_start()

    def place_start(self) -> None:
        """Find the opening place in its chapter's current text by its fingerprint (when that
        chapter is parsed; call it off the event loop); the first :meth:`show` of the saved
        place goes there. A place not found closely is kept near its index, and said so."""
        pos = self._unplaced
        if pos is None or self._placed is not None:
            return
        chapter = self.story.chapters[pos.chapter]
        if not chapter.loaded:
            return
        texts = [block.text for block in chapter.blocks]
        found = relocate(texts, pos.paragraph, pos.offset, pos.fingerprint)
        if self._unplaced is not pos:  # the reader moved on meanwhile
            return
        if found.approximate:
            self.notice = APPROXIMATE_PLACE
        self._placed = Target(pos.chapter, found.paragraph, found.offset)

    def take_notice(self) -> str | None:
        """What the reader must be told about the opening place, once (then None)."""
        notice, self.notice = self.notice, None
        return notice

    # --- moving between chapters --------------------------------------------------------------

    def clamp(self, chapter: int) -> int:
        """``chapter`` within the story."""
        return max(0, min(chapter, len(self.story.chapters) - 1))

    def gate_passed(self, gate: WarningGate) -> bool:
        """True when the reader passed ``gate`` (in any visit)."""
        return gate.before_chapter in self._passed

    def gate_between(self, after: int, chapter: int) -> WarningGate | None:
        """The first gate not yet passed in front of a chapter index in (after, chapter]."""
        chapter = self.clamp(chapter)
        if chapter <= after:
            return None
        for index in range(max(0, after + 1), chapter + 1):
            gate = self.story.gate_before(self.story.chapters[index].number)
            if gate is not None and not self.gate_passed(gate):
                return gate
        return None

    def pass_gate(self, gate: WarningGate) -> None:
        """The reader chose to read on past ``gate``."""
        self._passed.add(gate.before_chapter)
        self.store.pass_gate(self.story_id, gate.before_chapter)

    def stop_at(self, gate: WarningGate) -> None:
        """The reader chose to stop at ``gate``."""
        self.store.stop_at(self.story_id, gate.before_chapter)

    def gated_chapters(self) -> set[int]:
        """Indices of the chapters with an author's gate in front of them."""
        return {
            i
            for i, c in enumerate(self.story.chapters)
            if self.story.gate_before(c.number) is not None
        }

    def whole_limit(self) -> int:
        """Whole-work view: how many chapters to show (up to the first unpassed gate)."""
        for index in range(1, len(self.story.chapters)):
            gate = self.story.gate_before(self.story.chapters[index].number)
            if gate is not None and not self.gate_passed(gate):
                return max(index, self.chapter + 1, self.start.chapter + 1)
        return len(self.story.chapters)

    def needs_loading(self, chapter: int) -> list[int]:
        """The chapters whose bodies must be parsed before ``chapter`` can be shown."""
        chapters = self.story.chapters
        wanted = range(self.whole_limit()) if self.whole_work else [self.clamp(chapter)]
        missing = [i for i in wanted if not chapters[i].loaded]
        unplaced = self._unplaced
        if (
            unplaced is not None
            and self._placed is None
            and unplaced.chapter == self.clamp(chapter)
            and unplaced.chapter not in missing
        ):
            missing.append(unplaced.chapter)  # parsed, but the place is still to be found
        return missing

    def to_parse_ahead(self) -> list[int]:
        """The chapters next to this one not parsed yet (to parse before the reader gets there)."""
        chapters = self.story.chapters
        near = (self.chapter + 1, self.chapter - 1)
        return [i for i in near if 0 <= i < len(chapters) and not chapters[i].loaded]

    def show_heading(self, target: Target) -> Anchor:
        """Show only the heading of ``target``'s chapter while its body is parsed."""
        chapter = self.clamp(target.chapter)
        self.waiting = Target(chapter, target.block, target.offset, target.at_end, target.note)
        self.chapter = chapter
        self.limit = 0
        self._build(chapter_items(self.story, chapter, body=False))
        return Anchor(0, 0)

    def show(self, target: Target) -> Arrived:
        """Lay out ``target``'s chapter (or the whole work) and say where the view goes.

        The chapter's body must be parsed (see :meth:`needs_loading`); no gate is checked.
        """
        unplaced, placed = self._unplaced, self._placed
        if unplaced is not None:
            here = (target.chapter, target.block, target.offset)
            saved = (unplaced.chapter, unplaced.paragraph, unplaced.offset)
            if placed is not None and here == saved:
                target = Target(placed.chapter, placed.block, placed.offset, target.at_end)
            self._unplaced = self._placed = None  # shown once: later saves are of real blocks
        chapter = self.clamp(target.chapter)
        changed = chapter != self.chapter or self.waiting is not None
        new = False
        if self.whole_work:
            limit = self.whole_limit()
            if not self.items or self.waiting is not None or limit != self.limit:
                self.limit = limit
                self._build(work_items(self.story, limit))
                new = True
        elif changed or not self.items:
            self._build(chapter_items(self.story, chapter))
            new = True
        self.waiting = None
        self.chapter = chapter
        anchor = self.anchor_for(chapter, target.block, target.offset, target.note)
        return Arrived(anchor, new, changed)

    def chapter_step(self, step: int) -> Target | None:
        """The start of the next (``step`` 1) or previous (-1) chapter; None past the ends."""
        target = self.chapter + step
        if 0 <= target < len(self.story.chapters):
            return Target(target)
        return None

    def onward(self) -> Onward:
        """Paging past the last page: this chapter is read; on to the next, or "finished?".

        Nothing while only the heading shows (the body is still being parsed).
        """
        if self.waiting is not None:
            return Onward(None)
        self.mark_read(self.chapter)
        offer = self.chapter == len(self.story.chapters) - 1 and self.offer_finished()
        count = len(self.story.chapters)
        if self.whole_work:
            if self.limit < count:
                return Onward(Target(self.limit), self.limit - 1, offer)
            return Onward(None, None, offer)
        if self.chapter + 1 < count:
            return Onward(Target(self.chapter + 1), None, offer)
        return Onward(None, None, offer)

    def backward(self) -> Target | None:
        """Paging back before the first line: the previous chapter's last page (None at 0)."""
        if not self.whole_work and self.chapter > 0:
            return Target(self.chapter - 1, at_end=True)
        return None

    def toggle_whole_work(self, anchor: Anchor) -> Target:
        """Switch between the whole work and chapter by chapter; the place to show again."""
        pos = self.position(anchor)
        self.whole_work = not self.whole_work
        self.store.set_pref("whole_work", self.whole_work)
        self.items = []
        self.limit = 0
        return Target(pos.chapter, pos.paragraph, pos.offset)

    def set_reading_width(self, width: int) -> None:
        """Remember the reading column's width."""
        self.reading_width = width
        self.store.set_pref("reading_width", width)

    # --- reading on ---------------------------------------------------------------------------

    def scrolled(self, anchor: Anchor, last_item: int) -> tuple[bool, bool]:
        """The reader scrolled to ``anchor`` with ``last_item`` the last on screen.

        Chapters scrolled past (whole work) and a chapter whose end shows are read. Returns
        (the chapter changed, "finished?" is to be asked now).
        """
        if not self.items or self.waiting is not None:
            return False, False
        item = self.items[min(anchor.item, len(self.items) - 1)]
        changed = item.chapter != self.chapter
        if changed and self.whole_work:
            if item.chapter > self.chapter:
                for index in range(max(0, self.chapter), item.chapter):
                    self.mark_read(index)
            self.chapter = item.chapter
        offer = False
        last = self.items[min(last_item, len(self.items) - 1)]
        if last.kind == "end":
            self.mark_read(last.chapter)
            if last.chapter == len(self.story.chapters) - 1:
                offer = self.offer_finished()
        return changed, offer

    def end_visible(self, last_item: int) -> None:
        """A chapter whose end marker is on screen once shown is read."""
        if not self.items or self.waiting is not None:
            return
        last = self.items[min(last_item, len(self.items) - 1)]
        if last.kind == "end":
            self.mark_read(last.chapter)

    def mark_read(self, chapter: int) -> None:
        """Mark ``chapter`` read, once per visit; a chapter whose body could not be read never."""
        if chapter < 0 or chapter in self._marked_read:
            return
        if self.story.chapters[chapter].load_error is not None:
            return
        self._marked_read.add(chapter)
        self.read.add(chapter)
        self.store.mark_chapter_read(self.story_id, chapter)

    def offer_finished(self) -> bool:
        """True once per visit at the end of a complete story not yet marked "finished"."""
        if self._finish_offered or not self.story.is_complete or self.status == "finished":
            return False
        self._finish_offered = True
        return True

    def set_status(self, status: str | None) -> None:
        """Set the story's reading status (None or "" clears it)."""
        self.status = status or None
        self.store.set_status(self.story_id, self.status)

    # --- pace and time left -------------------------------------------------------------------

    def moved(self, anchor: Anchor, *, write_now: bool = False) -> HeaderInfo:
        """After a move: record the pace, save the place, and say what the header shows."""
        pos = self.position(anchor)
        if self.waiting is None:
            self._record_pace(pos)
            if self.chapter >= 0 and self.items:
                self._save(pos, write_now=write_now)
        return self.header(pos)

    def _words_before_blocks(self, chapter: int) -> list[int]:
        """Cumulative words before each block of ``chapter`` (its length while unparsed)."""
        cached = self._words_before.get(chapter)
        if cached is not None:
            return cached
        ch = self.story.chapters[chapter]
        if not ch.loaded:
            return [0, ch.words]
        cached = [0]
        for block in ch.blocks:
            cached.append(cached[-1] + count_words(block.text))
        self._words_before[chapter] = cached
        return cached

    def words_into_story(self, pos: Position) -> int:
        """Words of the story before ``pos``."""
        before = self._words_before_blocks(pos.chapter)
        return self._chapter_words_before[pos.chapter] + before[min(pos.paragraph, len(before) - 1)]

    def _record_pace(self, pos: Position) -> None:
        """Feed the reader's own pace (words read forward over time) to the store."""
        words = self.words_into_story(pos)
        now = self.clock()
        mark, self._pace_mark = self._pace_mark, (now, words)
        if mark is None:
            return
        seconds, advanced = now - mark[0], words - mark[1]
        if advanced > 0 and 0 < seconds < PACE_GAP:
            self.store.record_pace(advanced, seconds)

    def header(self, pos: Position) -> HeaderInfo:
        """Where the reader is at ``pos`` and how long is left."""
        chapters = self.story.chapters
        chapter = chapters[pos.chapter]
        words = self._words_before_blocks(pos.chapter)
        at = min(pos.paragraph, len(words) - 1)
        left_chapter = max(0, words[-1] - words[at])
        if pos.offset and at + 1 < len(words) and chapter.loaded and at < len(chapter.blocks):
            # inside the paragraph: its words already passed (by the share of its characters),
            # so a chapter of one long paragraph counts down too
            text = chapter.blocks[at].text
            share = min(1.0, pos.offset / len(text)) if text else 0.0
            left_chapter = max(0, left_chapter - round((words[at + 1] - words[at]) * share))
        after = self._chapter_words_before[-1] - self._chapter_words_before[pos.chapter + 1]
        wpm = self.words_per_minute
        return HeaderInfo(
            story_title=self.story.title,
            chapter_number=pos.chapter + 1,
            chapters_present=len(chapters),
            chapters_total=self.story.chapters_total,
            chapter_title=chapter.display_title,
            chapter_words=chapter.words,
            minutes_chapter=left_chapter / wpm,
            minutes_story=(left_chapter + after) / wpm,
            whole_work=self.whole_work,
        )

    # --- bookmarks ----------------------------------------------------------------------------

    def snippet(self, pos: Position) -> str:
        """The text a bookmark at ``pos`` quotes (at most 120 characters, cut at a word)."""
        chapter = self.story.chapters[pos.chapter]
        blocks = chapter.blocks if chapter.loaded else []
        text = blocks[pos.paragraph].text if pos.paragraph < len(blocks) else ""
        return shorten(
            collapse_whitespace(text[pos.offset if pos.offset <= len(text) else 0 :]), 120
        )

    def add_bookmark(self, pos: Position, note: str, snippet: str) -> None:
        """Bookmark ``pos`` (with its block's fingerprint) with the reader's ``note``."""
        self.store.add_bookmark(
            self.story_id,
            self.story.title,
            self.path,
            self.fingerprinted(pos),
            note=note,
            snippet=snippet,
        )

    # --- search -------------------------------------------------------------------------------

    def unparsed(self) -> list[int]:
        """The chapters not parsed yet (a search must parse them first)."""
        return [i for i, c in enumerate(self.story.chapters) if not c.loaded]

    def search(self, query: str, anchor: Anchor) -> int | None:
        """Search every chapter for ``query``; the first match at or after ``anchor``, wrapping.

        None when nothing matches. Every chapter must be parsed (see :meth:`unparsed`).
        """
        self.search_text = query
        self.matches = search_story(self.story, query, notes=self.notes_preference != "hidden")
        self._match_notes = [match_note(self.story, c, slot) for c, slot, _, _ in self.matches]
        if not self.matches:
            self.match_index = None
            return None
        pos = self.position(anchor)
        here = (pos.chapter, pos.paragraph, pos.offset)
        if pos.paragraph == 0 and pos.offset == 0:  # a chapter's start: its opening notes too
            here = (pos.chapter, -len(self.items) - 1, 0)
        keys = [(c, b, s) for c, b, s, _ in self.matches]
        index = bisect_right(keys, here) - 1
        if index < 0 or keys[index] != here:
            index += 1
        return index % len(self.matches)

    def match_step(self, step: int) -> int | None:
        """The next (``step`` 1) or previous (-1) match, wrapping; None without a search."""
        if not self.matches:
            return None
        current = self.match_index if self.match_index is not None else -step
        return (current + step) % len(self.matches)

    def go_to_match(self, index: int) -> Target:
        """Make match ``index`` current; where it is."""
        self.match_index = index
        chapter, block, start, _ = self.matches[index]
        note = self._match_notes[index]
        if note is not None:  # (the place saved meanwhile is the chapter's, not a note slot)
            return Target(chapter, 0, max(start, 1), note=note)
        return Target(chapter, block, max(start, 1))

    def match_note_key(self, index: int) -> str | None:
        """The fold key of the note match ``index`` lies in (None: in the body)."""
        return self._match_notes[index]

    def highlights(self) -> tuple[list[tuple[int, int, int]], int | None]:
        """The (item, start, end) spans of the matches shown, and which one is current."""
        spans: list[tuple[int, int, int]] = []
        current: int | None = None
        for index, (chapter, block, start, end) in enumerate(self.matches):
            note = self._match_notes[index]
            item = (
                self._item_of.get((chapter, block)) if note is None else self._note_item.get(note)
            )
            if item is None:
                continue
            if index == self.match_index:
                current = len(spans)
            spans.append((item, start, end))
        return spans, current
