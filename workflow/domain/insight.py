"""The read side's arithmetic: pending items' age, PM digest figures, missed check-ins."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.trend import TrendChart

AGE_BUCKETS = ((timedelta(days=2), "under 2 days"), (timedelta(days=7), "2 to 7 days"))
OLDEST_BUCKET = "over a week"
SILENT_AFTER = 2
MISSED_WEEKS = 4  # the digest and pending name the check-ins missed in the last four weeks


@dataclass(frozen=True)
class PendingItem:
    """Something that waits on one person."""

    kind: str
    item_id: int
    project_id: int
    title: str
    waiting_on: int
    since: datetime

    def age(self, now: datetime) -> timedelta:
        return now - self.since


def age_bucket(age: timedelta) -> str:
    for limit, name in AGE_BUCKETS:
        if age < limit:
            return name
    return OLDEST_BUCKET


def by_age(items: Sequence[PendingItem], now: datetime) -> dict[str, int]:
    """Open decisions counted by age bucket (each item once, however many it waits on)."""
    counts = {name: 0 for _, name in AGE_BUCKETS} | {OLDEST_BUCKET: 0}
    for kind, item_id in {(i.kind, i.item_id) for i in items}:
        since = min(i.since for i in items if (i.kind, i.item_id) == (kind, item_id))
        counts[age_bucket(now - since)] += 1
    return counts


@dataclass(frozen=True)
class Missed:
    """A customer's check-in that went unanswered: whose, and which week (its Monday)."""

    person_id: int
    week: date


@dataclass(frozen=True)
class Digest:
    weeks: tuple[date, ...]
    response_rate: float | None
    average_rating: float | None
    trend: tuple[float | None, ...]
    open_by_age: dict[str, int]
    silent: tuple[int, ...]
    notices: int
    chart: TrendChart | None = None  # the same figures over more weeks, to draw
    missed: tuple[Missed, ...] = ()  # newest week first
    # The labels of the project's customers, so whoever renders the digest can name them.
    names: Mapping[int, str] = field(default_factory=dict)


def missed_since(week: date) -> date:
    """The first week whose missed check-ins are still named, `week` being this one."""
    return week - timedelta(weeks=MISSED_WEEKS - 1)


def missed_checkins(
    checkins: Iterable[CheckIn], customers: Iterable[int], since: date
) -> tuple[Missed, ...]:
    """The check-ins of `customers` still missed, of the weeks from `since` on: newest week
    first, then by person (a missed check-in answered late is no longer missed)."""
    wanted = set(customers)
    found = {
        Missed(c.person_id, c.week)
        for c in checkins
        if c.state is CheckInState.MISSED and c.person_id in wanted and c.week >= since
    }
    return tuple(sorted(found, key=lambda m: (-m.week.toordinal(), m.person_id)))


def weekly_averages(checkins: Sequence[CheckIn], weeks: Sequence[date]) -> tuple[float | None, ...]:
    result: list[float | None] = []
    for week in weeks:
        ratings = [c.rating for c in checkins if c.week == week and c.rating is not None]
        result.append(round(sum(ratings) / len(ratings), 2) if ratings else None)
    return tuple(result)


def silent_customers(checkins: Sequence[CheckIn], customers: Sequence[int]) -> tuple[int, ...]:
    """Customers whose last SILENT_AFTER closed check-ins all went unanswered."""
    silent = []
    for person in customers:
        mine = sorted((c for c in checkins if c.person_id == person), key=lambda c: c.week)
        closed = [c for c in mine if c.state is not CheckInState.SENT]
        last = closed[-SILENT_AFTER:]
        if len(last) == SILENT_AFTER and all(c.state is not CheckInState.ANSWERED for c in last):
            silent.append(person)
    return tuple(silent)


def digest(
    checkins: Sequence[CheckIn],
    customers: Sequence[int],
    pending: Sequence[PendingItem],
    notices: int,
    this_week: date,
    now: datetime,
) -> Digest:
    """Figures over the last four weeks up to and including `this_week`."""
    weeks = tuple(this_week - timedelta(weeks=n) for n in range(3, -1, -1))
    recent = [c for c in checkins if c.week in weeks]
    answered = [c for c in recent if c.state is CheckInState.ANSWERED]
    ratings = [c.rating for c in answered if c.rating is not None]
    return Digest(
        weeks=weeks,
        response_rate=round(len(answered) / len(recent), 3) if recent else None,
        average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
        trend=weekly_averages(recent, weeks),
        open_by_age=by_age(pending, now),
        silent=silent_customers(checkins, customers),
        notices=notices,
        missed=missed_checkins(checkins, customers, missed_since(this_week)),
    )
