"""Front and back matter: listed in the chapter index around the chapters, each readable there."""

from __future__ import annotations

from textual.app import App
from textual.widgets import OptionList

from tui_reader.model import Block, Chapter, Section, Source, Story
from tui_reader.ui.dialogs.chapter_index import ChapterIndexScreen


def make_story() -> Story:
    """Two chapters between a title page and a licence whose texts look like markup."""
    chapters = []
    for n in (1, 2):
        chapter = Chapter(n, f"Part {n}", 2)
        chapter.blocks = [Block("paragraph", "two words")]
        chapters.append(chapter)
    return Story(
        title="Book",
        source=Source("b.epub", "epub"),
        chapters=chapters,
        front_matter=[Section("Title page", [Block("paragraph", "[b]Book[/b] by Someone")])],
        back_matter=[
            Section("Licence", [Block("paragraph", "Share it."), Block("paragraph", "Keep it.")])
        ],
    )


class Host(App[None]):
    """Pushes the chapter index and records what it answers."""

    def __init__(self, story: Story) -> None:
        super().__init__()
        self.story = story
        self.answers: list[int | None] = []

    def on_mount(self) -> None:
        screen = ChapterIndexScreen(self.story, read={0}, current=1, gated=set())
        self.push_screen(screen, self.answers.append)


def shown(app: App[None]) -> str:
    """The screen's text as the reader sees it."""
    return "\n".join(s.text for s in app.screen._compositor.render_strips())


async def test_index_lists_sections_around_chapters_and_opens_them() -> None:
    app = Host(make_story())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = shown(app)
        lines = [line for line in text.splitlines() if "matter:" in line or "Chapter" in line]
        order = [
            next(i for i, line in enumerate(lines) if needle in line)
            for needle in ("Front matter: Title page", "Chapter 1: Part 1", "Back matter: Licence")
        ]
        assert order == sorted(order)
        # the current chapter is highlighted, not the title page above it
        assert app.screen.query_one(OptionList).highlighted == 2
        await pilot.press("home", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "SectionScreen"
        assert "Front matter: Title page · 3 words" in shown(app)
        assert "[b]Book[/b] by Someone" in shown(app)
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ChapterIndexScreen"
        await pilot.press("end", "enter")
        await pilot.pause()
        text = shown(app)
        assert "Share it." in text and "Keep it." in text
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("home", "down", "enter")
        await pilot.pause()
    assert app.answers == [0]
