"""Event handlers for reports, check-ins, requests, notices, invitations and closing."""

from __future__ import annotations

from workflow.domain import events as e
from workflow.domain.changes import Approvers, CRState
from workflow.domain.projects import Project
from workflow.domain.signoffs import SignoffState
from workflow.domain.views import View, card_key
from workflow.ports import UnitOfWork
from workflow.services import cards
from workflow.services.common import load
from workflow.services.notify import (
    everyone,
    names_for,
    project_of,
    to_channel,
    to_people,
    update_cards,
)


def _id(event: e.Event) -> int:
    assert event.subject_id is not None
    return event.subject_id


async def report_posted(event: e.ReportPosted, uow: UnitOfWork) -> None:
    report = await load(uow.reports, _id(event), "status report", lock=False)
    project = await project_of(uow, event)
    view = cards.report_card(report, await names_for(uow, everyone(project)))
    key = card_key("report", report.id or 0)
    await to_channel(uow, event, view, key)
    await to_people(uow, event, report.reviewer_ids, view, key)


async def report_reviewed(event: e.ReportReviewed, uow: UnitOfWork) -> None:
    report = await load(uow.reports, _id(event), "status report", lock=False)
    project = await project_of(uow, event)
    names = await names_for(uow, everyone(project))
    await update_cards(
        uow, event, card_key("report", report.id or 0), cards.report_card(report, names)
    )
    if event.kind != "acknowledge":
        who = names.get(event.actor_id or 0, "")
        note = cards.info(
            f"{who} {event.kind}d the status report for {report.period}", event.comment
        )
        await to_people(uow, event, project.pms, note)


async def checkin_sent(event: e.CheckInSent, uow: UnitOfWork) -> None:
    checkin = await load(uow.checkins, _id(event), "check-in", lock=False)
    project = await project_of(uow, event)
    pending = await waiting_views(uow, project, event.person_id)
    view = cards.checkin_card(checkin, project, pending)
    await to_people(uow, event, [event.person_id], view, card_key("checkin", checkin.id or 0))


async def waiting_views(uow: UnitOfWork, project: Project, person_id: int) -> list[View]:
    """The cards of every decision in the project still waiting on `person_id`."""
    names = await names_for(uow, everyone(project))
    views: list[View] = []
    approvers = Approvers.of(project)
    for change in await uow.changes.find(project_id=project.id, state=CRState.PENDING):
        if person_id in change.turn(approvers):
            views.append(cards.change_card(change, change.turn(approvers), names))
    for signoff in await uow.signoffs.find(project_id=project.id, state=SignoffState.PENDING):
        for approver in signoff.approvers:
            if approver.person_id == person_id and approver.verdict is None:
                views.append(cards.signoff_card(signoff, approver.audience, names))
    for report in await uow.reports.find(project_id=project.id):
        if person_id in report.waiting_on():
            views.append(cards.report_card(report, names))
    return views


async def checkin_answered(event: e.CheckInAnswered, uow: UnitOfWork) -> None:
    checkin = await load(uow.checkins, _id(event), "check-in", lock=False)
    project = await project_of(uow, event)
    await update_cards(
        uow, event, card_key("checkin", checkin.id or 0), cards.checkin_card(checkin, project, [])
    )


async def request_received(event: e.RequestReceived, uow: UnitOfWork) -> None:
    request = await load(uow.requests, _id(event), "request", lock=False)
    project = await project_of(uow, event)
    view = cards.request_card(request, project, await names_for(uow, everyone(project)))
    await to_people(uow, event, project.pms, view, card_key("request", request.id or 0))


async def request_handled(event: e.RequestHandled, uow: UnitOfWork) -> None:
    request = await load(uow.requests, _id(event), "request", lock=False)
    project = await project_of(uow, event)
    view = cards.request_card(request, project, await names_for(uow, everyone(project)))
    await update_cards(uow, event, card_key("request", request.id or 0), view)
    outcome = {
        "accepted": "was accepted",
        "declined": "was declined",
        "converted": f"became change request CR-{request.change_request_id}",
    }
    await to_people(
        uow,
        event,
        [request.author_id],
        cards.info(
            f"Your request to {project.key} {outcome[request.state.value]}",
            f"{request.text}\n\n{request.reason}".strip(),
        ),
    )


async def notice_received(event: e.NoticeReceived, uow: UnitOfWork) -> None:
    notice = await load(uow.notices, _id(event), "notice", lock=False)
    project = await project_of(uow, event)
    view = cards.notice_card(notice, project, await names_for(uow, everyone(project)))
    await to_people(uow, event, project.pms, view, card_key("notice", notice.id or 0))


async def notice_handled(event: e.NoticeHandled, uow: UnitOfWork) -> None:
    notice = await load(uow.notices, _id(event), "notice", lock=False)
    project = await project_of(uow, event)
    view = cards.notice_card(notice, project, await names_for(uow, everyone(project)))
    await update_cards(uow, event, card_key("notice", notice.id or 0), view)


async def feedback_received(event: e.FeedbackReceived, uow: UnitOfWork) -> None:
    project = await project_of(uow, event)
    names = await names_for(uow, [event.actor_id or 0])
    await to_people(
        uow,
        event,
        project.pms,
        cards.info(f"Feedback from {names[event.actor_id or 0]} · {project.key}", event.comment),
    )


async def invitation_sent(event: e.InvitationSent, uow: UnitOfWork) -> None:
    invitation = await load(uow.invitations, _id(event), "invitation", lock=False)
    project = await project_of(uow, event)
    view = cards.invitation_card(invitation, project, await names_for(uow, everyone(project)))
    await to_people(
        uow, event, [invitation.invitee_id], view, card_key("invitation", invitation.id or 0)
    )


async def invitation_answered(event: e.InvitationAnswered, uow: UnitOfWork) -> None:
    invitation = await load(uow.invitations, _id(event), "invitation", lock=False)
    project = await project_of(uow, event)
    names = await names_for(uow, everyone(project))
    view = cards.invitation_card(invitation, project, names)
    await update_cards(uow, event, card_key("invitation", invitation.id or 0), view)
    await to_people(
        uow,
        event,
        [invitation.inviter_id],
        cards.info(
            f"{names.get(invitation.invitee_id, '')} answered your invitation: {event.state}",
            invitation.proposal,
        ),
    )


async def closing_started(event: e.ClosingStarted, uow: UnitOfWork) -> None:
    project = await project_of(uow, event)
    closing = (await uow.closings.find(project_id=project.id))[0]
    for person_id in event.evaluator_ids:
        await to_people(uow, event, [person_id], cards.evaluation_card(closing, project, person_id))


async def project_closed(event: e.ProjectClosed, uow: UnitOfWork) -> None:
    project = await project_of(uow, event)
    found = await uow.closings.find(project_id=project.id)
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
    await to_channel(uow, event, cards.info(f"{project.key} is closed", project.name, fields))
