"""Weekly check-ins: one occurrence per participant and week, at their own local time.

```mermaid
stateDiagram-v2
    [*] --> sent
    sent --> answered: answer
    sent --> reminded: remind
    reminded --> answered: answer
    reminded --> missed: miss
    missed --> answered: answer
```
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from workflow.domain.errors import Refused
from workflow.domain.states import Machine


class CheckInState(StrEnum):
    SENT = "sent"
    REMINDED = "reminded"
    ANSWERED = "answered"
    MISSED = "missed"


class CheckInAction(StrEnum):
    ANSWER = "answer"
    REMIND = "remind"
    MISS = "miss"


TRANSITIONS = {
    (CheckInState.SENT, CheckInAction.ANSWER): CheckInState.ANSWERED,
    (CheckInState.SENT, CheckInAction.REMIND): CheckInState.REMINDED,
    (CheckInState.REMINDED, CheckInAction.ANSWER): CheckInState.ANSWERED,
    (CheckInState.REMINDED, CheckInAction.MISS): CheckInState.MISSED,
    (CheckInState.MISSED, CheckInAction.ANSWER): CheckInState.ANSWERED,
}
MACHINE = Machine[CheckInState, CheckInAction]("check-in", TRANSITIONS)


@dataclass
class CheckIn:
    """One participant's check-in for one week (the Monday of that week in their zone)."""

    project_id: int
    person_id: int
    week: date
    sent_at: datetime
    state: CheckInState = CheckInState.SENT
    rating: int | None = None
    text: str = ""
    environment_changed: bool = False
    reminded_at: datetime | None = None
    answered_at: datetime | None = None
    # The decisions its messages show ("change_request:12"): they are kept current there.
    carried: list[str] = field(default_factory=list)
    id: int | None = None
    row_version: int = 0

    def answer(self, rating: int, text: str, environment_changed: bool, at: datetime) -> None:
        if not 1 <= rating <= 5:
            raise Refused("Please rate your satisfaction from 1 (poor) to 5 (great).")
        self.state = MACHINE.next(self.state, CheckInAction.ANSWER)
        self.rating, self.text = rating, text.strip()
        self.environment_changed, self.answered_at = environment_changed, at

    def remind(self, at: datetime) -> None:
        self.state = MACHINE.next(self.state, CheckInAction.REMIND)
        self.reminded_at = at

    def miss(self) -> None:
        self.state = MACHINE.next(self.state, CheckInAction.MISS)

    @property
    def shows_decisions(self) -> bool:
        """Whether its messages show the decisions it carries (an answer or a miss ends it)."""
        return self.state in SHOWING

    def carry(self, items: Iterable[str]) -> None:
        """Add what a message of it shows; the list is replaced, never mutated (so it is
        saved), and only when something is new (so an unchanged check-in is not written)."""
        merged = list(dict.fromkeys([*self.carried, *items]))
        if merged != self.carried:
            self.carried = merged


# The states in which a check-in's messages still show the decisions it carries.
SHOWING = (CheckInState.SENT, CheckInState.REMINDED)


def week_of(moment: datetime, zone: ZoneInfo) -> date:
    """The Monday of the week `moment` falls in, in `zone`."""
    local = moment.astimezone(zone).date()
    return local - timedelta(days=local.weekday())


def occurrence_at(week: date, day: int, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a week's check-in at local `day` and `at` (DST-safe).

    A local time that does not exist (spring forward) moves to the same wall time after
    the gap; an ambiguous one (fall back) takes the first of the two.
    """
    local = datetime.combine(week + timedelta(days=day), at, tzinfo=zone)
    return local.astimezone(UTC)


def due_week(now: datetime, day: int, at: time, zone: ZoneInfo) -> date | None:
    """The week whose check-in is due by `now` (this week once its moment passed)."""
    week = week_of(now, zone)
    return week if now >= occurrence_at(week, day, at, zone) else None
