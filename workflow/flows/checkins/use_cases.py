"""Weekly check-ins: send one per customer and week, and take the answer."""

from __future__ import annotations

from datetime import date, datetime

from workflow.domain import commands as c
from workflow.domain.checkins import CheckIn, week_of
from workflow.domain.errors import Refused
from workflow.domain.inbox import Notice, required_text
from workflow.domain.permissions import Act
from workflow.domain.projects import Project
from workflow.flows.checkins.messages import (
    AnswerCheckIn,
    CheckInAnswered,
    CheckInSent,
    SendCheckIns,
)
from workflow.flows.common import actor_of, emit, load, pid, project_for
from workflow.flows.notices import record_notice
from workflow.ports import UnitOfWork


async def start_checkin(
    uow: UnitOfWork,
    project: Project,
    person_id: int,
    week: date,
    at: datetime,
    actor_id: int | None,
) -> CheckIn | None:
    """Open this week's check-in for one customer; None when it already exists."""
    assert project.id is not None
    if await uow.repo(CheckIn).find(project_id=project.id, person_id=person_id, week=week):
        return None
    checkin = CheckIn(project_id=project.id, person_id=person_id, week=week, sent_at=at)
    await uow.repo(CheckIn).add(checkin)
    await uow.flush()
    emit(
        uow,
        CheckInSent(
            at=at,
            actor_id=actor_id,
            project_id=project.id,
            subject_id=checkin.id,
            person_id=person_id,
            week=week,
        ),
    )
    return checkin


async def send_checkins(cmd: SendCheckIns, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, pm, Act.CHECKIN_NOW)
    targets = project.customers() if cmd.person_id is None else [cmd.person_id]
    sent, skipped = 0, 0
    for person_id in targets:
        entry = project.customer_entry(person_id)
        if entry is None:
            raise Refused("Check-ins go to the project's customers only.")
        person = await load(uow.people, person_id, "person", lock=False)
        if entry.is_away(cmd.at.astimezone(person.zone).date()):
            skipped += 1
            continue
        week = week_of(cmd.at, person.zone)
        if await start_checkin(uow, project, person_id, week, cmd.at, pm.id):
            sent += 1
        else:
            skipped += 1
    return c.Reply(
        f"Check-ins sent: {sent}; skipped {skipped} (away, or already asked this week).", project.id
    )


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
