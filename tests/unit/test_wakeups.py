"""A sender's wake-ups: a row put back is never forgotten, even one due just after a claim."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.fakes import FixedClock
from workflow.delivery.wakeups import Wakeups

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


async def test_a_row_due_between_the_last_claim_and_now_wakes_the_sender_at_once() -> None:
    clock, woken = FixedClock(T0), asyncio.Event()
    wakeups = Wakeups(clock, woken.set, enabled=True)
    wakeups.at(T0 + timedelta(seconds=1))
    clock.at = T0 + timedelta(seconds=2)  # the claim ran at T0, the row came due after it

    wakeups.arm(claimed_at=T0)

    await asyncio.wait_for(woken.wait(), 10)  # a safety net: the timer is due at once


async def test_a_moment_the_last_claim_already_covered_sets_no_timer() -> None:
    wakeups = Wakeups(FixedClock(T0), lambda: None, enabled=True)
    wakeups.at(T0)

    wakeups.arm(claimed_at=T0)

    assert wakeups._timer is None


def test_without_wake_ups_nothing_is_remembered() -> None:
    wakeups = Wakeups(FixedClock(T0), lambda: None, enabled=False)
    wakeups.at(T0 + timedelta(seconds=1))

    wakeups.arm(claimed_at=T0)  # no running loop needed: there is nothing to arm

    assert wakeups._timer is None
