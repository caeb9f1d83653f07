"""Shared by the delivery tests: a fan-out to set up, a recording notifier, pacing checks."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bootstrap import Runtime
from workflow.delivery.limits import Limit
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.domain.views import Outgoing, Recipient, View, ViewKind
from workflow.flows.projects.messages import CreateProject
from workflow.persistence.tables_delivery import outbox
from workflow.persistence.unit_of_work import SqlUnitOfWork
from workflow.ports import Address, Clock, Notifier, Receipt

PM = PersonRef(Identity(Platform.SLACK, "T1", "UPM"), "Pam")
SLACK_CHANNEL = Limit(1.0, 3.0)
SLACK_WORKSPACE = Limit(5.0, 20.0)


def customer(n: int) -> PersonRef:
    return PersonRef(Identity(Platform.SLACK, "T1", f"U{n:04d}"), f"Customer {n}")


async def fan_out(rt: Runtime, at: datetime, customers: int, notes: int) -> int:
    """A project in C1 with `customers` (a welcome DM each) and `notes` more posts to C1."""
    reply = await rt.bus.handle(
        CreateProject(
            actor=PM,
            at=at,
            platform=Platform.SLACK,
            workspace_id="T1",
            channel_id="C1",
            name="Website",
            key="WEB",
            customers=tuple((customer(n), CustomerKind.INTERNAL) for n in range(customers)),
        )
    )
    project = reply.subject_id
    assert project is not None
    async with SqlUnitOfWork(rt.sessions) as uow:
        for n in range(notes):
            view = View(ViewKind.INFO, f"Note {n}")
            await uow.outbox.put(Outgoing(Recipient(project_id=project), view), at)
        await uow.commit()
    return project


@dataclass
class Recorded:
    at: datetime
    kind: str
    address: Address
    title: str
    receipt: Receipt


@dataclass
class Recording:
    """Wraps a notifier and notes each call with the time the (fake) clock said."""

    inner: Notifier
    clock: Clock
    calls: list[Recorded] = field(default_factory=list)

    async def send(self, view: View, address: Address) -> Receipt:
        receipt = await self.inner.send(view, address)
        self.calls.append(Recorded(self.clock.now(), "send", address, view.title, receipt))
        return receipt

    async def update(self, view: View, address: Address, message_id: str) -> Receipt:
        receipt = await self.inner.update(view, address, message_id)
        self.calls.append(Recorded(self.clock.now(), "update", address, view.title, receipt))
        return receipt


def assert_paced(times: list[datetime], limit: Limit, what: str) -> None:
    """No window of the calls holds more than the burst plus the rate times its length."""
    ordered = sorted(t.timestamp() for t in times)
    for i, start in enumerate(ordered):
        for j in range(i, len(ordered)):
            allowed = limit.burst + limit.rate * (ordered[j] - start) + 1e-6
            assert j - i + 1 <= allowed, f"{what}: {j - i + 1} calls in {ordered[j] - start} s"


def assert_slack_limits_kept(calls: list[Recorded]) -> None:
    by_channel: defaultdict[str, list[datetime]] = defaultdict(list)
    for call in calls:
        by_channel[call.address.conversation_id].append(call.at)
    for channel, times in by_channel.items():
        assert_paced(times, SLACK_CHANNEL, f"channel {channel}")
    assert_paced([call.at for call in calls], SLACK_WORKSPACE, "workspace T1")


def delivered(calls: list[Recorded]) -> Counter[tuple[str, str]]:
    """How many times each (conversation, title) was delivered successfully."""
    return Counter((r.address.conversation_id, r.title) for r in calls if r.receipt.ok)


async def outbox_states(sessions: async_sessionmaker[AsyncSession]) -> Counter[str]:
    async with sessions() as session:
        return Counter((await session.scalars(select(outbox.c.state))).all())
