"""Status reports and their review by customers: acknowledge, comment or dispute.

```mermaid
stateDiagram-v2
    [*] --> open
    open --> open: acknowledge / comment
    open --> acknowledged: complete
    open --> disputed: dispute
    disputed --> disputed: acknowledge / comment / dispute
    disputed --> open: settle
    acknowledged --> acknowledged: comment
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from workflow.domain.content import content_hash
from workflow.domain.errors import Refused
from workflow.domain.states import Machine


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class ReportState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    DISPUTED = "disputed"


class ReviewKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    COMMENT = "comment"
    DISPUTE = "dispute"


class ReportAction(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    COMMENT = "comment"
    DISPUTE = "dispute"
    COMPLETE = "complete"
    SETTLE = "settle"


_O, _D, _A = ReportState.OPEN, ReportState.DISPUTED, ReportState.ACKNOWLEDGED
TRANSITIONS = {
    (_O, ReportAction.ACKNOWLEDGE): _O,
    (_O, ReportAction.COMMENT): _O,
    (_O, ReportAction.DISPUTE): _D,
    (_O, ReportAction.COMPLETE): _A,
    (_D, ReportAction.ACKNOWLEDGE): _D,
    (_D, ReportAction.COMMENT): _D,
    (_D, ReportAction.DISPUTE): _D,
    (_D, ReportAction.SETTLE): _O,
    (_A, ReportAction.COMMENT): _A,
}
MACHINE = Machine[ReportState, ReportAction]("status report", TRANSITIONS)


@dataclass
class Review:
    reviewer_id: int
    kind: ReviewKind
    text: str
    at: datetime
    shown_hash: str
    id: int | None = None


@dataclass
class StatusReport:
    project_id: int
    period: str
    rag: Rag
    summary: str
    risks: str
    next_steps: str
    posted_by: int
    posted_at: datetime
    reviewer_ids: list[int]
    state: ReportState = ReportState.OPEN
    reviews: list[Review] = field(default_factory=list)
    id: int | None = None
    row_version: int = 0

    def shown_hash(self) -> str:
        return content_hash(
            {
                "period": self.period,
                "rag": self.rag,
                "summary": self.summary,
                "risks": self.risks,
                "next_steps": self.next_steps,
            }
        )

    def standing(self) -> dict[int, ReviewKind]:
        """Each reviewer's latest acknowledge-or-dispute."""
        latest: dict[int, ReviewKind] = {}
        for review in self.reviews:
            if review.kind is not ReviewKind.COMMENT:
                latest[review.reviewer_id] = review.kind
        return latest

    def waiting_on(self) -> list[int]:
        standing = self.standing()
        return [r for r in self.reviewer_ids if standing.get(r) is not ReviewKind.ACKNOWLEDGE]

    def check_review(self, person_id: int, kind: ReviewKind) -> None:
        """Refuse, in words, unless `person_id` may give this review now."""
        if person_id not in self.reviewer_ids:
            raise Refused("This status report is reviewed by the project's customers only.")
        if kind is ReviewKind.ACKNOWLEDGE and self.standing().get(person_id) is kind:
            raise Refused("You have already acknowledged this report.")
        MACHINE.next(self.state, ReportAction(kind.value))

    def review(self, person_id: int, kind: ReviewKind, text: str, at: datetime) -> ReportState:
        self.check_review(person_id, kind)
        text = text.strip()
        if kind is not ReviewKind.ACKNOWLEDGE and not text:
            what = "comment" if kind is ReviewKind.COMMENT else "what you dispute and why"
            raise Refused(f"Please type your {what}.")
        self.state = MACHINE.next(self.state, ReportAction(kind.value))
        self.reviews.append(Review(person_id, kind, text, at, self.shown_hash()))
        standing = self.standing()
        if self.state is _D and ReviewKind.DISPUTE not in standing.values():
            self.state = MACHINE.next(self.state, ReportAction.SETTLE)
        if self.state is _O and not self.waiting_on():
            self.state = MACHINE.next(self.state, ReportAction.COMPLETE)
        return self.state
