"""The sender's turn on PostgreSQL: one process of many sends, another takes over when it goes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.bootstrap import DeliveryOptions, Runtime, bootstrap
from bot.clock import SystemClock
from bot.presence import Presence
from bot.settings import normalise_database_url
from tests.fakes import FakeNotifier
from tests.integration.delivery_helpers import customer, fan_out, outbox_states
from workflow.delivery.limits import Limit, PlatformLimits
from workflow.domain.errors import Unavailable
from workflow.domain.people import Platform
from workflow.persistence import presence
from workflow.persistence.db import upgrade_async
from workflow.persistence.sender_turn import LOCK_CLASS, PostgresTurn
from workflow.ports import Address

pytestmark = pytest.mark.postgres

CAP, BURST = 10, 9  # in any minute; at once
# Conversations refill at once here: only the workspace's window is under test.
LIMITS = {Platform.SLACK: PlatformLimits(Limit(1000.0, 5.0), Limit.window(CAP, 60, BURST), True)}
STALL_SECONDS = 30.0  # a wait fails only when nothing moved for this long
HOLDER_PID = text(
    "SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.classid = :cls AND l.granted AND a.usename = :role"
)


@dataclass
class Replica:
    """One process as the test drives it: its runtime, presence and spy notifier."""

    runtime: Runtime
    presence: Presence
    notifier: FakeNotifier

    @property
    def turn(self) -> PostgresTurn:
        assert self.presence.turn is not None, "on PostgreSQL a presence tries for the turn"
        return self.presence.turn

    @property
    def holding(self) -> bool:
        return self.turn.holding

    async def step(self) -> None:
        """One heartbeat, by hand: keep or try for the turn, then write the heartbeat."""
        await self.presence._step()


@dataclass
class Deployment:
    """Processes on one migrated schema; all of them stopped and closed at the end."""

    url: str
    # The real clock: a process that takes the turn starts with every conversation's bucket
    # empty, and only time fills them.
    clock: SystemClock = field(default_factory=SystemClock)
    runtimes: list[Runtime] = field(default_factory=list)
    presences: list[Presence] = field(default_factory=list)

    def runtime(self, notifier: FakeNotifier, *, sends: bool = True) -> Runtime:
        """A process's runtime; one that `sends` delivers after its commits, as `serve` does."""
        made = bootstrap(
            self.url,
            notifiers={Platform.SLACK: notifier},
            clock=self.clock,
            deliver_after_commit=sends,
            delivery=DeliveryOptions(limits=LIMITS),
        )
        self.runtimes.append(made)
        return made

    async def replica(self, role: str = "serve") -> Replica:
        notifier = FakeNotifier()
        runtime = self.runtime(notifier)
        self.presences.append(made := Presence(runtime, role, every_seconds=3600))
        replica = Replica(runtime, made, notifier)
        await replica.step()
        return replica

    async def close(self) -> None:
        """Every presence stopped, then every runtime closed, whatever fails on the way."""
        async with contextlib.AsyncExitStack() as closing:
            for runtime in self.runtimes:
                closing.push_async_callback(runtime.close)
            for each in self.presences:
                closing.push_async_callback(each.stop)


@pytest.fixture
async def deployment(postgres_url: str) -> AsyncIterator[Deployment]:
    await upgrade_async(postgres_url)
    made = Deployment(postgres_url)
    try:
        yield made
    finally:
        await made.close()


@pytest.fixture
async def admin() -> AsyncIterator[AsyncEngine]:
    """A superuser's connection, as an operator (or a failing network) has."""
    engine = create_async_engine(normalise_database_url(os.environ["TEST_DATABASE_URL"]))
    try:
        yield engine
    finally:
        await engine.dispose()


async def lock_holders(admin: AsyncEngine, url: str) -> list[int]:
    """The backend pids of the test role's sessions holding the sender's lock."""
    role = make_url(url).username
    async with admin.connect() as connection:
        found = await connection.execute(HOLDER_PID, {"cls": LOCK_CLASS, "role": role})
        return list(found.scalars())


async def sending(replica: Replica) -> dict[str, bool]:
    """What the heartbeat table says: each live process's id, and whether it sends."""
    since = replica.runtime.clock.now() - timedelta(minutes=1)
    seen = await presence.recent(replica.runtime.sessions, since)
    return {process.id: process.sending for process in seen}


async def until(condition: Callable[[], Awaitable[bool]], progress: Callable[[], int]) -> None:
    """Wait for `condition`; fail only when `progress` stood still for STALL_SECONDS."""
    seen, moved = -1, time.monotonic()
    while not await condition():
        if (now := progress()) != seen:
            seen, moved = now, time.monotonic()
        assert time.monotonic() - moved < STALL_SECONDS, f"stalled at {now}"
        await asyncio.sleep(0.02)


