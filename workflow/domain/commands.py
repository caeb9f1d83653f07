"""Commands: what someone asks the core to do, in the imperative, platform-neutral."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from workflow.domain.changes import Verdict
from workflow.domain.closing import DeliverableVerdict
from workflow.domain.inbox import InvitationAnswer, RequestAction
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import ApprovalOrder, ApprovalRule, CustomerKind, Role
from workflow.domain.reports import Rag, ReviewKind
from workflow.domain.schedule import Cadence
from workflow.domain.signoffs import SignoffKind, SignoffVerdict


@dataclass(frozen=True)
class PersonRef:
    """A person as an adapter knows them: identity, and name and zone when it has them."""

    identity: Identity
    display_name: str = ""
    timezone: str | None = None


@dataclass(frozen=True, kw_only=True)
class Command:
    """Every command says who asks (None for the scheduler), when, and its inbound event id."""

    actor: PersonRef | None
    at: datetime
    event_id: str | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError(f"{type(self).__name__}.at must be timezone-aware, not {self.at}")


@dataclass(frozen=True, kw_only=True)
class CreateProject(Command):
    platform: Platform
    workspace_id: str
    workspace_name: str = ""
    channel_id: str
    name: str
    key: str
    customers: tuple[tuple[PersonRef, CustomerKind], ...] = ()
    sponsor: PersonRef | None = None
    members: tuple[PersonRef, ...] = ()
    checkin_day: int = 0
    checkin_time: time = time(10, 0)


@dataclass(frozen=True, kw_only=True)
class ChangePeople(Command):
    project_id: int
    add: tuple[tuple[PersonRef, Role, CustomerKind | None], ...] = ()
    remove: tuple[tuple[PersonRef, Role], ...] = ()


@dataclass(frozen=True, kw_only=True)
class SetApprovalPolicy(Command):
    project_id: int
    rule: ApprovalRule
    quorum: int | None = None
    order: ApprovalOrder = ApprovalOrder.PARALLEL


@dataclass(frozen=True, kw_only=True)
class SetCheckInSchedule(Command):
    project_id: int
    day: int
    time: time


@dataclass(frozen=True, kw_only=True)
class ConfigureProject(Command):
    """Check-in schedule and approval policy together, as the settings form sends them."""

    project_id: int
    day: int
    time: time
    rule: ApprovalRule
    quorum: int | None = None
    order: ApprovalOrder = ApprovalOrder.PARALLEL


@dataclass(frozen=True, kw_only=True)
class UpdateProfile(Command):
    """An adapter learned a person's name or time zone (e.g. from users.info)."""

    person: PersonRef


@dataclass(frozen=True, kw_only=True)
class SetAway(Command):
    project_id: int | None = None
    until: date | None


@dataclass(frozen=True, kw_only=True)
class SendRequest(Command):
    project_id: int
    text: str


@dataclass(frozen=True, kw_only=True)
class HandleRequest(Command):
    request_id: int
    action: RequestAction
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class RequestSignoff(Command):
    project_id: int
    kind: SignoffKind
    title: str
    link: str = ""
    summary: str = ""
    version: str = "1"
    due_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class DecideSignoff(Command):
    signoff_id: int
    verdict: SignoffVerdict
    remarks: str = ""


@dataclass(frozen=True, kw_only=True)
class WithdrawSignoff(Command):
    signoff_id: int


@dataclass(frozen=True, kw_only=True)
class CreateChangeRequest(Command):
    project_id: int
    title: str
    description: str = ""
    scope: str = ""
    schedule_days: int = 0
    cost: Decimal = Decimal(0)
    reason: str = ""
    due_at: datetime | None = None
    from_request_id: int | None = None
    from_notice_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class EditChangeRequest(Command):
    change_id: int
    changes: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class DecideChange(Command):
    change_id: int
    version: int
    verdict: Verdict
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class AskAboutChange(Command):
    change_id: int
    text: str


@dataclass(frozen=True, kw_only=True)
class AnswerQuestion(Command):
    change_id: int
    question_id: int
    text: str


@dataclass(frozen=True, kw_only=True)
class WithdrawChange(Command):
    change_id: int


@dataclass(frozen=True, kw_only=True)
class ExpireOverdue(Command):
    """The scheduler's sweep: every change request and sign-off past its due time expires."""


@dataclass(frozen=True, kw_only=True)
class RunSchedule(Command):
    """The scheduler's work for one project at `at`: due check-ins, reminders, misses,
    chasing open decisions, escalations and the weekly digest (actor is None)."""

    project_id: int
    cadence: Cadence = field(default_factory=Cadence)


@dataclass(frozen=True, kw_only=True)
class PostReport(Command):
    project_id: int
    period: str
    rag: Rag
    summary: str
    risks: str = ""
    next_steps: str = ""


@dataclass(frozen=True, kw_only=True)
class ReviewReport(Command):
    report_id: int
    kind: ReviewKind
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class SendCheckIns(Command):
    """Send this week's check-in to the project's customers (all, or one), now."""

    project_id: int
    person_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class AnswerCheckIn(Command):
    checkin_id: int
    rating: int
    text: str = ""
    environment_changed: bool = False
    change_what: str = ""
    change_since: date | None = None
    change_affects: str = ""


@dataclass(frozen=True, kw_only=True)
class SendNotice(Command):
    project_id: int
    what: str
    affects: str = ""
    since: date | None = None


@dataclass(frozen=True, kw_only=True)
class NoteNotice(Command):
    notice_id: int


@dataclass(frozen=True, kw_only=True)
class SendFeedback(Command):
    project_id: int
    text: str


@dataclass(frozen=True, kw_only=True)
class Invite(Command):
    project_id: int
    invitee: PersonRef
    what: str
    when: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class AnswerInvitation(Command):
    invitation_id: int
    answer: InvitationAnswer
    proposal: str = ""


@dataclass(frozen=True, kw_only=True)
class StartClosing(Command):
    project_id: int
    deliverables: tuple[str, ...]
    anonymous: bool = False
    final_report_title: str = ""
    final_report_link: str = ""


@dataclass(frozen=True, kw_only=True)
class SubmitEvaluation(Command):
    project_id: int
    process_rating: int
    comment: str = ""
    ratings: tuple[tuple[str, DeliverableVerdict, str], ...] = ()


@dataclass(frozen=True, kw_only=True)
class CloseProject(Command):
    """Close now, whether or not every customer has evaluated."""

    project_id: int


@dataclass(frozen=True)
class Reply:
    """What the person who sent a command is told back (privately)."""

    text: str
    subject_id: int | None = None
    duplicate: bool = False
