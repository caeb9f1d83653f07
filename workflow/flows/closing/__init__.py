"""The closing flow: ask every customer for the final evaluation, then close the project.

Parts: `messages` (commands, events), `use_cases`, `forms` (close, evaluate), `cards`.
"""

from __future__ import annotations

from workflow.domain.closing import Closing
from workflow.domain.insight import PendingItem
from workflow.domain.permissions import Act
from workflow.domain.projects import Project
from workflow.flows.closing import cards, forms, use_cases
from workflow.flows.closing import messages as m
from workflow.flows.flow import Flow, FormEntry, Waiting, Word
from workflow.flows.waiting import Waits
from workflow.presentation.forms import FormKind
from workflow.presentation.presses import OpenForm
from workflow.presentation.words import Here


def _close(rest: str, here: Here) -> m.CloseProject | OpenForm:
    if rest.lower() == "now":
        assert here.project_id is not None
        return m.CloseProject(
            actor=here.actor, at=here.at, event_id=here.event_id, project_id=here.project_id
        )
    return OpenForm(FormKind.CLOSE, here.context)


def _waiting(project: Project, closings: list[Closing]) -> list[Waiting]:
    """While the project asks for its final evaluation, it waits on those who have not given it."""
    pid = project.id or 0
    return [
        Waiting(PendingItem("evaluation", c.id or 0, pid, "Final evaluation", p, c.started_at), c)
        for c in closings
        for p in c.waiting_on()
    ]


waiting = Waits(Closing, {"closed_at": None}, _waiting)


FLOW = Flow(
    "evaluation",
    commands={
        m.StartClosing: use_cases.start_closing,
        m.SubmitEvaluation: use_cases.submit_evaluation,
        m.CloseProject: use_cases.close_project,
    },
    events={
        m.ClosingStarted: [cards.closing_started],
        m.EvaluationSubmitted: [cards.evaluation_submitted],
        m.ProjectClosed: [cards.project_closed],
    },
    words=(
        Word(
            "close", "close [now]", "ask for the final evaluation, or close now", Act.CLOSE, _close
        ),
    ),
    forms=(
        FormEntry(
            FormKind.CLOSE,
            "deliverables",
            forms.parse_close,
            build=lambda o: forms.close_form(o.context),
            act=Act.CLOSE,
        ),
        FormEntry(
            FormKind.EVALUATE,
            "process_rating",
            forms.parse_evaluate,
            opener=forms.open_evaluation,
        ),
    ),
    waiting=waiting,
)
