"""The start gate: a few sessions start at a time, first come first served."""

from __future__ import annotations

import asyncio

from tui_reader.ssh.gate import FIRST_SCREEN_BYTES, StartGate, StartTicket, default_slots


async def _settle() -> None:
    """Let every task that can run, run."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_sessions_past_the_slots_wait_their_turn_in_arrival_order() -> None:
    """With one place, the others enter one by one, in the order they came."""
    gate = StartGate(1)
    entered: list[int] = []
    tickets: dict[int, StartTicket] = {}

    async def session(n: int) -> None:
        tickets[n] = await gate.enter()
        entered.append(n)

    tasks = [asyncio.ensure_future(session(n)) for n in range(4)]
    await _settle()
    assert entered == [0]
    for n in range(3):
        tickets[n].release()
        await _settle()
        assert entered == list(range(n + 2))
    tickets[3].release()
    await asyncio.gather(*tasks)


async def test_a_place_is_given_back_once() -> None:
    """Releasing twice frees one place, not two."""
    gate = StartGate(1)
    first = await gate.enter()
    first.release()
    first.release()
    assert not first.held
    second = await gate.enter()
    third = asyncio.ensure_future(gate.enter())
    await _settle()
    assert not third.done()
    second.release()
    (await third).release()


async def test_the_first_screen_then_a_pause_gives_the_place_back() -> None:
    """Output past the first screen's size, then quiet: the next session goes."""
    gate = StartGate(1)
    ticket = await gate.enter()
    waiting = asyncio.ensure_future(gate.enter())
    ticket.output(100)  # terminal set-up: not a screen yet
    await _settle()
    assert ticket.held and not waiting.done()
    ticket.output(FIRST_SCREEN_BYTES)
    (await asyncio.wait_for(waiting, 10)).release()
    assert not ticket.held


async def test_a_session_that_never_draws_holds_its_place_for_a_bounded_time() -> None:
    """No output at all: the place comes back anyway."""
    gate = StartGate(1)
    await gate.enter()
    (await asyncio.wait_for(gate.enter(), 10)).release()


async def test_no_limit_never_waits() -> None:
    """0 places: no limit."""
    gate = StartGate(0)
    tickets = [await gate.enter() for _ in range(100)]
    assert not any(ticket.held for ticket in tickets)


def test_default_keeps_every_core_busy() -> None:
    """At least two places (one per core on the smallest machine would leave gaps)."""
    assert default_slots() >= 2
