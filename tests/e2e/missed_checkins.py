"""Makes this week's check-ins missed the way the scheduler does: a reminder a working day
after they were sent, then a miss a day after the reminder."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from scheduler.jobs import Ticker
from tests.fakes import FixedClock
from workflow.domain.checkins import CheckIn, CheckInState

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


async def miss_open_checkins(runtime: Any) -> dict[int, date]:
    """Tick the scheduler at 16:00 UTC two or more weekdays from now (working hours in Paris
    and New York), then a day later; returns the missed check-ins' weeks by person id."""
    day = datetime.now(UTC).date() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    reminded = datetime.combine(day, time(16, 0), tzinfo=UTC)
    for at in (reminded, reminded + timedelta(hours=25)):
        await Ticker(runtime.bus, runtime.uow, FixedClock(at)).tick()
    async with runtime.uow() as uow:
        missed = await uow.repo(CheckIn).find(state=CheckInState.MISSED)
    return {c.person_id: c.week for c in missed}


def week_words(week: date) -> str:
    return f"week of {week.day} {MONTHS[week.month - 1]}"
