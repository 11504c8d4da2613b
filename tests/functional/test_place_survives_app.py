"""The reader's place survives a changed file, through the app: read into chapter 2, quit, the
file changes, open it again: the reader is on the same paragraph, or told the place is
approximate."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.pilot import screen_text, settle, top_paragraph
from tui_reader.importers import load_story
from tui_reader.state import StateStore
from tui_reader.ui.app import TuiReaderApp
from tui_reader.ui.screens.reader import ReaderScreen

SIZE = (100, 32)
NOTICE = "This chapter changed since you last read it; your place is approximate."

FRONT = '+++\ntitle = "The Lantern Ferry"\nauthor = "Tester"\n+++\n\n'


def paragraphs(chapter: int, count: int = 12) -> list[str]:
    """Distinct paragraphs of ordinary words for one chapter."""
    return [
        f"Crossing {chapter} part {n}: the ferry {'rolled' if n % 2 else 'pitched'} while "
        f"passenger number {n * 7 + chapter} watched the lantern {n} swing above the "
        f"wet deck of the boat called {['Gull', 'Tern', 'Heron', 'Swift'][n % 4]} {n}."
        for n in range(count)
    ]


def write(path: Path, chapters: list[list[str]]) -> None:
    """Write the Markdown story file."""
    text = FRONT + "".join(
        f"# Chapter {n}\n\n" + "\n\n".join(body) + "\n\n" for n, body in enumerate(chapters, 1)
    )
    path.write_text(text, encoding="utf-8")


async def read_into_chapter_two(path: Path, data_dir: Path) -> str:
    """Open the file, go to chapter 2, move down four paragraphs and quit; the paragraph."""
    app = TuiReaderApp(path, data_dir=data_dir, story=load_story(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("]")
        await settle(app, pilot)
        for _ in range(4):
            await pilot.press("}")
        await settle(app, pilot)
        text = top_paragraph(app)[1]
        await pilot.press("q")
        await pilot.pause()
    return text


async def test_an_edited_chapter_opens_on_the_same_paragraph(tmp_path: Path) -> None:
    path, data_dir = tmp_path / "ferry.md", tmp_path / "data"
    chapters = [paragraphs(1), paragraphs(2), paragraphs(3)]
    write(path, chapters)
    place = await read_into_chapter_two(path, data_dir)
    assert place.startswith("Crossing 2 part ")
    index = chapters[1].index(place)
    reworded = place.replace("watched the lantern", "stared at the little lantern")
    chapters[1][index] = reworded
    chapters[1].insert(1, "The bell rang twice as they cleared the breakwater.")
    write(path, chapters)
    app = TuiReaderApp(path, data_dir=data_dir, story=load_story(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert top_paragraph(app)[1] == reworded
        assert "stared at" in screen_text(app) and "the little lantern" in screen_text(app)
        assert NOTICE not in [n.message for n in app._notifications]


async def test_a_rewritten_chapter_says_the_place_is_approximate(tmp_path: Path) -> None:
    path, data_dir = tmp_path / "ferry.md", tmp_path / "data"
    write(path, [paragraphs(1), paragraphs(2), paragraphs(3)])
    await read_into_chapter_two(path, data_dir)
    rewritten = [f"Entirely new text {n}, nothing like the old crossing." for n in range(10)]
    write(path, [paragraphs(1), rewritten, paragraphs(3)])
    app = TuiReaderApp(path, data_dir=data_dir, story=load_story(path))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.position().chapter == 1
        assert top_paragraph(app)[1] in rewritten
        assert [n.message for n in app._notifications].count(NOTICE) == 1
        await pilot.pause()
        # the notice, wrapped in its toast (the toast's edge taken out)
        shown = " ".join(screen_text(app).replace("▌", " ").split())
        assert NOTICE in shown, shown
    # the place saved on leaving is in the new text, with that text's fingerprint: no notice
    story = load_story(path)
    saved = StateStore(data_dir).position(story.story_id)
    assert saved is not None and saved.fingerprint is not None
    app = TuiReaderApp(path, data_dir=data_dir, story=story)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert NOTICE not in [n.message for n in app._notifications]


async def test_a_bookmark_opens_on_its_paragraph_in_an_edited_file(tmp_path: Path) -> None:
    path, data_dir = tmp_path / "ferry.md", tmp_path / "data"
    chapters = [paragraphs(1), paragraphs(2), paragraphs(3)]
    write(path, chapters)
    app = TuiReaderApp(path, data_dir=data_dir, story=load_story(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("]")
        await settle(app, pilot)
        for _ in range(6):
            await pilot.press("}")
        await settle(app, pilot)
        marked = top_paragraph(app)[1]
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("enter")  # no note
        await settle(app, pilot)
        await pilot.press("[")  # read elsewhere: the saved place is chapter 1
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    chapters[1][0:0] = ["A new opening paragraph.", "And a second one the author added."]
    write(path, chapters)
    app = TuiReaderApp(path, data_dir=data_dir, story=load_story(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert top_paragraph(app)[1] != marked
        await pilot.press("B")
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert top_paragraph(app)[1] == marked
        assert app.screen.position().paragraph == chapters[1].index(marked)
