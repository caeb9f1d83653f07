"""Calendar rules for the scheduler: quiet hours, working days, and when a check-in is due.

Nobody is messaged by the scheduler outside 08:00-19:00 of their own time or at weekends;
a PM who asks for "now" is not the scheduler. Every function takes the time as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from workflow.domain.checkins import occurrence_at, week_of

DAY_STARTS, DAY_ENDS = time(8, 0), time(19, 0)
SATURDAY = 5
# A weekly moment missed (the scheduler was down, the person away) is still caught up for
# six days; then the next week's comes.
CATCH_UP = timedelta(days=6)


@dataclass(frozen=True)
class Cadence:
    """How the scheduler chases: check-in reminder and miss, decision reminders, escalation."""

    checkin_reminder_after: timedelta = timedelta(hours=24)
    checkin_missed_after: timedelta = timedelta(hours=24)
    reminder_every_working_days: int = 2
    max_reminders: int = 3


def in_window(moment: datetime, zone: ZoneInfo) -> bool:
    local = moment.astimezone(zone)
    return local.weekday() < SATURDAY and DAY_STARTS <= local.time() < DAY_ENDS


def allowed_at(moment: datetime, zone: ZoneInfo) -> datetime:
    """The first instant at or after `moment` inside someone's working hours."""
    local = moment.astimezone(zone)
    for days in range(8):
        day = local.date() + timedelta(days=days)
        if day.weekday() >= SATURDAY:
            continue
        opens = datetime.combine(day, DAY_STARTS, tzinfo=zone)
        closes = datetime.combine(day, DAY_ENDS, tzinfo=zone)
        if days == 0 and local >= closes:
            continue
        return max(local, opens).astimezone(UTC)
    raise AssertionError("a week always has a working day")  # pragma: no cover


def add_working_days(moment: datetime, days: int, zone: ZoneInfo) -> datetime:
    """`moment` plus `days` working days (Saturdays and Sundays do not count)."""
    local = moment.astimezone(zone)
    added = 0
    while added < days:
        local += timedelta(days=1)
        if local.weekday() < SATURDAY:
            added += 1
    return local.astimezone(UTC)


def slot_at(week: date, day: int, at: time, zone: ZoneInfo) -> datetime:
    """When a week's weekly slot (day and local time) is really due: moved into working hours."""
    return allowed_at(occurrence_at(week, day, at, zone), zone)


def checkin_due(now: datetime, day: int, at: time, zone: ZoneInfo, since: datetime) -> date | None:
    """The week whose check-in is due by `now` in `zone` (postponed into working hours).

    This week's, once its moment (moved into working hours) has passed; or last week's,
    when its moment was missed (the scheduler was down, or the moment was pushed past the
    weekend) and is caught up now. Only a moment at or after `since` (when the project, or
    the person's part in it, began) counts: nothing is owed for a week before it. Never
    outside working hours, even when the scheduler catches up after being down.
    """
    if not in_window(now, zone):
        return None
    this_week = week_of(now, zone)
    for week in (this_week - timedelta(weeks=1), this_week):
        moment = slot_at(week, day, at, zone)
        if since <= moment <= now < moment + CATCH_UP:
            return week
    return None
