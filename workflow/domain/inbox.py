"""What customers send the team: requests, environment-change notices, feedback; and invitations.

```mermaid
stateDiagram-v2
    state "customer request" as R {
        [*] --> open
        open --> accepted: accept
        open --> declined: decline
        open --> converted: convert
    }
    state "notice" as N {
        [*] --> received
        received --> noted: note
        received --> drafted: draft
        noted --> drafted: draft
    }
    state "invitation" as I {
        [*] --> invited
        invited --> accepted: yes
        invited --> declined: no
        invited --> proposed: propose
        proposed --> proposed: propose
        proposed --> accepted: yes
        proposed --> declined: no
        invited --> cancelled: cancel
        proposed --> cancelled: cancel
    }
```
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from workflow.domain.errors import Refused
from workflow.domain.states import Machine

MAX_TEXT = 3000


def required_text(text: str, what: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise Refused(f"Please type {what}.")
    if len(cleaned) > MAX_TEXT:
        raise Refused(f"That is {len(cleaned)} characters; please keep {what} under {MAX_TEXT}.")
    return cleaned


class RequestState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CONVERTED = "converted"


class RequestAction(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    CONVERT = "convert"


REQUEST_TRANSITIONS = {
    (RequestState.OPEN, RequestAction.ACCEPT): RequestState.ACCEPTED,
    (RequestState.OPEN, RequestAction.DECLINE): RequestState.DECLINED,
    (RequestState.OPEN, RequestAction.CONVERT): RequestState.CONVERTED,
}
REQUEST_MACHINE = Machine[RequestState, RequestAction]("request", REQUEST_TRANSITIONS)


@dataclass
class CustomerRequest:
    project_id: int
    author_id: int
    text: str
    created_at: datetime
    state: RequestState = RequestState.OPEN
    handled_by: int | None = None
    handled_at: datetime | None = None
    reason: str = ""
    change_request_id: int | None = None
    id: int | None = None
    row_version: int = 0

    def check_handle(self, action: RequestAction) -> None:
        """Refuse, in words, unless the request can be handled with `action` now."""
        REQUEST_MACHINE.next(self.state, action)

    def handle(self, action: RequestAction, by: int, reason: str, at: datetime) -> None:
        if action is RequestAction.DECLINE and not reason.strip():
            raise Refused("Declining a request needs a reason the customer will read.")
        self.check_handle(action)
        self.state = REQUEST_MACHINE.next(self.state, action)
        self.handled_by, self.handled_at, self.reason = by, at, reason.strip()


class NoticeState(StrEnum):
    RECEIVED = "received"
    NOTED = "noted"
    DRAFTED = "drafted"


class NoticeAction(StrEnum):
    NOTE = "note"
    DRAFT = "draft"


NOTICE_TRANSITIONS = {
    (NoticeState.RECEIVED, NoticeAction.NOTE): NoticeState.NOTED,
    (NoticeState.RECEIVED, NoticeAction.DRAFT): NoticeState.DRAFTED,
    (NoticeState.NOTED, NoticeAction.DRAFT): NoticeState.DRAFTED,
}
NOTICE_MACHINE = Machine[NoticeState, NoticeAction]("notice", NOTICE_TRANSITIONS)


@dataclass
class Notice:
    """A change on the customer's side that could affect the deliverables."""

    project_id: int
    author_id: int
    what: str
    affects: str
    created_at: datetime
    since: date | None = None
    state: NoticeState = NoticeState.RECEIVED
    change_request_id: int | None = None
    checkin_id: int | None = None
    id: int | None = None
    row_version: int = 0

    def transition(self, action: NoticeAction) -> None:
        self.state = NOTICE_MACHINE.next(self.state, action)


@dataclass
class Feedback:
    project_id: int
    author_id: int
    text: str
    created_at: datetime
    id: int | None = None


class InvitationState(StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    PROPOSED = "proposed"
    CANCELLED = "cancelled"


class InvitationAnswer(StrEnum):
    YES = "yes"
    NO = "no"
    PROPOSE = "propose"
    CANCEL = "cancel"


_I, _PR = InvitationState.INVITED, InvitationState.PROPOSED
INVITATION_TRANSITIONS = {
    (_I, InvitationAnswer.YES): InvitationState.ACCEPTED,
    (_I, InvitationAnswer.NO): InvitationState.DECLINED,
    (_I, InvitationAnswer.PROPOSE): _PR,
    (_I, InvitationAnswer.CANCEL): InvitationState.CANCELLED,
    (_PR, InvitationAnswer.YES): InvitationState.ACCEPTED,
    (_PR, InvitationAnswer.NO): InvitationState.DECLINED,
    (_PR, InvitationAnswer.PROPOSE): _PR,
    (_PR, InvitationAnswer.CANCEL): InvitationState.CANCELLED,
}
INVITATION_MACHINE = Machine[InvitationState, InvitationAnswer](
    "invitation", INVITATION_TRANSITIONS
)


@dataclass
class Invitation:
    """A PM asks a customer to join a meeting or review."""

    project_id: int
    invitee_id: int
    inviter_id: int
    what: str
    created_at: datetime
    when: datetime | None = None
    state: InvitationState = InvitationState.INVITED
    proposal: str = ""
    answered_at: datetime | None = None
    id: int | None = None
    row_version: int = 0

    def check_answer(self, person_id: int, answer: InvitationAnswer) -> None:
        """Refuse, in words, unless `person_id` may give `answer` now (a PM's cancel is
        checked against the project, by the use case)."""
        if answer is not InvitationAnswer.CANCEL and person_id != self.invitee_id:
            raise Refused("This invitation is for someone else; only they can answer it.")
        INVITATION_MACHINE.next(self.state, answer)

    def answer(self, person_id: int, answer: InvitationAnswer, proposal: str, at: datetime) -> None:
        if answer is InvitationAnswer.CANCEL:
            raise Refused("Only the PM who invited can cancel an invitation.")
        self.check_answer(person_id, answer)
        if answer is InvitationAnswer.PROPOSE and not proposal.strip():
            raise Refused("Please say which other time would suit you.")
        self.state = INVITATION_MACHINE.next(self.state, answer)
        self.proposal, self.answered_at = proposal.strip(), at

    def cancel(self) -> None:
        self.state = INVITATION_MACHINE.next(self.state, InvitationAnswer.CANCEL)
