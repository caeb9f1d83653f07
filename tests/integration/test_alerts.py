"""Alerts to the PMs on a real database: each fires on data that should trigger it, once
however often the scheduler works the project, and stays quiet just short of its limit."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.commands import PersonRef, RunSchedule
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import ApprovalRule, CustomerKind
from workflow.flows import make_bus
from workflow.flows.change_requests.messages import CreateChangeRequest
from workflow.flows.projects.messages import ConfigureProject, CreateProject
from workflow.messagebus import MessageBus
from workflow.persistence.db import make_engine, make_sessionmaker, upgrade_async
from workflow.persistence.unit_of_work import SqlUnitOfWork

PM = PersonRef(Identity(Platform.SLACK, "T1", "UPM"), "Pam", "UTC")
ALICE = PersonRef(Identity(Platform.SLACK, "TCUST", "UALICE"), "Alice", "Europe/Berlin")
CAROL = PersonRef(Identity(Platform.SLACK, "T1", "UCAROL"), "Carol", "Europe/Berlin")
SAM = PersonRef(Identity(Platform.SLACK, "T1", "USAM"), "Sam", "UTC")
CREATED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
WEDNESDAY = datetime(2026, 12, 16, 12, 0, tzinfo=UTC)  # "last week" began Monday 7 December
LAST_WEEK = date(2026, 12, 7)
EARLIER = [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]


@dataclass
class World:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    bus: MessageBus
    project_id: int = 0
    ids: dict[str, int] | None = None

    async def sql(self, statement: str) -> list[tuple[object, ...]]:
        async with self.engine.begin() as connection:
            return [tuple(row) for row in await connection.execute(text(statement))]

    async def tick(self, at: datetime) -> None:
        """The scheduler works the project at `at` (made due first, as a wake would)."""
        async with SqlUnitOfWork(self.sessions) as uow:
            await uow.agenda.wake(self.project_id, at)
            await uow.commit()
        await self.bus.handle(RunSchedule(actor=None, at=at, project_id=self.project_id))

    async def checkins(self, who: str, rows: list[tuple[date, CheckInState, int | None]]) -> None:
        assert self.ids is not None
        async with SqlUnitOfWork(self.sessions) as uow:
            for week, state, rating in rows:
                sent = datetime.combine(week, datetime.min.time(), UTC) + timedelta(hours=9)
                await uow.repo(CheckIn).add(
                    CheckIn(self.project_id, self.ids[who], week, sent, state, rating)
                )
            await uow.commit()

    async def alerts_to_pm(self) -> list[str]:
        """The titles of the alerts sent to the PM, in order."""
        assert self.ids is not None
        rows = await self.sql(
            f"SELECT view FROM outbox WHERE recipient_person_id = {self.ids['UPM']} ORDER BY id"
        )
        views = [json.loads(v) if isinstance(v, str) else v for (v,) in rows]
        return [v["title"] for v in views if v["title"].startswith("WEB: ")]  # type: ignore[index]


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[World]:
    await upgrade_async(db_url)
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    world = World(engine, sessions, make_bus(lambda: SqlUnitOfWork(sessions)))
    reply = await world.bus.handle(
        CreateProject(actor=PM, at=CREATED, platform=Platform.SLACK, workspace_id="T1",
                      channel_id="C1", name="Website", key="WEB",
                      customers=((ALICE, CustomerKind.EXTERNAL), (CAROL, CustomerKind.INTERNAL)),
                      sponsor=SAM)
    )  # fmt: skip
    assert reply.subject_id is not None
    world.project_id = reply.subject_id
    people = await world.sql("SELECT user_id, id FROM people")
    world.ids = {str(user): int(str(pid)) for user, pid in people}
    yield world
    await engine.dispose()


ANSWERED, MISSED = CheckInState.ANSWERED, CheckInState.MISSED


async def test_a_customer_silent_for_two_checkins_in_a_row_is_alerted_once(
    world: World,
) -> None:
    await world.checkins("UALICE", [(EARLIER[3], MISSED, None), (LAST_WEEK, MISSED, None)])
    await world.checkins("UCAROL", [(EARLIER[3], ANSWERED, 4), (LAST_WEEK, MISSED, None)])
    for hours in (0, 1, 26):
        await world.tick(WEDNESDAY + timedelta(hours=hours))
    assert await world.alerts_to_pm() == ["WEB: Alice missed 2 check-ins in a row"]
    assert await world.sql("SELECT kind, subject, period FROM alerts") == [
        ("silent", f"person:{world.ids['UALICE']}", "2026-11-30")  # type: ignore[index]
    ]


async def test_satisfaction_dropping_by_one_and_a_half_is_alerted_once(world: World) -> None:
    await world.checkins("UALICE", [(EARLIER[0], ANSWERED, 5), (LAST_WEEK, ANSWERED, 3)])
    await world.checkins("UCAROL", [(EARLIER[2], ANSWERED, 4), (LAST_WEEK, ANSWERED, 3)])
    await world.tick(WEDNESDAY)
    await world.tick(WEDNESDAY + timedelta(days=1))
    assert await world.alerts_to_pm() == ["WEB: satisfaction dropped to 3.0 from 4.5"]


async def test_a_drop_of_one_point_four_stays_quiet(world: World) -> None:
    earlier = [(EARLIER[n], ANSWERED, r) for n, r in enumerate((5, 4, 4, 5))]
    await world.checkins("UALICE", [*earlier, (LAST_WEEK, ANSWERED, 3)])
    await world.checkins("UCAROL", [(EARLIER[1], ANSWERED, 4)])  # 22 / 5 = 4.4 before
    await world.tick(WEDNESDAY)
    assert await world.alerts_to_pm() == []


async def test_a_decision_waiting_the_projects_threshold_is_alerted_once_and_not_a_minute_early(
    world: World,
) -> None:
    asked = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday
    await world.bus.handle(
        ConfigureProject(actor=PM, at=asked, project_id=world.project_id, day=0,
                         time=CREATED.time(), rule=ApprovalRule.ALL, alert_days=6)
    )  # fmt: skip
    await world.bus.handle(
        CreateChangeRequest(actor=PM, at=asked, project_id=world.project_id, title="Dark mode")
    )
    await world.tick(asked)
    just_under = asked + timedelta(days=6, minutes=-1)
    await world.tick(just_under)
    assert await world.alerts_to_pm() == []
    # The project is planned for the moment the alert falls due, not later.
    (planned,) = await world.sql(f"SELECT next_due_at FROM projects WHERE id = {world.project_id}")
    assert str(planned[0])[:16] <= "2026-12-08 10:00"
    for minutes in (0, 30, 60 * 24):
        await world.tick(asked + timedelta(days=6, minutes=minutes))
    assert await world.alerts_to_pm() == ["WEB: CR-1 · Dark mode (version 1) has waited 6 days"]
