"""The scheduler's work on one project, in one transaction: the database decides what is due.

A tick runs this for every open project. The project row is locked first, so several
scheduler replicas on one PostgreSQL never do the same project's work twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from workflow.domain import commands as c
from workflow.domain import events as e
from workflow.domain.chases import Chase, DigestRun
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.people import Person
from workflow.domain.projects import Project, ProjectState
from workflow.domain.schedule import Cadence, checkin_due, in_window
from workflow.flows.checkins.use_cases import start_checkin
from workflow.flows.common import emit, load
from workflow.flows.waiting import waiting_in
from workflow.ports import UnitOfWork

Waiting = tuple[str, int, int, int, datetime]  # kind, item id, person id, version, asked at


async def run_schedule(cmd: c.RunSchedule, uow: UnitOfWork) -> c.Reply:
    project = await load(uow.projects, cmd.project_id, "project", lock=True)
    if project.state is ProjectState.CLOSED:
        return c.Reply("closed: nothing to do", project.id)
    ids = {p.person_id for p in project.participants}
    people = {p.id: p for p in await uow.people.get_many(ids) if p.id is not None}
    sent = await _due_checkins(uow, project, people, cmd.at)
    await _checkin_followups(uow, project, people, cmd.at, cmd.cadence)
    chased = await _chase(uow, project, people, cmd.at, cmd.cadence)
    await _digest(uow, project, people, cmd.at)
    return c.Reply(f"{sent} check-ins, {chased} reminders or escalations", project.id)


def _zone(people: dict[int, Person], person_id: int) -> ZoneInfo:
    person = people.get(person_id)
    return person.zone if person else ZoneInfo("UTC")


async def _due_checkins(
    uow: UnitOfWork, project: Project, people: dict[int, Person], now: datetime
) -> int:
    assert project.id is not None
    existing = {
        (ci.person_id, ci.week) for ci in await uow.repo(CheckIn).find(project_id=project.id)
    }
    sent = 0
    for person_id in project.customers():
        zone = _zone(people, person_id)
        week = checkin_due(now, project.checkin_day, project.checkin_time, zone)
        entry = project.customer_entry(person_id)
        away = entry is not None and entry.is_away(now.astimezone(zone).date())
        if week is None or away or (person_id, week) in existing:
            continue
        if await start_checkin(uow, project, person_id, week, now, None):
            sent += 1
    return sent


async def _checkin_followups(
    uow: UnitOfWork, project: Project, people: dict[int, Person], now: datetime, cadence: Cadence
) -> None:
    """One reminder after a day (in working hours), then the check-in counts as missed."""
    for state in (CheckInState.SENT, CheckInState.REMINDED):
        for checkin in await uow.repo(CheckIn).find(project_id=project.id, state=state):
            zone = _zone(people, checkin.person_id)
            event: e.Event | None = None
            if (
                state is CheckInState.SENT
                and now >= checkin.sent_at + cadence.checkin_reminder_after
            ):
                if in_window(now, zone):
                    checkin.remind(now)
                    event = e.CheckInReminded(
                        at=now,
                        actor_id=None,
                        project_id=project.id,
                        subject_id=checkin.id,
                        person_id=checkin.person_id,
                    )
            elif (
                state is CheckInState.REMINDED
                and checkin.reminded_at is not None
                and (now >= checkin.reminded_at + cadence.checkin_missed_after)
            ):
                checkin.miss()
                event = e.CheckInMissed(
                    at=now,
                    actor_id=None,
                    project_id=project.id,
                    subject_id=checkin.id,
                    person_id=checkin.person_id,
                )
            if event is not None:
                emit(uow, event)


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


async def _chase(
    uow: UnitOfWork, project: Project, people: dict[int, Person], now: datetime, cadence: Cadence
) -> int:
    assert project.id is not None
    chases = {
        (ch.kind, ch.item_id, ch.person_id, ch.version): ch
        for ch in await uow.chases.find(project_id=project.id)
    }
    steps = 0
    for kind, item_id, person_id, version, asked in await _waiting(uow, project):
        chase = chases.get((kind, item_id, person_id, version))
        if chase is None:
            chase = Chase(kind, item_id, person_id, version, project.id, asked)
            await uow.chases.add(chase)
            continue
        zones = _zone(people, person_id), _zone(people, (project.pms or [person_id])[0])
        for event in _steps(chase, now, cadence, *zones):
            emit(uow, event)
            steps += 1
    return steps


def _steps(
    chase: Chase, now: datetime, cadence: Cadence, zone: ZoneInfo, escalate_zone: ZoneInfo
) -> Iterator[e.Event]:
    """Escalations go to the sponsor and the PMs, in the first PM's working hours."""
    step = chase.step(now, cadence, zone, escalate_zone)
    version = chase.version or None
    if step == "remind":
        yield e.DecisionReminded(
            at=now, actor_id=None, project_id=chase.project_id, subject_id=chase.item_id,
            version=version, kind=chase.kind, item_id=chase.item_id, person_id=chase.person_id,
            reminder=chase.reminders,
        )  # fmt: skip
    elif step == "escalate":
        yield e.DecisionEscalated(
            at=now, actor_id=None, project_id=chase.project_id, subject_id=chase.item_id,
            version=version, kind=chase.kind, item_id=chase.item_id, person_id=chase.person_id,
            waiting_days=(now - chase.asked_at).days,
        )  # fmt: skip


async def _digest(
    uow: UnitOfWork, project: Project, people: dict[int, Person], now: datetime
) -> None:
    """The weekly PM digest, on the check-in day at the check-in time of the first PM."""
    assert project.id is not None
    if not project.pms:
        return
    zone = _zone(people, project.pms[0])
    week = checkin_due(now, project.checkin_day, project.checkin_time, zone)
    if week is None or await uow.digests.find(project_id=project.id, week=week):
        return
    await uow.digests.add(DigestRun(project.id, week, now))
    emit(
        uow,
        e.DigestSent(
            at=now, actor_id=None, project_id=project.id, subject_id=project.id, week=week
        ),
    )
