"""Human words for the states, answers and kinds that sentences name, so no message is built
from a raw value ("converted", "approve_with_remarks") or a verb plus "d" ("commentd").

Every table covers every member of its enum; tests/unit/test_said.py renders each sentence
for each member and looks for the old mistakes.
"""

from __future__ import annotations

from workflow.domain.change_versions import EDITABLE_FIELDS
from workflow.domain.inbox import InvitationState, RequestState
from workflow.domain.projects import WEEKDAYS, ApprovalOrder, ApprovalRule, Project, ProjectState
from workflow.domain.reports import ReviewKind

# A change request's fields as its card names them ("Changed in version 2: cost, due date").
CHANGE_FIELDS = {
    "title": "title",
    "description": "description",
    "scope": "impact on scope",
    "schedule_days": "schedule impact (days)",
    "cost": "cost",
    "reason": "reason",
    "due_at": "due date",
}
assert set(CHANGE_FIELDS) == set(EDITABLE_FIELDS)
# A project's state on its card.
PROJECT_STATE = {
    ProjectState.ACTIVE: "Active",
    ProjectState.CLOSING: "Closing: the final evaluation is under way",
    ProjectState.CLOSED: "Closed",
}
# What the PMs are told a customer did with a status report.
REVIEWED = {
    ReviewKind.ACKNOWLEDGE: "acknowledged",
    ReviewKind.COMMENT: "commented on",
    ReviewKind.DISPUTE: "disputed",
}
# What became of a customer's request, as the PM who handled it is told.
REQUEST_HANDLED = {
    RequestState.OPEN: "still open",
    RequestState.ACCEPTED: "accepted",
    RequestState.DECLINED: "declined",
    RequestState.CONVERTED: "turned into a change request",
}
# What the invitee answered, as the inviter is told ("Eli answered your invitation: declined").
INVITATION_ANSWER = {
    InvitationState.INVITED: "not answered yet",
    InvitationState.ACCEPTED: "accepted",
    InvitationState.DECLINED: "declined",
    InvitationState.PROPOSED: "proposed another time",
    InvitationState.CANCELLED: "cancelled",
}
# What the person who answered is told ("Invitation declined.").
INVITATION_DONE = {
    InvitationState.INVITED: "Invitation sent.",
    InvitationState.ACCEPTED: "Invitation accepted.",
    InvitationState.DECLINED: "Invitation declined.",
    InvitationState.PROPOSED: "Another time proposed; the PM will get back to you.",
    InvitationState.CANCELLED: "Invitation cancelled.",
}
RULES = {
    ApprovalRule.ALL: "every customer",
    ApprovalRule.ANY: "any one customer",
    ApprovalRule.QUORUM: "a quorum of {quorum} customers",
}
ORDERS = {
    ApprovalOrder.PARALLEL: "all asked at once",
    ApprovalOrder.SPONSOR_FIRST: "the sponsor first",
    ApprovalOrder.CUSTOMER_FIRST: "the customers first",
}


def answered_invitation(who: str, state: str) -> str:
    """What the inviter is told: "Eli answered your invitation: proposed another time"."""
    return f"{who} answered your invitation: {INVITATION_ANSWER[InvitationState(state)]}"


def checkins(project: Project) -> str:
    """The schedule, e.g. "check-ins on Wednesdays at 09:30 (each customer's local time)"."""
    day = WEEKDAYS[project.checkin_day].title()
    return f"check-ins on {day}s at {project.checkin_time:%H:%M} (each customer's local time)"


def policy(project: Project) -> str:
    """The approval policy, e.g. "change requests need every customer, all asked at once"."""
    rule = RULES[project.approval_rule].format(quorum=project.quorum or 0)
    return f"change requests need {rule}, {ORDERS[project.approval_order]}"
