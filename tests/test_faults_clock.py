"""Time that cannot jump: how long an undelivered reply is kept is measured on the
monotonic clock, so a wall clock set forward (or back) by hours during an outage drops
nothing and keeps nothing for ever. Both clocks are injected: nothing sleeps."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Update

from bot.storage import Store
from bot.telegram.delivery import Undelivered
from tests.test_telegram_inbox import inbox_for, message, store  # noqa: F401  (a fixture)

HOURS = 3600.0


class Clocks:
    """A wall clock and a monotonic clock that the test moves by hand."""

    def __init__(self) -> None:
        self.wall = 1_700_000_000.0
        self.steady = 50.0

    def jump_wall(self, seconds: float) -> None:
        self.wall += seconds

    def elapse(self, seconds: float) -> None:
        self.wall += seconds
        self.steady += seconds


def outage(clocks: Clocks, failures: int, *, on_each_failure: float = 1.0,
           wall_jump: float = 0.0) -> tuple[list[int], object]:
    """A handler that fails `failures` times (Telegram unreachable), time passing by
    ``on_each_failure`` seconds each time, the wall clock also jumping at the first."""
    answered: list[int] = []

    async def handle(update: Update) -> None:
        if handle.failed < failures:  # type: ignore[attr-defined]
            handle.failed += 1  # type: ignore[attr-defined]
            clocks.elapse(on_each_failure)
            if handle.failed == 1:  # type: ignore[attr-defined]
                clocks.jump_wall(wall_jump)
            raise Undelivered("connection refused")
        answered.append(update.update_id)

    handle.failed = 0  # type: ignore[attr-defined]
    return answered, handle


@pytest.mark.parametrize("jump", [2 * HOURS, -2 * HOURS, 30 * 86_400.0])
async def test_a_wall_clock_jump_during_an_outage_drops_no_update(store: Store,  # noqa: F811
                                                                  jump: float) -> None:
    clocks = Clocks()
    answered, handle = outage(clocks, failures=5, wall_jump=jump)
    inbox = inbox_for(store, handle, retention=60.0, clock=lambda: clocks.steady,
                      wall=lambda: clocks.wall)
    await inbox.receive([message(1, 10), message(2, 20), message(3, 10)])
    await inbox.idle()
    assert sorted(answered) == [1, 2, 3] and inbox.given_up == 0


async def test_an_outage_longer_than_the_retention_still_drops_on_the_steady_clock(
        store: Store) -> None:  # noqa: F811
    clocks = Clocks()
    answered, handle = outage(clocks, failures=3, on_each_failure=40.0, wall_jump=-HOURS)
    inbox = inbox_for(store, handle, retention=60.0, clock=lambda: clocks.steady,
                      wall=lambda: clocks.wall)
    await inbox.receive([message(1, 10)])
    await inbox.idle()
    assert answered == [] and inbox.given_up == 1


async def test_an_update_resumed_after_a_stop_keeps_its_age_never_a_negative_one(
        store: Store) -> None:  # noqa: F811
    clocks = Clocks()
    recorded_in_the_future = clocks.wall + 5 * HOURS  # the clock was set back since
    store.record_updates([(message(1, 10).update_id, message(1, 10).to_json())],
                         recorded_in_the_future)
    assert await asyncio.to_thread(store.flush)
    answered, handle = outage(clocks, failures=2, on_each_failure=40.0)
    inbox = inbox_for(store, handle, retention=60.0, clock=lambda: clocks.steady,
                      wall=lambda: clocks.wall)
    assert await inbox.resume() == 1
    await inbox.idle()
    assert answered == [] and inbox.given_up == 1  # 80 s waited > 60 s: not kept for ever
