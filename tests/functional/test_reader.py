"""The reading screen driven through Pilot: keys, resume, resize, notes, gates, search."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tui_reader.model import Block, Chapter, Note, Source, Story, WarningGate
from tui_reader.reading import Anchor
from tui_reader.state import Position, StateStore
from tui_reader.ui.dialogs.confirm import ConfirmDialog
from tui_reader.ui.messages import AnchorChanged
from tui_reader.ui.screens.reader import ReaderScreen
from tui_reader.ui.widgets.chapter_view import ChapterView
from tui_reader.ui.widgets.reader_header import ReaderHeader

SIZE = (100, 32)

SYLLABLES = ["ka", "lo", "mi", "ren", "do", "sa", "vel", "tu", "ni", "por", "es", "ga"]


def word(n: int) -> str:
    """A made-up word, deterministic from ``n``."""
    return "".join(SYLLABLES[(n // 12**k) % 12] for k in range(4))


def paragraph(chapter: int, index: int, words: int = 60) -> str:
    """An original paragraph that starts with a unique marker "P<chapter>.<index>"."""
    body = " ".join(word(chapter * 3000 + index * 61 + k) for k in range(words))
    return f"P{chapter}.{index} {body}."


def make_story(
    chapters: int = 3,
    paragraphs: int = 30,
    *,
    gates: list[WarningGate] | None = None,
    total: int | None = None,
    notes: bool = True,
) -> Story:
    """A story of made-up words; chapter 1 carries notes before and after."""
    chs = []
    for c in range(chapters):
        ch = Chapter(
            c + 1,
            f"Heading {c + 1}",
            paragraphs * 61,
            notes_before=["The lamps in this chapter were my favourite to write."]
            if notes and c == 0
            else [],
            notes_after=["Next time: the ferry, and a long quiet evening."]
            if notes and c == 0
            else [],
        )
        blocks = [Block("paragraph", paragraph(c + 1, i)) for i in range(paragraphs)]
        blocks.insert(5, Block("scene_break", ""))
        ch.blocks = blocks
        chs.append(ch)
    return Story(
        "The Lamplighter's Year",
        Source("lamp.md", "markdown"),
        author="Tester",
        chapters=chs,
        chapters_total=total,
        notes=[Note("before", "Thank you for opening this story.")] if notes else [],
        warning_gates=gates or [],
    )


class ReaderApp(App[None]):
    """A minimal app that opens the reading screen on one story."""

    def __init__(
        self,
        story: Story,
        store: StateStore,
        *,
        position: Position | None = None,
        chapter: int | None = None,
    ) -> None:
        """Read ``story`` with ``store``."""
        super().__init__()
        self.story = story
        self.store = store
        self.position = position
        self.chapter = chapter

    def on_mount(self) -> None:
        """Push the reader."""
        self.push_screen(
            ReaderScreen(
                self.story,
                self.store,
                path=Path("lamp.md"),
                chapter=self.chapter,
                position=self.position,
            )
        )


def screen_text(app: App[None]) -> list[str]:
    """The chapter view's rendered rows as text."""
    view = app.screen.query_one(ChapterView)
    return [view.render_line(y).text.rstrip() for y in range(view.page_height)]


def top_text(app: App[None]) -> str:
    """The first non-blank row of the chapter view."""
    return next((row.strip() for row in screen_text(app) if row.strip()), "")


def top_line(app: App[None]) -> str:
    """The top row of the chapter view."""
    return screen_text(app)[0].strip()


def reader(app: App[None]) -> ReaderScreen:
    """The reading screen."""
    screen = app.screen
    assert isinstance(screen, ReaderScreen)
    return screen


def store_for(tmp_path: Path) -> StateStore:
    """A reader store in a temporary data dir."""
    return StateStore(tmp_path / "state")


