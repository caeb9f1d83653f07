"""The weekly digest: to each PM at the project's check-in day and time in their own zone,
for the weeks since they became a PM of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from workflow.domain import events as e
from workflow.domain.chases import DigestRun, digest_weeks
from workflow.domain.projects import Project, Role
from workflow.domain.schedule import checkin_due
from workflow.flows.common import emit
from workflow.ports import UnitOfWork


async def send_digests(
    uow: UnitOfWork, project: Project, zone_of: Callable[[int], ZoneInfo], now: datetime
) -> list[DigestRun]:
    """Record and announce each PM's digest due at `now`; returns every run of the project."""
    assert project.id is not None
    runs = list(await uow.digests.find(project_id=project.id))
    for pm in project.pms:
        since = project.since(pm, Role.PM)
        week = checkin_due(now, project.checkin_day, project.checkin_time, zone_of(pm), since)
        if week is None or week in digest_weeks(runs, pm):
            continue
        run = DigestRun(project.id, week, now, person_id=pm)
        await uow.digests.add(run)
        runs.append(run)
        emit(
            uow,
            e.DigestSent(
                at=now, actor_id=None, project_id=project.id, subject_id=project.id,
                week=week, person_id=pm,
            ),
        )  # fmt: skip
    return runs
