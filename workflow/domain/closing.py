"""The final evaluation: per-deliverable verdicts and a process rating, optionally anonymous."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from workflow.domain.errors import Refused

ANONYMITY_THRESHOLD = 3
MAX_DELIVERABLES = 20
MAX_DELIVERABLE_NAME = 100


class DeliverableVerdict(StrEnum):
    ACCEPT = "accept"
    ACCEPT_WITH_REMARKS = "accept_with_remarks"
    REJECT = "reject"


@dataclass
class DeliverableRating:
    deliverable: str
    verdict: DeliverableVerdict
    remarks: str = ""
    id: int | None = None


@dataclass
class Evaluation:
    person_id: int
    process_rating: int
    comment: str
    at: datetime
    ratings: list[DeliverableRating] = field(default_factory=list)
    id: int | None = None


@dataclass
class Closing:
    """A project's closing round; it completes when every customer evaluated."""

    project_id: int
    deliverables: list[str]
    anonymous: bool
    started_by: int
    started_at: datetime
    evaluator_ids: list[int]
    evaluations: list[Evaluation] = field(default_factory=list)
    final_signoff_id: int | None = None
    closed_at: datetime | None = None
    id: int | None = None
    row_version: int = 0

    def __post_init__(self) -> None:
        check_deliverables(self.deliverables)

    def waiting_on(self) -> list[int]:
        done = {e.person_id for e in self.evaluations}
        return [p for p in self.evaluator_ids if p not in done]

    def evaluate(self, evaluation: Evaluation) -> bool:
        """Record one customer's evaluation; True when everybody has answered."""
        if self.closed_at is not None:
            raise Refused("This project is already closed; the evaluation is over.")
        if evaluation.person_id not in self.evaluator_ids:
            raise Refused("Only the project's customers evaluate it.")
        if evaluation.person_id not in self.waiting_on():
            raise Refused("You have already sent your evaluation. Thank you!")
        if not 1 <= evaluation.process_rating <= 5:
            raise Refused("Please rate the process from 1 (poor) to 5 (great).")
        rated = [r.deliverable for r in evaluation.ratings]
        if sorted(rated) != sorted(self.deliverables):
            raise Refused("Please give a verdict on every deliverable.")
        for rating in evaluation.ratings:
            if rating.verdict is not DeliverableVerdict.ACCEPT and not rating.remarks.strip():
                raise Refused(f"Please add remarks for '{rating.deliverable}'.")
        self.evaluations.append(evaluation)
        return not self.waiting_on()

    def summary(self) -> ClosingSummary:
        shown = not self.anonymous or len(self.evaluations) >= ANONYMITY_THRESHOLD
        ratings = [e.process_rating for e in self.evaluations]
        verdicts: dict[str, dict[str, int]] = {d: {} for d in self.deliverables}
        for evaluation in self.evaluations:
            for r in evaluation.ratings:
                counts = verdicts.setdefault(r.deliverable, {})
                counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
        comments = [
            (None if self.anonymous else e.person_id, e.comment)
            for e in self.evaluations
            if e.comment
        ]
        return ClosingSummary(
            answered=len(self.evaluations),
            asked=len(self.evaluator_ids),
            average_rating=round(sum(ratings) / len(ratings), 2) if ratings and shown else None,
            verdicts=verdicts if shown else {},
            comments=comments if shown else [],
            hidden=not shown,
        )


@dataclass(frozen=True)
class ClosingSummary:
    answered: int
    asked: int
    average_rating: float | None
    verdicts: dict[str, dict[str, int]]
    comments: list[tuple[int | None, str]]
    hidden: bool


def check_deliverables(names: list[str]) -> None:
    """A final evaluation rates at most 20 deliverables, each named in 100 characters."""
    if len(names) > MAX_DELIVERABLES:
        raise Refused(
            f"Please list at most {MAX_DELIVERABLES} deliverables; group the smaller ones."
        )
    long = [n for n in names if len(n) > MAX_DELIVERABLE_NAME]
    if long:
        raise Refused(f"Please shorten '{long[0][:40]}…' to {MAX_DELIVERABLE_NAME} characters.")
