"""The change-request flow's commands and events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from workflow.domain.change_versions import Verdict
from workflow.domain.commands import Command
from workflow.domain.events import Event


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
