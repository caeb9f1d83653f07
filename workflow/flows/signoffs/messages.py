"""The sign-off flow's commands and events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflow.domain.commands import Command
from workflow.domain.events import Event
from workflow.domain.signoffs import SignoffKind, SignoffVerdict


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
