"""The evaluation card, the closing summary, and the event handlers of the closing flow."""

from __future__ import annotations

from workflow.domain.closing import Closing, ClosingSummary, DeliverableVerdict
from workflow.domain.projects import Project
from workflow.domain.views import Button, Style, View, ViewKind, card_key
from workflow.flows.closing.messages import ClosingStarted, EvaluationSubmitted, ProjectClosed
from workflow.flows.common import project_of, to_channel, to_people, update_cards
from workflow.ports import UnitOfWork
from workflow.presentation.cards import info

VERDICT_WORDS = {
    DeliverableVerdict.ACCEPT: "accepted",
    DeliverableVerdict.ACCEPT_WITH_REMARKS: "accepted with remarks",
    DeliverableVerdict.REJECT: "rejected",
}


def evaluation_copy(closing: Closing, person_id: int) -> str:
    """Each customer holds their own copy of the card: it says whether they have answered."""
    return f"{card_key('evaluation', closing.id or 0)}:{person_id}"


def evaluation_card(closing: Closing, project: Project, person_id: int) -> View:
    """The Evaluate button while `person_id` may still answer; then what became of it."""
    title = f"Final evaluation · {project.key}"
    deliverables = tuple(("Deliverable", d) for d in closing.deliverables)
    answered = person_id not in closing.waiting_on()
    if closing.closed_at is not None:
        said = (
            "You sent your evaluation. Thank you!"
            if answered
            else "It closed before you evaluated."
        )
        text = f"{project.key} is closed; the final evaluation is over."
        return View(ViewKind.EVALUATION, title, text, deliverables, said)
    if answered:
        text = "Your evaluation is in. Thank you!"
        return View(ViewKind.EVALUATION, title, text, deliverables, "Evaluated")
    ask = "The project is closing. Please rate each deliverable and the process."
    ask += " Your answers are anonymous." if closing.anonymous else ""
    evaluate = Button("evaluate", "Evaluate", card_key("project", project.id or 0), None,
                      Style.PRIMARY)  # fmt: skip
    return View(ViewKind.EVALUATION, title, ask, deliverables, buttons=(evaluate,),
                actors=(person_id,))  # fmt: skip


def summary_fields(summary: ClosingSummary) -> tuple[tuple[str, str], ...]:
    """The closing summary in words: "2 accepted with remarks", never a stored value."""
    fields: tuple[tuple[str, str], ...] = (("Answered", f"{summary.answered} of {summary.asked}"),)
    if summary.hidden:
        return (*fields, ("Results", "hidden: fewer than 3 answered an anonymous evaluation"))
    if summary.average_rating is None:
        return fields
    fields += (("Process rating", f"{summary.average_rating}/5"),)
    return fields + tuple((d, _counted(counts)) for d, counts in summary.verdicts.items())


def _counted(counts: dict[str, int]) -> str:
    said = [f"{counts[v.value]} {words}" for v, words in VERDICT_WORDS.items() if v.value in counts]
    return ", ".join(said) or "—"


async def _closing(uow: UnitOfWork, project: Project) -> Closing | None:
    found = await uow.repo(Closing).find(project_id=project.id)
    return found[0] if found else None


async def closing_started(event: ClosingStarted, uow: UnitOfWork) -> None:
    project = await project_of(uow, event)
    closing = await _closing(uow, project)
    assert closing is not None
    for person_id in event.evaluator_ids:
        view = evaluation_card(closing, project, person_id)
        await to_people(uow, event, [person_id], view, evaluation_copy(closing, person_id))


async def evaluation_submitted(event: EvaluationSubmitted, uow: UnitOfWork) -> None:
    """The customer's own card loses its button once they have answered."""
    project = await project_of(uow, event)
    closing = await _closing(uow, project)
    if closing is not None and event.actor_id is not None:
        view = evaluation_card(closing, project, event.actor_id)
        await update_cards(uow, event, evaluation_copy(closing, event.actor_id), view)


async def project_closed(event: ProjectClosed, uow: UnitOfWork) -> None:
    """Every evaluation card says the project closed, without its button; the summary goes
    to the channel."""
    project = await project_of(uow, event)
    closing = await _closing(uow, project)
    fields: tuple[tuple[str, str], ...] = ()
    if closing is not None:
        for person_id in closing.evaluator_ids:
            view = evaluation_card(closing, project, person_id)
            await update_cards(uow, event, evaluation_copy(closing, person_id), view)
        fields = summary_fields(closing.summary())
    early = "\nClosed by a PM before every customer had evaluated." if event.closed_early else ""
    await to_channel(uow, event, info(f"{project.key} is closed", project.name + early, fields))
