"""Acceptance 3: the sender process is killed (SIGKILL) mid fan-out and started again.

Every message arrives; the only ones that may arrive twice are those whose post had reached
Slack but whose success was not yet recorded (at most one claim batch).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bootstrap import Runtime, bootstrap
from tests.e2e.fake_slack import FakeSlack
from tests.integration.delivery_helpers import fan_out, outbox_states
from workflow.delivery.sender import BATCH
from workflow.persistence.db import upgrade_async

RUNNER = Path(__file__).with_name("sender_process.py")
ROWS = 200
LEASE_SECONDS = 2


@pytest.fixture
async def slow_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    fake.slow("chat.postMessage", 0.02)
    await fake.start()
    yield fake
    await fake.stop()


def start_sender(db_url: str, fake: FakeSlack) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CLIENTLOOP_"))},
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": "xoxb-crash-test",
        "SLACK_API_URL": fake.api_url,
        "CLIENTLOOP_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        # Pacing is not under test here: let the fan-out go as fast as the fake answers.
        "CLIENTLOOP_SLACK_PER_WORKSPACE_PER_MINUTE": "1000000",
        "CLIENTLOOP_SLACK_WORKSPACE_BURST": "1000000",
    }
    return subprocess.Popen([sys.executable, str(RUNNER)], env=env)


# A stall, not a deadline: the tests fail only when nothing moved for this long, so a
# machine whose cores are busy with other work slows them down without failing them.
STALL_SECONDS = 60.0


async def posts_reach(fake: FakeSlack, count: int, process: subprocess.Popen[bytes]) -> None:
    seen, moved = -1, time.monotonic()
    while (posted := len(fake.calls_of("chat.postMessage"))) < count:
        assert process.poll() is None, "the sender process exited"
        if posted != seen:
            seen, moved = posted, time.monotonic()
        assert time.monotonic() - moved < STALL_SECONDS, f"the sender stalled at {posted} posts"
        await asyncio.sleep(0.01)


async def all_sent(rt: Runtime, process: subprocess.Popen[bytes]) -> None:
    seen, moved = -1, time.monotonic()
    while pending := (await outbox_states(rt.sessions))["pending"]:
        assert process.poll() is None, "the restarted sender exited"
        if pending != seen:
            seen, moved = pending, time.monotonic()
        assert time.monotonic() - moved < STALL_SECONDS, await outbox_states(rt.sessions)
        await asyncio.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


async def test_a_killed_sender_restarts_and_every_message_arrives(
    db_url: str, slow_slack: FakeSlack
) -> None:
    await upgrade_async(db_url)
    rt = bootstrap(db_url, deliver_after_commit=False)
    try:
        await fan_out(rt, datetime.now(UTC), customers=ROWS - 1, notes=0)
        first = start_sender(db_url, slow_slack)
        try:
            await posts_reach(slow_slack, ROWS // 3, first)
        finally:
            stop(first)
        at_kill = len(slow_slack.calls_of("chat.postMessage"))
        second = start_sender(db_url, slow_slack)
        try:
            await all_sent(rt, second)
        finally:
            stop(second)
        states = await outbox_states(rt.sessions)
    finally:
        await rt.close()

    posts = Counter(str(c.params["channel"]) for c in slow_slack.calls_of("chat.postMessage"))
    twice = sum(n - 1 for n in posts.values())
    print(f"\nkilled after {at_kill} posts; {len(posts)} conversations; sent twice: {twice}")
    assert states == {"sent": ROWS}
    assert len(posts) == ROWS  # the channel card and 199 welcome DMs, each arrived
    assert twice <= BATCH
