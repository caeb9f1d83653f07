"""What a press on a change request would be refused, asked before its form opens.

Each check loads what its use case loads, without locking or writing, and asks the same
rule of the model (`ChangeRequest.check_decision`, `check_may_ask`, `open_question`), so
the person reads the sentence the submit would have given them.
"""

from __future__ import annotations

from workflow.domain.approvals import Approvers
from workflow.domain.changes import ChangeRequest
from workflow.domain.permissions import Act
from workflow.flows.change_requests.messages import AnswerQuestion, AskAboutChange, DecideChange
from workflow.flows.common import known_id, load, project_allows
from workflow.ports import UnitOfWork


async def _change(uow: UnitOfWork, change_id: int) -> ChangeRequest:
    return await load(uow.repo(ChangeRequest), change_id, "change request", lock=False)


async def may_decide(cmd: DecideChange, uow: UnitOfWork) -> None:
    """An approver whose turn it is, on the current version of an open change request."""
    me, change = await known_id(uow, cmd), await _change(uow, cmd.change_id)
    project = await project_allows(uow, change.project_id, me, open_only=False)
    change.check_decision(me, Approvers.of(project), cmd.verdict, cmd.version)


async def may_ask(cmd: AskAboutChange, uow: UnitOfWork) -> None:
    """An approver, about an open change request of an open project."""
    me, change = await known_id(uow, cmd), await _change(uow, cmd.change_id)
    project = await project_allows(uow, change.project_id, me)
    change.check_may_ask(me, Approvers.of(project))


async def may_answer(cmd: AnswerQuestion, uow: UnitOfWork) -> None:
    """A PM of the open project, on a question still waiting for its answer."""
    me, change = await known_id(uow, cmd), await _change(uow, cmd.change_id)
    await project_allows(uow, change.project_id, me, Act.ANSWER_QUESTION)
    change.open_question(cmd.question_id)
