"""What an operator reads about a running deployment (`clientloop status`): the outbox's
depth and age, and the check-in settings of the projects still active."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workflow.domain.projects import ProjectState, Role
from workflow.persistence.errors import database_errors
from workflow.persistence.outbox_claim import PENDING, UNDELIVERABLE
from workflow.persistence.tables import participants, people, projects
from workflow.persistence.tables_delivery import outbox

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class OutboxDepth:
    """Pending rows: due now, claimed by the sender (in flight), or waiting for a later slot."""

    due: int
    in_flight: int
    later: int
    oldest_due: datetime | None
    undeliverable_last_day: int


@dataclass(frozen=True)
class CheckinZone:
    """A project's weekly check-in as the customers in one time zone get it."""

    key: str
    name: str
    day: int
    at: time
    zone: str
    customers: int


async def outbox_depth(sessions: Sessions, now: datetime) -> OutboxDepth:
    held = and_(outbox.c.lease_until.is_not(None), outbox.c.lease_until > now)
    due = and_(outbox.c.available_at <= now, ~held)
    query = select(
        func.count().filter(due),
        func.count().filter(held),
        func.count().filter(outbox.c.available_at > now, ~held),
        func.min(outbox.c.available_at).filter(due),
    ).where(outbox.c.state == PENDING)
    failed = select(func.count()).where(
        outbox.c.state == UNDELIVERABLE, outbox.c.created_at >= now - timedelta(days=1)
    )
    with database_errors():
        async with sessions() as session:
            row = (await session.execute(query)).one()
            undeliverable = int((await session.execute(failed)).scalar_one())
    return OutboxDepth(int(row[0]), int(row[1]), int(row[2]), row[3], undeliverable)


async def checkin_zones(sessions: Sessions) -> list[CheckinZone]:
    """Each active project's check-in day and time, per time zone of its customers."""
    customers = func.count(participants.c.id)
    query = (
        select(
            projects.c.key, projects.c.name, projects.c.checkin_day, projects.c.checkin_time,
            people.c.timezone, customers,
        )
        .join(participants, participants.c.project_id == projects.c.id)
        .join(people, people.c.id == participants.c.person_id)
        .where(projects.c.state == ProjectState.ACTIVE, participants.c.role == Role.CUSTOMER)
        .group_by(
            projects.c.key, projects.c.name, projects.c.checkin_day, projects.c.checkin_time,
            people.c.timezone,
        )
    )  # fmt: skip
    with database_errors():
        async with sessions() as session:
            rows = (await session.execute(query)).all()
    return [CheckinZone(r[0], r[1], int(r[2]), r[3], r[4], int(r[5])) for r in rows]
