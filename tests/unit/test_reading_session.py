"""The reading engine without a screen: every rule of ReadingSession on a real state store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_reader.model import Block, Chapter, ChapterUnreadable, Note, Source, Story, WarningGate
from tui_reader.reading import Anchor, ReadingSession, Target, load_chapters, opening_chapter
from tui_reader.reading.session import APPROXIMATE_PLACE
from tui_reader.state import Position, StateStore


def paragraph(chapter: int, index: int) -> str:
    """An original ten-word paragraph starting with its marker "C<chapter>P<index>"."""
    return f"C{chapter}P{index} the ferryman counted lanterns along the quiet harbour wall"


def make_story(
    chapters: int = 3,
    paragraphs: int = 4,
    *,
    gates: list[WarningGate] | None = None,
    total: int | None = None,
    lazy: bool = False,
    parsed: list[int] | None = None,
) -> Story:
    """A story of ``chapters`` chapters of ten-word paragraphs; chapter 1 carries notes.

    With ``lazy`` the bodies are parsed on first access, and ``parsed`` collects the chapter
    numbers whose body was parsed.
    """
    chs = []
    for c in range(1, chapters + 1):
        blocks = [Block("paragraph", paragraph(c, i)) for i in range(paragraphs)]
        before = ["Lamps were my favourite to write."] if c == 1 else []
        after = ["Next time: the ferry."] if c == 1 else []
        if lazy:

            def loader(c: int = c, blocks: list[Block] = blocks) -> list[Block]:
                if parsed is not None:
                    parsed.append(c)
                return blocks

            ch = Chapter.lazy(c, f"Night {c}", paragraphs * 10, loader, before, after)
        else:
            ch = Chapter(c, f"Night {c}", paragraphs * 10, before, after)
            ch.blocks = blocks
        chs.append(ch)
    return Story(
        "The Harbour Year",
        Source("harbour.md", "markdown"),
        author="Tester",
        chapters=chs,
        chapters_total=total,
        notes=[Note("before", "Thank you for reading.")],
        warning_gates=gates or [],
    )


def store_in(data_dir: Path) -> StateStore:
    """A reader store on the test's data dir (a second call reopens the same file)."""
    return StateStore(data_dir)


def session_on(story: Story, data_dir: Path, **kwargs: object) -> ReadingSession:
    """A session on ``story`` with a real store, shown at its start (no gate check)."""
    session = ReadingSession(story, store_in(data_dir), path="harbour.md", **kwargs)  # type: ignore[arg-type]
    start = session.start
    session.show(Target(start.chapter, start.paragraph, start.offset))
    return session


def item_of(session: ReadingSession, kind: str, chapter: int | None = None) -> int:
    """Index of the first shown item of ``kind`` (in ``chapter`` when given)."""
    return next(
        i
        for i, item in enumerate(session.items)
        if item.kind == kind and (chapter is None or item.chapter == chapter)
    )


def block_item(session: ReadingSession, chapter: int, block: int) -> int:
    """Index of the shown item of (chapter, block)."""
    return next(i for i, x in enumerate(session.items) if x.chapter == chapter and x.block == block)


# --- opening and positions ----------------------------------------------------------------------


def test_opens_at_the_saved_place_else_the_chapter_else_the_first(data_dir: Path) -> None:
    story = make_story()
    assert opening_chapter(story, None, Position(2, 1, 5)) == 2
    assert opening_chapter(story, 1, None) == 1
    assert opening_chapter(story, 9, None) == 0
    session = ReadingSession(story, store_in(data_dir), position=Position(2, 1, 5))
    assert session.start == Position(2, 1, 5)
    assert session.take_notice() is None


def test_a_place_past_the_last_chapter_opens_the_last_chapter_and_says_so(data_dir: Path) -> None:
    story = make_story()
    assert opening_chapter(story, 9, Position(7, 0, 0)) == 2
    session = ReadingSession(story, store_in(data_dir), chapter=1, position=Position(9, 1, 0))
    assert session.start == Position(2, 1, 0)
    assert session.take_notice() == APPROXIMATE_PLACE
    assert session.take_notice() is None  # said once


