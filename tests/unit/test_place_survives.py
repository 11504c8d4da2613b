"""The reader's place survives a changed file: a reading session on a story file edited (or
re-downloaded in another format) since the place was saved lands on the same paragraph."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fixtures.fanficfare import FanFicFare
from tui_reader.importers import load_story
from tui_reader.model import Story
from tui_reader.reading import ReadingSession, Target
from tui_reader.reading.relocate import fingerprint, relocate
from tui_reader.reading.session import APPROXIMATE_PLACE
from tui_reader.state import Position, StateStore

FRONT = '+++\ntitle = "The Lantern Ferry"\nauthor = "Tester"\n+++\n\n'
"""The story file's front matter (the story's id stays the same through the edits)."""

CHAPTER_ONE = [
    "The ferry left the harbour at dusk, its lanterns swinging above the black water.",
    "Ilse counted the passengers twice, because the manifest listed eleven and she saw twelve.",
]
"""Chapter 1's paragraphs."""

CHAPTER_TWO = [
    "Nobody on deck admitted to being the twelfth, and the old fisherman only shrugged.",
    "She went below to check the cargo hold, where the crates smelled of salt and tar.",
    "A lamp hung from a hook there, swaying with every wave that struck the hull.",
    (
        "In the hold a boy sat on a coil of rope, eating an apple with great care, and he "
        "looked up at her without the slightest surprise or any sign of guilt at all."
    ),
    "He finished the apple before he answered, and then he told her his name was Pieter.",
    "The crossing took four hours that night instead of two, and the fog never lifted.",
]
"""Chapter 2's paragraphs; the reader stops in the fourth (the boy in the hold)."""

CHAPTER_THREE = ["At dawn the harbour master was waiting on the quay with a ledger and a frown."]
"""Chapter 3's paragraph."""

PLACE = 3
"""The paragraph of chapter 2 the reader was in."""


def write(path: Path, chapters: list[list[str]]) -> None:
    """Write the Markdown story file with these chapters' paragraphs."""
    parts = [FRONT]
    for number, paragraphs in enumerate(chapters, 1):
        parts.append(f"# Chapter {number}\n\n" + "\n\n".join(paragraphs) + "\n\n")
    path.write_text("".join(parts), encoding="utf-8")


def original() -> list[list[str]]:
    """The story as first read."""
    return [list(CHAPTER_ONE), list(CHAPTER_TWO), list(CHAPTER_THREE)]


def read_to_the_place(path: Path, data_dir: Path, *, offset: int = 0) -> str:
    """Open the file, read to paragraph :data:`PLACE` of chapter 2 and save; the story id."""
    story = load_story(path)
    session = ReadingSession(story, StateStore(data_dir), path=path)
    session.load(session.needs_loading(1))
    session.show(Target(1))
    session.save(session.anchor_for(1, PLACE, offset), write_now=True)
    return story.story_id


def reopen(
    path: Path, data_dir: Path, position: Position | None = None
) -> tuple[ReadingSession, str]:
    """Open the file again at the saved place, as the reader screen does (the chapter parsed
    and the place found in a worker, then shown); the session and the text of the paragraph
    at the top."""
    story = load_story(path)
    store = StateStore(data_dir)
    if position is None:
        position = store.position(story.story_id)
    session = ReadingSession(story, store, path=path, position=position)
    start = session.start
    target = Target(start.chapter, start.paragraph, start.offset)
    missing = session.needs_loading(target.chapter)
    if missing:
        session.show_heading(target)
        session.load(missing)
    arrived = session.show(target)
    return session, session.items[arrived.anchor.item].text


def test_the_place_is_saved_with_its_paragraph_s_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "ferry.md"
    write(path, original())
    story_id = read_to_the_place(path, tmp_path / "data", offset=12)
    saved = StateStore(tmp_path / "data").position(story_id)
    assert saved == Position(1, PLACE, 12)
    assert saved is not None and saved.fingerprint == fingerprint(CHAPTER_TWO[PLACE])


def test_an_unchanged_file_opens_at_the_same_place(tmp_path: Path) -> None:
    path = tmp_path / "ferry.md"
    write(path, original())
    read_to_the_place(path, tmp_path / "data", offset=12)
    session, text = reopen(path, tmp_path / "data")
    assert text == CHAPTER_TWO[PLACE]
    assert session.position(session.anchor_for(1, PLACE, 12)) == Position(1, PLACE, 12)
    assert session.take_notice() is None


