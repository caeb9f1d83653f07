"""Change requests: create, edit (a new version), decide, ask, answer, withdraw, expire."""

from __future__ import annotations

from datetime import datetime

from workflow.domain import commands as c
from workflow.domain.approvals import Approvers
from workflow.domain.change_versions import new_version
from workflow.domain.changes import ChangeRequest, CRState
from workflow.domain.errors import Refused
from workflow.domain.inbox import CustomerRequest, Notice, NoticeAction, RequestAction
from workflow.domain.permissions import Act
from workflow.domain.projects import Project
from workflow.flows.change_requests.messages import (
    AnswerQuestion,
    ApprovalAsked,
    AskAboutChange,
    ChangeDecided,
    ChangeEdited,
    ChangeRequested,
    ChangeSettled,
    CreateChangeRequest,
    DecideChange,
    EditChangeRequest,
    ExpireOverdue,
    QuestionAnswered,
    QuestionAsked,
    WithdrawChange,
)
from workflow.flows.common import actor_of, emit, load, pid, project_for
from workflow.flows.notices import NoticeHandled
from workflow.flows.requests import RequestHandled
from workflow.flows.signoffs.use_cases import expire_signoffs
from workflow.ports import AnyOf, AtMost, Includes, UnitOfWork


async def create_change(cmd: CreateChangeRequest, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, pm, Act.CHANGE)
    approvers = Approvers.of(project)
    if not approvers.customers:
        raise Refused(f"{project.key} has no customers to approve a change request; add them.")
    values: dict[str, object] = {
        "title": cmd.title,
        "description": cmd.description,
        "scope": cmd.scope,
        "schedule_days": cmd.schedule_days,
        "cost": cmd.cost,
        "reason": cmd.reason,
        "due_at": cmd.due_at,
    }
    assert project.id is not None
    change = ChangeRequest(project.id, pid(pm), cmd.at)
    change.versions.append(new_version(1, pid(pm), cmd.at, values))
    await uow.repo(ChangeRequest).add(change)
    await uow.flush()
    assert change.id is not None
    change.source = await _link_source(uow, cmd, change.id, project, pid(pm))
    version = change.current
    emit(
        uow,
        ChangeRequested(
            at=cmd.at,
            actor_id=pm.id,
            project_id=project.id,
            subject_id=change.id,
            version=1,
            shown_hash=version.shown_hash(),
        ),
        _asked(change, approvers, cmd.at, pm.id),
    )
    return c.Reply(f"Change request CR-{change.id} sent for approval.", change.id)


async def _link_source(
    uow: UnitOfWork, cmd: CreateChangeRequest, change_id: int, project: Project, pm_id: int
) -> str:
    """Mark the request or notice a change request was drawn from."""
    if cmd.from_request_id is not None:
        request = await load(uow.repo(CustomerRequest), cmd.from_request_id, "request")
        _same_project(request.project_id, project)
        request.handle(RequestAction.CONVERT, pm_id, "", cmd.at)
        request.change_request_id = change_id
        emit(
            uow,
            RequestHandled(
                at=cmd.at,
                actor_id=pm_id,
                project_id=project.id,
                subject_id=request.id,
                state=request.state.value,
            ),
        )
        return f"request:{request.id}"
    if cmd.from_notice_id is not None:
        notice = await load(uow.repo(Notice), cmd.from_notice_id, "notice")
        _same_project(notice.project_id, project)
        notice.transition(NoticeAction.DRAFT)
        notice.change_request_id = change_id
        emit(
            uow,
            NoticeHandled(
                at=cmd.at,
                actor_id=pm_id,
                project_id=project.id,
                subject_id=notice.id,
                state=notice.state.value,
            ),
        )
        return f"notice:{notice.id}"
    return ""


def _same_project(project_id: int, project: Project) -> None:
    if project_id != project.id:
        raise Refused("That item belongs to another project.")


def _asked(
    change: ChangeRequest,
    approvers: Approvers,
    at: datetime,
    actor: int | None,
    changed: tuple[str, ...] = (),
) -> ApprovalAsked:
    return ApprovalAsked(
        at=at,
        actor_id=actor,
        project_id=change.project_id,
        subject_id=change.id,
        version=change.current.number,
        approver_ids=tuple(change.turn(approvers)),
        changed=changed,
    )


