"""Chasing a decision that waits on someone: reminders on a cadence, then one escalation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from workflow.domain.schedule import Cadence, add_working_days, allowed_at


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
    escalated_at: datetime | None = None
    id: int | None = None
    row_version: int = 0

    def next_step_at(
        self, cadence: Cadence, zone: ZoneInfo, escalate_zone: ZoneInfo
    ) -> datetime | None:
        """When the next reminder (in the person's hours) or the escalation (in the hours of
        those it goes to) is due; None when all is done."""
        if self.escalated_at is not None:
            return None
        since = self.last_reminded_at or self.asked_at
        due = add_working_days(since, cadence.reminder_every_working_days, zone)
        if self.reminders >= cadence.max_reminders:
            return allowed_at(due, escalate_zone)
        return allowed_at(due, zone)

    def step(
        self, now: datetime, cadence: Cadence, zone: ZoneInfo, escalate_zone: ZoneInfo
    ) -> str | None:
        """'remind' or 'escalate' if one is due at `now` (and record it), else None."""
        due = self.next_step_at(cadence, zone, escalate_zone)
        if due is None or now < due:
            return None
        if self.reminders < cadence.max_reminders:
            self.reminders += 1
            self.last_reminded_at = now
            return "remind"
        self.escalated_at = now
        return "escalate"


@dataclass
class DigestRun:
    """The weekly PM digest of one project was sent for this week."""

    project_id: int
    week: date
    sent_at: datetime
    id: int | None = None