def test_position_and_anchor_map_both_ways(data_dir: Path) -> None:
    session = session_on(make_story(), data_dir)
    anchor = session.anchor_for(0, 2, 7)
    assert session.items[anchor.item].text.startswith("C1P2 ")
    assert session.position(anchor) == Position(0, 2, 7)
    # the title and the notes before the body are the chapter's start
    assert session.position(Anchor(item_of(session, "chapter_title"), 0)) == Position(0, 0, 0)
    assert session.position(Anchor(item_of(session, "note"), 0)) == Position(0, 0, 0)
    assert session.anchor_for(0, 0, 0) == Anchor(0, 0)
    # the notes after and the end marker are past the last block's last character
    last = paragraph(1, 3)
    end = Anchor(item_of(session, "end"), 0)
    assert session.position(end) == Position(0, 3, len(last) + 1)
    # a block that is not shown falls back to the nearest one before it, at its start
    assert session.anchor_for(0, 40, 9) == Anchor(block_item(session, 0, 3), 0)


def test_the_place_is_saved_to_the_store(data_dir: Path) -> None:
    session = session_on(make_story(), data_dir)
    session.save(session.anchor_for(0, 2, 4), write_now=True)
    story_id = session.story_id
    assert store_in(data_dir).position(story_id) == Position(0, 2, 4)


# --- moving between chapters ----------------------------------------------------------------


def test_chapter_steps_stop_at_the_ends(data_dir: Path) -> None:
    session = session_on(make_story(), data_dir)
    assert session.chapter_step(-1) is None
    assert session.chapter_step(1) == Target(1)
    session.show(Target(2))
    assert session.chapter_step(1) is None
    assert session.backward() == Target(1, at_end=True)


def test_paging_on_marks_the_chapter_read_and_goes_to_the_next(data_dir: Path) -> None:
    session = session_on(make_story(), data_dir)
    onward = session.onward()
    assert onward.target == Target(1)
    assert not onward.offer_finished
    assert store_in(data_dir).chapters_read(session.story_id) == {0}
    arrived = session.show(onward.target)
    assert arrived.new_items and arrived.changed_chapter
    assert session.chapter == 1
    assert {x.chapter for x in session.items} == {1}


def test_a_gate_not_passed_stands_in_front_of_its_chapter(data_dir: Path) -> None:
    gate = WarningGate(3, "Take care.")
    session = session_on(make_story(gates=[gate]), data_dir)
    assert session.gate_between(0, 1) is None
    assert session.gate_between(0, 2) == gate
    assert session.gate_between(1, 9) == gate  # clamped to the last chapter
    assert session.gate_between(2, 2) is None  # standing there already: no gate going back
    session.pass_gate(gate)
    assert session.gate_between(0, 2) is None
    assert store_in(data_dir).gate_passed(session.story_id, 3)
    assert session_on(make_story(gates=[gate]), data_dir).gate_between(0, 2) is None


def test_stopping_at_a_gate_is_remembered(data_dir: Path) -> None:
    gate = WarningGate(2, "Violence ahead.")
    session = session_on(make_story(gates=[gate]), data_dir)
    session.stop_at(gate)
    assert store_in(data_dir).stopped_at(session.story_id) == 2
    assert session.gate_between(0, 1) == gate
    assert session.gated_chapters() == {1}


# --- whole work -----------------------------------------------------------------------------


def test_the_whole_work_stops_at_the_first_gate_not_passed(data_dir: Path) -> None:
    gate = WarningGate(3, "Death ahead.")
    store = store_in(data_dir)
    store.set_pref("whole_work", True)
    session = session_on(make_story(gates=[gate]), data_dir)
    assert session.whole_work
    assert session.limit == 2
    assert {x.chapter for x in session.items} == {0, 1}
    assert [x.kind for x in session.items].count("end") == 1
    onward = session.onward()  # paging past the end of what is shown: on through the gate
    assert onward.target == Target(2) and onward.gate_from == 1
    session.pass_gate(gate)
    session.show(onward.target)
    assert session.limit == 3 and session.chapter == 2


