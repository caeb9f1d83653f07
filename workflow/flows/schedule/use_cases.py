"""The scheduler's work on one project, in one transaction: the database decides what is due.

A tick runs this for each project whose next-due moment has come. The project is claimed
first (its row locked, or skipped when another scheduler holds it), so several scheduler
replicas on one PostgreSQL never do the same project's work twice; after the work, the
project's next-due moment is planned: the earliest moment anything of it falls due.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from functools import partial
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from workflow.domain import commands as c
from workflow.domain import events as e
from workflow.domain.agenda import next_due
from workflow.domain.chases import Chase, DigestRun
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.people import Person
from workflow.domain.projects import Project, ProjectState
from workflow.domain.schedule import Cadence, checkin_due, in_window
from workflow.flows.checkins.use_cases import customer_entries, start_checkins
from workflow.flows.common import emit, load
from workflow.flows.schedule.alerts import raise_alerts
from workflow.flows.waiting import waiting_in
from workflow.ports import UnitOfWork

Waiting = tuple[str, int, int, int, datetime]  # kind, item id, person id, version, asked at
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
    sent, left = await _due_checkins(uow, project, people, cmd.at)
    if left:
        await uow.agenda.plan(cmd.project_id, cmd.at)
        return c.Reply(f"{sent} check-ins, {left} to go", project.id, follow_up=cmd)
    await _checkin_followups(uow, project, people, cmd.at, cmd.cadence)
    chased, live = await _chase(uow, project, people, cmd.at, cmd.cadence)
    digest_weeks = await _digest(uow, project, people, cmd.at)
    checkins = await uow.repo(CheckIn).find(project_id=project.id)
    zone_of = partial(_zone, people)
    due = next_due(cmd.at, project, zone_of, checkins, live, digest_weeks, cmd.cadence)
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
    uow: UnitOfWork, project: Project, people: dict[int, Person], now: datetime
) -> tuple[int, int]:
    """Open the next batch of due check-ins; returns (opened, still due)."""
    wanted, entries = [], customer_entries(project)
    for person_id, entry in entries.items():
        zone = _zone(people, person_id)
        week = checkin_due(now, project.checkin_day, project.checkin_time, zone)
        away = entry.is_away(now.astimezone(zone).date())
        if week is not None and not away:
            wanted.append((person_id, week))
    return await start_checkins(uow, project, wanted, now, None)


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
) -> tuple[int, list[Chase]]:
    """Start chasing new decisions, step the others; returns the steps taken and the chases
    of every decision still waited on."""
    assert project.id is not None
    chases = {
        (ch.kind, ch.item_id, ch.person_id, ch.version): ch
        for ch in await uow.chases.find(project_id=project.id)
    }
    steps, live = 0, []
    for kind, item_id, person_id, version, asked in await _waiting(uow, project):
        chase = chases.get((kind, item_id, person_id, version))
        if chase is None:
            chase = Chase(kind, item_id, person_id, version, project.id, asked)
            await uow.chases.add(chase)
            live.append(chase)
            continue
        live.append(chase)
        zones = _zone(people, person_id), _zone(people, (project.pms or [person_id])[0])
        for event in _steps(chase, now, cadence, *zones):
            emit(uow, event)
            steps += 1
    return steps, live


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
) -> set[date]:
    """The weekly PM digest, on the check-in day at the check-in time of the first PM.

    Returns the weeks whose digest has gone."""
    assert project.id is not None
    if not project.pms:
        return set()
    zone = _zone(people, project.pms[0])
    week = checkin_due(now, project.checkin_day, project.checkin_time, zone)
    weeks = {run.week for run in await uow.digests.find(project_id=project.id)}
    if week is None or week in weeks:
        return weeks
    await uow.digests.add(DigestRun(project.id, week, now))
    emit(
        uow,
        e.DigestSent(
            at=now, actor_id=None, project_id=project.id, subject_id=project.id, week=week
        ),
    )
    return weeks | {week}
