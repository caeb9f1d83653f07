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

from workflow.domain.chases import Chase, DigestRun, digest_weeks, escalation_recipients
from workflow.domain.checkins import CheckIn, CheckInState, week_of
from workflow.domain.projects import Project, Role
from workflow.domain.schedule import CATCH_UP, Cadence, allowed_at, slot_at


def next_weekly_at(
    now: datetime,
    day: int,
    at: time,
    zone: ZoneInfo,
    done: Iterable[date],
    *,
    since: datetime,
    away_until: date | None = None,
) -> datetime | None:
    """The first moment from `now` on when a weekly occurrence not yet `done` is due in
    `zone` (in working hours, and not while the person is away); None if none can be.

    As `checkin_due`: only a slot at or after `since` (when the person's part began)."""
    finished = set(done)
    this_week = week_of(now, zone)
    for n in range(-1, 3):
        week = this_week + timedelta(weeks=n)
        moment = slot_at(week, day, at, zone)
        due = max(moment, allowed_at(now, zone))
        if away_until is not None:
            back = datetime.combine(away_until, time(0), tzinfo=zone)
            due = max(due, allowed_at(back, zone))
        if week not in finished and moment >= since and due < moment + CATCH_UP:
            return due
    return None


def checkin_followup_at(
    now: datetime, checkin: CheckIn, cadence: Cadence, zone: ZoneInfo
) -> datetime | None:
    """When an open check-in is reminded (in working hours, never before `now`) or counts
    as missed (its card is only updated, so at any hour)."""
    if checkin.state is CheckInState.SENT:
        return allowed_at(max(checkin.sent_at + cadence.checkin_reminder_after, now), zone)
    if checkin.state is CheckInState.REMINDED and checkin.reminded_at is not None:
        return checkin.reminded_at + cadence.checkin_missed_after
    return None


def next_due(
    now: datetime,
    project: Project,
    zone_of: Callable[[int], ZoneInfo],
    checkins: Iterable[CheckIn],
    chases: Iterable[Chase],
    digest_runs: Iterable[DigestRun],
    cadence: Cadence,
) -> datetime | None:
    """The earliest of: each customer's next check-in (in their zone), each open check-in's
    reminder or miss, each live chase's next step (in the hours of whom it reaches), and
    each PM's next digest (in their zone). Never before `now`, but for a miss that is due.

    `chases` are those of decisions still waited on; None means nothing can ever fall due.
    """
    checkins = list(checkins)
    moments = _weekly_checkins(now, project, zone_of, checkins)
    moments += [checkin_followup_at(now, ci, cadence, zone_of(ci.person_id)) for ci in checkins]
    recipients = escalation_recipients(project, zone_of)
    for chase in chases:
        moments.append(chase.next_step_at(now, cadence, zone_of(chase.person_id), recipients))
    moments += _digests(now, project, zone_of, list(digest_runs))
    return min((m for m in moments if m is not None), default=None)


def _weekly_checkins(
    now: datetime,
    project: Project,
    zone_of: Callable[[int], ZoneInfo],
    checkins: list[CheckIn],
) -> list[datetime | None]:
    """Each customer's next check-in: in their zone, since they joined, when not away."""
    weekly = partial(next_weekly_at, now, project.checkin_day, project.checkin_time)
    moments: list[datetime | None] = []
    for person_id in project.customers():
        entry = project.customer_entry(person_id)
        done = [ci.week for ci in checkins if ci.person_id == person_id]
        away = entry.away_until if entry is not None else None
        since = project.since(person_id, Role.CUSTOMER)
        moments.append(weekly(zone_of(person_id), done, since=since, away_until=away))
    return moments


def _digests(
    now: datetime, project: Project, zone_of: Callable[[int], ZoneInfo], runs: list[DigestRun]
) -> list[datetime | None]:
    """Each PM's next digest: at the check-in day and time in their zone, since they joined."""
    weekly = partial(next_weekly_at, now, project.checkin_day, project.checkin_time)
    return [
        weekly(zone_of(pm), digest_weeks(runs, pm), since=project.since(pm, Role.PM))
        for pm in project.pms
    ]