def test_scrolling_through_the_whole_work_follows_and_reads_chapters(data_dir: Path) -> None:
    store_in(data_dir).set_pref("whole_work", True)
    session = session_on(make_story(), data_dir)
    third = Anchor(block_item(session, 2, 1), 0)
    changed, offer = session.scrolled(third, third.item)
    assert changed and not offer
    assert session.chapter == 2
    assert store_in(data_dir).chapters_read(session.story_id) == {0, 1}


def test_toggling_the_whole_work_keeps_the_place_and_the_choice(data_dir: Path) -> None:
    session = session_on(make_story(), data_dir)
    session.show(Target(1, 2, 3))
    target = session.toggle_whole_work(session.anchor_for(1, 2, 3))
    assert target == Target(1, 2, 3)
    arrived = session.show(target)
    assert session.whole_work and arrived.new_items
    assert session.position(arrived.anchor) == Position(1, 2, 3)
    assert {x.chapter for x in session.items} == {0, 1, 2}
    assert store_in(data_dir).pref("whole_work") is True


# --- read and finished ----------------------------------------------------------------------


def test_a_chapter_is_read_when_its_end_shows(data_dir: Path) -> None:
    session = session_on(make_story(), data_dir)
    session.end_visible(item_of(session, "paragraph"))
    assert session.read == set()
    session.end_visible(item_of(session, "end"))
    assert session.read == {0}
    assert store_in(data_dir).chapters_read(session.story_id) == {0}


def test_finished_is_offered_once_at_the_end_of_a_complete_story(data_dir: Path) -> None:
    session = session_on(make_story(total=3), data_dir, chapter=2)
    end = item_of(session, "end")
    assert session.scrolled(Anchor(0, 0), end) == (False, True)
    assert session.scrolled(Anchor(0, 0), end) == (False, False)  # once per visit
    assert session.onward().offer_finished is False


def test_finished_is_not_offered_for_a_story_still_being_written(data_dir: Path) -> None:
    for total in (9, None):
        session = session_on(make_story(total=total), data_dir, chapter=2)
        onward = session.onward()
        assert onward.target is None and not onward.offer_finished
        assert not session.offer_finished()


def test_finished_is_not_offered_when_the_story_is_already_finished(data_dir: Path) -> None:
    session = session_on(make_story(total=3), data_dir, chapter=2)
    assert session.status is None
    session.set_status("finished")
    assert store_in(data_dir).status(session.story_id) == "finished"
    assert not session.offer_finished()
    again = session_on(make_story(total=3), data_dir, chapter=2)
    assert again.status == "finished" and not again.offer_finished()


# --- pace and time left ---------------------------------------------------------------------


def test_pace_is_measured_from_forward_reading_only(data_dir: Path) -> None:
    now = [100.0]
    session = ReadingSession(make_story(paragraphs=40), store_in(data_dir), clock=lambda: now[0])
    session.show(Target(0))
    session.moved(session.anchor_for(0, 0, 0))
    for block in (10, 20, 30):  # 100 words a minute, three times
        now[0] += 60
        session.moved(session.anchor_for(0, block, 0))
    now[0] += 60
    session.moved(session.anchor_for(0, 5, 0))  # back: not reading
    now[0] += 5000
    session.moved(session.anchor_for(0, 39, 0))  # after a long pause: not reading
    session.store.flush()
    assert store_in(data_dir).words_per_minute() == 100


def test_time_left_uses_the_pace(data_dir: Path) -> None:
    store = store_in(data_dir)
    store.set_pref("wpm", 20)
    session = session_on(make_story(), data_dir)
    info = session.header(Position(0, 1, 0))
    assert info.chapter_number == 1 and info.chapters_present == 3
    assert info.chapter_title == "Chapter 1: Night 1"
    assert info.minutes_chapter == pytest.approx(30 / 20)  # three paragraphs of ten words left
    assert info.minutes_story == pytest.approx((30 + 80) / 20)
    # half way into the second paragraph (by its characters): five of its ten words are read
    half = len(session.story.chapters[0].blocks[1].text) // 2
    assert session.header(Position(0, 1, half)).minutes_chapter == pytest.approx(25 / 20)


