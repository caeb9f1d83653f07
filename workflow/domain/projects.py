"""Projects and their participants: roles, approval policy, check-in settings, lifecycle.

```mermaid
stateDiagram-v2
    [*] --> active
    active --> closing: start_closing
    closing --> closed: close
    active --> closed: close
    closing --> active: reopen
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from workflow.domain.errors import Refused
from workflow.domain.states import Machine


class Role(StrEnum):
    PM = "pm"
    CUSTOMER = "customer"
    SPONSOR = "sponsor"
    MEMBER = "member"


class CustomerKind(StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"


class ApprovalRule(StrEnum):
    ALL = "all"
    ANY = "any"
    QUORUM = "quorum"


class ApprovalOrder(StrEnum):
    PARALLEL = "parallel"
    SPONSOR_FIRST = "sponsor_first"
    CUSTOMER_FIRST = "customer_first"


class ProjectState(StrEnum):
    ACTIVE = "active"
    CLOSING = "closing"
    CLOSED = "closed"


class ProjectAction(StrEnum):
    START_CLOSING = "start_closing"
    CLOSE = "close"
    REOPEN = "reopen"


TRANSITIONS = {
    (ProjectState.ACTIVE, ProjectAction.START_CLOSING): ProjectState.CLOSING,
    (ProjectState.ACTIVE, ProjectAction.CLOSE): ProjectState.CLOSED,
    (ProjectState.CLOSING, ProjectAction.CLOSE): ProjectState.CLOSED,
    (ProjectState.CLOSING, ProjectAction.REOPEN): ProjectState.ACTIVE,
}
MACHINE = Machine[ProjectState, ProjectAction]("project", TRANSITIONS)

KEY_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
DECISION_ALERT_DAYS, MAX_ALERT_DAYS = 5, 90
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass
class Participant:
    """A person's role in one project; customers are internal or external."""

    person_id: int
    role: Role
    customer_kind: CustomerKind | None = None
    away_until: date | None = None
    id: int | None = None
    # None for a part taken before this was recorded: it began when the project did.
    joined_at: datetime | None = None

    def is_away(self, today: date) -> bool:
        return self.away_until is not None and today < self.away_until


