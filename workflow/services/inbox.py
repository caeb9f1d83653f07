"""Use cases for what customers send (requests, notices, feedback) and for invitations."""

from __future__ import annotations

from datetime import datetime

from workflow.domain import commands as c
from workflow.domain import events as e
from workflow.domain.errors import Refused
from workflow.domain.inbox import (
    CustomerRequest,
    Feedback,
    Invitation,
    InvitationAnswer,
    Notice,
    NoticeAction,
    RequestAction,
    required_text,
)
from workflow.domain.permissions import Act
from workflow.domain.projects import Role
from workflow.ports import UnitOfWork
from workflow.services.common import actor_of, emit, load, person_for, pid, project_for


async def send_request(cmd: c.SendRequest, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, person, Act.SEND_REQUEST)
    assert project.id is not None
    request = CustomerRequest(
        project.id, pid(person), required_text(cmd.text, "your request"), cmd.at
    )
    await uow.requests.add(request)
    await uow.flush()
    emit(
        uow,
        e.RequestReceived(
            at=cmd.at,
            actor_id=person.id,
            project_id=project.id,
            subject_id=request.id,
            comment=request.text,
        ),
    )
    return c.Reply(
        f"Your request went to the PMs of {project.key}; you'll hear back here.", request.id
    )


async def handle_request(cmd: c.HandleRequest, uow: UnitOfWork) -> c.Reply:
    if cmd.action is RequestAction.CONVERT:
        raise Refused("To turn a request into a change request, submit the change form.")
    pm = await actor_of(uow, cmd)
    request = await load(uow.requests, cmd.request_id, "request")
    await project_for(uow, request.project_id, pm, Act.HANDLE_INBOX)
    request.handle(cmd.action, pid(pm), cmd.reason, cmd.at)
    emit(
        uow,
        e.RequestHandled(
            at=cmd.at,
            actor_id=pm.id,
            project_id=request.project_id,
            subject_id=request.id,
            comment=request.reason,
            state=request.state.value,
        ),
    )
    return c.Reply(f"Request {request.state.value}; the customer has been told.", request.id)


async def send_notice(cmd: c.SendNotice, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, person, Act.SEND_NOTICE)
    assert project.id is not None
    notice = Notice(
        project.id,
        pid(person),
        required_text(cmd.what, "what changed"),
        cmd.affects.strip(),
        cmd.at,
        since=cmd.since,
    )
    await record_notice(uow, notice, person.id, cmd.at)
    return c.Reply("Thank you: the PMs have your notice.", notice.id)


async def record_notice(
    uow: UnitOfWork, notice: Notice, actor_id: int | None, at: datetime
) -> None:
    """Store a notice (from /loop notice or a check-in) and let the PMs know."""
    await uow.notices.add(notice)
    await uow.flush()
    emit(
        uow,
        e.NoticeReceived(
            at=at,
            actor_id=actor_id,
            project_id=notice.project_id,
            subject_id=notice.id,
            comment=notice.what,
        ),
    )


async def note_notice(cmd: c.NoteNotice, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    notice = await load(uow.notices, cmd.notice_id, "notice")
    await project_for(uow, notice.project_id, pm, Act.HANDLE_INBOX)
    notice.transition(NoticeAction.NOTE)
    emit(
        uow,
        e.NoticeHandled(
            at=cmd.at,
            actor_id=pm.id,
            project_id=notice.project_id,
            subject_id=notice.id,
            state=notice.state.value,
        ),
    )
    return c.Reply("Notice marked as noted.", notice.id)


async def send_feedback(cmd: c.SendFeedback, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, person, Act.SEND_FEEDBACK)
    assert project.id is not None
    feedback = Feedback(project.id, pid(person), required_text(cmd.text, "your feedback"), cmd.at)
    await uow.feedback.add(feedback)
    await uow.flush()
    emit(
        uow,
        e.FeedbackReceived(
            at=cmd.at,
            actor_id=person.id,
            project_id=project.id,
            subject_id=feedback.id,
            comment=feedback.text,
        ),
    )
    return c.Reply("Thank you for your feedback!", feedback.id)


async def invite(cmd: c.Invite, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, pm, Act.INVITE)
    invitee = await person_for(uow, cmd.invitee)
    if Role.CUSTOMER not in project.roles_of(pid(invitee)):
        raise Refused(f"{invitee.label} is not a customer of {project.key}; add them first.")
    assert project.id is not None
    invitation = Invitation(
        project.id,
        pid(invitee),
        pid(pm),
        required_text(cmd.what, "what the meeting or review is"),
        cmd.at,
        when=cmd.when,
    )
    await uow.invitations.add(invitation)
    await uow.flush()
    emit(
        uow,
        e.InvitationSent(
            at=cmd.at,
            actor_id=pm.id,
            project_id=project.id,
            subject_id=invitation.id,
            comment=invitation.what,
        ),
    )
    return c.Reply(f"{invitee.label} is invited.", invitation.id)


async def answer_invitation(cmd: c.AnswerInvitation, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    invitation = await load(uow.invitations, cmd.invitation_id, "invitation")
    if cmd.answer is InvitationAnswer.CANCEL:
        await project_for(uow, invitation.project_id, person, Act.INVITE)
        invitation.cancel()
    else:
        invitation.answer(pid(person), cmd.answer, cmd.proposal, cmd.at)
    emit(
        uow,
        e.InvitationAnswered(
            at=cmd.at,
            actor_id=person.id,
            project_id=invitation.project_id,
            subject_id=invitation.id,
            comment=invitation.proposal,
            state=invitation.state.value,
        ),
    )
    return c.Reply(f"Invitation {invitation.state.value}.", invitation.id)
