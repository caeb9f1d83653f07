"""Sign-off requests: charter, scope, plan (external customers see its scope section) and final.

```mermaid
stateDiagram-v2
    [*] --> pending
    pending --> pending: approve
    pending --> approved: complete
    pending --> rejected: reject
    pending --> withdrawn: withdraw
    pending --> superseded: supersede
    pending --> expired: expire
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from workflow.domain.content import content_hash
from workflow.domain.errors import Refused
from workflow.domain.projects import CustomerKind, Project
from workflow.domain.states import Machine


class SignoffKind(StrEnum):
    CHARTER = "charter"
    SCOPE = "scope"
    PLAN = "plan"
    FINAL = "final"

    @property
    def document(self) -> str:
        """How a sentence names the document ("the final status report", not "the final")."""
        return _DOCUMENTS.get(self, self.value)


class Audience(StrEnum):
    WHOLE = "whole"
    SCOPE_SECTION = "scope_section"


class SignoffState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"


class SignoffAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    COMPLETE = "complete"
    WITHDRAW = "withdraw"
    SUPERSEDE = "supersede"
    EXPIRE = "expire"


class SignoffVerdict(StrEnum):
    APPROVE = "approve"
    APPROVE_WITH_REMARKS = "approve_with_remarks"
    REJECT = "reject"


_DOCUMENTS = {SignoffKind.PLAN: "project plan", SignoffKind.FINAL: "final status report"}
_P = SignoffState.PENDING
TRANSITIONS = {
    (_P, SignoffAction.APPROVE): _P,
    (_P, SignoffAction.REJECT): SignoffState.REJECTED,
    (_P, SignoffAction.COMPLETE): SignoffState.APPROVED,
    (_P, SignoffAction.WITHDRAW): SignoffState.WITHDRAWN,
    (_P, SignoffAction.SUPERSEDE): SignoffState.SUPERSEDED,
    (_P, SignoffAction.EXPIRE): SignoffState.EXPIRED,
}
MACHINE = Machine[SignoffState, SignoffAction]("sign-off request", TRANSITIONS)


def audiences(kind: SignoffKind, project: Project) -> dict[int, Audience]:
    """Who is asked to sign off `kind`, and on what part of the document."""
    whole = Audience.WHOLE
    if kind is SignoffKind.CHARTER:
        asked = {p: whole for p in project.customers()} | {p: whole for p in project.sponsors}
    elif kind is SignoffKind.SCOPE:
        asked = {p: whole for p in project.customers()}
    elif kind is SignoffKind.PLAN:
        asked = {p: whole for p in project.customers(CustomerKind.INTERNAL)}
        asked |= {p: Audience.SCOPE_SECTION for p in project.customers(CustomerKind.EXTERNAL)}
    else:
        asked = {p: whole for p in project.customers(CustomerKind.INTERNAL)}
    if not asked:
        who = "internal customers" if kind is SignoffKind.FINAL else "customers"
        raise Refused(
            f"{project.key} has no {who} to sign off the {kind.document}; add them first."
        )
    return asked


@dataclass
class SignoffApprover:
    person_id: int
    audience: Audience
    verdict: SignoffVerdict | None = None
    remarks: str = ""
    decided_at: datetime | None = None
    shown_hash: str = ""
    id: int | None = None


@dataclass
class SignoffRequest:
    project_id: int
    kind: SignoffKind
    title: str
    link: str
    summary: str
    doc_version: str
    requested_by: int
    created_at: datetime
    due_at: datetime | None = None
    state: SignoffState = SignoffState.PENDING
    approvers: list[SignoffApprover] = field(default_factory=list)
    id: int | None = None
    row_version: int = 0

    def shown_hash(self, audience: Audience) -> str:
        return content_hash(
            {
                "kind": self.kind,
                "title": self.title,
                "link": self.link,
                "summary": self.summary,
                "version": self.doc_version,
                "audience": audience,
            }
        )

    def approver(self, person_id: int) -> SignoffApprover:
        found = next((a for a in self.approvers if a.person_id == person_id), None)
        if found is None:
            raise Refused("This sign-off is not addressed to you, so your answer can't count.")
        return found

    def waiting_on(self) -> list[int]:
        return [a.person_id for a in self.approvers if a.verdict is None]

    def check_answer(self, person_id: int, verdict: SignoffVerdict) -> SignoffApprover:
        """Refuse, in words, unless `person_id` may answer `verdict` now; their entry if so."""
        action = SignoffAction.REJECT if verdict is SignoffVerdict.REJECT else SignoffAction.APPROVE
        MACHINE.next(self.state, action)
        entry = self.approver(person_id)
        if entry.verdict is not None:
            raise Refused("You have already answered this sign-off request.")
        return entry

    def decide(self, person_id: int, verdict: SignoffVerdict, remarks: str, at: datetime) -> bool:
        """Record an answer; True when it settles the request."""
        remarks = remarks.strip()
        if verdict is SignoffVerdict.REJECT and not remarks:
            raise Refused("A rejection needs a reason, so the team knows what to fix.")
        if verdict is SignoffVerdict.APPROVE_WITH_REMARKS and not remarks:
            raise Refused("Approving with remarks needs the remarks; or just Approve.")
        entry = self.check_answer(person_id, verdict)
        entry.verdict, entry.remarks, entry.decided_at = verdict, remarks, at
        entry.shown_hash = self.shown_hash(entry.audience)
        if verdict is SignoffVerdict.REJECT:
            self.state = MACHINE.next(self.state, SignoffAction.REJECT)
            return True
        if not self.waiting_on():
            self.state = MACHINE.next(self.state, SignoffAction.COMPLETE)
            return True
        return False

    def settle(self, action: SignoffAction) -> None:
        self.state = MACHINE.next(self.state, action)

    def expire(self, now: datetime) -> bool:
        if self.due_at is None or now < self.due_at or self.state is not SignoffState.PENDING:
            return False
        self.settle(SignoffAction.EXPIRE)
        return True


def new_signoff(
    project: Project,
    kind: SignoffKind,
    fields: dict[str, str],
    by: int,
    at: datetime,
    due_at: datetime | None = None,
) -> SignoffRequest:
    title = fields.get("title", "").strip()
    if not title:
        raise Refused("A sign-off request needs the document's title.")
    assert project.id is not None
    request = SignoffRequest(
        project_id=project.id,
        kind=kind,
        title=title,
        link=fields.get("link", "").strip(),
        summary=fields.get("summary", "").strip(),
        doc_version=fields.get("version", "").strip() or "1",
        requested_by=by,
        created_at=at,
        due_at=due_at,
    )
    request.approvers = [SignoffApprover(p, a) for p, a in audiences(kind, project).items()]
    return request