async def everything_sent(sender: Replica) -> bool:
    """Every outbox row sent, each through `sender`."""
    states = await outbox_states(sender.runtime.sessions)
    return set(states) == {"sent"} and len(sender.notifier.sent) == states["sent"]


async def test_of_two_processes_exactly_one_holds_the_senders_turn(
    deployment: Deployment, admin: AsyncEngine
) -> None:
    first, second = await deployment.replica(), await deployment.replica()

    await second.step()
    await first.step()

    assert (first.holding, second.holding) == (True, False)
    assert len(await lock_holders(admin, deployment.url)) == 1
    assert await sending(first) == {first.presence.me.id: True, second.presence.me.id: False}


async def test_a_standby_claims_nothing_while_another_process_holds_the_turn(
    deployment: Deployment,
) -> None:
    other = create_async_engine(deployment.url)  # another process: the lock and nothing else
    try:
        async with other.connect() as holder:
            take = text("SELECT pg_advisory_lock(:cls, hashtext(current_schema()))")
            await holder.execute(take, {"cls": LOCK_CLASS})
            standby = await deployment.replica()
            await fan_out(standby.runtime, deployment.clock.now(), customers=3, notes=1)
            written = await outbox_states(standby.runtime.sessions)

            assert await standby.runtime.sender.deliver_pending() == 0
            assert await outbox_states(standby.runtime.sessions) == written
            assert set(written) == {"pending"}
            assert not standby.holding and standby.notifier.calls == []
    finally:
        await other.dispose()


async def test_the_standby_takes_the_turn_at_its_next_step_once_the_holder_stops(
    deployment: Deployment,
) -> None:
    first, second = await deployment.replica(), await deployment.replica()

    await first.presence.stop()
    assert not second.holding
    await second.step()

    assert (first.holding, second.holding) == (False, True)
    assert await sending(second) == {second.presence.me.id: True}


async def test_a_process_whose_lock_connection_dies_stops_sending_and_the_other_takes_over(
    deployment: Deployment, admin: AsyncEngine
) -> None:
    first, second = await deployment.replica(), await deployment.replica()
    [backend] = await lock_holders(admin, deployment.url)
    async with admin.connect() as connection:  # waits until the backend is gone
        ended = text("SELECT pg_terminate_backend(:pid, 10000)")
        assert (await connection.execute(ended, {"pid": backend})).scalar_one()

    await first.step()
    assert not first.holding
    await second.step()

    assert second.holding
    await first.step()  # connects again, as a standby
    assert not first.holding
    assert await sending(first) == {first.presence.me.id: False, second.presence.me.id: True}


async def test_a_commit_made_in_a_process_that_does_not_send_wakes_the_holder(
    deployment: Deployment,
) -> None:
    holder, standby = await deployment.replica(), await deployment.replica()
    await holder.runtime.sender.drain()  # the kick of taking the turn found nothing
    writer = deployment.runtime(FakeNotifier(), sends=False)  # no presence, no sender running

    await fan_out(writer, deployment.clock.now(), customers=3, notes=2)

    await until(lambda: everything_sent(holder), lambda: len(holder.notifier.calls))
    assert standby.notifier.calls == []


async def test_the_new_holder_counts_what_was_just_sent_in_the_workspaces_window(
    deployment: Deployment,
) -> None:
    first, second = await deployment.replica(), await deployment.replica()
    await fan_out(first.runtime, deployment.clock.now(), customers=5, notes=1)
    await until(lambda: everything_sent(first), lambda: len(first.notifier.calls))
    sent = len([call for call in first.notifier.sent if call.address.workspace_id == "T1"])
    assert CAP - BURST < sent < CAP  # a fresh limiter would allow more than the window has left

    await first.presence.stop()
    await second.step()

    limiter = second.runtime.sender.limiter
    assert second.holding and limiter.started is not None
    soon = datetime.fromtimestamp(limiter.started + 0.01, UTC)  # conversations refilled
    strangers = [
        Address(Platform.SLACK, "T1", customer(1000 + n).identity.user_id, 1000 + n)
        for n in range(CAP - sent + 1)
    ]
    assert limiter.reserve(strangers, soon) is not None, "more than the window has left"
    assert limiter.reserve(strangers[:-1], soon) is None, "what the window has left"


async def test_a_process_that_fails_to_start_its_turn_lets_go_of_the_lock_for_the_others(
    deployment: Deployment, admin: AsyncEngine
) -> None:
    engine = deployment.runtime(FakeNotifier()).engine

    async def unavailable() -> None:  # e.g. the pool had no connection for the hand-over
        raise Unavailable("QueuePool limit reached")

    failing = PostgresTurn(engine, wake=lambda: None, taken=unavailable)
    try:
        await failing.step()
        assert not failing.holding
        assert await lock_holders(admin, deployment.url) == []
        other = await deployment.replica()
        assert other.holding
    finally:
        await failing.stop()
