"""A check-in to many customers commits in batches, survives a failure mid-way, and the
sender honours a 429's Retry-After (on SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bootstrap import DeliveryOptions, Runtime, SystemClock, bootstrap
from tests.fakes import FakeNotifier
from tests.integration.delivery_helpers import PM, Recording, fan_out
from workflow.delivery.limits import Limit, PlatformLimits
from workflow.domain.commands import Command, Reply
from workflow.domain.errors import Unavailable
from workflow.domain.people import Platform
from workflow.flows import make_bus
from workflow.flows.checkins.messages import SendCheckIns
from workflow.flows.checkins.use_cases import BATCH
from workflow.messagebus import MessageBus
from workflow.persistence.db import upgrade_async
from workflow.persistence.tables_delivery import audit_entries, outbox
from workflow.persistence.tables_items import checkins
from workflow.persistence.unit_of_work import SqlUnitOfWork
from workflow.ports import Receipt, UnitOfWork

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CUSTOMERS = 2 * BATCH + 10  # three batches: two full, one of ten


@pytest.fixture
async def quiet(db_url: str) -> AsyncIterator[tuple[Runtime, FakeNotifier]]:
    """A runtime whose sender runs only when told (no kick after commit), unpaced."""
    await upgrade_async(db_url)
    notifier = FakeNotifier()
    rt = bootstrap(
        db_url,
        notifiers={Platform.SLACK: notifier},
        deliver_after_commit=False,
        delivery=DeliveryOptions(limits={}),
    )
    yield rt, notifier
    await rt.close()


async def counts(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int, int]:
    """(check-ins, their outbox rows, their audit entries) as committed."""
    async with sessions() as session:
        made = await session.scalar(select(func.count()).select_from(checkins))
        cards = await session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.card_key.like("checkin:%"))
        )
        audited = await session.scalar(
            select(func.count())
            .select_from(audit_entries)
            .where(audit_entries.c.subject_kind == "checkin")
        )
    return made or 0, cards or 0, audited or 0


async def per_customer(sessions: async_sessionmaker[AsyncSession]) -> Counter[int]:
    async with sessions() as session:
        return Counter((await session.scalars(select(checkins.c.person_id))).all())


async def until_done(bus: MessageBus, command: Command | None) -> None:
    while command is not None:
        command = (await bus.handle(command)).follow_up


def send_now(project: int, event_id: str) -> SendCheckIns:
    return SendCheckIns(actor=PM, at=T0, event_id=event_id, project_id=project)


async def test_each_batch_commits_on_its_own_and_is_delivered_before_the_last_is_written(
    quiet: tuple[Runtime, FakeNotifier],
) -> None:
    rt, notifier = quiet
    project = await fan_out(rt, T0, customers=CUSTOMERS, notes=0)
    await rt.sender.deliver_pending()  # the welcome DMs
    welcomed = len(notifier.sent)

    reply = await rt.bus.handle(send_now(project, "press.1"))

    assert reply.text.startswith(f"Sending check-ins to {CUSTOMERS} customers")
    assert await counts(rt.sessions) == (BATCH, BATCH, BATCH)
    await rt.sender.deliver_pending()
    assert len(notifier.sent) - welcomed == BATCH  # out while the rest is not yet written
    await until_done(rt.bus, reply.follow_up)
    await rt.sender.deliver_pending()
    assert await counts(rt.sessions) == (CUSTOMERS, CUSTOMERS, CUSTOMERS)
    assert set((await per_customer(rt.sessions)).values()) == {1}
    cards = Counter(d.address.conversation_id for d in notifier.sent[welcomed:])
    assert len(cards) == CUSTOMERS and set(cards.values()) == {1}


class DiesAt:
    """Unit-of-work factory whose `n`th unit fails at commit, as a process dying would."""

    def __init__(self, rt: Runtime, n: int) -> None:
        self.rt, self.n, self.made = rt, n, 0

    def __call__(self) -> UnitOfWork:
        self.made += 1
        uow = SqlUnitOfWork(self.rt.sessions)
        if self.made == self.n:

            async def commit() -> None:
                raise Unavailable()

            uow.commit = commit  # type: ignore[method-assign]
        return uow


async def test_a_batch_that_fails_leaves_whole_batches_and_pressing_again_completes_the_rest(
    quiet: tuple[Runtime, FakeNotifier],
) -> None:
    rt, _ = quiet
    project = await fan_out(rt, T0, customers=CUSTOMERS, notes=0)
    dying: Callable[[], UnitOfWork] = DiesAt(rt, 2)  # the second batch never commits
    bus = make_bus(dying)

    reply: Reply = await bus.handle(send_now(project, "press.1"))
    with pytest.raises(Unavailable):
        await until_done(bus, reply.follow_up)

    assert await counts(rt.sessions) == (BATCH, BATCH, BATCH)  # the first batch, whole
    again = await rt.bus.handle(send_now(project, "press.2"))  # the PM presses again
    assert f"{BATCH} already asked this week" in again.text
    await until_done(rt.bus, again.follow_up)
    assert await counts(rt.sessions) == (CUSTOMERS, CUSTOMERS, CUSTOMERS)
    assert set((await per_customer(rt.sessions)).values()) == {1}
    third = await rt.bus.handle(send_now(project, "press.3"))
    assert third.follow_up is None and third.text.startswith("Check-ins sent: 0")


async def test_two_runs_at_once_open_each_check_in_once(
    quiet: tuple[Runtime, FakeNotifier],
) -> None:
    rt, _ = quiet
    project = await fan_out(rt, T0, customers=CUSTOMERS, notes=0)
    await asyncio.gather(
        until_done(rt.bus, send_now(project, "press.a")),
        until_done(rt.bus, send_now(project, "press.b")),
    )
    assert set((await per_customer(rt.sessions)).values()) == {1}
    assert await counts(rt.sessions) == (CUSTOMERS, CUSTOMERS, CUSTOMERS)


async def test_a_429_holds_the_workspace_back_until_retry_after_and_then_it_goes_by_itself(
    db_url: str,
) -> None:
    await upgrade_async(db_url)
    clock = SystemClock()
    recording = Recording(FakeNotifier(), clock)
    fast = PlatformLimits(Limit(100.0, 100.0), Limit(100.0, 100.0), pause_workspace_on_429=True)
    rt = bootstrap(
        db_url,
        notifiers={Platform.SLACK: recording},
        clock=clock,
        delivery=DeliveryOptions(limits={Platform.SLACK: fast}),
    )  # the real clock, and the sender kicked after each commit
    try:
        assert isinstance(recording.inner, FakeNotifier)
        recording.inner.fail_next(Receipt(error="ratelimited", retry_after=0.5))
        await fan_out(rt, clock.now(), customers=3, notes=0)  # project card + 3 welcome DMs
        # Wait for the condition: a loaded machine may take far longer than the pause.
        for _ in range(1500):
            if sum(call.receipt.ok for call in recording.calls) == 4:
                break
            await asyncio.sleep(0.02)
        refused, *sent = recording.calls
        assert refused.receipt.retry_after == 0.5 and len(sent) == 4
        assert all(call.receipt.ok for call in sent)  # the refused one too, by the timer
        # The refused post went to a conversation not used before: so it was the
        # workspace's limit, and nothing went to the workspace until Retry-After passed.
        assert all((call.at - refused.at).total_seconds() >= 0.5 for call in sent)
    finally:
        await rt.close()
