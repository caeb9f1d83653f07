"""Alerts to a project's PMs: what the check-ins and open decisions say is going wrong.

Each finding is keyed by (kind, subject, period) within a project, and an `Alert` row with
that key (unique in the database) remembers it was raised, so it is raised once:

- **silent**: a customer's last two closed check-ins (by week; answered or missed, still
  open ones not counted) were both missed. Subject: the person; period: the week of the
  first missed check-in of that run, so a longer silence alerts once, and a new silence
  after an answer alerts again. Away weeks have no check-in, so they neither break nor
  extend a run.
- **rating_drop**: the average rating of the answers to the check-ins of last week is 1.5
  or more below the average of all answers to the check-ins of the four weeks before it.
  "Last week" is the full week (Monday to Sunday, UTC) before the one `now` falls in: the
  check-ins whose `week` (their Monday) is `week_of(now, UTC) - 7 days`; the four weeks
  before are those whose Monday is 14 to 35 days before `week_of(now, UTC)`. Both sides
  need at least one answer. Subject: the project; period: last week's Monday.
- **decision_waiting**: an item (a change-request version, a sign-off, a status report)
  has waited on someone for the project's `decision_alert_days` or more, counted from the
  earliest time anyone was asked about that version. Subject: the item; period: its
  version.

Every function takes the time as an argument.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from itertools import takewhile
from zoneinfo import ZoneInfo

from workflow.domain.chases import Chase
from workflow.domain.checkins import CheckIn, CheckInState, week_of

MISSED_IN_A_ROW = 2
RATING_DROP = Fraction(3, 2)
BASELINE_WEEKS = 4
_UTC = ZoneInfo("UTC")


class AlertKind(StrEnum):
    SILENT = "silent"
    RATING_DROP = "rating_drop"
    DECISION_WAITING = "decision_waiting"


@dataclass
class Alert:
    """An alert raised to a project's PMs: its key, and when it went."""

    project_id: int
    kind: str
    subject: str
    period: str
    raised_at: datetime
    id: int | None = None


@dataclass(frozen=True)
class Finding:
    """Something the PMs should hear about: the key of its alert, and the figures to say.

    `about_id` is the person (silent), the project (rating_drop) or the item
    (decision_waiting); `people` are those a decision waits on; `figures` are the run's
    length (silent), last week's average, the earlier average and the answers counted
    (rating_drop), or the days waited (decision_waiting)."""

    kind: AlertKind
    subject: str
    period: str
    about_id: int
    figures: tuple[float, ...] = ()
    people: tuple[int, ...] = ()
    item_kind: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind.value, self.subject, self.period)


_CLOSED = (CheckInState.ANSWERED, CheckInState.MISSED)


def silent_customers(checkins: Iterable[CheckIn], customers: Iterable[int]) -> list[Finding]:
    """Customers whose last MISSED_IN_A_ROW (or more) closed check-ins were all missed."""
    by_person: dict[int, list[CheckIn]] = defaultdict(list)
    for checkin in checkins:
        if checkin.state in _CLOSED:
            by_person[checkin.person_id].append(checkin)
    found = []
    for person in customers:
        closed = sorted(by_person[person], key=lambda c: c.week)
        run = list(takewhile(lambda c: c.state is CheckInState.MISSED, reversed(closed)))
        if len(run) >= MISSED_IN_A_ROW:
            first = run[-1].week.isoformat()
            found.append(Finding(AlertKind.SILENT, f"person:{person}", first, person, (len(run),)))
    return found


def rating_weeks(now: datetime) -> tuple[date, tuple[date, ...]]:
    """Last week's Monday (UTC), and the Mondays of the BASELINE_WEEKS weeks before it."""
    last = week_of(now, _UTC) - timedelta(weeks=1)
    return last, tuple(last - timedelta(weeks=n) for n in range(BASELINE_WEEKS, 0, -1))


def _average(checkins: Iterable[CheckIn], weeks: Iterable[date]) -> tuple[Fraction | None, int]:
    """The average rating of the answers to the check-ins of `weeks`, and how many there were."""
    wanted = set(weeks)
    ratings = [c.rating for c in checkins if c.week in wanted and c.rating is not None]
    return (Fraction(sum(ratings), len(ratings)) if ratings else None), len(ratings)


def rating_drop(checkins: Sequence[CheckIn], project_id: int, now: datetime) -> list[Finding]:
    """The project's satisfaction fell by RATING_DROP or more: last week against the four
    weeks before it (see the module's docstring for the exact weeks)."""
    last, before = rating_weeks(now)
    recent, answers = _average(checkins, [last])
    earlier, _ = _average(checkins, before)
    if recent is None or earlier is None or earlier - recent < RATING_DROP:
        return []
    figures = (float(recent), float(earlier), float(answers))
    return [Finding(AlertKind.RATING_DROP, "project", last.isoformat(), project_id, figures)]


Waits = dict[tuple[str, int, int], list[Chase]]


def _waits(chases: Iterable[Chase]) -> Waits:
    """The chases of decisions still waited on, by item and version."""
    grouped: Waits = defaultdict(list)
    for chase in chases:
        grouped[(chase.kind, chase.item_id, chase.version)].append(chase)
    return grouped


def decision_subject(kind: str, item_id: int) -> str:
    return f"{kind}:{item_id}"


def waiting_decisions(chases: Iterable[Chase], days: int, now: datetime) -> list[Finding]:
    """Items waited on for `days` days or more (from the first ask of their version)."""
    found = []
    for (kind, item_id, version), waits in _waits(chases).items():
        since = min(ch.asked_at for ch in waits)
        if now - since >= timedelta(days=days):
            found.append(
                Finding(
                    AlertKind.DECISION_WAITING,
                    decision_subject(kind, item_id),
                    f"v{version}",
                    item_id,
                    (float((now - since).days),),
                    tuple(sorted({ch.person_id for ch in waits})),
                    kind,
                )
            )
    return found


def next_decision_alert_at(
    chases: Iterable[Chase], days: int, raised: set[tuple[str, str, str]]
) -> datetime | None:
    """When the next decision not yet alerted reaches `days` days of waiting."""
    moments = [
        min(ch.asked_at for ch in waits) + timedelta(days=days)
        for (kind, item_id, version), waits in _waits(chases).items()
        if (AlertKind.DECISION_WAITING.value, decision_subject(kind, item_id), f"v{version}")
        not in raised
    ]
    return min(moments, default=None)
