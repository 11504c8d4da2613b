"""How many sessions may be starting (mounting their first screen) at once.

A reader's first screen costs it a burst of CPU (its mount). When many readers connect in
the same second, starting them all at once shares the CPU round-robin among every mount, so
each reader waits for nearly all of them; the server's own work (key exchanges, pumping output)
is starved too. :class:`StartGate` lets a few sessions start at a time, first come first
served, so first screens arrive one after another, each as soon as its own mount is done.

A session holds its place from just before it is forked until its first screen has gone out:
some output (:data:`FIRST_SCREEN_BYTES`) and then a pause (:data:`SETTLED_AFTER`), the reader
waiting for keys. It gives its place back early when it ends, and at the latest after
:data:`LONGEST_HOLD`, so a reader that never draws cannot keep others waiting long.
"""

from __future__ import annotations

import asyncio
import os

FIRST_SCREEN_BYTES = 4096
"""Output bytes after which a starting session counts as having drawn its first screen."""

SETTLED_AFTER = 0.02
"""Seconds without output, after the first screen, that mean the mount is done."""

LONGEST_HOLD = 1.0
"""Seconds a starting session holds its place at most."""


def default_slots() -> int:
    """Sessions allowed to start at once: two per CPU (a core never idles while one waits)."""
    return 2 * (os.cpu_count() or 1)


class StartTicket:
    """One session's place at the gate; :meth:`release` gives it back (once)."""

    def __init__(self, gate: StartGate | None) -> None:
        """A place taken at ``gate`` (None: an unlimited gate, nothing to give back)."""
        self._gate = gate
        """The gate, until the place is given back."""
        self._bytes = 0
        """Output seen so far."""
        self._quiet: asyncio.TimerHandle | None = None
        """Gives the place back once the output pauses."""
        self._longest: asyncio.TimerHandle | None = None
        """Gives the place back at the latest."""
        if gate is not None:
            self._longest = asyncio.get_running_loop().call_later(LONGEST_HOLD, self.release)

    @property
    def held(self) -> bool:
        """Whether the place is still held."""
        return self._gate is not None

    def output(self, count: int) -> None:
        """The session wrote ``count`` bytes: once past the first screen, wait for a pause."""
        if self._gate is None:
            return
        self._bytes += count
        if self._bytes < FIRST_SCREEN_BYTES:
            return
        if self._quiet is not None:
            self._quiet.cancel()
        self._quiet = asyncio.get_running_loop().call_later(SETTLED_AFTER, self.release)

    def release(self) -> None:
        """Give the place back (again: nothing)."""
        gate, self._gate = self._gate, None
        for timer in (self._quiet, self._longest):
            if timer is not None:
                timer.cancel()
        self._quiet = self._longest = None
        if gate is not None:
            gate._semaphore.release()


class StartGate:
    """At most ``slots`` sessions starting at once, the others waiting in arrival order."""

    def __init__(self, slots: int) -> None:
        """A gate with ``slots`` places (0 or less: no limit)."""
        self.slots = slots
        """Places (0: unlimited)."""
        self._semaphore = asyncio.Semaphore(max(1, slots))
        """The places (asyncio wakes its waiters first come, first served)."""

    async def enter(self) -> StartTicket:
        """Wait for a place; the ticket that holds it."""
        if self.slots <= 0:
            return StartTicket(None)
        await self._semaphore.acquire()
        return StartTicket(self)