async def test_opens_at_chapter_start_with_folded_notes(tmp_path: Path) -> None:
    app = ReaderApp(make_story(), store_for(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = [r.strip() for r in screen_text(app)]
        assert rows[0] == "▶ Author's note · 6 words"
        assert "Chapter 1: Heading 1" in rows
        assert "▶ Chapter note · 10 words" in rows
        assert any(r.startswith("P1.0 ") for r in rows)
        header = str(app.screen.query_one("#reader-header").render())
        assert "The Lamplighter's Year" in header
        assert "Chapter 1 of 3" in header


async def test_the_column_keeps_its_place_in_a_chapter_that_fits_and_one_that_scrolls(
    tmp_path: Path,
) -> None:
    """A chapter short enough to fit (no scroll bar) and a long one (a scroll bar) show their
    text from the same column: turning the chapter does not shift it sideways by a cell."""
    story = make_story(chapters=2, notes=False)
    story.chapters[0].blocks = [Block("paragraph", paragraph(1, 0, words=12))]
    app = ReaderApp(story, store_for(tmp_path))

    def first_text_column() -> int:
        row = next(r for r in screen_text(app) if r.startswith(" ") and "P" in r)
        return len(row) - len(row.lstrip())

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ChapterView)
        assert view.virtual_size.height <= view.page_height  # (fits: nothing to scroll)
        short = first_text_column()
        await pilot.press("]")
        await pilot.pause()
        assert view.virtual_size.height > view.page_height  # (scrolls)
        assert first_text_column() == short


async def test_line_page_half_and_ends(tmp_path: Path) -> None:
    app = ReaderApp(make_story(notes=False), store_for(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ChapterView)
        assert view.top_line == 0
        await pilot.press("j", "j", "down")
        assert view.top_line == 3
        await pilot.press("k", "up")
        assert view.top_line == 1
        await pilot.press("space")
        assert view.top_line == 1 + view.page_height - 1
        await pilot.press("b")
        assert view.top_line == 1
        await pilot.press("pagedown", "pageup")
        assert view.top_line == 1
        await pilot.press("d")
        assert view.top_line == 1 + view.page_height // 2
        await pilot.press("u")
        assert view.top_line == 1
        await pilot.press("G")
        assert view.top_line == view.max_top
        assert "End of Chapter 1 · Next: Chapter 2: Heading 2" in [
            r.strip() for r in screen_text(app)
        ]
        await pilot.press("g")
        assert view.top_line == 0
        await pilot.press("end")
        assert view.top_line == view.max_top
        await pilot.press("home")
        assert view.top_line == 0


async def test_a_page_turn_is_one_frame_with_the_header(tmp_path: Path) -> None:
    """Each move reaches the terminal with the header's new place ("min left", when it changed)
    in the same frame as the new text; not the text first and the header a frame later."""
    app = ReaderApp(make_story(notes=False), store_for(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(50):  # (the footer is swapped in after the first frame: let it settle)
            await pilot.pause()
            if app.screen.query("KeysFooter"):
                break
        await pilot.pause()
        header = app.screen.query_one(ReaderHeader)
        frames: list[set[int]] = []
        display = app._display

        def record(screen: object, update: object) -> None:
            """Keep the rows each frame writes."""
            spans = getattr(update, "spans", None)
            if spans:
                frames.append({y for y, _, _ in spans})
            display(screen, update)  # type: ignore[arg-type]

        app._display = record  # type: ignore[method-assign]
        header_moved = 0
        for key in ("pagedown", "space", "pagedown", "pagedown", "G", "g", "pagedown", "j"):
            before = str(header.render())
            frames.clear()
            await pilot.press(key)
            await pilot.pause()
            text = [rows for rows in frames if 5 in rows]  # (frames with a row of the text)
            assert text, (key, frames)
            if str(header.render()) != before:
                header_moved += 1
                assert {0, 1} & text[0], (key, frames)  # (the header's rows, same frame)
                after = frames[frames.index(text[0]) + 1 :]
                assert not [rows for rows in after if rows <= {0, 1}], (key, frames)
        assert header_moved >= 3


async def test_a_scroll_without_a_key_moves_the_header(tmp_path: Path) -> None:
    """A scroll no key made (the mouse wheel, the scroll bar) still moves the header and the
    saved place, through the view's message."""
    app = ReaderApp(make_story(notes=False), store_for(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(ChapterView)
        header = screen.query_one(ReaderHeader)
        start = str(header.render())
        view.go_to_line(view.max_top)  # (as the scroll bar dragged to the end)
        await pilot.pause()
        assert str(header.render()) != start
        assert screen.position().paragraph > 20
        view.go_to_line(0)
        await pilot.pause()
        assert str(header.render()) == start


async def test_a_message_older_than_a_keys_move_takes_nothing_back(tmp_path: Path) -> None:
    """The view's message of a move made before a key's move, arriving after it (the key's
    move is followed at once), does not take the whole-work view's chapter back."""
    app = ReaderApp(make_story(notes=False), store_for(tmp_path), position=Position(1, 3, 0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(ChapterView)
        await pilot.press("pagedown")
        assert screen.chapter_index == 1
        stale = AnchorChanged(view, Anchor(0, 0), 0, move=view.moves - 1)  # (in chapter 1)
        screen.post_message(stale)
        await pilot.pause()
        assert screen.chapter_index == 1
        assert "Chapter 2 of 3" in screen.query_one(ReaderHeader).render().plain


async def test_chapters_paging_on_and_back(tmp_path: Path) -> None:
    store = store_for(tmp_path)
    app = ReaderApp(make_story(notes=False), store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        await pilot.press("right_square_bracket")
        assert screen.chapter_index == 1
        assert top_line(app) == "Chapter 2: Heading 2"
        await pilot.press("right")
        assert screen.chapter_index == 2
        await pilot.press("left", "left_square_bracket")
        assert screen.chapter_index == 0
        # paging past the end continues into the next chapter and marks this one read
        await pilot.press("G", "space")
        await pilot.pause()
        assert screen.chapter_index == 1
        assert top_line(app) == "Chapter 2: Heading 2"
        assert 0 in store.chapters_read(screen.story_id)
        # paging back before the first line goes to the previous chapter's last page
        await pilot.press("b")
        await pilot.pause()
        assert screen.chapter_index == 0
        assert "End of Chapter 1 · Next: Chapter 2: Heading 2" in [
            r.strip() for r in screen_text(app)
        ]
        assert store.position(screen.story_id) is not None


async def test_paragraph_keys(tmp_path: Path) -> None:
    app = ReaderApp(make_story(notes=False), store_for(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("right_curly_bracket")
        assert top_line(app).startswith("P1.0 ")
        await pilot.press("right_curly_bracket")
        assert top_line(app).startswith("P1.1 ")
        await pilot.press("j")
        await pilot.press("left_curly_bracket")
        assert top_line(app).startswith("P1.1 ")
        await pilot.press("left_curly_bracket")
        assert top_line(app).startswith("P1.0 ")


async def test_resume_shows_same_paragraph(tmp_path: Path) -> None:
    story = make_story(notes=False)
    store = store_for(tmp_path)
    app = ReaderApp(story, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("right", "space", "space", "j", "j", "j")
        before = top_line(app)
        await pilot.press("escape")
        await pilot.pause()
    saved = StateStore(tmp_path / "state").position(story.story_id)
    assert saved is not None and saved.chapter == 1
    app2 = ReaderApp(story, StateStore(tmp_path / "state"), position=saved)
    async with app2.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert top_line(app2) == before


async def test_anchor_survives_resizes(tmp_path: Path) -> None:
    app = ReaderApp(make_story(notes=False), store_for(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space", "space", "j", "j")
        view = app.screen.query_one(ChapterView)
        # put the top inside a paragraph, not at its start
        while view.lines[view.top_line].offset == 0:
            await pilot.press("j")
        anchor = view.reading_anchor
        first = top_line(app)
        for width in (60, 45, 100, 60, 100):
            await pilot.resize_terminal(width, 32)
            await pilot.pause()
            assert view.reading_anchor == anchor
            line = view.lines[view.top_line]
            assert line.item == anchor.item
            assert line.offset <= anchor.offset < line.offset + len(line.text) + 1
        assert top_line(app) == first


async def test_notes_toggle_and_are_remembered(tmp_path: Path) -> None:
    story = make_story()
    store = store_for(tmp_path)
    app = ReaderApp(story, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        rows = [r.strip() for r in screen_text(app)]
        assert "▼ Author's note · 6 words" in rows
        assert "Thank you for opening this story." in rows
        assert "The lamps in this chapter were my favourite to write." in rows
        assert store.fold(story.story_id, "story-before-0") is False
        await pilot.press("a")
        rows = [r.strip() for r in screen_text(app)]
        assert "Thank you for opening this story." not in rows
        assert "▶ Author's note · 6 words" in rows
        assert store.fold(story.story_id, "ch1-before-0") is True
        # clicking a label unfolds that note alone
        view = app.screen.query_one(ChapterView)
        row = next(i for i, r in enumerate(screen_text(app)) if "Chapter note" in r)
        await pilot.click(ChapterView, offset=(20, row))
        rows = [r.strip() for r in screen_text(app)]
        assert "▼ Chapter note · 10 words" in rows
        assert "▶ Author's note · 6 words" in rows
        assert view.note_mode("ch1-before-0") == "unfolded"


async def test_notes_preference_unfolded_and_hidden(tmp_path: Path) -> None:
    store = store_for(tmp_path)
    store.set_pref("notes", "unfolded")
    app = ReaderApp(make_story(), store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Thank you for opening this story." in [r.strip() for r in screen_text(app)]
    store.set_pref("notes", "hidden")
    app = ReaderApp(make_story(), store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = [r.strip() for r in screen_text(app)]
        assert rows[0] == "Chapter 1: Heading 1"
        assert not any("note" in r for r in rows)
        # notes the reader hides are not searched either (a word only the end note has)
        await pilot.press("slash", *"ferry", "enter")
        await pilot.pause()
        assert not reader(app).matches


async def test_gate_continue_and_stop(tmp_path: Path) -> None:
    gate = WarningGate(2, "Chapter two is where the storm arrives; skip it if storms upset you.")
    story = make_story(gates=[gate], notes=False)
    store = store_for(tmp_path)
    app = ReaderApp(story, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("right")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "gate"
        footer = app.screen.query_one(Footer)  # the keys in force, not only the buttons
        shown = [(item.key_display, item.description) for item in footer.query(FooterKey)]
        assert ("y", "Continue") in shown and ("n", "Stop here") in shown
        await pilot.press("y")
        await pilot.pause()
        assert reader(app).chapter_index == 1
        assert store.gate_passed(story.story_id, 2)
    store2 = StateStore(tmp_path / "other")
    app = ReaderApp(story, store2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("G", "space")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and app.screen.kind == "gate"
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, ReaderScreen)
        assert store2.stopped_at(story.story_id) == 2
        assert not store2.gate_passed(story.story_id, 2)


async def test_search_finds_words_in_the_authors_notes_and_unfolds_them(tmp_path: Path) -> None:
    """A word the reader remembers from an end note (folded by default) is found: the note
    opens, the match shows at the top, highlighted; matches go in reading order, the notes
    before the chapter's text, its text, the notes after it."""
    story = make_story()
    story.chapters[0].blocks[3] = Block("paragraph", "A ferry horn sounded over the water.")
    app = ReaderApp(story, store_for(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = app.screen.query_one(ChapterView)
        assert "▶ Chapter note · 10 words" in [r.strip() for r in screen_text(app)]
        await pilot.press("slash", *"ferry", "enter")
        await pilot.pause()
        assert len(screen.matches) == 2
        assert top_line(app) == "A ferry horn sounded over the water."
        await pilot.press("n")
        await pilot.pause()
        assert view.note_mode("ch1-after-0") == "unfolded"
        rows = [r.strip() for r in screen_text(app)]
        row = rows.index("Next time: the ferry, and a long quiet evening.")  # (near the end)
        strip = view.render_line(row)
        lit = "".join(seg.text for seg in strip if seg.style and seg.style.bgcolor is not None)
        assert "ferry" in lit
        # from the chapter's start, a word of the folded note before its title comes first
        await pilot.press("home")
        await pilot.pause()
        await pilot.press("slash", *"favourite", "enter")
        await pilot.pause()
        assert len(screen.matches) == 1
        assert view.note_mode("ch1-before-0") == "unfolded"
        rows = [r.strip() for r in screen_text(app)]
        assert rows[:2] == [
            "▼ Chapter note · 10 words",  # (the note's label over its first line)
            "The lamps in this chapter were my favourite to write.",
        ]


async def test_search_across_wrapped_line_and_chapters(tmp_path: Path) -> None:
    story = make_story(notes=False)
    # a phrase that the wrap splits: take the words around the end of the first line
    app = ReaderApp(story, store_for(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ChapterView)
        first = next(i for i, line in enumerate(view.lines) if line.text.startswith("P1.3 "))
        line, nxt = view.lines[first], view.lines[first + 1]
        phrase = f"{line.text.split()[-1]} {nxt.text.split()[0]}".upper()
        await pilot.press("slash")
        await pilot.press(*phrase)
        await pilot.press("enter")
        await pilot.pause()
        screen = reader(app)
        assert screen.matches
        assert screen.matches[screen.match_index or 0][:2] == (0, 3)
        assert top_line(app).startswith("P1.3 ")
        # the match is highlighted on both lines
        strip = view.render_line(0)
        styles = {seg.style for seg in strip if seg.text.strip() and seg.style}
        assert len(styles) >= 2
    # a word in chapters 1 and 3 only: n moves across chapters
    story.chapters[2].blocks[7] = Block("paragraph", "The quay was silent, lanternwick glowing.")
    story.chapters[0].blocks[2] = Block("paragraph", "A single Lanternwick hung by the door.")
    app = ReaderApp(story, store_for(tmp_path / "b"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"lanternwick", "enter")
        await pilot.pause()
        screen = reader(app)
        assert len(screen.matches) == 2
        assert app._notifications and list(app._notifications)[-1].message == "2 matches"
        assert top_line(app) == "A single Lanternwick hung by the door."
        await pilot.press("n")
        await pilot.pause()
        assert screen.chapter_index == 2
        assert top_line(app) == "The quay was silent, lanternwick glowing."
        await pilot.press("N")
        await pilot.pause()
        assert screen.chapter_index == 0
        # one match is "1 match"
        await pilot.press("slash", *"quay", "enter")
        await pilot.pause()
        assert len(screen.matches) == 1
        assert list(app._notifications)[-1].message == "1 match"


async def test_markup_and_escapes_are_literal(tmp_path: Path) -> None:
    from tui_reader.text import sanitise

    raw = "[bold]Not bold[/] and [link=x]no link[/link] \x1b[31mred?\x1b[0m [@click=quit]q[/]"
    story = make_story(notes=False)
    story.chapters[0].blocks[0] = Block("paragraph", sanitise(raw))
    story.title = "[b]Title[/b]"
    app = ReaderApp(story, store_for(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = [r.strip() for r in screen_text(app)]
        shown = " ".join(rows[2:4])
        assert shown == "[bold]Not bold[/] and [link=x]no link[/link] [31mred?[0m [@click=quit]q[/]"
        header = str(app.screen.query_one("#reader-header").render())
        assert "[b]Title[/b]" in header
        assert "\x1b" not in "".join(rows)


async def test_chapter_index_jump(tmp_path: Path) -> None:
    app = ReaderApp(make_story(notes=False), store_for(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert type(app.screen).__name__ == "ChapterIndexScreen"
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert reader(app).chapter_index == 2
        await pilot.press("t", "escape")
        await pilot.pause()
        assert reader(app).chapter_index == 2


async def test_chapter_index_keeps_one_row_a_chapter(tmp_path: Path) -> None:
    """A long chapter title ends in "…" on its own row (at 80 cells its end ran on under the
    ✓ ▸ markers of the next line)."""
    story = make_story(notes=False)
    story.chapters[0].title = "Prologue: " + " ".join(["lanterns over the harbour"] * 8)
    app = ReaderApp(story, store_for(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        shown = [strip.text for strip in app.screen._compositor.render_strips()]
        rows = [line for line in shown if "▊" in line and "Chapter " in line]
        assert rows[0].rstrip(" ▎▊").endswith("…")
        assert "Chapter 1: Prologue: lanterns" in rows[0]
        assert "Chapter 2: Heading 2" in rows[1] and "Chapter 3: Heading 3" in rows[2]


async def test_bookmark_with_note(tmp_path: Path) -> None:
    story = make_story(notes=False)
    store = store_for(tmp_path)
    app = ReaderApp(story, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("right_curly_bracket", "right_curly_bracket", "m")
        await pilot.pause()
        await pilot.press(*"lamps!", "enter")
        await pilot.pause()
        marks = store.bookmarks(story.story_id)
        assert len(marks) == 1
        assert marks[0].note == "lamps!"
        assert marks[0].paragraph == 1 and marks[0].chapter == 0
        assert marks[0].snippet.startswith("P1.1 ")
        await pilot.press("m", "escape")
        await pilot.pause()
        assert len(store.bookmarks(story.story_id)) == 1


async def test_width_keys_remembered(tmp_path: Path) -> None:
    store = store_for(tmp_path)
    app = ReaderApp(make_story(notes=False), store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ChapterView)
        await pilot.press("less_than_sign", "minus")
        assert view.reading_width == 64
        assert max(len(line.text) for line in view.lines) <= 64
        await pilot.press("greater_than_sign")
        assert view.reading_width == 68
        assert store.pref("reading_width") == 68


async def test_whole_work_view(tmp_path: Path) -> None:
    store = store_for(tmp_path)
    story = make_story(notes=False)
    app = ReaderApp(story, store, position=Position(1, 3, 0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert top_line(app).startswith("P2.3 ")
        await pilot.press("w")
        await pilot.pause()
        screen = reader(app)
        assert screen.whole_work
        assert top_line(app).startswith("P2.3 ")
        titles = [i.text for i in screen.items if i.kind == "chapter_title"]
        assert titles == ["Chapter 1: Heading 1", "Chapter 2: Heading 2", "Chapter 3: Heading 3"]
        await pilot.press("right")
        assert top_line(app) == "Chapter 3: Heading 3"
        assert screen.chapter_index == 2
        await pilot.press("b")
        assert screen.chapter_index == 1
        await pilot.press("w")
        await pilot.pause()
        assert not screen.whole_work
        assert screen.chapter_index == 1


async def test_header_time_left_counts_the_chapters_after(tmp_path: Path) -> None:
    store = store_for(tmp_path)
    app = ReaderApp(make_story(notes=False), store, chapter=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        header = app.screen.query_one(ReaderHeader)
        # 1,830 words in each chapter at the default 200 words a minute
        lines = header.render().plain.splitlines()
        assert lines[0].endswith("Chapter 2 of 3")
        assert "9 min left in chapter  ·  18 min left in story" in lines[1]
        await pilot.press("right_square_bracket")
        await pilot.pause()
        lines = header.render().plain.splitlines()
        assert "9 min left in chapter  ·  9 min left in story" in lines[1]


async def test_header_drops_whole_parts_when_narrow(tmp_path: Path) -> None:
    """At 80 and 60 cells the header's second line drops the story's time left, then the
    words, rather than cutting a part mid-word; a title that still does not fit ends in "…"."""
    store = store_for(tmp_path)
    app = ReaderApp(make_story(notes=False), store, chapter=1)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        header = app.screen.query_one(ReaderHeader)
        assert header.render().plain.splitlines()[1] == (
            "Chapter 2: Heading 2  ·  1,830 words  ·  9 min left in chapter"
            "  ·  18 min left in story"
        )
        await pilot.resize_terminal(80, 32)
        await pilot.pause()
        lines = header.render().plain.splitlines()
        assert lines[1] == "Chapter 2: Heading 2  ·  1,830 words  ·  9 min left in chapter"
        await pilot.resize_terminal(60, 32)
        await pilot.pause()
        lines = header.render().plain.splitlines()
        assert lines[1] == "Chapter 2: Heading 2  ·  9 min left in chapter"
        await pilot.resize_terminal(40, 32)
        await pilot.pause()
        lines = header.render().plain.splitlines()
        assert lines[1] == "Chapter 2: Heading 2  ·  9 min left…"  # cut at a word
        assert lines[0].endswith("…")  # "The Lamplighter's Year  ·  Chapter 2 of 3" is 41 cells
        assert all(len(line) <= header.size.width for line in lines)


async def test_a_long_chapter_title_is_shortened_before_the_time_left(tmp_path: Path) -> None:
    """At 80 cells a long chapter title is cut (at a word, with "…") so the time left in the
    chapter still shows; it used to push it off the line."""
    story = make_story(notes=False)
    story.chapters[
        1
    ].title = "What the Harbour Master Said to the Lamplighter on the Night of the Storm"
    app = ReaderApp(story, store_for(tmp_path), chapter=1)
    async with app.run_test(size=(80, 32)) as pilot:
        await pilot.pause()
        header = app.screen.query_one(ReaderHeader)
        line = header.render().plain.splitlines()[1]
        assert line.endswith("…  ·  9 min left in chapter"), line
        assert line.startswith("Chapter 2: What the Harbour Master")
        assert len(line) <= header.size.width
