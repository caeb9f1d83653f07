"""Weekly check-ins: send one per customer and week, and take the answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from workflow.domain import commands as c
from workflow.domain.checkins import CheckIn, week_of
from workflow.domain.errors import NotFound, Refused
from workflow.domain.inbox import Notice, required_text
from workflow.domain.people import Person
from workflow.domain.permissions import Act
from workflow.domain.projects import Participant, Project, Role
from workflow.flows.checkins.messages import (
    AnswerCheckIn,
    CheckInAnswered,
    CheckInSent,
    SendCheckIns,
)
from workflow.flows.common import actor_of, emit, load, pid, project_for
from workflow.flows.notices import record_notice
from workflow.ports import AnyOf, UnitOfWork

# Check-ins opened per transaction. Each batch commits with its outbox rows and audit
# entries, so delivery starts while later batches are written; measured on SQLite with 500
# customers (bench/fanout.py): 25 a batch answers the PM in well under a second and keeps
# each write short enough that people's own requests do not queue behind it.
BATCH = 25
# People named in the answer to `checkin now` as away; the rest are counted.
AWAY_NAMED = 5
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


async def start_checkins(
    uow: UnitOfWork,
    project: Project,
    wanted: Sequence[tuple[int, date]],
    at: datetime,
    actor_id: int | None,
    limit: int = BATCH,
) -> tuple[int, int]:
    """Open the check-ins in `wanted` (person, week) that do not exist yet, at most `limit` of
    them, in this transaction; returns (opened now, still to open).

    Those that exist are found in one query, so running this again (the next batch, a
    retry, a crash's next tick) opens only the rest, in the same order; the unique key on
    (project, person, week) stops a concurrent run from doubling anyone (a conflict: the bus
    retries, and the retry finds them).
    """
    assert project.id is not None
    if not wanted:
        return 0, 0
    weeks = {week for _, week in wanted}
    existing = {
        (ci.person_id, ci.week)
        for ci in await uow.repo(CheckIn).find(project_id=project.id, week=AnyOf(*weeks))
    }
    missing = [pair for pair in dict.fromkeys(wanted) if pair not in existing]
    batch = [CheckIn(project.id, person_id, week, at) for person_id, week in missing[:limit]]
    for checkin in batch:
        await uow.repo(CheckIn).add(checkin)
    await uow.flush()
    emit(
        uow,
        *(
            CheckInSent(
                at=at,
                actor_id=actor_id,
                project_id=project.id,
                subject_id=ci.id,
                person_id=ci.person_id,
                week=ci.week,
            )
            for ci in batch
        ),
    )
    return len(batch), len(missing) - len(batch)


async def send_checkins(cmd: SendCheckIns, uow: UnitOfWork) -> c.Reply:
    """This week's check-in to the customers, a batch per transaction: the reply to the first
    batch carries the next as its follow-up, so the PM hears back at once."""
    pm = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, pm, Act.CHECKIN_NOW)
    targets = project.customers() if cmd.person_id is None else [cmd.person_id]
    wanted, away = await _not_away(uow, project, targets, cmd.at)
    sent, left = await start_checkins(uow, project, wanted, cmd.at, pm.id)
    skipped = _skipped(away, len(targets) - sent - left - len(away), cmd.at)
    if not left:
        return c.Reply(f"Check-ins sent: {sent}{skipped}.", project.id)
    if cmd.continuing:  # a later batch: nobody reads its reply
        return c.Reply(f"{sent} more check-ins sent; {left} to go.", project.id, follow_up=cmd)
    return c.Reply(
        f"Sending check-ins to {sent + left} customers{skipped}. They go out at the chat "
        "platform's pace; send again any time to complete an interrupted round, nobody "
        "gets two.",
        project.id,
        follow_up=replace(cmd, event_id=None, continuing=True),
    )


def _skipped(away: Sequence[tuple[Person, date]], asked: int, at: datetime) -> str:
    """Who was not asked now, and why: `; skipped 1: Carol away until 4 January`."""
    said = ""
    if away:
        named = [f"{p.label} away until {in_words(day, at)}" for p, day in away[:AWAY_NAMED]]
        more = len(away) - len(named)
        said = f"; skipped {len(away)}: {', '.join(named)}" + (f" and {more} more" if more else "")
    return said + (f"; {asked} already asked this week" if asked else "")


def in_words(day: date, at: datetime) -> str:
    """A date as people say it: `4 January`, with the year when it is a year or more ahead."""
    far = (day - at.date()).days >= 365
    return f"{day.day} {MONTHS[day.month - 1]}" + (f" {day.year}" if far else "")


def customer_entries(project: Project) -> dict[int, Participant]:
    """Each customer's participant entry (away dates), by person id."""
    return {p.person_id: p for p in project.participants if p.role is Role.CUSTOMER}


async def _not_away(
    uow: UnitOfWork, project: Project, targets: Sequence[int], at: datetime
) -> tuple[list[tuple[int, date]], list[tuple[Person, date]]]:
    """(customer, their week) for each target not away today, and (customer, back on) for
    each target away; their people in one query."""
    people = {p.id: p for p in await uow.people.get_many(targets)}
    entries = customer_entries(project)  # a dict: 500 customers, not 500 scans of 500
    wanted, away = [], []
    for person_id in targets:
        entry, person = entries.get(person_id), people.get(person_id)
        if entry is None:
            raise Refused("Check-ins go to the project's customers only.")
        if person is None:
            raise NotFound("That person no longer exists (it may have been removed).")
        if entry.away_until is not None and entry.is_away(at.astimezone(person.zone).date()):
            away.append((person, entry.away_until))
        else:
            wanted.append((person_id, week_of(at, person.zone)))
    return wanted, away


async def answer_checkin(cmd: AnswerCheckIn, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    checkin = await load(uow.repo(CheckIn), cmd.checkin_id, "check-in")
    if checkin.person_id != person.id:
        raise Refused("This check-in was sent to someone else; only they can answer it.")
    checkin.answer(cmd.rating, cmd.text, cmd.environment_changed, cmd.at)
    emit(
        uow,
        CheckInAnswered(
            at=cmd.at,
            actor_id=person.id,
            project_id=checkin.project_id,
            subject_id=checkin.id,
            comment=checkin.text,
            rating=cmd.rating,
            environment_changed=cmd.environment_changed,
        ),
    )
    if cmd.environment_changed:
        notice = Notice(
            project_id=checkin.project_id,
            author_id=pid(person),
            what=required_text(cmd.change_what, "what changed on your side"),
            affects=cmd.change_affects.strip(),
            created_at=cmd.at,
            since=cmd.change_since,
            checkin_id=checkin.id,
        )
        await record_notice(uow, notice, person.id, cmd.at)
    return c.Reply("Thank you for your check-in!", checkin.id)
