"""Chasing the decisions a project waits on: reminders, then the escalation to each sponsor
and PM, every message in the working hours of the person it reaches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from workflow.domain import events as e
from workflow.domain.chases import Chase, Recipients, escalation_recipients
from workflow.domain.projects import Project
from workflow.domain.schedule import Cadence
from workflow.flows.common import emit
from workflow.flows.waiting import waiting_in
from workflow.ports import UnitOfWork

Waiting = tuple[str, int, int, int, datetime]  # kind, item id, person id, version, asked at


async def _waiting(uow: UnitOfWork, project: Project) -> list[Waiting]:
    """Every decision (item, person) the project is waiting on, with when they were asked."""
    return [
        (
            w.pending.kind,
            w.pending.item_id,
            w.pending.waiting_on,
            w.version,
            w.asked or w.pending.since,
        )
        for w in await waiting_in(uow, project)
        if w.decision
    ]


async def chase(
    uow: UnitOfWork,
    project: Project,
    zone_of: Callable[[int], ZoneInfo],
    now: datetime,
    cadence: Cadence,
) -> tuple[int, list[Chase]]:
    """Start chasing new decisions, step the others; returns the messages raised and the
    chases of every decision still waited on."""
    assert project.id is not None
    chases = {
        (ch.kind, ch.item_id, ch.person_id, ch.version): ch
        for ch in await uow.chases.find(project_id=project.id)
    }
    recipients = escalation_recipients(project, zone_of)
    steps, live = 0, []
    for kind, item_id, person_id, version, asked in await _waiting(uow, project):
        found = chases.get((kind, item_id, person_id, version))
        if found is None:
            found = Chase(kind, item_id, person_id, version, project.id, asked)
            await uow.chases.add(found)
        else:
            for event in _steps(found, now, cadence, zone_of(person_id), recipients):
                emit(uow, event)
                steps += 1
        live.append(found)
    return steps, live


def _steps(
    chase: Chase, now: datetime, cadence: Cadence, zone: ZoneInfo, recipients: Recipients
) -> Iterator[e.Event]:
    """A reminder to the chased person, or the escalation to each recipient whose working
    hours these are (the others are told when theirs come)."""
    version = chase.version or None
    if chase.remind(now, cadence, zone):
        yield e.DecisionReminded(
            at=now, actor_id=None, project_id=chase.project_id, subject_id=chase.item_id,
            version=version, kind=chase.kind, item_id=chase.item_id, person_id=chase.person_id,
            reminder=chase.reminders,
        )  # fmt: skip
    for to in chase.escalate(now, cadence, zone, recipients):
        yield e.DecisionEscalated(
            at=now, actor_id=None, project_id=chase.project_id, subject_id=chase.item_id,
            version=version, kind=chase.kind, item_id=chase.item_id, person_id=chase.person_id,
            waiting_days=(now - chase.asked_at).days, to=to,
        )  # fmt: skip
