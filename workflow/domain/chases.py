"""Chasing a decision that waits on someone: reminders on a cadence, then one escalation.

Everything here happens in the working hours of the person it reaches: a reminder in the
chased person's, the escalation in each recipient's own (the sponsors and the PMs, each
told once, when their day has begun). Every function takes the time as an argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from workflow.domain.projects import Project
from workflow.domain.schedule import Cadence, add_working_days, allowed_at, in_window

# Those an escalation goes to (person id -> their zone), in the order they are told.
Recipients = Mapping[int, ZoneInfo]


@dataclass
class Chase:
    """One person's part in one open item (a change-request version, a sign-off, a report)."""

    kind: str
    item_id: int
    person_id: int
    version: int
    project_id: int
    asked_at: datetime
    reminders: int = 0
    last_reminded_at: datetime | None = None
    escalated_at: datetime | None = None  # when the first recipient was told
    id: int | None = None
    row_version: int = 0
    # Whom the escalation has reached (reassigned, never mutated, so a change is saved).
    escalated_to: list[int] = field(default_factory=list)

    def next_step_at(
        self, now: datetime, cadence: Cadence, zone: ZoneInfo, recipients: Recipients
    ) -> datetime | None:
        """When the next reminder (in the person's hours) or the escalation (the earliest
        of its recipients still to be told, in their own hours) may go; never before `now`.
        None when all is done."""
        due = self._due(cadence, zone)
        if self.reminders < cadence.max_reminders:
            return allowed_at(max(due, now), zone)
        zones = self._untold(recipients).values()
        return min((allowed_at(max(due, now), z) for z in zones), default=None)

    def remind(self, now: datetime, cadence: Cadence, zone: ZoneInfo) -> bool:
        """Record a reminder if one is due at `now`, inside the person's working hours."""
        if self.reminders >= cadence.max_reminders or not in_window(now, zone):
            return False
        if now < self._due(cadence, zone):
            return False
        self.reminders += 1
        self.last_reminded_at = now
        return True

    def escalate(
        self, now: datetime, cadence: Cadence, zone: ZoneInfo, recipients: Recipients
    ) -> list[int]:
        """Record and return the recipients the escalation reaches at `now`: once reminded
        enough and its time has come, each still untold whose working hours these are."""
        if self.reminders < cadence.max_reminders or now < self._due(cadence, zone):
            return []
        told = [p for p, z in self._untold(recipients).items() if in_window(now, z)]
        if told:
            self.escalated_to = [*self.escalated_to, *told]
            self.escalated_at = self.escalated_at or now
        return told

    def _due(self, cadence: Cadence, zone: ZoneInfo) -> datetime:
        """The next step's moment by the cadence alone (working days of the chased person)."""
        since = self.last_reminded_at or self.asked_at
        return add_working_days(since, cadence.reminder_every_working_days, zone)

    def _untold(self, recipients: Recipients) -> dict[int, ZoneInfo]:
        # An escalation recorded before recipients were (none listed) reached everyone.
        if self.escalated_at is not None and not self.escalated_to:
            return {}
        return {p: z for p, z in recipients.items() if p not in self.escalated_to}


@dataclass
class DigestRun:
    """The weekly digest of one project went to one PM (None: every PM, before 0013)."""

    project_id: int
    week: date
    sent_at: datetime
    id: int | None = None
    person_id: int | None = None


def escalation_recipients(project: Project, zone_of: Callable[[int], ZoneInfo]) -> Recipients:
    """The sponsors, then the PMs, each with their own zone."""
    return {p: zone_of(p) for p in [*project.sponsors, *project.pms]}


def digest_weeks(runs: Iterable[DigestRun], pm: int) -> set[date]:
    """The weeks whose digest reached `pm` (a run of every PM counts for each)."""
    return {run.week for run in runs if run.person_id in (pm, None)}
