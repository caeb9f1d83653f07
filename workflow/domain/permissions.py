"""Who may do what: the roles table of PRODUCT.md, and refusals that say why."""

from __future__ import annotations

from enum import StrEnum

from workflow.domain.errors import Refused
from workflow.domain.projects import Project, Role


class Act(StrEnum):
    MANAGE_PEOPLE = "manage people"
    CHANGE = "create or edit change requests"
    SIGNOFF = "ask for sign-offs"
    REPORT = "post status reports"
    CHECKIN_SETTINGS = "change check-in settings"
    CHECKIN_NOW = "send check-ins now"
    PENDING = "see pending items"
    DIGEST = "see the digest"
    EXPORT = "export the project's data"
    CLOSE = "close the project"
    INVITE = "invite customers to meetings"
    HANDLE_INBOX = "handle requests and notices"
    ANSWER_QUESTION = "answer questions on change requests"
    SEND_REQUEST = "send requests"
    SEND_NOTICE = "send change notices"
    SEND_FEEDBACK = "send feedback"
    AWAY = "pause check-ins"
    EVALUATE = "evaluate the project"


PM = frozenset({Role.PM})
CUSTOMER = frozenset({Role.CUSTOMER})
ALLOWED: dict[Act, frozenset[Role]] = {
    Act.MANAGE_PEOPLE: PM,
    Act.CHANGE: PM,
    Act.SIGNOFF: PM,
    Act.REPORT: PM,
    Act.CHECKIN_SETTINGS: PM,
    Act.CHECKIN_NOW: PM,
    Act.PENDING: frozenset(Role),
    Act.DIGEST: frozenset({Role.PM, Role.SPONSOR}),
    Act.EXPORT: PM,
    Act.CLOSE: PM,
    Act.INVITE: PM,
    Act.HANDLE_INBOX: PM,
    Act.ANSWER_QUESTION: PM,
    Act.SEND_REQUEST: CUSTOMER,
    Act.SEND_NOTICE: CUSTOMER,
    Act.SEND_FEEDBACK: CUSTOMER,
    Act.AWAY: CUSTOMER,
    Act.EVALUATE: CUSTOMER,
}

ROLE_WORDS = {
    Role.PM: "a PM",
    Role.CUSTOMER: "a customer",
    Role.SPONSOR: "the sponsor",
    Role.MEMBER: "a team member",
}


def may(project: Project, person_id: int, act: Act) -> bool:
    return bool(project.roles_of(person_id) & ALLOWED[act])


def require(project: Project, person_id: int, act: Act) -> None:
    """Refuse, in words, unless one of the person's roles in `project` allows `act`."""
    if may(project, person_id, act):
        return
    roles = project.roles_of(person_id)
    allowed = " or ".join(sorted(ROLE_WORDS[r] for r in ALLOWED[act]))
    if not roles:
        raise Refused(
            f"You are not part of project {project.key}, so you can't {act.value} there. "
            f"A PM of {project.key} can add you with `people`."
        )
    mine = " and ".join(sorted(ROLE_WORDS[r] for r in roles))
    raise Refused(
        f"In {project.key} you are {mine}; only {allowed} can {act.value}. "
        "Ask a PM of the project if you need this."
    )


def allowed_acts(project: Project | None, person_id: int | None) -> list[Act]:
    """What the person may do in this project (used to tailor help)."""
    if project is None or person_id is None:
        return []
    return [act for act in Act if may(project, person_id, act)]
