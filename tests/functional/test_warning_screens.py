"""The warning and gate screens on their own: what they list, their keys, literal text."""

from __future__ import annotations

from textual.app import App

from tui_reader.model import Chapter, Source, Story, WarningGate
from tui_reader.ui.dialogs.confirm import ConfirmDialog


def make_story() -> Story:
    """An Explicit story whose texts look like markup."""
    return Story(
        title="[b]Night[/b] Shift",
        source=Source("x.md", "markdown"),
        author="[i]Someone[/i]",
        rating="Explicit",
        warnings=["No Archive Warnings Apply", "Major Character Death"],
        content_notes=["Mentions [red]blood[/red] in chapter 3."],
        chapters=[Chapter(1, None, 3), Chapter(2, None, 3)],
    )


class Host(App[None]):
    """Pushes one screen and records its answer."""

    def __init__(self, screen) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.modal = screen
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.modal, self.answers.append)


def shown(app: App[None]) -> str:
    """The screen's text as the reader sees it."""
    return "\n".join(s.text for s in app.screen._compositor.render_strips())


async def test_warning_lists_rating_warnings_and_notes_literally() -> None:
    app = Host(ConfirmDialog.warning(make_story()))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        text = shown(app)
        assert "[b]Night[/b] Shift by [i]Someone[/i]" in text
        assert "Rating: Explicit" in text
        assert "Major Character Death" in text
        assert "No Archive Warnings Apply" not in text
        assert "“Mentions [red]blood[/red] in chapter 3.”" in text
        assert "Yes, continue" in text and "No, go back" in text
        await pilot.press("y")
    assert app.answers == [True]


async def test_warning_keys() -> None:
    for key, answer in (("enter", True), ("n", False), ("escape", False)):
        app = Host(ConfirmDialog.warning(make_story()))
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            await pilot.press(key)
        assert app.answers == [answer], key


async def test_gate_shows_reason_verbatim_and_keys() -> None:
    gate = WarningGate(2, "Stop now if [bold]cliffhangers[/] upset you.")
    for key, answer in (("y", True), ("enter", True), ("n", False), ("escape", False)):
        app = Host(ConfirmDialog.at_gate(make_story(), gate))
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            text = shown(app)
            assert "The author suggests stopping before Chapter 2" in text
            assert "Stop now if [bold]cliffhangers[/] upset you." in text
            assert "Continue" in text and "Stop here" in text
            await pilot.press(key)
        assert app.answers == [answer], key


async def test_site_rating_and_site_warnings_shown_verbatim() -> None:
    """A site's own rating and warnings show as the site wrote them, with the level read."""
    story = Story(
        title="Rain",
        source=Source("x.epub", "fff-epub"),
        rating="K+",
        site_warnings=["Violence", "Major Character Death"],
        warnings=["Major Character Death"],
        chapters=[Chapter(1, None, 3)],
    )
    assert story.needs_warning
    app = Host(ConfirmDialog.warning(story))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        text = shown(app)
        assert "Rating: K+ (read as General Audiences)" in text
        assert "The site's warnings:" in text
        assert "• Violence" in text
        assert "Graphic Depictions Of Violence" not in text
        assert text.count("Major Character Death") == 1


async def test_the_two_uses_keep_their_own_remappable_keys() -> None:
    """One dialog class, two uses: remapping the gate's "continue" leaves the warning's keys."""
    gate = WarningGate(2, "Stop now.")
    cases = (
        (ConfirmDialog.at_gate(make_story(), gate), ("y", "c"), [True]),  # y is no longer bound
        (ConfirmDialog.warning(make_story()), ("c", "y"), [True]),  # c means nothing here
        (ConfirmDialog.warning(make_story()), ("c", "n"), [False]),
    )
    for dialog, keys, answers in cases:
        app = Host(dialog)
        app.set_keymap({"gate.continue": "c"})
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            await pilot.press(keys[0])
            await pilot.pause()
            assert app.answers == [], keys
            await pilot.press(keys[1])
            await pilot.pause()
        assert app.answers == answers, (dialog.kind, keys)


def _buttons_on_screen(app: App[None], names: tuple[str, str]) -> None:
    """Both buttons are drawn whole: their labels show, and each button is what sits at its
    own centre (not cut off by the dialog's edge)."""
    text = shown(app)
    for name in names:
        assert name in text, name
    for button in app.screen.query("Button"):
        region = button.region
        assert region.height == 3, button.id
        x, y = region.x + region.width // 2, region.y + region.height // 2
        assert app.screen.get_widget_at(x, y)[0] is button, button.id


async def test_many_authors_and_warnings_leave_the_buttons_on_a_small_screen() -> None:
    """FanFicFare's test story 673 has twenty authors: at 80x24 they pushed the buttons out of
    the dialog. The warning names three and how many more; a list of warnings longer than the
    screen scrolls, and the buttons stay."""
    authors = ", ".join(f"Writer Number {n}" for n in range(1, 21))
    story = make_story()
    story.author = authors
    story.site_warnings = [f"Site warning {n}" for n in range(1, 15)]
    app = Host(ConfirmDialog.warning(story))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        text = shown(app)
        assert "Writer Number 3 and 17 more" in " ".join(text.replace("█", " ").split())
        assert "Writer Number 4" not in text
        _buttons_on_screen(app, ("Yes, continue", "No, go back"))
        assert "Site warning 14" not in text  # below, in the scrolling part
        details = app.screen.query_one("#details")
        details.scroll_end(animate=False)
        await pilot.pause()
        assert "Site warning 14" in shown(app)
        await pilot.press("enter")
    assert app.answers == [True]


async def test_a_long_gate_reason_scrolls_and_leaves_the_buttons() -> None:
    reason = " ".join(f"Sentence {n} of the author's long reason." for n in range(1, 60))
    app = Host(ConfirmDialog.at_gate(make_story(), WarningGate(2, reason)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        _buttons_on_screen(app, ("Continue", "Stop here"))
        assert "Sentence 1 of" in shown(app)


def test_a_few_authors_are_all_named() -> None:
    from tui_reader.ui.dialogs.confirm import byline

    assert byline("Ada, Bo, Cy, Di") == "Ada, Bo, Cy, Di"
    assert byline("Ada, Bo, Cy, Di, Ed") == "Ada, Bo, Cy and 2 more"
