"""A change request's versions, the decisions on each, and the questions asked about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from workflow.domain.content import content_hash
from workflow.domain.errors import Refused

CENT = Decimal("0.01")


MAX_COST = Decimal(10) ** 12


EDITABLE_FIELDS = ("title", "description", "scope", "schedule_days", "cost", "reason", "due_at")


class Verdict(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


@dataclass
class CRVersion:
    """One immutable version of a change request's content."""

    number: int
    title: str
    description: str
    scope: str
    schedule_days: int
    cost: Decimal
    reason: str
    author_id: int
    created_at: datetime
    due_at: datetime | None = None
    id: int | None = None

    def content(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in ("number", *EDITABLE_FIELDS)}

    def shown_hash(self) -> str:
        return content_hash(self.content())


@dataclass
class CRDecision:
    """One approver's verdict on one version; only those on the current version count."""

    version: int
    approver_id: int
    verdict: Verdict
    reason: str
    at: datetime
    shown_hash: str
    id: int | None = None


@dataclass
class CRQuestion:
    version: int
    asker_id: int
    text: str
    asked_at: datetime
    answer: str | None = None
    answered_by: int | None = None
    answered_at: datetime | None = None
    id: int | None = None


def new_version(number: int, author_id: int, at: datetime, values: dict[str, object]) -> CRVersion:
    """Validate a change request's content and build a version from it."""
    title = str(values.get("title") or "").strip()
    if not title:
        raise Refused("A change request needs a title.")
    days = values.get("schedule_days", 0)
    cost = values.get("cost", Decimal(0))
    if not isinstance(days, int):
        raise Refused("The schedule impact must be a whole number of days, e.g. 3 or -2.")
    if not isinstance(cost, Decimal) or not cost.is_finite():
        raise Refused("The cost impact must be a number, e.g. 1200 or 1200.50.")
    if abs(cost) >= MAX_COST:
        raise Refused("The cost impact is too large: keep it under 1,000,000,000,000.")
    due = values.get("due_at")
    if due is not None and not (isinstance(due, datetime) and due.tzinfo is not None):
        raise Refused("The due date must be a date like 2027-01-31.")
    if isinstance(due, datetime) and due <= at:
        raise Refused("The due date must be in the future.")
    return CRVersion(
        number=number,
        title=title,
        description=str(values.get("description") or "").strip(),
        scope=str(values.get("scope") or "").strip(),
        schedule_days=days,
        cost=cost.quantize(CENT),
        reason=str(values.get("reason") or "").strip(),
        author_id=author_id,
        created_at=at,
        due_at=due if isinstance(due, datetime) else None,
    )
