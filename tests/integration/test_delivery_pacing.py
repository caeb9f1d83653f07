"""The sender keeps Slack's limits on a fake clock: 50 posts to one channel and 200 DMs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.bootstrap import DeliveryOptions, Runtime, bootstrap
from tests.fakes import FakeNotifier, FixedClock
from tests.integration.delivery_helpers import (
    Recording,
    assert_slack_limits_kept,
    delivered,
    fan_out,
    outbox_states,
)
from workflow.delivery.limits import Limit, PlatformLimits
from workflow.domain.people import Platform
from workflow.persistence.db import upgrade_async

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
STEP = timedelta(milliseconds=250)


@pytest.fixture
async def paced(db_url: str) -> AsyncIterator[tuple[Runtime, Recording, FixedClock]]:
    await upgrade_async(db_url)
    clock = FixedClock(T0)
    recording = Recording(FakeNotifier(), clock)
    rt = bootstrap(
        db_url, notifiers={Platform.SLACK: recording}, clock=clock, deliver_after_commit=False
    )
    yield rt, recording, clock
    await rt.close()


async def test_a_fan_out_keeps_every_limit_and_delivers_each_message_exactly_once(
    paced: tuple[Runtime, Recording, FixedClock],
) -> None:
    rt, recording, clock = paced
    await fan_out(rt, T0, customers=200, notes=49)  # 50 posts to C1, 200 welcome DMs

    for _ in range(1000):
        await rt.sender.deliver_pending()
        if (await outbox_states(rt.sessions))["pending"] == 0:
            break
        clock.at += STEP

    counts = delivered(recording.calls)
    assert sum(1 for (where, _) in counts if where == "C1") == 50
    assert sum(1 for (where, _) in counts if where.startswith("U")) == 200
    assert set(counts.values()) == {1}
    assert await outbox_states(rt.sessions) == {"sent": 250}
    assert_slack_limits_kept(recording.calls)
    # 50 posts to C1 need at least 47 s (3 at once, then 1 a second); rows go out in id
    # order, so the channel's notes wait behind 200 DMs (~36 s at 5 a second) first.
    elapsed = (clock.at - T0).total_seconds()
    assert 47 <= elapsed <= 95, elapsed


async def test_a_channel_held_back_does_not_delay_direct_messages(
    paced: tuple[Runtime, Recording, FixedClock],
) -> None:
    rt, recording, _ = paced
    await fan_out(rt, T0, customers=5, notes=9)
    await rt.sender.deliver_pending()
    first = [r.address.conversation_id for r in recording.calls]
    assert first.count("C1") == 3  # the channel's burst
    assert sum(1 for where in first if where.startswith("U")) == 5
    assert (await outbox_states(rt.sessions))["pending"] == 7


async def test_rows_put_back_are_delivered_when_they_come_due_without_another_tick(
    db_url: str,
) -> None:
    await upgrade_async(db_url)
    notifier = FakeNotifier()
    fast = PlatformLimits(Limit(20.0, 1.0), Limit(100.0, 100.0))
    rt = bootstrap(
        db_url,
        notifiers={Platform.SLACK: notifier},
        delivery=DeliveryOptions(limits={Platform.SLACK: fast}),
    )  # the real clock, and the sender kicked after each commit
    try:
        await fan_out(rt, datetime.now(UTC), customers=0, notes=5)
        # Wait for the condition, not for a deadline tuned to a quiet machine: a loaded
        # CI machine may take far longer than the 250 ms the pacing itself needs.
        for _ in range(1500):
            if len(notifier.sent) == 6:
                break
            await asyncio.sleep(0.02)
        assert len(notifier.sent) == 6  # the project card and five notes, 50 ms apart
    finally:
        await rt.close()