def test_a_paragraph_inserted_before_the_place_and_the_place_reworded(tmp_path: Path) -> None:
    path = tmp_path / "ferry.md"
    write(path, original())
    story_id = read_to_the_place(path, tmp_path / "data")
    chapters = original()
    chapters[1].insert(1, "A gull landed on the rail and watched them all with one yellow eye.")
    write(path, chapters)
    session, text = reopen(path, tmp_path / "data")
    assert text == CHAPTER_TWO[PLACE]
    assert session.take_notice() is None
    # the place saved again is the paragraph's new index, with its fingerprint
    session.save(session.anchor_for(1, PLACE + 1, 0), write_now=True)
    saved = StateStore(tmp_path / "data").position(story_id)
    assert saved == Position(1, PLACE + 1, 0)
    # now the author rewords the paragraph and adds another one before it
    reworded = CHAPTER_TWO[PLACE].replace("In the hold a boy", "Down in the hold a small boy")
    reworded = reworded.replace("great care", "enormous care")
    chapters[1][PLACE + 1] = reworded
    chapters[1].insert(0, "The bell rang twice as they cleared the breakwater.")
    write(path, chapters)
    session, text = reopen(path, tmp_path / "data")
    assert text == reworded
    assert session.take_notice() is None


def test_chapters_added_at_the_end_never_move_the_place(tmp_path: Path) -> None:
    path = tmp_path / "ferry.md"
    write(path, original())
    read_to_the_place(path, tmp_path / "data", offset=20)
    write(path, [*original(), ["Chapter four was written a year later."], ["And a fifth."]])
    session, text = reopen(path, tmp_path / "data")
    assert text == CHAPTER_TWO[PLACE]
    assert session.anchor_for(1, PLACE, 20).offset == 20
    assert session.take_notice() is None


def test_a_chapter_rewritten_beyond_recognition_lands_near_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "ferry.md"
    write(path, original())
    read_to_the_place(path, tmp_path / "data")
    rewritten = [f"Entirely new paragraph number {n} about something else." for n in range(5)]
    write(path, [CHAPTER_ONE, rewritten, CHAPTER_THREE])
    session, text = reopen(path, tmp_path / "data")
    assert text == rewritten[PLACE]
    assert session.take_notice() == APPROXIMATE_PLACE
    assert session.take_notice() is None


def test_a_chapter_index_past_the_end_clamps_to_the_last_chapter(tmp_path: Path) -> None:
    path = tmp_path / "ferry.md"
    write(path, original())
    read_to_the_place(path, tmp_path / "data")
    write(path, [CHAPTER_ONE])
    session, text = reopen(path, tmp_path / "data")
    assert session.chapter == 0
    assert text == CHAPTER_ONE[-1]
    assert session.take_notice() == APPROXIMATE_PLACE


def test_a_place_saved_without_a_fingerprint_opens_where_it_was(tmp_path: Path) -> None:
    path = tmp_path / "ferry.md"
    write(path, original())
    story = load_story(path)
    StateStore(tmp_path / "data").save_position(story.story_id, Position(1, 2, 0), write_now=True)
    chapters = original()
    chapters[1].insert(0, "An inserted first paragraph that the old record knows nothing of.")
    write(path, chapters)
    session, text = reopen(path, tmp_path / "data")
    assert text == CHAPTER_TWO[1]  # the index, as before fingerprints
    assert session.take_notice() is None


def test_a_move_before_the_place_is_found_drops_the_found_place(tmp_path: Path) -> None:
    path = tmp_path / "ferry.md"
    write(path, original())
    story_id = read_to_the_place(path, tmp_path / "data")
    chapters = original()
    chapters[1].insert(0, "An inserted first paragraph.")
    write(path, chapters)
    story = load_story(path)
    store = StateStore(tmp_path / "data")
    session = ReadingSession(story, store, path=path, position=store.position(story_id))
    target = Target(1, PLACE, 0)
    session.show_heading(target)
    # while the chapter is parsed, leaving saves the place as it was, fingerprint and all
    session.save(session.anchor_for(1, 0, 0), write_now=True)
    assert StateStore(tmp_path / "data").position(story_id) == Position(1, PLACE, 0)
    session.load(session.needs_loading(1))
    arrived = session.show(Target(2))  # the reader went on to chapter 3 meanwhile
    assert session.items[arrived.anchor.item].chapter == 2
    session.show(target)
    assert session.position(session.anchor_for(1, PLACE, 0)) == Position(1, PLACE, 0)


def test_a_bookmark_relocates_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "ferry.md"
    write(path, original())
    story = load_story(path)
    session = ReadingSession(story, StateStore(tmp_path / "data"), path=path)
    session.load([1])
    session.show(Target(1))
    session.add_bookmark(Position(1, PLACE, 5), "the boy", "In the hold")
    chapters = original()
    chapters[1][1:1] = ["One new paragraph.", "And another new one, longer than the first."]
    write(path, chapters)
    (mark,) = StateStore(tmp_path / "data").bookmarks(story.story_id)
    assert mark.fingerprint == fingerprint(CHAPTER_TWO[PLACE])
    session, text = reopen(path, tmp_path / "data", mark.position)
    assert text == CHAPTER_TWO[PLACE]
    assert session.position(session.anchor_for(1, PLACE + 2, 5)).paragraph == PLACE + 2


