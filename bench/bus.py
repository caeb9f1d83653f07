"""Throughput of the real bus on SQLite: a project, change requests, every approver deciding."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from workflow.domain.change_versions import Verdict
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.flows import make_bus
from workflow.flows.change_requests.messages import CreateChangeRequest, DecideChange
from workflow.flows.projects.messages import CreateProject
from workflow.persistence.db import make_engine, make_sessionmaker, upgrade_async
from workflow.persistence.unit_of_work import SqlUnitOfWork

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CUSTOMERS = 5
CHANGES = 40


def person(user: str) -> PersonRef:
    return PersonRef(Identity(Platform.SLACK, "T1", user), user)


@dataclass(frozen=True)
class BusFigures:
    commands: int
    seconds: float
    audit_entries: int

    def lines(self, label: str) -> list[str]:
        per = self.seconds / self.commands * 1e3
        return [
            f"{label}: {self.commands} commands through the bus in {self.seconds:.2f} s "
            f"({self.commands / self.seconds:,.0f}/s, {per:.1f} ms each)",
            f"{label}: {self.audit_entries} audit entries written in the same transactions",
        ]


async def run_flow(url: str) -> BusFigures:
    await upgrade_async(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    bus = make_bus(lambda: SqlUnitOfWork(sessions))
    customers = [person(f"UC{n}") for n in range(CUSTOMERS)]
    pm, sponsor, count = person("UPM"), person("USPONSOR"), 0
    started = time.perf_counter()
    project = await bus.handle(CreateProject(
        actor=pm, at=T0, platform=Platform.SLACK, workspace_id="T1", channel_id="C1",
        name="Bench", key="BEN", customers=tuple((p, CustomerKind.EXTERNAL) for p in customers),
        sponsor=sponsor))  # fmt: skip
    for n in range(CHANGES):
        at = T0 + timedelta(minutes=n)
        change = await bus.handle(CreateChangeRequest(
            actor=pm, at=at, project_id=project.subject_id or 0, title=f"Change {n}"))  # fmt: skip
        for who in [*customers, sponsor]:
            await bus.handle(
                DecideChange(
                    actor=who,
                    at=at,
                    change_id=change.subject_id or 0,
                    version=1,
                    verdict=Verdict.APPROVE,
                )
            )
        count += 2 + CUSTOMERS
    elapsed = time.perf_counter() - started
    async with SqlUnitOfWork(sessions) as uow:
        rows = len(await uow.audit.entries())
    await engine.dispose()
    return BusFigures(count, elapsed, rows)
