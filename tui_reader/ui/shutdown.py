"""A bounded exit for the reader: SIGHUP, SIGTERM or a dead terminal end it within 2 s.

Textual's own shutdown can block for ever when the terminal went away at the wrong moment:
its output thread dies on EIO and the main thread then waits on the output queue nobody
drains (``LinuxDriver.disable_input`` → ``WriterThread.write`` → ``Queue.put``). The event
loop is stuck there, so a signal handler that runs on the loop never runs again.

:class:`ShutdownGuard` therefore handles the signals with plain ``signal.signal`` handlers
(they run on the main thread even while it is blocked in a lock) and works in three steps:

1. the first signal asks the running app to save and exit on its loop (the clean way, which
   also puts a live terminal back as it was);
2. if the place was not saved after ``save_wait`` seconds, the loop is stuck: the watchdog
   signals the main thread again, and that second handler saves right where it stands;
3. once saved (or at ``deadline`` at the latest) the watchdog gives Textual ``linger``
   seconds to finish on its own, then ends the process with ``os._exit``.

A dead terminal with no signal (the output thread died on an ``OSError``) counts as SIGHUP.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import termios
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from tui_reader.paths import display_text
from tui_reader.text import collapse_whitespace

SIGNALS = (signal.SIGHUP, signal.SIGTERM)
"""The signals that end the reader with its place saved."""


class ShutdownGuard:
    """Save the place and exit, within a bounded time, whatever state Textual is in."""

    def __init__(
        self,
        save: Callable[[], None],
        *,
        save_wait: float = 0.5,
        linger: float = 0.5,
        deadline: float = 1.8,
    ) -> None:
        """``save`` writes the reader's place (called once, on the main thread)."""
        self.save = save
        """Writes the reader's place to disk."""
        self.save_wait = save_wait
        """Seconds the app's loop has to save before the main thread is made to."""
        self.linger = linger
        """Seconds Textual has to exit on its own once the place is saved."""
        self.deadline = deadline
        """Seconds after the signal when the process ends whatever happened."""
        self.request_exit: Callable[[int], object] | None = None
        """Asks the running app to save and exit on its loop (set once the app runs)."""
        self.signum: int | None = None
        """The signal that started the shutdown."""
        self.failed = False
        """True when the save raised: the process then ends with status 1."""
        self.saved = threading.Event()
        """Set once the place was written."""
        self._saving = threading.Lock()
        """Held while saving, so a second signal never saves over a first save."""
        self._main = threading.main_thread().ident
        """The main thread (where signal handlers run)."""
        self._tty_attrs: list[Any] | None = None
        """The terminal's settings before the app started (put back on a forced exit)."""

    # -- setup -----------------------------------------------------------------------------------

    def install(self) -> None:
        """Handle SIGHUP/SIGTERM and a dying output thread from now on (main thread only)."""
        with contextlib.suppress(termios.error, OSError, ValueError):
            self._tty_attrs = termios.tcgetattr(sys.__stdin__.fileno())  # type: ignore[union-attr]
        for signum in SIGNALS:
            signal.signal(signum, self._on_signal)
        previous_hook = threading.excepthook

        def hook(args: threading.ExceptHookArgs) -> None:
            """An output thread that died on an OSError means the terminal is gone."""
            thread = args.thread
            if (
                thread is not None
                and thread.name == "textual-output"
                and isinstance(args.exc_value, OSError)
            ):
                self.trigger(signal.SIGHUP)
                return
            previous_hook(args)

        threading.excepthook = hook

    def trigger(self, signum: int) -> None:
        """Start the shutdown from any thread, as if ``signum`` had arrived."""
        if self._main is not None:
            with contextlib.suppress(ProcessLookupError, OSError):
                signal.pthread_kill(self._main, signum)

    # -- the steps -------------------------------------------------------------------------------

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        """First signal: ask the app to save and exit; later ones: save right here."""
        if self.signum is None:
            self.signum = signum
            threading.Thread(target=self._watchdog, name="tui-reader-exit", daemon=True).start()
            request = self.request_exit
            if request is not None:
                with contextlib.suppress(Exception):
                    request(signum)
                    return
        self.save_now()

    def save_now(self) -> None:
        """Save the place once (a save already under way is not started again)."""
        if self.saved.is_set() or not self._saving.acquire(blocking=False):
            return
        try:
            self.save()
        except Exception as exc:  # a failed save must not stop the exit
            self.failed = True
            with contextlib.suppress(Exception):
                reason = collapse_whitespace(display_text(str(exc)))
                print(f"tui-reader: could not save your place: {reason}", file=sys.stderr)
        finally:
            self.saved.set()
            self._saving.release()

    def _watchdog(self) -> None:
        """Make sure the process ends: force the save if the loop is stuck, then exit."""
        started = time.monotonic()
        if not self.saved.wait(self.save_wait) and self.signum is not None:
            self.trigger(self.signum)  # the main thread runs the handler again: it saves
        left = self.deadline - (time.monotonic() - started)
        self.saved.wait(max(0.0, left - self.linger))
        left = self.deadline - (time.monotonic() - started)
        time.sleep(max(0.0, min(self.linger, left)))
        self._exit_now()

    def _exit_now(self) -> None:
        """The last resort: put the terminal's modes back and end the process at once."""
        if self._tty_attrs is not None:
            with contextlib.suppress(termios.error, OSError, ValueError):
                fd = sys.__stdin__.fileno()  # type: ignore[union-attr]
                termios.tcsetattr(fd, termios.TCSANOW, self._tty_attrs)
        os._exit(0 if self.saved.is_set() and not self.failed else 1)