def test_the_whole_work_view_finds_the_place_too(tmp_path: Path) -> None:
    path = tmp_path / "ferry.md"
    write(path, original())
    read_to_the_place(path, tmp_path / "data")
    StateStore(tmp_path / "data").set_pref("whole_work", True)
    chapters = original()
    chapters[1].insert(2, "A paragraph added in the middle of the chapter, before the place.")
    write(path, chapters)
    session, text = reopen(path, tmp_path / "data")
    assert session.whole_work
    assert text == CHAPTER_TWO[PLACE]


def chapter_texts(story: Story, index: int) -> list[str]:
    """The block texts of one chapter (parsed here)."""
    return [block.text for block in story.chapters[index].blocks]


def test_the_same_story_in_another_format_keeps_the_place(
    fanficfare: FanFicFare, tmp_path: Path
) -> None:
    txt = load_story(fanficfare.make("txt", 1))
    html = load_story(fanficfare.make("html", 1))
    assert len(txt.chapters) == len(html.chapters)
    # every paragraph of chapter 2 of the TXT is found in the HTML with the same words
    before, after = chapter_texts(txt, 1), chapter_texts(html, 1)
    for index, text in enumerate(before):
        if not text:
            continue
        found = relocate(after, index, len(text) // 2, fingerprint(text))
        assert not found.approximate, (index, text)
        assert found.paragraph == index, (index, text, after[found.paragraph])
    # read the TXT to a long paragraph of chapter 2, then open the HTML at that place
    place = max(range(len(before)), key=lambda i: len(before[i]))
    session = ReadingSession(txt, StateStore(tmp_path / "data"), path="story.txt")
    session.load([1])
    session.show(Target(1))
    session.save(session.anchor_for(1, place, 40), write_now=True)
    # the two files are one story (identity by source): the HTML opens at the TXT's place
    assert html.story_id == txt.story_id
    session, text = reopen(fanficfare.make("html", 1), tmp_path / "data")
    assert text == after[place]
    assert session.take_notice() is None


def reader_file(data_dir: Path) -> dict[str, dict[str, dict[str, object]]]:
    """The reader's state file as stored."""
    (path,) = (data_dir / "readers").glob("*.json")
    data: dict[str, dict[str, dict[str, object]]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_the_state_file_keeps_fingerprints_and_reads_records_without_them(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    store = StateStore(data_dir)
    mark = fingerprint(CHAPTER_TWO[PLACE])
    store.save_position("s1", Position(1, PLACE, 4, mark), write_now=True)
    (record,) = reader_file(data_dir)["progress"].values()
    assert record["fingerprint"] == mark
    # a place saved without one (its chapter not parsed) drops the old paragraph's fingerprint
    store.save_position("s1", Position(2, 0, 0), write_now=True)
    (record,) = reader_file(data_dir)["progress"].values()
    assert "fingerprint" not in record
    assert StateStore(data_dir).position("s1") == Position(2, 0, 0)
    # bookmarks: with a fingerprint, and as older files hold them, without
    store.add_bookmark("s1", "Ferry", "/f.md", Position(1, PLACE, 0, mark), note="with")
    store.add_bookmark("s1", "Ferry", "/f.md", Position(1, 0, 0), note="without")
    records = reader_file(data_dir)["bookmarks"].values()
    assert sorted("fingerprint" in r for r in records) == [False, True]
    marks = {m.note: m for m in StateStore(data_dir).bookmarks("s1")}
    assert marks["with"].position.fingerprint == mark
    assert marks["without"].fingerprint is None
    assert marks["without"].position == Position(1, 0, 0)


def test_merging_two_ids_keeps_the_newer_place_with_its_own_fingerprint(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "data")
    mark = fingerprint(CHAPTER_TWO[PLACE])
    store.save_position("old-epub", Position(1, PLACE, 0, mark), write_now=True)
    store.save_position("new", Position(2, 0, 5), write_now=True)  # newer, no fingerprint
    store.adopt_ids([("old-epub", "new")])
    store.flush()
    saved = StateStore(tmp_path / "data").position("new")
    assert saved == Position(2, 0, 5) and saved is not None and saved.fingerprint is None
    store.save_position("older", Position(0, 1, 0), write_now=True)
    store.save_position("newest", Position(1, PLACE, 0, mark), write_now=True)
    store.adopt_ids([("older", "newest")])
    store.flush()
    saved = StateStore(tmp_path / "data").position("newest")
    assert saved == Position(1, PLACE, 0) and saved is not None and saved.fingerprint == mark
