"""What every flow is waiting on people for, gathered from the flows that declare it.

Pending, the Home, the digest, each check-in and the scheduler's chases all ask the same
question: which items of a project wait on whom? Each flow answers for its own items
(`Flow.waiting`); this module asks them all. `workflow.flows` registers the flows once they
are all imported, so flows that need the answer (check-ins, the scheduler) can import this
module without importing each other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.domain.insight import PendingItem
from workflow.domain.projects import Project
from workflow.domain.views import View
from workflow.flows.common import everyone, names_for
from workflow.ports import UnitOfWork


@dataclass(frozen=True)
class Waiting:
    """One item waiting on one person.

    `decision` marks what the scheduler chases and a check-in carries with its buttons (a
    change request, a sign-off, a report); `asked` is when this person was last asked (for
    the chase), `version` which version they are asked about, `item` the loaded aggregate.
    """

    pending: PendingItem
    item: Any
    decision: bool = False
    version: int = 0
    asked: datetime | None = None


Waiter = Callable[[UnitOfWork, Project], Awaitable[list[Waiting]]]
Card = Callable[[Any, Project, Mapping[int, str], int | None], View]
_WAITERS: list[Waiter] = []
_CARDS: dict[str, Card] = {}


def register(waiters: Sequence[Waiter], cards: Mapping[str, Card]) -> None:
    """Called once by `workflow.flows` with every flow's `waiting` (in the flows' order) and
    every item kind's card."""
    _WAITERS[:] = list(waiters)
    _CARDS.clear()
    _CARDS.update(cards)


async def waiting_in(uow: UnitOfWork, project: Project) -> list[Waiting]:
    """Everything that waits on someone in `project`, one entry per person waited on."""
    found: list[Waiting] = []
    for waiter in _WAITERS:
        found += await waiter(uow, project)
    return found


async def decisions_for(uow: UnitOfWork, project: Project, person_id: int) -> list[View]:
    """The cards of every decision in `project` still waiting on `person_id`, as they see them."""
    waiting = [
        w
        for w in await waiting_in(uow, project)
        if w.decision and w.pending.waiting_on == person_id and w.pending.kind in _CARDS
    ]
    if not waiting:
        return []
    names = await names_for(uow, everyone(project))
    return [_CARDS[w.pending.kind](w.item, project, names, person_id) for w in waiting]
