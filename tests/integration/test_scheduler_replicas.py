"""Three schedulers tick at once on one PostgreSQL over 500 customers due at the same moment."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time

import pytest

from bot.bootstrap import DeliveryOptions, Runtime, bootstrap
from scheduler.jobs import Ticker
from tests.fakes import FakeNotifier, FixedClock
from workflow.domain.checkins import CheckIn
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.flows.projects.messages import CreateProject
from workflow.persistence.db import upgrade_async

pytestmark = pytest.mark.postgres

PROJECTS, PER_PROJECT = 10, 50
MONDAY_9 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
UNLIMITED = DeliveryOptions(limits={})


def person(user: str) -> PersonRef:
    return PersonRef(Identity(Platform.SLACK, "T1", user), user, "UTC")


@pytest.fixture
async def replicas(postgres_url: str) -> AsyncIterator[tuple[list[Runtime], FakeNotifier]]:
    await upgrade_async(postgres_url)
    notifier, clock = FakeNotifier(), FixedClock(datetime(2027, 2, 26, 12, 0, tzinfo=UTC))
    runtimes = [
        bootstrap(
            postgres_url,
            notifiers={Platform.SLACK: notifier},
            clock=clock,
            deliver_after_commit=False,
            delivery=UNLIMITED,
        )
        for _ in range(3)
    ]
    for n in range(PROJECTS):
        customers = tuple(
            (person(f"U{n:02}{m:03}"), CustomerKind.INTERNAL) for m in range(PER_PROJECT)
        )
        await runtimes[0].bus.handle(CreateProject(
            actor=person("UPM"), at=clock.now(), platform=Platform.SLACK, workspace_id="T1",
            channel_id=f"C{n}", name=f"P{n}", key=f"P{n:02}", customers=customers,
            checkin_day=0, checkin_time=time(9, 0)))  # fmt: skip
    await runtimes[0].sender.deliver_pending()
    notifier.calls.clear()
    clock.at = MONDAY_9
    yield runtimes, notifier
    for runtime in runtimes:
        await runtime.close()


async def test_three_schedulers_send_each_due_checkin_exactly_once(
    replicas: tuple[list[Runtime], FakeNotifier],
) -> None:
    runtimes, notifier = replicas
    tickers = [Ticker(rt.bus, rt.uow, rt.clock, rt.sender) for rt in runtimes]
    for _ in range(2):  # two rounds: the second finds nothing left to do
        await asyncio.gather(*(ticker.tick() for ticker in tickers))
    checkins = [d for d in notifier.sent if d.view.kind.value == "checkin"]
    per_person = Counter(d.address.conversation_id for d in checkins)
    print(
        f"\n{len(checkins)} check-ins delivered by 3 schedulers; "
        f"{sum(n - 1 for n in per_person.values())} sent twice"
    )
    assert len(per_person) == PROJECTS * PER_PROJECT
    assert set(per_person.values()) == {1}
    async with runtimes[0].uow() as uow:
        stored = await uow.repo(CheckIn).find()
    assert len(stored) == PROJECTS * PER_PROJECT
