"""Acceptance 4: against a fake Slack that answers 429s and 500s, nothing is lost, the limits
hold, Retry-After is honoured, and a permanent failure reaches each PM once and is not retried.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.bootstrap import Runtime, bootstrap
from handlers.slack.clients import WorkspaceClients
from handlers.slack.notifier import SlackNotifier
from tests.e2e.fake_slack import FakeSlack
from tests.fakes import FixedClock
from tests.integration.delivery_helpers import (
    Recording,
    assert_slack_limits_kept,
    delivered,
    fan_out,
    outbox_states,
)
from workflow.delivery.bounces import BOUNCE_TITLE
from workflow.domain.people import Platform
from workflow.persistence.db import upgrade_async

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
STEP = timedelta(milliseconds=250)
GONE = "U0007"  # this customer's account was deactivated: Slack says channel_not_found


@pytest.fixture
async def slack_runtime(
    db_url: str, fake_slack: FakeSlack
) -> AsyncIterator[tuple[Runtime, Recording, FixedClock]]:
    await upgrade_async(db_url)
    clock = FixedClock(T0)
    client = AsyncWebClient(base_url=fake_slack.api_url, token="xoxb-delivery")
    recording = Recording(SlackNotifier(WorkspaceClients(fake_slack.api_url, client=client)), clock)
    rt = bootstrap(
        db_url, notifiers={Platform.SLACK: recording}, clock=clock, deliver_after_commit=False
    )
    rt.sender.rng = random.Random(4)
    yield rt, recording, clock
    await rt.close()


async def test_429s_and_500s_lose_nothing_and_a_dead_dm_reaches_the_pm_once(
    slack_runtime: tuple[Runtime, Recording, FixedClock], fake_slack: FakeSlack
) -> None:
    rt, recording, clock = slack_runtime
    await fan_out(rt, T0, customers=60, notes=19)
    fake_slack.refuse(GONE)
    fake_slack.fail("chat.postMessage", status=429, headers={"Retry-After": "7"})
    scripted = {
        timedelta(seconds=3): lambda: fake_slack.fail("chat.postMessage", status=500, times=2),
        timedelta(seconds=6): lambda: fake_slack.fail("chat.postMessage", status=503),
        timedelta(seconds=12): lambda: fake_slack.fail(
            "chat.postMessage", status=429, headers={"Retry-After": "3"}
        ),
    }
    for _ in range(2000):
        if (when := clock.at - T0) in scripted:
            scripted.pop(when)()
        await rt.sender.deliver_pending()
        if (await outbox_states(rt.sessions))["pending"] == 0 and not scripted:
            break
        clock.at += STEP

    counts = delivered(recording.calls)
    assert await outbox_states(rt.sessions) == {"sent": 80, "undeliverable": 1}
    assert sum(1 for (where, _) in counts if where == "C1") == 20
    assert sum(1 for (where, _) in counts if where.startswith("U0")) == 59
    assert set(counts.values()) == {1}  # each message once
    assert len(fake_slack.calls_of("chat.postMessage")) == 80 + 1 + 2 + 2 + 1  # +failures
    assert_slack_limits_kept(recording.calls)
    _assert_retry_after_honoured(recording)
    # The dead DM failed for good once and was never tried again (a transient 5xx or 429 may
    # land on it first: several conversations are in flight at once, in no fixed order);
    # the PM heard about it exactly once.
    dead = [r.receipt for r in recording.calls if r.address.conversation_id == GONE]
    assert [r.permanent for r in dead] == [False] * (len(dead) - 1) + [True]
    notices = [r for r in recording.calls if r.title == BOUNCE_TITLE]
    assert [r.address.conversation_id for r in notices] == ["UPM"]
    notice = next(
        c for c in fake_slack.calls_of("chat.postMessage") if c.params["channel"] == "UPM"
    )
    assert "channel_not_found" in str(notice.params["text"]) + str(notice.params["blocks"])


def _assert_retry_after_honoured(recording: Recording) -> None:
    """After a 429, nothing goes to that workspace until Retry-After has passed."""
    limited = [r for r in recording.calls if r.receipt.retry_after is not None]
    assert [r.receipt.retry_after for r in limited] == [7.0, 3.0]
    for hit in limited:
        resume = hit.at + timedelta(seconds=hit.receipt.retry_after or 0)
        # Calls already in flight at that same moment (several conversations go out at
        # once) finish after it; nothing is started at a later moment before `resume`.
        later = [r for r in recording.calls[recording.calls.index(hit) + 1 :] if r.at > hit.at]
        assert later and min(r.at for r in later) >= resume
