"""The evaluation card and the event handlers of the closing flow."""

from __future__ import annotations

from workflow.domain.closing import Closing
from workflow.domain.projects import Project
from workflow.domain.views import Button, Style, View, ViewKind, card_key
from workflow.flows.closing.messages import ClosingStarted, ProjectClosed
from workflow.flows.common import project_of, to_channel, to_people
from workflow.ports import UnitOfWork
from workflow.presentation.cards import info


def evaluation_card(closing: Closing, project: Project, person_id: int) -> View:
    key = card_key("project", project.id or 0)
    return View(
        ViewKind.EVALUATION,
        f"Final evaluation · {project.key}",
        "The project is closing. Please rate each deliverable and the process."
        + (" Your answers are anonymous." if closing.anonymous else ""),
        tuple(("Deliverable", d) for d in closing.deliverables),
        buttons=(Button("evaluate", "Evaluate", key, None, Style.PRIMARY),),
        actors=(person_id,),
    )


async def closing_started(event: ClosingStarted, uow: UnitOfWork) -> None:
    project = await project_of(uow, event)
    closing = (await uow.repo(Closing).find(project_id=project.id))[0]
    for person_id in event.evaluator_ids:
        await to_people(uow, event, [person_id], evaluation_card(closing, project, person_id))


async def project_closed(event: ProjectClosed, uow: UnitOfWork) -> None:
    project = await project_of(uow, event)
    found = await uow.repo(Closing).find(project_id=project.id)
    fields: tuple[tuple[str, str], ...] = ()
    if found:
        summary = found[0].summary()
        fields = (("Answered", f"{summary.answered} of {summary.asked}"),)
        if summary.hidden:
            fields += (("Results", "hidden: fewer than 3 answered an anonymous evaluation"),)
        else:
            fields += (("Process rating", f"{summary.average_rating}/5"),)
            fields += tuple(
                (d, ", ".join(f"{n} {v}" for v, n in counts.items()) or "—")
                for d, counts in summary.verdicts.items()
            )
    await to_channel(uow, event, info(f"{project.key} is closed", project.name, fields))
