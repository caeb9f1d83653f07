"""The check-in flow's commands and events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflow.domain.commands import Command
from workflow.domain.events import Event


@dataclass(frozen=True, kw_only=True)
class SendCheckIns(Command):
    """Send this week's check-in to the project's customers (all, or one), now."""

    project_id: int
    person_id: int | None = None
    # A batch after the first, run by whoever ran the first (its reply is read by nobody).
    continuing: bool = False


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
class CheckInSent(Event):
    subject_kind = "checkin"
    person_id: int
    week: date


@dataclass(frozen=True, kw_only=True)
class CheckInAnswered(Event):
    subject_kind = "checkin"
    rating: int
    environment_changed: bool
