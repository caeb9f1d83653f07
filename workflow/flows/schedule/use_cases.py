"""The scheduler's work on one project, in one transaction: the database decides what is due.

A tick runs this for each project whose next-due moment has come. The project is claimed
first (its row locked, or skipped when another scheduler holds it), so several scheduler
replicas on one PostgreSQL never do the same project's work twice; after the work, the
project's next-due moment is planned: the earliest moment anything of it falls due.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from workflow.domain import commands as c
from workflow.domain import events as e
from workflow.domain.agenda import next_due
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.people import Person
from workflow.domain.projects import Project, ProjectState, Role
from workflow.domain.schedule import Cadence, checkin_due, in_window
from workflow.flows.checkins.use_cases import customer_entries, start_checkins
from workflow.flows.common import emit, load
from workflow.flows.schedule.alerts import raise_alerts
from workflow.flows.schedule.chasing import chase
from workflow.flows.schedule.digests import send_digests
from workflow.ports import UnitOfWork

ZoneOf = Callable[[int], ZoneInfo]
# (project, moment) already woken in a unit of work (one transaction).
_WOKEN: WeakKeyDictionary[UnitOfWork, set[tuple[int, datetime]]] = WeakKeyDictionary()


async def run_schedule(cmd: c.RunSchedule, uow: UnitOfWork) -> c.Reply:
    """Due check-ins first, a batch per transaction: while some are left, the project stays
    due (a crash leaves it to the next tick) and the reply carries the next batch; the
    reminders, chases and digest come with the last batch."""
    if not await uow.agenda.claim(cmd.project_id, cmd.at):
        return c.Reply("not due, or another scheduler has it", cmd.project_id)
    project = await load(uow.projects, cmd.project_id, "project", lock=True)
    if project.state is ProjectState.CLOSED:
        await uow.agenda.plan(cmd.project_id, None)
        return c.Reply("closed: nothing to do", project.id)
    ids = {p.person_id for p in project.participants}
    people = {p.id: p for p in await uow.people.get_many(ids) if p.id is not None}
    zone_of = partial(_zone, people)
    sent, left = await _due_checkins(uow, project, zone_of, cmd.at)
    if left:
        await uow.agenda.plan(cmd.project_id, cmd.at)
        return c.Reply(f"{sent} check-ins, {left} to go", project.id, follow_up=cmd)
    await _checkin_followups(uow, project, zone_of, cmd.at, cmd.cadence)
    chased, live = await chase(uow, project, zone_of, cmd.at, cmd.cadence)
    runs = await send_digests(uow, project, zone_of, cmd.at)
    checkins = await uow.repo(CheckIn).find(project_id=project.id)
    due = next_due(cmd.at, project, zone_of, checkins, live, runs, cmd.cadence)
    alert_due = await raise_alerts(uow, project, zone_of, checkins, live, cmd.at)
    await uow.agenda.plan(cmd.project_id, min((m for m in (due, alert_due) if m), default=None))
    return c.Reply(f"{sent} check-ins, {chased} reminders or escalations", project.id)


async def wake(event: e.Event, uow: UnitOfWork) -> None:
    """Whatever a person does in a project may make work due sooner (a new customer, a
    decision asked, a check-in sent now, a changed check-in day): the next tick looks.

    The scheduler's own events (no actor) are left out: it plans the project itself.
    """
    if event.project_id is None or event.actor_id is None:
        return
    # A fan-out raises dozens of events at the same moment: the first one wakes the project.
    woken = _WOKEN.setdefault(uow, set())
    if (event.project_id, event.at) not in woken:
        woken.add((event.project_id, event.at))
        await uow.agenda.wake(event.project_id, event.at)


def _zone(people: dict[int, Person], person_id: int) -> ZoneInfo:
    person = people.get(person_id)
    return person.zone if person else ZoneInfo("UTC")


async def _due_checkins(
    uow: UnitOfWork, project: Project, zone_of: ZoneOf, now: datetime
) -> tuple[int, int]:
    """Open the next batch of due check-ins (each customer's, at the project's day and time
    in their zone, for a week since they joined); returns (opened, still due)."""
    wanted, entries = [], customer_entries(project)
    for person_id, entry in entries.items():
        zone, since = zone_of(person_id), project.since(person_id, Role.CUSTOMER)
        week = checkin_due(now, project.checkin_day, project.checkin_time, zone, since)
        away = entry.is_away(now.astimezone(zone).date())
        if week is not None and not away:
            wanted.append((person_id, week))
    return await start_checkins(uow, project, wanted, now, None)


async def _checkin_followups(
    uow: UnitOfWork,
    project: Project,
    zone_of: ZoneOf,
    now: datetime,
    cadence: Cadence,
) -> None:
    """One reminder after a day (in working hours), then the check-in counts as missed."""
    for state in (CheckInState.SENT, CheckInState.REMINDED):
        for checkin in await uow.repo(CheckIn).find(project_id=project.id, state=state):
            event = _followup(checkin, zone_of(checkin.person_id), now, cadence)
            if event is not None:
                emit(uow, event)


def _followup(checkin: CheckIn, zone: ZoneInfo, now: datetime, cadence: Cadence) -> e.Event | None:
    """Remind or miss `checkin` if its time has come (a reminder only in working hours)."""
    kind: type[e.CheckInReminded | e.CheckInMissed]
    if checkin.state is CheckInState.SENT:
        if now < checkin.sent_at + cadence.checkin_reminder_after or not in_window(now, zone):
            return None
        checkin.remind(now)
        kind = e.CheckInReminded
    else:
        if checkin.reminded_at is None or now < checkin.reminded_at + cadence.checkin_missed_after:
            return None
        checkin.miss()
        kind = e.CheckInMissed
    return kind(
        at=now,
        actor_id=None,
        project_id=checkin.project_id,
        subject_id=checkin.id,
        person_id=checkin.person_id,
    )
