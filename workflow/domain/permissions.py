"""Who may do what: the roles table of PRODUCT.md, and refusals that say why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from workflow.domain.errors import Refused
from workflow.domain.projects import Project, Role

PM = frozenset({Role.PM})
CUSTOMER = frozenset({Role.CUSTOMER})
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Act:
    """Something people may do in a project, and the roles that may do it.

    Each act is declared once, with its roles; a flow that brings a new act declares it in
    its own module (`Act("post risks", PM)`), and words, forms and use cases all name it.
    `value` is read in refusals: "only a PM can <value>".
    """

    value: str
    roles: frozenset[Role]

    # The acts of the flows that came with clientloop; a new flow may declare its own.
    MANAGE_PEOPLE: ClassVar[Act]
    CHANGE: ClassVar[Act]
    SIGNOFF: ClassVar[Act]
    REPORT: ClassVar[Act]
    CHECKIN_SETTINGS: ClassVar[Act]
    CHECKIN_NOW: ClassVar[Act]
    PENDING: ClassVar[Act]
    DIGEST: ClassVar[Act]
    EXPORT: ClassVar[Act]
    EVIDENCE: ClassVar[Act]
    CLOSE: ClassVar[Act]
    INVITE: ClassVar[Act]
    HANDLE_INBOX: ClassVar[Act]
    ANSWER_QUESTION: ClassVar[Act]
    SEND_REQUEST: ClassVar[Act]
    SEND_NOTICE: ClassVar[Act]
    SEND_FEEDBACK: ClassVar[Act]
    AWAY: ClassVar[Act]
    EVALUATE: ClassVar[Act]


Act.MANAGE_PEOPLE = Act("manage people", PM)
Act.CHANGE = Act("create or edit change requests", PM)
Act.SIGNOFF = Act("ask for sign-offs", PM)
Act.REPORT = Act("post status reports", PM)
Act.CHECKIN_SETTINGS = Act("change check-in settings", PM)
Act.CHECKIN_NOW = Act("send check-ins now", PM)
Act.PENDING = Act("see pending items", EVERYONE)
Act.DIGEST = Act("see the digest", frozenset({Role.PM, Role.SPONSOR}))
Act.EXPORT = Act("export the project's data", PM)
Act.EVIDENCE = Act("see the evidence of decisions", PM)
Act.CLOSE = Act("close the project", PM)
Act.INVITE = Act("invite customers to meetings", PM)
Act.HANDLE_INBOX = Act("handle requests and notices", PM)
Act.ANSWER_QUESTION = Act("answer questions on change requests", PM)
Act.SEND_REQUEST = Act("send requests", CUSTOMER)
Act.SEND_NOTICE = Act("send change notices", CUSTOMER)
Act.SEND_FEEDBACK = Act("send feedback", CUSTOMER)
Act.AWAY = Act("pause check-ins", CUSTOMER)
Act.EVALUATE = Act("evaluate the project", CUSTOMER)

ROLE_WORDS = {
    Role.PM: "a PM",
    Role.CUSTOMER: "a customer",
    Role.SPONSOR: "the sponsor",
    Role.MEMBER: "a team member",
}


def may(project: Project, person_id: int, act: Act) -> bool:
    return bool(project.roles_of(person_id) & act.roles)


def require(project: Project, person_id: int, act: Act) -> None:
    """Refuse, in words, unless one of the person's roles in `project` allows `act`."""
    if may(project, person_id, act):
        return
    roles = project.roles_of(person_id)
    allowed = " or ".join(sorted(ROLE_WORDS[r] for r in act.roles))
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
