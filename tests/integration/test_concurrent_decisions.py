"""Twenty approvers click at once on PostgreSQL: every decision counts once, the chain holds."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from workflow.audit import verify_trail
from workflow.domain import commands as c
from workflow.domain.change_versions import Verdict
from workflow.domain.changes import ChangeRequest, CRState
from workflow.domain.commands import PersonRef
from workflow.domain.errors import Refused
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.flows import make_bus
from workflow.flows.change_requests.messages import CreateChangeRequest, DecideChange
from workflow.flows.projects.messages import CreateProject
from workflow.messagebus import MessageBus
from workflow.persistence.db import make_engine, make_sessionmaker, upgrade_async
from workflow.persistence.unit_of_work import SqlUnitOfWork

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PM = PersonRef(Identity(Platform.SLACK, "T1", "UPM"), "Pam")
SPONSOR = PersonRef(Identity(Platform.SLACK, "T1", "USPONSOR"), "Sam")
CUSTOMERS = [PersonRef(Identity(Platform.SLACK, "T1", f"UC{n:02}"), f"C{n}") for n in range(19)]
APPROVERS = [*CUSTOMERS, SPONSOR]


class Buses:
    """One engine (so its own connections) per concurrent clicker."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engines: list[AsyncEngine] = []

    def new(self) -> MessageBus:
        engine = make_engine(self.url)
        self.engines.append(engine)
        sessions = make_sessionmaker(engine)
        return make_bus(lambda: SqlUnitOfWork(sessions))

    async def close(self) -> None:
        for engine in self.engines:
            await engine.dispose()


@pytest.fixture
async def buses(postgres_url: str) -> AsyncIterator[Buses]:
    await upgrade_async(postgres_url)
    made = Buses(postgres_url)
    yield made
    await made.close()


async def open_change(bus: MessageBus) -> int:
    """A project with 19 customers (one external) and a sponsor: 20 approvers, rule ALL."""
    customers = tuple(
        (ref, CustomerKind.EXTERNAL if n == 0 else CustomerKind.INTERNAL)
        for n, ref in enumerate(CUSTOMERS)
    )
    project = await bus.handle(
        CreateProject(actor=PM, at=T0, platform=Platform.SLACK, workspace_id="T1",
                        channel_id="C1", name="Website", key="WEB", customers=customers,
                        sponsor=SPONSOR)
    )  # fmt: skip
    assert project.subject_id is not None
    change = await bus.handle(
        CreateChangeRequest(actor=PM, at=T0, project_id=project.subject_id, title="Dark mode")
    )
    assert change.subject_id is not None
    return change.subject_id


def click(who: PersonRef, change_id: int, n: int, verdict: Verdict, event: str) -> DecideChange:
    return DecideChange(
        actor=who, at=T0 + timedelta(seconds=n), change_id=change_id, version=1,
        verdict=verdict, reason="Too costly" if verdict is Verdict.REJECT else "",
        event_id=event,
    )  # fmt: skip


Outcome = tuple[ChangeRequest, list[str], list[object]]


async def everyone_clicks(buses: Buses, rejecter: int | None = None) -> Outcome:
    """Every approver clicks at once, each through their own engine, plus a few repeats."""
    change_id = await open_change(buses.new())
    commands = [
        click(who, change_id, n, Verdict.REJECT if n == rejecter else Verdict.APPROVE, f"ev-{n}")
        for n, who in enumerate(APPROVERS)
    ]
    # A platform retry (same event id) and double clicks (new event ids) from the same people.
    commands += [commands[3], click(APPROVERS[3], change_id, 3, Verdict.APPROVE, "ev-3b")]
    commands += [click(SPONSOR, change_id, 19, Verdict.APPROVE, "ev-19b"), commands[0]]
    results = await asyncio.gather(
        *(buses.new().handle(command) for command in commands), return_exceptions=True
    )
    sessions = make_sessionmaker(buses.engines[0])
    async with SqlUnitOfWork(sessions) as uow:
        change = await uow.repo(ChangeRequest).get(change_id)
        actions = [entry.action for entry in await uow.audit.entries()]
        assert await verify_trail(uow) == []
    assert change is not None
    return change, actions, results


def assert_each_counted_once(change: ChangeRequest, results: list[object]) -> None:
    per_approver = Counter((d.version, d.approver_id) for d in change.decisions)
    assert set(per_approver.values()) == {1}
    unexpected = [r for r in results if not isinstance(r, c.Reply | Refused)]
    assert unexpected == []


async def test_twenty_concurrent_approvals_approve_the_change_exactly_once(
    buses: Buses,
) -> None:
    change, actions, results = await everyone_clicks(buses)

    assert_each_counted_once(change, results)
    assert len(change.decisions) == len(APPROVERS)
    assert change.state is CRState.APPROVED
    assert actions.count("ChangeDecided") == len(APPROVERS)
    assert actions.count("ChangeSettled") == 1


async def test_one_rejection_among_concurrent_approvals_rejects_the_change_once(
    buses: Buses,
) -> None:
    change, actions, results = await everyone_clicks(buses, rejecter=7)

    assert_each_counted_once(change, results)
    rejections = [d for d in change.decisions if d.verdict is Verdict.REJECT]
    assert len(rejections) == 1 and rejections[0].reason == "Too costly"
    assert change.state is CRState.REJECTED
    assert actions.count("ChangeDecided") == len(change.decisions)
    assert actions.count("ChangeSettled") == 1
