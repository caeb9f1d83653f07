"""The change-request flow: propose, edit (a new version), approve, reject, ask, expire.

Parts: `messages` (commands, events), `use_cases`, `forms` (the change form, its parser and
the buttons), `editing` (`change edit CR-2` and the filled-in form), `cards` (the card and
the handlers that send and update it), `evidence` (the record of who decided what, on
which exact version, with the audit entries that prove it).
"""

from __future__ import annotations

from workflow.domain.approvals import Approvers
from workflow.domain.changes import MACHINE as CR_MACHINE
from workflow.domain.changes import ChangeRequest, CRState
from workflow.domain.insight import PendingItem
from workflow.domain.permissions import Act
from workflow.domain.projects import Project
from workflow.domain.views import View
from workflow.flows.change_requests import cards, checks, editing, evidence, forms, use_cases
from workflow.flows.change_requests import messages as m
from workflow.flows.flow import Flow, FormEntry, Item, Waiting, Word
from workflow.flows.waiting import Waits
from workflow.ports import AnyOf
from workflow.presentation.cards import Names
from workflow.presentation.forms import FormKind
from workflow.presentation.presses import Outcome, Press


def current_card(change: ChangeRequest, project: Project, names: Names, viewer: int | None) -> View:
    turn = change.turn(Approvers.of(project)) if change.is_open else []
    return cards.change_card(change, turn, names, editors=project.pms)


def _waiting(project: Project, changes: list[ChangeRequest]) -> list[Waiting]:
    """Approvers whose turn it is (a decision), or the PMs while a question pauses it."""
    pid, approvers, found = project.id or 0, Approvers.of(project), list[Waiting]()
    for change in changes:
        title, version = f"CR-{change.id} {change.current.title}", change.current
        if change.state is CRState.PENDING:
            decided = [d.at for d in change.decisions if d.version == version.number]
            asked, shown = max([version.created_at, *decided]), version.created_at
            found += [
                Waiting(
                    PendingItem("change_request", change.id or 0, pid, title, p, shown),
                    change,
                    decision=True,
                    version=version.number,
                    asked=asked,
                )
                for p in change.turn(approvers)
            ]
        elif change.state is CRState.PAUSED:
            since = change.open_questions()[0].asked_at
            pending = [
                PendingItem("change_request", change.id or 0, pid, title, p, since)
                for p in project.pms
            ]
            found += [Waiting(item, change) for item in pending]
    return found


def press(p: Press) -> Outcome | None:
    """A press on a change request: Evidence shows the record, the rest are the form's."""
    if p.verb == "evidence":
        return evidence.ShowEvidence(actor=p.actor, at=p.at, change_id=p.item_id)
    return forms.press(p)


waiting = Waits(ChangeRequest, {"state": AnyOf(CRState.PENDING, CRState.PAUSED)}, _waiting)


FLOW = Flow(
    "change_request",
    commands={
        m.CreateChangeRequest: use_cases.create_change,
        m.EditChangeRequest: use_cases.edit_change,
        m.DecideChange: use_cases.decide_change,
        m.AskAboutChange: use_cases.ask_about_change,
        m.AnswerQuestion: use_cases.answer_question,
        m.WithdrawChange: use_cases.withdraw_change,
        m.ExpireOverdue: use_cases.expire_overdue,
        evidence.ShowEvidence: evidence.show_evidence,
    },
    checks={
        m.DecideChange: checks.may_decide,
        m.AskAboutChange: checks.may_ask,
        m.AnswerQuestion: checks.may_answer,
    },
    events={
        m.ChangeRequested: [cards.change_requested],
        m.ApprovalAsked: [cards.approval_asked],
        m.ChangeDecided: [cards.change_updated],
        m.ChangeEdited: [cards.change_updated],
        m.QuestionAsked: [cards.question_asked],
        m.QuestionAnswered: [cards.question_answered],
        m.ChangeSettled: [cards.change_settled],
    },
    words=(
        Word(
            "change",
            "change",
            "propose a change request for approval (`change edit CR-2` edits one)",
            Act.CHANGE,
            editing.start_change,
            needs_project=False,  # `change edit CR-2` names its project; `change` checks
            aliases=("cr",),
        ),
    ),
    forms=(FormEntry(FormKind.CHANGE, "title", forms.parse_change, opener=forms.open_change),),
    items=(
        Item(
            "change_request",
            ChangeRequest,
            press,
            {
                "reject": ("Reason", True),
                "ask": ("Your question", True),
                "answer_question": ("Answer", True),
            },
            current_card,
            noun="change request",
        ),
    ),
    machines=(CR_MACHINE,),
    waiting=waiting,
)
