"""The check-in flow: every week, at the project's day and each customer's own time, one
message asks for a rating, a few words, changes on their side, and what still waits on them.

Parts: `messages` (commands, events), `use_cases`, `forms` (form, parser, button, word),
`carried` (the decisions a check-in shows), `cards` (the check-in card and its handlers,
`keep_current` among them: the bus runs it before each commit, see `workflow.flows`).
"""

from __future__ import annotations

from workflow.domain.checkins import MACHINE as CHECKIN_MACHINE
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.insight import PendingItem
from workflow.domain.permissions import Act
from workflow.domain.projects import Project
from workflow.flows.checkins import cards, carried, forms, use_cases
from workflow.flows.checkins import messages as m
from workflow.flows.checkins.cards import keep_current
from workflow.flows.flow import Flow, FormEntry, Item, Waiting, Word
from workflow.flows.waiting import Waits
from workflow.ports import AnyOf
from workflow.presentation.forms import FormKind


def _waiting(project: Project, checkins: list[CheckIn]) -> list[Waiting]:
    """A check-in sent (or reminded) and not yet answered waits on its customer."""
    pid = project.id or 0
    return [
        Waiting(
            PendingItem("checkin", ci.id or 0, pid, "Weekly check-in", ci.person_id, ci.sent_at), ci
        )
        for ci in checkins
    ]


waiting = Waits(CheckIn, {"state": AnyOf(CheckInState.SENT, CheckInState.REMINDED)}, _waiting)


FLOW = Flow(
    "checkin",
    commands={m.SendCheckIns: use_cases.send_checkins, m.AnswerCheckIn: use_cases.answer_checkin},
    events={m.CheckInSent: [cards.checkin_sent], m.CheckInAnswered: [cards.checkin_answered]},
    words=(
        Word(
            "checkin",
            "checkin [now]",
            "check-in day, time and approval policy; or send now",
            Act.CHECKIN_SETTINGS,
            forms.checkin_word,
            aliases=("settings",),
        ),
    ),
    forms=(FormEntry(FormKind.CHECKIN, "rating", forms.parse_checkin, opener=forms.open_checkin),),
    items=(
        Item(
            "checkin",
            CheckIn,
            forms.press,
            {},
            lambda checkin, project, names, viewer: cards.checkin_card(checkin, project, []),
            current=cards.current_card,  # with the decisions it carries, as they are now
        ),
    ),
    machines=(CHECKIN_MACHINE,),
    waiting=waiting,
)

__all__ = ["FLOW", "carried", "keep_current", "waiting"]