async def edit_change(cmd: EditChangeRequest, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    change = await load(uow.repo(ChangeRequest), cmd.change_id, "change request")
    project = await project_for(uow, change.project_id, pm, Act.CHANGE)
    changed = tuple(change.edit(pid(pm), dict(cmd.changes), cmd.at))
    version = change.current
    emit(
        uow,
        ChangeEdited(
            at=cmd.at,
            actor_id=pm.id,
            project_id=project.id,
            subject_id=change.id,
            version=version.number,
            shown_hash=version.shown_hash(),
            changed=changed,
        ),
        _asked(change, Approvers.of(project), cmd.at, pm.id, changed),
    )
    return c.Reply(
        f"CR-{change.id} is now version {version.number}; approvers are asked again.", change.id
    )


async def decide_change(cmd: DecideChange, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    change = await load(uow.repo(ChangeRequest), cmd.change_id, "change request")
    project = await project_for(uow, change.project_id, open_only=False)
    approvers = Approvers.of(project)
    waiting_before = set(change.turn(approvers))
    final = change.decide(pid(person), approvers, cmd.verdict, cmd.reason, cmd.version, cmd.at)
    emit(
        uow,
        ChangeDecided(
            at=cmd.at,
            actor_id=person.id,
            project_id=project.id,
            subject_id=change.id,
            version=cmd.version,
            shown_hash=change.current.shown_hash(),
            comment=cmd.reason.strip(),
            verdict=cmd.verdict.value,
        ),
    )
    if final is not None:
        emit(uow, _settled(change, cmd.at, person.id))
        return c.Reply(f"Thank you. CR-{change.id} is now {final.value}.", change.id)
    newly_turned = tuple(p for p in change.turn(approvers) if p not in waiting_before)
    if newly_turned:
        emit(
            uow,
            ApprovalAsked(
                at=cmd.at,
                actor_id=person.id,
                project_id=project.id,
                subject_id=change.id,
                version=cmd.version,
                approver_ids=newly_turned,
            ),
        )
    return c.Reply(f"Thank you, your decision on CR-{change.id} is recorded.", change.id)


def _settled(change: ChangeRequest, at: datetime, actor: int | None) -> ChangeSettled:
    return ChangeSettled(
        at=at,
        actor_id=actor,
        project_id=change.project_id,
        subject_id=change.id,
        version=change.current.number,
        state=change.state.value,
    )


async def ask_about_change(cmd: AskAboutChange, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    change = await load(uow.repo(ChangeRequest), cmd.change_id, "change request")
    project = await project_for(uow, change.project_id)
    question = change.ask(pid(person), Approvers.of(project), cmd.text, cmd.at)
    await uow.flush()
    assert question.id is not None
    emit(
        uow,
        QuestionAsked(
            at=cmd.at,
            actor_id=person.id,
            project_id=project.id,
            subject_id=change.id,
            version=change.current.number,
            comment=question.text,
            question_id=question.id,
        ),
    )
    return c.Reply(
        f"Your question went to the PMs; CR-{change.id} is paused until they answer.", change.id
    )


async def answer_question(cmd: AnswerQuestion, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    change = await load(uow.repo(ChangeRequest), cmd.change_id, "change request")
    project = await project_for(uow, change.project_id, pm, Act.ANSWER_QUESTION)
    question = change.answer(cmd.question_id, pid(pm), cmd.text, cmd.at)
    emit(
        uow,
        QuestionAnswered(
            at=cmd.at,
            actor_id=pm.id,
            project_id=project.id,
            subject_id=change.id,
            version=change.current.number,
            comment=question.answer or "",
            question_id=cmd.question_id,
            asker_id=question.asker_id,
        ),
    )
    if change.state is CRState.PENDING:
        emit(uow, _asked(change, Approvers.of(project), cmd.at, pm.id))
    return c.Reply("Your answer was sent.", change.id)


async def withdraw_change(cmd: WithdrawChange, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    change = await load(uow.repo(ChangeRequest), cmd.change_id, "change request")
    await project_for(uow, change.project_id, pm, Act.CHANGE, open_only=False)
    change.withdraw()
    emit(uow, _settled(change, cmd.at, pm.id))
    return c.Reply(f"CR-{change.id} was withdrawn.", change.id)


async def expire_overdue(cmd: ExpireOverdue, uow: UnitOfWork) -> c.Reply:
    """Expire every open change request and sign-off whose due time has passed."""
    expired = 0
    # Only requests some version of which is due by now: the tick costs what is overdue,
    # not every open request (the current version decides, in `expire`).
    overdue = Includes(due_at=AtMost(cmd.at))
    open_states = AnyOf(CRState.PENDING, CRState.PAUSED)
    for change in await uow.repo(ChangeRequest).find(state=open_states, versions=overdue):
        if change.expire(cmd.at):
            emit(uow, _settled(change, cmd.at, None))
            expired += 1
    expired += await expire_signoffs(uow, cmd.at)
    return c.Reply(f"{expired} overdue item(s) expired.")