def test_a_chapter_of_one_long_paragraph_counts_down(data_dir: Path) -> None:
    """The time left went by paragraphs: a chapter that is one paragraph (a book on one line)
    said "6 min left" at its very end."""
    text = " ".join(f"word{n}" for n in range(1200))
    chapter = Chapter(1, "All of it", 1200)
    chapter.blocks = [Block("paragraph", text)]
    story = Story("One Line", Source("one.txt", "dump"), chapters=[chapter])
    session = session_on(story, data_dir)
    assert session.header(Position(0, 0, 0)).minutes_chapter == pytest.approx(1200 / 200)
    assert session.header(Position(0, 0, len(text) // 2)).minutes_chapter == pytest.approx(
        3, abs=0.05
    )
    assert session.header(Position(0, 0, len(text) - 5)).minutes_chapter < 0.05


# --- notes ----------------------------------------------------------------------------------


def test_note_folds_follow_the_preference_and_are_remembered(data_dir: Path) -> None:
    session = session_on(make_story(), data_dir)
    assert session.note_mode("ch1-before-0") == "folded"
    session.set_folds(["ch1-before-0"], False)
    assert session.note_mode("ch1-before-0") == "unfolded"
    again = session_on(make_story(), data_dir)
    assert again.note_mode("ch1-before-0") == "unfolded"
    assert again.note_mode("ch1-after-0") == "folded"
    store_in(data_dir).set_pref("notes", "hidden")
    hidden = session_on(make_story(), data_dir)
    assert hidden.note_mode("ch1-before-0") == "hidden"


# --- search ---------------------------------------------------------------------------------


def test_search_goes_to_the_first_match_from_the_place_and_wraps(data_dir: Path) -> None:
    story = make_story()
    story.chapters[0].blocks[1] = Block("paragraph", "A brass Lanternwick by the door.")
    story.chapters[2].blocks[2] = Block("paragraph", "The quay, lanternwick glowing.")
    session = session_on(story, data_dir, chapter=1)
    index = session.search("lanternwick", session.anchor_for(1, 0, 0))
    assert [m[:2] for m in session.matches] == [(0, 1), (2, 2)]
    assert index == 1  # the next one after chapter 2's start
    target = session.go_to_match(index)
    assert target == Target(2, 2, 10)
    assert session.match_step(1) == 0  # wraps to the first
    assert session.match_step(-1) == 0
    assert session.search("no such word", Anchor(0, 0)) is None
    assert session.match_step(1) is None


def test_a_match_exactly_at_the_place_is_the_first(data_dir: Path) -> None:
    story = make_story()
    session = session_on(story, data_dir)
    index = session.search("ferryman", session.anchor_for(0, 2, 9))
    assert index is not None and session.matches[index][:3] == (0, 2, 9)


def test_highlights_cover_the_matches_shown(data_dir: Path) -> None:
    session = session_on(make_story(), data_dir)
    session.search("harbour wall", Anchor(0, 0))
    assert len(session.matches) == 12
    session.match_index = 5  # in chapter 2, not shown
    spans, current = session.highlights()
    assert len(spans) == 4 and current is None
    session.go_to_match(1)
    spans, current = session.highlights()
    assert current == 1 and spans[1][0] == block_item(session, 0, 1)


# --- bookmarks and preferences --------------------------------------------------------------


def test_a_bookmark_quotes_the_place_and_is_kept(data_dir: Path) -> None:
    session = session_on(make_story(), data_dir)
    pos = Position(0, 2, 5)
    snippet = session.snippet(pos)
    assert snippet == paragraph(1, 2)[5:]
    session.add_bookmark(pos, "the lanterns", snippet)
    (mark,) = store_in(data_dir).bookmarks(session.story_id)
    assert (mark.chapter, mark.paragraph, mark.offset) == (0, 2, 5)
    assert mark.note == "the lanterns" and mark.snippet == snippet


def test_a_long_snippet_is_cut_at_a_word_with_an_ellipsis(data_dir: Path) -> None:
    session = session_on(make_story(), data_dir)
    long = " ".join([paragraph(1, 3)] * 4)  # 40 words, well over 120 characters
    session.story.chapters[0].blocks[3] = Block("paragraph", long)
    snippet = session.snippet(Position(0, 3, 0))
    assert len(snippet) <= 120 and snippet.endswith("…")
    kept = snippet.removesuffix("…")
    assert long.startswith(kept) and long[len(kept)] == " "  # a whole word before the "…"


def test_the_reading_width_is_remembered(data_dir: Path) -> None:
    session = session_on(make_story(), data_dir)
    session.set_reading_width(60)
    assert session_on(make_story(), data_dir).reading_width == 60


# --- nothing read from the store or parsed on a key press -------------------------------------


def test_moving_reads_nothing_from_the_store(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = WarningGate(3, "Death ahead.")
    session = session_on(make_story(gates=[gate]), data_dir)

    def no_reads(*args: object, **kwargs: object) -> object:
        raise AssertionError("the store was read on a key press")

    for name in ("pref", "fold", "gate_passed", "status", "chapters_read", "words_per_minute"):
        monkeypatch.setattr(session.store, name, no_reads)
    assert session.gate_between(0, 2) == gate
    for target in (Target(1, 2, 0), Target(0, at_end=True)):
        session.show(target)
        session.moved(session.anchor_for(target.chapter, target.block, 0))
    session.scrolled(Anchor(item_of(session, "end"), 0), item_of(session, "end"))
    assert session.note_mode("ch1-before-0") == "folded"
    assert session.onward().target == Target(1)


def test_an_unparsed_chapter_shows_its_heading_and_waits(data_dir: Path) -> None:
    parsed: list[int] = []
    story = make_story(lazy=True, parsed=parsed)
    session = ReadingSession(story, store_in(data_dir), position=Position(1, 2, 4))
    assert session.needs_loading(1) == [1]
    anchor = session.show_heading(Target(1, 2, 4))
    assert [x.kind for x in session.items] == ["chapter_title"]
    assert session.chapter == 1
    assert session.position(anchor) == Position(1, 2, 4)  # the place waited for is kept
    info = session.moved(anchor)
    assert info.chapter_number == 2
    assert session.scrolled(anchor, 0) == (False, False)
    assert session.onward().target is None  # paging past a heading goes nowhere
    session.end_visible(0)
    assert session.read == set()  # and reads nothing
    assert parsed == []  # nothing parsed on the way
    load_chapters(story, session.needs_loading(1))
    assert parsed == [2]
    arrived = session.show(Target(1, 2, 4))
    assert arrived.new_items and arrived.changed_chapter
    assert session.position(arrived.anchor) == Position(1, 2, 4)
    assert session.needs_loading(1) == []
    assert session.to_parse_ahead() == [2, 0]
    assert session.unparsed() == [0, 2]
    load_chapters(story, session.unparsed())
    load_chapters(story, [0, 1, 2])
    assert sorted(parsed) == [1, 2, 3]  # each body parsed once
    assert session.to_parse_ahead() == []


def test_the_whole_work_waits_for_every_chapter_it_shows(data_dir: Path) -> None:
    store_in(data_dir).set_pref("whole_work", True)
    story = make_story(lazy=True, gates=[WarningGate(3, "Death ahead.")])
    session = ReadingSession(story, store_in(data_dir))
    assert session.needs_loading(0) == [0, 1]
    session.show_heading(Target(0))
    assert session.snippet(Position(0, 1, 0)) == ""
    assert session.header(Position(0, 0, 0)).minutes_chapter == pytest.approx(40 / 200)


def test_a_chapter_whose_body_could_not_be_read_is_never_marked_read(data_dir: Path) -> None:
    story = make_story(lazy=True)

    def gone() -> list[Block]:
        raise ChapterUnreadable("the file is gone", [Block("paragraph", "Cannot read this.")])

    story.chapters[1] = Chapter.lazy(2, "Night 2", 40, gone)
    load_chapters(story, [0, 1, 2])
    assert story.chapters[1].load_error == "the file is gone"
    session = session_on(story, data_dir, chapter=1)
    assert session.items[1].text == "Cannot read this."
    session.end_visible(item_of(session, "end"))
    assert session.onward().target == Target(2)
    session.mark_read(0)
    assert store_in(data_dir).chapters_read(session.story_id) == {0}
