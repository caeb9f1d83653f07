"""The sign-off flow: ask the right people to approve a document, and take their answers.

Parts: `messages` (commands, events), `use_cases`, `forms` (form, parser, buttons), `cards`.
"""

from __future__ import annotations

from workflow.domain.insight import PendingItem
from workflow.domain.permissions import Act
from workflow.domain.projects import Project
from workflow.domain.signoffs import MACHINE as SIGNOFF_MACHINE
from workflow.domain.signoffs import Audience, SignoffRequest, SignoffState
from workflow.domain.views import View, card_key
from workflow.flows.flow import Flow, FormEntry, Item, Waiting, Word
from workflow.flows.signoffs import cards, forms, use_cases
from workflow.flows.signoffs import messages as m
from workflow.flows.waiting import Waits
from workflow.presentation.cards import Names
from workflow.presentation.forms import FormKind
from workflow.presentation.presses import OpenForm


def current_card(
    request: SignoffRequest, project: Project, names: Names, viewer: int | None
) -> View:
    mine = [a.audience for a in request.approvers if a.person_id == viewer]
    return cards.signoff_card(request, mine[0] if mine else Audience.WHOLE, names)


def _waiting(project: Project, requests: list[SignoffRequest]) -> list[Waiting]:
    """Approvers who have not answered an open sign-off (a decision, chased)."""
    pid = project.id or 0
    found: list[Waiting] = []
    for request in requests:
        title, since = f"Sign-off: {request.title}", request.created_at
        found += [
            Waiting(
                PendingItem("signoff", request.id or 0, pid, title, p, since),
                request,
                decision=True,
                asked=since,
            )
            for p in request.waiting_on()
        ]
    return found


waiting = Waits(SignoffRequest, {"state": SignoffState.PENDING}, _waiting)


def audience_copy(request: SignoffRequest, person_id: int) -> str:
    """Each audience (whole document, scope section) has its own copy of the card."""
    return f"{card_key('signoff', request.id or 0)}:{request.approver(person_id).audience.value}"


FLOW = Flow(
    "signoff",
    commands={
        m.RequestSignoff: use_cases.request_signoff,
        m.DecideSignoff: use_cases.decide_signoff,
        m.WithdrawSignoff: use_cases.withdraw_signoff,
    },
    checks={m.DecideSignoff: use_cases.may_decide},
    events={
        m.SignoffRequested: [cards.signoff_requested],
        m.SignoffAnswered: [cards.signoff_answered],
        m.SignoffSettled: [cards.signoff_settled],
    },
    words=(
        Word(
            "signoff",
            "signoff charter|scope|plan|final",
            "ask for a sign-off",
            Act.SIGNOFF,
            lambda rest, here: OpenForm(
                FormKind.SIGNOFF, here.context, {"kind": rest.lower()} if rest else {}
            ),
            aliases=("sign-off", "sign"),
        ),
    ),
    forms=(
        FormEntry(
            FormKind.SIGNOFF,
            "title",
            forms.parse_signoff,
            build=lambda o: forms.signoff_form(o.context, o.prefill.get("kind", "")),
            act=Act.SIGNOFF,
        ),
    ),
    items=(
        Item(
            "signoff",
            SignoffRequest,
            forms.press,
            {"approve_with_remarks": ("Remarks", True), "reject": ("Reason", True)},
            current_card,
            noun="sign-off",
            copy_key=audience_copy,
        ),
    ),
    machines=(SIGNOFF_MACHINE,),
    waiting=waiting,
)
