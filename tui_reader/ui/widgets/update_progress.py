"""The "Check for updates" command: FanFicFare over the library in a thread, with a progress bar.

:func:`check_for_updates` (the palette command's action) mounts an :class:`UpdateProgress` on the
library screen, above the table. Its thread worker finds FanFicFare, lists the library's story
files and runs :func:`~tui_reader.updates.update_stories` over them (nothing of that touches the
event loop), then the bar goes, the library is scanned again and the summary line is shown.

Hosted (ssh) readers never fetch: updates are for the host's administrator, who runs
``tui-reader update`` on the host.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from tui_reader.paths import iter_story_files
from tui_reader.text import shorten
from tui_reader.ui import lazy

if TYPE_CHECKING:
    from tui_reader.updates import UpdateResult

HOSTED_REFUSAL = "Updates are for the host's administrator (tui-reader update on the host)."
"""What a hosted reader is told when asking for updates."""


class UpdateProgress(Widget):
    """One line: what is being checked, and a bar of stories done."""

    DEFAULT_CSS = """
    UpdateProgress {
        height: 1;
        padding: 0 1;
        layout: horizontal;
    }
    UpdateProgress > #update-label {
        width: 1fr;
        height: 1;
    }
    UpdateProgress > ProgressBar {
        width: auto;
        height: 1;
    }
    """

    def __init__(self, root: Path, *, delay: float | None = None) -> None:
        """Check every story under the library folder ``root``, ``delay`` seconds apart per
        site (None: :data:`tui_reader.updates.DEFAULT_DELAY`)."""
        super().__init__(id="update-progress")
        self.root = root
        """The library folder."""
        self.delay = delay
        """Seconds between two stories of one site (None: the updater's default)."""
        self.results: list[UpdateResult] | None = None
        """The results, once the check has finished."""

    def compose(self) -> ComposeResult:
        """The label and the bar."""
        yield Static(Text("Checking for updates…"), id="update-label")
        yield ProgressBar(id="update-bar", show_eta=False)

    def on_mount(self) -> None:
        """Start checking at once."""
        self.check()

    @work(thread=True, exclusive=True, group="updates")
    def check(self) -> list[UpdateResult] | None:
        """Find FanFicFare, list the stories and update them, all in this thread; the results
        (None when FanFicFare is not installed) reach :meth:`on_worker_state_changed`."""
        worker = get_current_worker()
        fanficfare = lazy.name(lazy.UPDATES, "find_fanficfare")()
        if fanficfare is None:
            return None
        paths = [Path(full) for _, full, _ in iter_story_files(self.root)]

        def progress(done: int, total: int, label: str) -> None:
            """Show progress, unless the app is closing (the worker is then cancelled)."""
            if not worker.is_cancelled:
                self.app.call_from_thread(self.show, done, total, label)

        progress(0, len(paths), "")
        delay = lazy.name(lazy.UPDATES, "DEFAULT_DELAY") if self.delay is None else self.delay
        results: list[UpdateResult] = lazy.name(lazy.UPDATES, "update_stories")(
            paths,
            fanficfare=fanficfare,
            delay=delay,
            progress=progress,
            cancelled=lambda: worker.is_cancelled,
        )
        return results

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """When the check has ended (not cancelled), finish on the event loop: the widget is
        removed only after its worker is done, so removing it cancels nothing."""
        if event.worker.group == "updates" and event.state == WorkerState.SUCCESS:
            self.finish(event.worker.result)

    def show(self, done: int, total: int, label: str) -> None:
        """Show ``done`` of ``total`` stories and the one being fetched (plain text)."""
        shown = f"Checking for updates: {shorten(label, 60)}" if label else "Checking for updates…"
        self.query_one("#update-label", Static).update(Text(shown))
        self.query_one("#update-bar", ProgressBar).update(total=total, progress=done)

    def finish(self, results: list[UpdateResult] | None) -> None:
        """Take the bar away, scan the library again and say what happened."""
        self.results = results
        screen = self.screen
        self.remove()
        if results is None:
            hint = lazy.name(lazy.UPDATES, "INSTALL_HINT")
            self.app.notify(
                f"FanFicFare is not installed; {hint}.",
                title="Check for updates",
                severity="error",
                markup=False,
            )
            return
        rescan = getattr(screen, "action_rescan", None)
        if callable(rescan) and any(r.outcome == "updated" for r in results):
            rescan()
        failed = any(r.outcome == "failed" for r in results)
        self.app.notify(
            lazy.name(lazy.UPDATES, "summary_line")(results),
            title="Check for updates",
            severity="warning" if failed else "information",
            timeout=12,
            markup=False,
        )


def check_for_updates(app: Any) -> None:
    """The "Check for updates" action: refused when hosted, else a check on the library
    screen (one at a time)."""
    if getattr(app, "hosted", True):
        app.notify(HOSTED_REFUSAL, severity="warning", markup=False)
        return
    library = getattr(app, "library", None)
    if library is None or not app.screen_stack:
        app.notify("There is no library folder to check.", markup=False)
        return
    screen = app.screen_stack[0]
    if screen.query(UpdateProgress):
        app.notify("Already checking for updates.", markup=False)
        return
    progress = UpdateProgress(library.root)
    try:
        screen.mount(progress, before=screen.query_one("#library-table"))
    except NoMatches:
        screen.mount(progress)
    if screen is not app.screen:
        app.notify("Checking for updates; the library shows the result.", markup=False)
