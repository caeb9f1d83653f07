"""Closing a project: ask for the final evaluation, take answers, close."""

from __future__ import annotations

from datetime import datetime

from workflow.domain import commands as c
from workflow.domain.closing import Closing, DeliverableRating, Evaluation
from workflow.domain.errors import Refused
from workflow.domain.permissions import Act
from workflow.domain.projects import CustomerKind, Project, ProjectAction
from workflow.domain.signoffs import SignoffKind, SignoffRequest, new_signoff
from workflow.flows.closing.messages import (
    CloseProject,
    ClosingStarted,
    EvaluationSubmitted,
    ProjectClosed,
    StartClosing,
    SubmitEvaluation,
)
from workflow.flows.common import actor_of, emit, pid, project_for
from workflow.flows.signoffs.messages import SignoffRequested
from workflow.ports import UnitOfWork


async def start_closing(cmd: StartClosing, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, pm, Act.CLOSE, lock=True)
    deliverables = list(dict.fromkeys(d.strip() for d in cmd.deliverables if d.strip()))
    if not deliverables:
        raise Refused("List the deliverables the customers should evaluate, one per line.")
    if not project.customers():
        raise Refused(f"{project.key} has no customers to evaluate it; close it with `close now`.")
    project.transition(ProjectAction.START_CLOSING)
    assert project.id is not None
    closing = Closing(
        project.id, deliverables, cmd.anonymous, pid(pm), cmd.at, evaluator_ids=project.customers()
    )
    if cmd.final_report_title.strip() and project.customers(CustomerKind.INTERNAL):
        final = new_signoff(
            project,
            SignoffKind.FINAL,
            {"title": cmd.final_report_title, "link": cmd.final_report_link},
            pid(pm),
            cmd.at,
        )
        await uow.repo(SignoffRequest).add(final)
        await uow.flush()
        closing.final_signoff_id = final.id
        emit(
            uow,
            SignoffRequested(
                at=cmd.at,
                actor_id=pm.id,
                project_id=project.id,
                subject_id=final.id,
                comment=final.doc_version,
            ),
        )
    await uow.repo(Closing).add(closing)
    await uow.flush()
    emit(
        uow,
        ClosingStarted(
            at=cmd.at,
            actor_id=pm.id,
            project_id=project.id,
            subject_id=project.id,
            evaluator_ids=tuple(closing.evaluator_ids),
        ),
    )
    return c.Reply(
        f"{project.key} is closing: {len(closing.evaluator_ids)} customers are asked "
        "for their final evaluation.",
        project.id,
    )


async def submit_evaluation(cmd: SubmitEvaluation, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, person, Act.EVALUATE, lock=True)
    closing = await _closing_of(uow, project)
    ratings = [DeliverableRating(d, v, r.strip()) for d, v, r in cmd.ratings]
    done = closing.evaluate(
        Evaluation(pid(person), cmd.process_rating, cmd.comment.strip(), cmd.at, ratings)
    )
    emit(
        uow,
        EvaluationSubmitted(
            at=cmd.at,
            actor_id=person.id,
            project_id=project.id,
            subject_id=project.id,
            anonymous=closing.anonymous,
            comment="" if closing.anonymous else cmd.comment.strip(),
        ),
    )
    if done:
        _close(uow, project, closing, cmd.at, person.id, early=False)
    return c.Reply("Thank you for your evaluation!", project.id)


async def close_project(cmd: CloseProject, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, pm, Act.CLOSE, lock=True)
    found = await uow.repo(Closing).find(project_id=project.id)
    _close(uow, project, found[0] if found else None, cmd.at, pm.id, early=True)
    return c.Reply(f"{project.key} is closed; the summary is in the channel.", project.id)


async def _closing_of(uow: UnitOfWork, project: Project) -> Closing:
    found = await uow.repo(Closing).find(project_id=project.id)
    if not found:
        raise Refused(f"{project.key} is not asking for a final evaluation yet.")
    return found[0]


def _close(
    uow: UnitOfWork,
    project: Project,
    closing: Closing | None,
    at: datetime,
    actor: int | None,
    *,
    early: bool,
) -> None:
    project.transition(ProjectAction.CLOSE)
    if closing is not None:
        closing.closed_at = at
    emit(
        uow,
        ProjectClosed(
            at=at,
            actor_id=actor,
            project_id=project.id,
            subject_id=project.id,
            closed_early=early and closing is not None and bool(closing.waiting_on()),
        ),
    )
