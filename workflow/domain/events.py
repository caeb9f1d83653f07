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


# Projects and people
@dataclass(frozen=True, kw_only=True)
class ProjectCreated(Event):
    subject_kind = "project"
    key: str
    welcomed: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class PeopleChanged(Event):
    subject_kind = "project"
    added: tuple[tuple[int, str], ...]
    removed: tuple[tuple[int, str], ...]
    welcomed: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class SettingsChanged(Event):
    subject_kind = "project"
    settings: str


@dataclass(frozen=True, kw_only=True)
class AwaySet(Event):
    subject_kind = "person"
    until: date | None


# Customer requests, notices, feedback, invitations
@dataclass(frozen=True, kw_only=True)
class RequestReceived(Event):
    subject_kind = "request"


@dataclass(frozen=True, kw_only=True)
class RequestHandled(Event):
    subject_kind = "request"
    state: str


@dataclass(frozen=True, kw_only=True)
class NoticeReceived(Event):
    subject_kind = "notice"


@dataclass(frozen=True, kw_only=True)
class NoticeHandled(Event):
    subject_kind = "notice"
    state: str


@dataclass(frozen=True, kw_only=True)
class FeedbackReceived(Event):
    subject_kind = "feedback"


@dataclass(frozen=True, kw_only=True)
class InvitationSent(Event):
    subject_kind = "invitation"


@dataclass(frozen=True, kw_only=True)
class InvitationAnswered(Event):
    subject_kind = "invitation"
    state: str


# Sign-offs
@dataclass(frozen=True, kw_only=True)
class SignoffRequested(Event):
    subject_kind = "signoff"
    superseded: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class SignoffAnswered(Event):
    subject_kind = "signoff"
    verdict: str


@dataclass(frozen=True, kw_only=True)
class SignoffSettled(Event):
    subject_kind = "signoff"
    state: str


# Change requests
@dataclass(frozen=True, kw_only=True)
class ChangeRequested(Event):
    subject_kind = "change_request"


@dataclass(frozen=True, kw_only=True)
class ApprovalAsked(Event):
    subject_kind = "change_request"
    approver_ids: tuple[int, ...]
    changed: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ChangeDecided(Event):
    subject_kind = "change_request"
    verdict: str


@dataclass(frozen=True, kw_only=True)
class ChangeEdited(Event):
    subject_kind = "change_request"
    changed: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class QuestionAsked(Event):
    subject_kind = "change_request"
    question_id: int


@dataclass(frozen=True, kw_only=True)
class QuestionAnswered(Event):
    subject_kind = "change_request"
    question_id: int
    asker_id: int


@dataclass(frozen=True, kw_only=True)
class ChangeSettled(Event):
    subject_kind = "change_request"
    state: str


# Status reports
@dataclass(frozen=True, kw_only=True)
class ReportPosted(Event):
    subject_kind = "report"


@dataclass(frozen=True, kw_only=True)
class ReportReviewed(Event):
    subject_kind = "report"
    kind: str
    state: str


# Check-ins
@dataclass(frozen=True, kw_only=True)
class CheckInSent(Event):
    subject_kind = "checkin"
    person_id: int
    week: date


@dataclass(frozen=True, kw_only=True)
class CheckInAnswered(Event):
    subject_kind = "checkin"
    rating: int
    environment_changed: bool


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
    subject_kind = "chase"
    kind: str
    item_id: int
    person_id: int
    waiting_days: int


@dataclass(frozen=True, kw_only=True)
class DigestSent(Event):
    subject_kind = "project"
    week: date


# Closing
@dataclass(frozen=True, kw_only=True)
class ClosingStarted(Event):
    subject_kind = "project"
    evaluator_ids: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class EvaluationSubmitted(Event):
    subject_kind = "project"
    anonymous: bool


@dataclass(frozen=True, kw_only=True)
class ProjectClosed(Event):
    subject_kind = "project"
    closed_early: bool