@dataclass
class Project:
    """The aggregate a channel is about: its people, policy and check-in settings."""

    workspace_id: int
    key: str
    name: str
    channel_id: str
    created_at: datetime
    checkin_day: int = 0
    checkin_time: time = time(10, 0)
    approval_rule: ApprovalRule = ApprovalRule.ALL
    quorum: int | None = None
    approval_order: ApprovalOrder = ApprovalOrder.PARALLEL
    # The PMs are alerted when a decision has waited this many days (see domain/alerts.py).
    decision_alert_days: int = DECISION_ALERT_DAYS
    state: ProjectState = ProjectState.ACTIVE
    participants: list[Participant] = field(default_factory=list)
    id: int | None = None
    row_version: int = 0

    def roles_of(self, person_id: int) -> set[Role]:
        return {p.role for p in self.participants if p.person_id == person_id}

    def people_with(self, role: Role) -> list[int]:
        return [p.person_id for p in self.participants if p.role is role]

    def customers(self, kind: CustomerKind | None = None) -> list[int]:
        return [
            p.person_id
            for p in self.participants
            if p.role is Role.CUSTOMER and (kind is None or p.customer_kind is kind)
        ]

    def customer_entry(self, person_id: int) -> Participant | None:
        return next(
            (p for p in self.participants if p.person_id == person_id and p.role is Role.CUSTOMER),
            None,
        )

    def since(self, person_id: int, role: Role) -> datetime:
        """When the person's part in this role began: nothing scheduled is owed them for an
        earlier moment (no check-in, no digest of a week before they were there)."""
        joined = [
            p.joined_at
            for p in self.participants
            if p.person_id == person_id and p.role is role and p.joined_at is not None
        ]
        return max([self.created_at, *joined])

    @property
    def pms(self) -> list[int]:
        return self.people_with(Role.PM)

    @property
    def sponsors(self) -> list[int]:
        return self.people_with(Role.SPONSOR)

    @property
    def has_external_customer(self) -> bool:
        return bool(self.customers(CustomerKind.EXTERNAL))

    @property
    def needed_customer_approvals(self) -> int:
        """How many customer approvals the policy needs (ANY is a quorum of one)."""
        count = len(self.customers())
        if self.approval_rule is ApprovalRule.ANY:
            return min(1, count)
        if self.approval_rule is ApprovalRule.QUORUM:
            return min(self.quorum or 1, count)
        return count

    def add(
        self,
        person_id: int,
        role: Role,
        kind: CustomerKind | None = None,
        *,
        check: bool = True,
        at: datetime | None = None,
    ) -> bool:
        """Add a role, taken `at`; False when the person already has it (same kind).

        `check=False` defers the invariants while a whole team is being set up.
        """
        if role is Role.CUSTOMER and kind is None:
            raise Refused("Say whether the customer is internal or external.")
        if role is not Role.CUSTOMER:
            kind = None
        existing = self.customer_entry(person_id) if role is Role.CUSTOMER else None
        if existing is not None:
            changed = existing.customer_kind is not kind
            existing.customer_kind = kind
            if check:
                self.check_invariants()
            return changed
        if role in self.roles_of(person_id):
            return False
        self.participants.append(
            Participant(person_id=person_id, role=role, customer_kind=kind, joined_at=at)
        )
        if check:
            self.check_invariants()
        return True

    def remove(self, person_id: int, role: Role, *, check: bool = True) -> bool:
        before = len(self.participants)
        for entry in [p for p in self.participants if p.person_id == person_id and p.role is role]:
            self.participants.remove(entry)
        if check:
            self.check_invariants()
        return len(self.participants) != before

    def check_invariants(self) -> None:
        if not self.pms:
            raise Refused(f"{self.key} needs at least one PM; add another PM first.")
        if self.has_external_customer and not self.sponsors:
            raise Refused(
                f"{self.key} has an external customer, so it needs an internal sponsor "
                "to balance their change requests. Add a sponsor too."
            )
        customer_kinds = {p.person_id: p.customer_kind for p in self.participants}
        for sponsor in self.sponsors:
            if customer_kinds.get(sponsor) is CustomerKind.EXTERNAL and Role.CUSTOMER in (
                self.roles_of(sponsor)
            ):
                raise Refused("A sponsor must be internal; an external customer can't sponsor.")

    def set_policy(self, rule: ApprovalRule, quorum: int | None, order: ApprovalOrder) -> None:
        if rule is ApprovalRule.QUORUM and (quorum is None or quorum < 1):
            raise Refused("A quorum policy needs a number of approvals, at least 1.")
        if rule is ApprovalRule.QUORUM and quorum is not None and quorum > len(self.customers()):
            raise Refused(
                f"A quorum of {quorum} is more than the {len(self.customers())} customers "
                f"of {self.key}."
            )
        self.approval_rule = rule
        self.quorum = quorum if rule is ApprovalRule.QUORUM else None
        self.approval_order = order

    def set_checkin(self, day: int, at: time) -> None:
        if not 0 <= day <= 6:
            raise Refused("The check-in day must be a weekday name, Monday to Sunday.")
        self.checkin_day = day
        self.checkin_time = at.replace(second=0, microsecond=0, tzinfo=None)

    def set_decision_alert(self, days: int) -> None:
        if not 1 <= days <= MAX_ALERT_DAYS:
            raise Refused(
                f"Alert after 1 to {MAX_ALERT_DAYS} days of waiting on a decision, e.g. 5."
            )
        self.decision_alert_days = days

    def transition(self, action: ProjectAction) -> None:
        self.state = MACHINE.next(self.state, action)

    def require_open(self) -> None:
        if self.state is ProjectState.CLOSED:
            raise Refused(f"{self.key} is closed; nothing more can be started in it.")


def valid_key(key: str) -> str:
    upper = key.strip().upper()
    if not KEY_PATTERN.match(upper):
        raise Refused(
            f"'{key}' can't be a project key: use 2 to 10 letters or digits, "
            "starting with a letter (e.g. WEB)."
        )
    return upper


def parse_weekday(word: str) -> int:
    lowered = word.strip().lower()
    for index, name in enumerate(WEEKDAYS):
        if len(lowered) >= 3 and name.startswith(lowered):
            return index
    raise Refused(f"'{word}' is not a weekday; use Monday to Sunday.")
