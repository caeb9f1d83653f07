"""Sign-offs: ask the right people to approve a document; decide; withdraw; expire."""

from __future__ import annotations

from datetime import datetime

from workflow.domain import commands as c
from workflow.domain.permissions import Act
from workflow.domain.signoffs import SignoffAction, SignoffRequest, SignoffState, new_signoff
from workflow.flows.common import actor_of, emit, known_id, load, pid, project_for
from workflow.flows.signoffs.messages import (
    DecideSignoff,
    RequestSignoff,
    SignoffAnswered,
    SignoffRequested,
    SignoffSettled,
    WithdrawSignoff,
)
from workflow.ports import AtMost, UnitOfWork


async def request_signoff(cmd: RequestSignoff, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    project = await project_for(uow, cmd.project_id, pm, Act.SIGNOFF)
    fields = {"title": cmd.title, "link": cmd.link, "summary": cmd.summary, "version": cmd.version}
    request = new_signoff(project, cmd.kind, fields, pid(pm), cmd.at, cmd.due_at)
    superseded = []
    for old in await uow.repo(SignoffRequest).find(
        project_id=project.id, kind=cmd.kind, state=SignoffState.PENDING
    ):
        old.settle(SignoffAction.SUPERSEDE)
        emit(uow, _settled(old, cmd.at, pm.id))
        superseded.append(old.id)
    await uow.repo(SignoffRequest).add(request)
    await uow.flush()
    emit(
        uow,
        SignoffRequested(
            at=cmd.at,
            actor_id=pm.id,
            project_id=project.id,
            subject_id=request.id,
            comment=request.doc_version,
            superseded=tuple(i for i in superseded if i is not None),
        ),
    )
    asked = len(request.approvers)
    return c.Reply(
        f"Sign-off of the {cmd.kind.document} requested from {asked} "
        f"{'person' if asked == 1 else 'people'}.",
        request.id,
    )


async def decide_signoff(cmd: DecideSignoff, uow: UnitOfWork) -> c.Reply:
    person = await actor_of(uow, cmd)
    request = await load(uow.repo(SignoffRequest), cmd.signoff_id, "sign-off request")
    settled = request.decide(pid(person), cmd.verdict, cmd.remarks, cmd.at)
    entry = request.approver(pid(person))
    emit(
        uow,
        SignoffAnswered(
            at=cmd.at,
            actor_id=person.id,
            project_id=request.project_id,
            subject_id=request.id,
            shown_hash=entry.shown_hash,
            comment=entry.remarks,
            verdict=cmd.verdict.value,
        ),
    )
    if settled:
        emit(uow, _settled(request, cmd.at, person.id))
    thanks = f"Thank you, your answer on the {request.kind.document} is recorded."
    return c.Reply(thanks, request.id)


async def may_decide(cmd: DecideSignoff, uow: UnitOfWork) -> None:
    """Checked before a form opens: one of the people asked, who has not answered yet."""
    request = await load(uow.repo(SignoffRequest), cmd.signoff_id, "sign-off request", lock=False)
    request.check_answer(await known_id(uow, cmd), cmd.verdict)


async def withdraw_signoff(cmd: WithdrawSignoff, uow: UnitOfWork) -> c.Reply:
    pm = await actor_of(uow, cmd)
    request = await load(uow.repo(SignoffRequest), cmd.signoff_id, "sign-off request")
    await project_for(uow, request.project_id, pm, Act.SIGNOFF, open_only=False)
    request.settle(SignoffAction.WITHDRAW)
    emit(uow, _settled(request, cmd.at, pm.id))
    return c.Reply(f"The {request.kind.document} sign-off was withdrawn.", request.id)


async def expire_signoffs(uow: UnitOfWork, now: datetime) -> int:
    expired = 0
    due = AtMost(now)
    for request in await uow.repo(SignoffRequest).find(state=SignoffState.PENDING, due_at=due):
        if request.expire(now):
            emit(uow, _settled(request, now, None))
            expired += 1
    return expired


def _settled(request: SignoffRequest, at: datetime, actor: int | None) -> SignoffSettled:
    return SignoffSettled(
        at=at,
        actor_id=actor,
        project_id=request.project_id,
        subject_id=request.id,
        state=request.state.value,
    )
