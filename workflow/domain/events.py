"""Events: what happened, in the past tense; each one becomes an audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime as _dt
from typing import ClassVar


@dataclass(frozen=True, kw_only=True)
class Event:
    """Common facts for the audit: when, who, which project, which subject and version."""

    subject_kind: ClassVar[str] = ""
    at: _dt
    actor_id: int | None
    project_id: int | None
    subject_id: int | None
    version: int | None = None
    shown_hash: str = ""
    comment: str = ""


@dataclass(frozen=True, kw_only=True)
class CheckInReminded(Event):
    subject_kind = "checkin"
    person_id: int


@dataclass(frozen=True, kw_only=True)
class CheckInMissed(Event):
    subject_kind = "checkin"
    person_id: int


# The scheduler's chasing of open decisions, and the weekly digest
@dataclass(frozen=True, kw_only=True)
class DecisionReminded(Event):
    subject_kind = "chase"
    kind: str
    item_id: int
    person_id: int
    reminder: int


@dataclass(frozen=True, kw_only=True)
class DecisionEscalated(Event):
    """The wait on `person_id` reached `to` (a sponsor or PM), in `to`'s working hours."""

    subject_kind = "chase"
    kind: str
    item_id: int
    person_id: int
    waiting_days: int
    to: int


@dataclass(frozen=True, kw_only=True)
class DigestSent(Event):
    """The week's digest went to the PM `person_id`, at their own check-in time."""

    subject_kind = "project"
    week: date
    person_id: int
