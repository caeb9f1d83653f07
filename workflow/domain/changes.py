"""Versioned change requests: who must approve, in what order, and what a decision means.

```mermaid
stateDiagram-v2
    [*] --> pending
    pending --> pending: approve / edit
    pending --> approved: complete
    pending --> rejected: reject
    pending --> paused: ask
    paused --> paused: ask
    paused --> pending: answer / edit
    rejected --> pending: edit
    pending --> expired: expire
    paused --> expired: expire
    pending --> withdrawn: withdraw
    paused --> withdrawn: withdraw
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from workflow.domain.approvals import Approvers, require_approver
from workflow.domain.change_versions import (
    EDITABLE_FIELDS,
    CRDecision,
    CRQuestion,
    CRVersion,
    Verdict,
    new_version,
)
from workflow.domain.errors import Refused
from workflow.domain.projects import ApprovalOrder
from workflow.domain.states import Machine


class CRState(StrEnum):
    PENDING = "pending"
    PAUSED = "paused"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class CRAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    ASK = "ask"
    ANSWER = "answer"
    EDIT = "edit"
    COMPLETE = "complete"
    EXPIRE = "expire"
    WITHDRAW = "withdraw"


P, Q = CRState.PENDING, CRState.PAUSED
TRANSITIONS = {
    (P, CRAction.APPROVE): P,
    (P, CRAction.REJECT): CRState.REJECTED,
    (P, CRAction.ASK): Q,
    (P, CRAction.EDIT): P,
    (P, CRAction.COMPLETE): CRState.APPROVED,
    (P, CRAction.EXPIRE): CRState.EXPIRED,
    (P, CRAction.WITHDRAW): CRState.WITHDRAWN,
    (Q, CRAction.ASK): Q,
    (Q, CRAction.ANSWER): P,
    (Q, CRAction.EDIT): P,
    (Q, CRAction.EXPIRE): CRState.EXPIRED,
    (Q, CRAction.WITHDRAW): CRState.WITHDRAWN,
    (CRState.REJECTED, CRAction.EDIT): P,
}
MACHINE = Machine[CRState, CRAction]("change request", TRANSITIONS)
OPEN_STATES = frozenset({P, Q})


class Side(StrEnum):
    CUSTOMERS = "customers"
    SPONSOR = "sponsor"


C, S = Side.CUSTOMERS, Side.SPONSOR
# Whose turn it is: TURNS[(order, customers still open, sponsor still open)] -> sides asked.
# A side is open until it is done (the rule's number of customer approvals; every sponsor's
# approval); with both done the change request is approved and nobody is asked.
TURNS: dict[tuple[ApprovalOrder, bool, bool], tuple[Side, ...]] = {
    (ApprovalOrder.PARALLEL, True, True): (C, S),
    (ApprovalOrder.PARALLEL, True, False): (C,),
    (ApprovalOrder.PARALLEL, False, True): (S,),
    (ApprovalOrder.SPONSOR_FIRST, True, True): (S,),
    (ApprovalOrder.SPONSOR_FIRST, True, False): (C,),
    (ApprovalOrder.SPONSOR_FIRST, False, True): (S,),
    (ApprovalOrder.CUSTOMER_FIRST, True, True): (C,),
    (ApprovalOrder.CUSTOMER_FIRST, True, False): (C,),
    (ApprovalOrder.CUSTOMER_FIRST, False, True): (S,),
}


def side_of(approvers: Approvers, side: Side) -> list[int]:
    return approvers.customers if side is Side.CUSTOMERS else approvers.sponsors


@dataclass
class ChangeRequest:
    project_id: int
    requested_by: int
    created_at: datetime
    state: CRState = CRState.PENDING
    versions: list[CRVersion] = field(default_factory=list)
    decisions: list[CRDecision] = field(default_factory=list)
    questions: list[CRQuestion] = field(default_factory=list)
    source: str = ""
    id: int | None = None
    row_version: int = 0

    @property
    def current(self) -> CRVersion:
        return max(self.versions, key=lambda v: v.number)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def counted(self) -> dict[int, Verdict]:
        """Verdicts that count: those on the current version, one per approver."""
        number = self.current.number
        return {d.approver_id: d.verdict for d in self.decisions if d.version == number}

    def open_questions(self) -> list[CRQuestion]:
        return [q for q in self.questions if q.answer is None]

    def customer_side_done(self, approvers: Approvers) -> bool:
        counted = self.counted()
        approvals = sum(1 for c in approvers.customers if counted.get(c) is Verdict.APPROVE)
        return approvals >= approvers.needed

    def sponsor_side_done(self, approvers: Approvers) -> bool:
        counted = self.counted()
        return all(counted.get(s) is Verdict.APPROVE for s in approvers.sponsors)

    def outcome(self, approvers: Approvers) -> CRState | None:
        """APPROVED or REJECTED once the policy can tell, else None."""
        counted = self.counted()
        if any(counted.get(s) is Verdict.REJECT for s in approvers.sponsors):
            return CRState.REJECTED
        still_possible = sum(1 for c in approvers.customers if counted.get(c) is not Verdict.REJECT)
        if still_possible < approvers.needed:
            return CRState.REJECTED
        if self.customer_side_done(approvers) and self.sponsor_side_done(approvers):
            return CRState.APPROVED
        return None

    def turn(self, approvers: Approvers) -> list[int]:
        """Approvers who may decide now and whose decision can still change the outcome.

        A side that is done (enough customers approved; every sponsor approved) drops out:
        what its other members would say no longer counts. Which open side goes first is
        `TURNS`.
        """
        customers_open = not self.customer_side_done(approvers)
        sponsor_open = not self.sponsor_side_done(approvers)
        sides = TURNS.get((approvers.order, customers_open, sponsor_open), ())
        candidates = [p for side in sides for p in side_of(approvers, side)]
        counted = self.counted()
        return [p for p in dict.fromkeys(candidates) if p not in counted]

    def check_may_decide(self, person_id: int, approvers: Approvers, version: int) -> None:
        require_approver(person_id, approvers)
        if version != self.current.number:
            raise Refused(
                f"You were looking at version {version}, but this change request is now at "
                f"version {self.current.number}; earlier decisions no longer count. "
                "Please look at the new version and decide again."
            )
        if self.state is CRState.PAUSED:
            raise Refused("This change request is paused while a question is answered.")
        if person_id in self.counted():
            raise Refused("You have already decided on this version.")
        if person_id not in self.turn(approvers) and self.state is CRState.PENDING:
            raise Refused(self._not_your_turn(person_id, approvers))

    def _not_your_turn(self, person_id: int, approvers: Approvers) -> str:
        """Why an approver who has not decided may not decide now, in words."""
        if person_id in approvers.customers and self.customer_side_done(approvers):
            return (
                "Enough customers have approved this version; it now waits on the sponsor, "
                "so your decision is no longer needed."
            )
        if approvers.order is ApprovalOrder.SPONSOR_FIRST:
            return "It's not your turn yet: the sponsor decides first. You'll be asked then."
        return "It's not your turn yet: the customers decide first. You'll be asked then."

    def check_decision(
        self, person_id: int, approvers: Approvers, verdict: Verdict, version: int
    ) -> None:
        """Refuse, in words, unless `person_id` may give `verdict` on `version` now."""
        require_approver(person_id, approvers)
        MACHINE.next(self.state, CRAction(verdict.value))
        self.check_may_decide(person_id, approvers, version)

    def decide(
        self,
        person_id: int,
        approvers: Approvers,
        verdict: Verdict,
        reason: str,
        version: int,
        at: datetime,
    ) -> CRState | None:
        """Record a decision; return the new final state if the policy now settles it."""
        reason = reason.strip()
        if verdict is Verdict.REJECT and not reason:
            raise Refused("A rejection needs a reason, so the team knows what to change.")
        self.check_decision(person_id, approvers, verdict, version)
        shown = self.current.shown_hash()
        self.decisions.append(CRDecision(version, person_id, verdict, reason, at, shown))
        final = self.outcome(approvers)
        if final is CRState.APPROVED:
            self.state = MACHINE.next(self.state, CRAction.COMPLETE)
        elif final is CRState.REJECTED:
            self.state = MACHINE.next(self.state, CRAction.REJECT)
        return final

    def check_may_ask(self, person_id: int, approvers: Approvers) -> None:
        """Refuse, in words, unless `person_id` may ask about this change request now."""
        if person_id not in approvers.everyone:
            raise Refused("Only the approvers of this change request can ask about it here.")
        MACHINE.next(self.state, CRAction.ASK)

    def ask(self, person_id: int, approvers: Approvers, text: str, at: datetime) -> CRQuestion:
        self.check_may_ask(person_id, approvers)
        if not text.strip():
            raise Refused("Type your question, so the PM knows what to answer.")
        self.state = MACHINE.next(self.state, CRAction.ASK)
        question = CRQuestion(self.current.number, person_id, text.strip(), at)
        self.questions.append(question)
        return question

    def open_question(self, question_id: int) -> CRQuestion:
        """The question `question_id` while it waits for an answer; refused once answered."""
        question = next((q for q in self.open_questions() if q.id == question_id), None)
        if question is None:
            raise Refused("That question has already been answered.")
        return question

    def answer(self, question_id: int, person_id: int, text: str, at: datetime) -> CRQuestion:
        question = self.open_question(question_id)
        if not text.strip():
            raise Refused("Type an answer to the question.")
        question.answer, question.answered_by, question.answered_at = text.strip(), person_id, at
        if not self.open_questions():
            self.state = MACHINE.next(self.state, CRAction.ANSWER)
        return question

    def edit(self, author_id: int, changes: dict[str, object], at: datetime) -> list[str]:
        """Make a new version with `changes`; return the names of the fields that changed."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise Refused(f"These can't be edited: {', '.join(sorted(unknown))}.")
        old = self.current
        changed = [k for k in EDITABLE_FIELDS if k in changes and changes[k] != getattr(old, k)]
        if not changed:
            raise Refused("Nothing changed, so no new version was made.")
        self.state = MACHINE.next(self.state, CRAction.EDIT)
        for question in self.open_questions():
            question.answer, question.answered_by, question.answered_at = (
                "(superseded by an edit)",
                author_id,
                at,
            )
        values = {k: changes.get(k, getattr(old, k)) for k in EDITABLE_FIELDS}
        self.versions.append(new_version(old.number + 1, author_id, at, values))
        return changed

    def expire(self, now: datetime) -> bool:
        due = self.current.due_at
        if due is None or now < due or not MACHINE.allows(self.state, CRAction.EXPIRE):
            return False
        self.state = MACHINE.next(self.state, CRAction.EXPIRE)
        return True

    def withdraw(self) -> None:
        self.state = MACHINE.next(self.state, CRAction.WITHDRAW)
