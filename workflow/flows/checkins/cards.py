"""The check-in card, with everything still waiting on that customer, and its handlers."""

from __future__ import annotations

from collections.abc import Sequence

from workflow.domain.approvals import Approvers
from workflow.domain.changes import ChangeRequest, CRState
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.projects import Project
from workflow.domain.reports import StatusReport
from workflow.domain.signoffs import SignoffRequest, SignoffState
from workflow.domain.views import Button, Style, View, ViewKind, card_key
from workflow.flows.change_requests.cards import change_card
from workflow.flows.checkins.messages import CheckInAnswered, CheckInSent
from workflow.flows.common import (
    everyone,
    load,
    names_for,
    project_of,
    subject_id,
    to_people,
    update_cards,
)
from workflow.flows.projects.cards import for_project
from workflow.flows.reports import report_card
from workflow.flows.signoffs.cards import signoff_card
from workflow.ports import UnitOfWork
from workflow.presentation.cards import CUSTOMER_STARTS


async def checkin_sent(event: CheckInSent, uow: UnitOfWork) -> None:
    checkin = await load(uow.repo(CheckIn), subject_id(event), "check-in", lock=False)
    project = await project_of(uow, event)
    pending = await waiting_views(uow, project, event.person_id)
    view = checkin_card(checkin, project, pending)
    await to_people(uow, event, [event.person_id], view, card_key("checkin", checkin.id or 0))


async def waiting_views(uow: UnitOfWork, project: Project, person_id: int) -> list[View]:
    """The cards of every decision in the project still waiting on `person_id`."""
    names = await names_for(uow, everyone(project))
    views: list[View] = []
    approvers = Approvers.of(project)
    for change in await uow.repo(ChangeRequest).find(project_id=project.id, state=CRState.PENDING):
        if person_id in change.turn(approvers):
            views.append(change_card(change, change.turn(approvers), names))
    for signoff in await uow.repo(SignoffRequest).find(
        project_id=project.id, state=SignoffState.PENDING
    ):
        for approver in signoff.approvers:
            if approver.person_id == person_id and approver.verdict is None:
                views.append(signoff_card(signoff, approver.audience, names))
    for report in await uow.repo(StatusReport).find(project_id=project.id):
        if person_id in report.waiting_on():
            views.append(report_card(report, names))
    return views


async def checkin_answered(event: CheckInAnswered, uow: UnitOfWork) -> None:
    checkin = await load(uow.repo(CheckIn), subject_id(event), "check-in", lock=False)
    project = await project_of(uow, event)
    await update_cards(
        uow, event, card_key("checkin", checkin.id or 0), checkin_card(checkin, project, [])
    )


def checkin_card(checkin: CheckIn, project: Project, pending: Sequence[View]) -> View:
    key = card_key("checkin", checkin.id or 0)
    if checkin.state is CheckInState.ANSWERED:
        return View(
            ViewKind.CHECKIN,
            f"Weekly check-in · {project.key}",
            f"Thank you! You rated this week {checkin.rating}/5.",
            status="Answered",
        )
    text = (
        "How satisfied are you with the project this week (1-5)? What is going well, and "
        "what should change? Has anything changed on your side that could affect the "
        "deliverables?"
    )
    buttons = (
        Button("answer", "Answer the check-in", key, None, Style.PRIMARY),
        *(for_project(b, project) for b in CUSTOMER_STARTS[:3]),
    )
    return View(
        ViewKind.CHECKIN,
        f"Weekly check-in · {project.key}",
        text,
        (("Week of", checkin.week.isoformat()),),
        checkin.state.value,
        buttons,
        (checkin.person_id,),
        items=tuple(pending[:10]),
    )
