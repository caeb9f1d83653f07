"""The project flow's commands and events: setting up, people, settings, away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from workflow.domain.commands import Command, PersonRef
from workflow.domain.events import Event
from workflow.domain.people import Platform
from workflow.domain.projects import ApprovalOrder, ApprovalRule, CustomerKind, Role


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
    alert_days: int | None = None  # days a decision may wait before the PMs are alerted


@dataclass(frozen=True, kw_only=True)
class UpdateProfile(Command):
    """An adapter learned a person's name or time zone (e.g. from users.info)."""

    person: PersonRef


@dataclass(frozen=True, kw_only=True)
class SetAway(Command):
    project_id: int | None = None
    until: date | None


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
