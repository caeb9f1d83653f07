"""When a project next has scheduler work: the earliest moment anything of it falls due.

The tick works only projects whose stored next-due moment has come, so this must never be
late (a check-in would be missed); being early only costs one look at the project.
Every function takes the time as an argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from workflow.domain.chases import Chase
from workflow.domain.checkins import CheckIn, CheckInState, occurrence_at, week_of
from workflow.domain.projects import Project
from workflow.domain.schedule import Cadence, allowed_at

# `checkin_due` still sends a week's check-in up to six days after its moment.
CATCH_UP = timedelta(days=6)


def next_weekly_at(
    now: datetime,
    day: int,
    at: time,
    zone: ZoneInfo,
    done: Iterable[date],
    away_until: date | None = None,
) -> datetime | None:
    """The first moment from `now` on when a weekly occurrence not yet `done` is due in
    `zone` (in working hours, and not while the person is away); None if none can be."""
    finished = set(done)
    this_week = week_of(now, zone)
    for n in range(-1, 3):
        week = this_week + timedelta(weeks=n)
        moment = allowed_at(occurrence_at(week, day, at, zone), zone)
        due = max(moment, allowed_at(now, zone))
        if away_until is not None:
            back = datetime.combine(away_until, time(0), tzinfo=zone)
            due = max(due, allowed_at(back, zone))
        if week not in finished and due < moment + CATCH_UP:
            return due
    return None


def checkin_followup_at(checkin: CheckIn, cadence: Cadence, zone: ZoneInfo) -> datetime | None:
    """When an open check-in is reminded (in working hours) or counts as missed."""
    if checkin.state is CheckInState.SENT:
        return allowed_at(checkin.sent_at + cadence.checkin_reminder_after, zone)
    if checkin.state is CheckInState.REMINDED and checkin.reminded_at is not None:
        return checkin.reminded_at + cadence.checkin_missed_after
    return None


def next_due(
    now: datetime,
    project: Project,
    zone_of: Callable[[int], ZoneInfo],
    checkins: Iterable[CheckIn],
    chases: Iterable[Chase],
    digest_weeks: Iterable[date],
    cadence: Cadence,
) -> datetime | None:
    """The earliest of: each customer's next check-in (in their zone), each open check-in's
    reminder or miss, each live chase's next step, and the PMs' next digest.

    `chases` are those of decisions still waited on; None means nothing can ever fall due.
    """
    checkins = list(checkins)
    weekly = partial(next_weekly_at, now, project.checkin_day, project.checkin_time)
    moments: list[datetime | None] = []
    for person_id in project.customers():
        entry = project.customer_entry(person_id)
        done = [ci.week for ci in checkins if ci.person_id == person_id]
        away = entry.away_until if entry is not None else None
        moments.append(weekly(zone_of(person_id), done, away))
    moments += [checkin_followup_at(ci, cadence, zone_of(ci.person_id)) for ci in checkins]
    first_pm = project.pms[0] if project.pms else None
    for chase in chases:
        escalate_zone = zone_of(first_pm if first_pm is not None else chase.person_id)
        moments.append(chase.next_step_at(cadence, zone_of(chase.person_id), escalate_zone))
    if first_pm is not None:
        moments.append(weekly(zone_of(first_pm), digest_weeks))
    return min((m for m in moments if m is not None), default=None)
