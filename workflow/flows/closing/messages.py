"""The closing flow's commands and events: the final evaluation and closing."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.domain.closing import DeliverableVerdict
from workflow.domain.commands import Command
from workflow.domain.events import Event


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
