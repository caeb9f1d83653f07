"""What every flow is waiting on people for, gathered from the flows that declare it.

Pending, the Home, the digest, each check-in and the scheduler's chases all ask the same
question: which items of a project wait on whom? Each flow answers for its own items
(`Flow.waiting`); this module asks them all. `workflow.flows` registers the flows once they
are all imported, so flows that need the answer (check-ins, the scheduler) can import this
module without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from workflow.domain.projects import Project
from workflow.domain.views import View, card_key
from workflow.flows.common import everyone, load, names_for
from workflow.flows.flow import Card, Item, Waiter, Waiting
from workflow.ports import UnitOfWork

_WAITERS: list[Waiter] = []
_ITEMS: dict[str, Item] = {}


def register(waiters: Sequence[Waiter], items: Mapping[str, Item]) -> None:
    """Called once by `workflow.flows` with every flow's `waiting` (in the flows' order) and
    every item kind."""
    _WAITERS[:] = list(waiters)
    _ITEMS.clear()
    _ITEMS.update(items)


async def waiting_in(uow: UnitOfWork, project: Project) -> list[Waiting]:
    """Everything that waits on someone in `project`, one entry per person waited on."""
    found: list[Waiting] = []
    for waiter in _WAITERS:
        found += await waiter(uow, project)
    return found


async def decisions_for(uow: UnitOfWork, project: Project, person_id: int) -> list[View]:
    """The cards of every decision in `project` still waiting on `person_id`, as they see them."""
    return await decision_cards(uow, project, await waiting_in(uow, project), person_id)


async def decision_cards(
    uow: UnitOfWork, project: Project, found: Sequence[Waiting], person_id: int
) -> list[View]:
    """`decisions_for` from what `waiting_in` already found (so a caller asks only once)."""
    waiting = [
        w
        for w in found
        if w.decision and w.pending.waiting_on == person_id and _has_card(w.pending.kind)
    ]
    if not waiting:
        return []
    names = await names_for(uow, everyone(project))
    return [_card(w.pending.kind)(w.item, project, names, person_id) for w in waiting]


async def chased_card(
    uow: UnitOfWork, project: Project, kind: str, item_id: int, person_id: int
) -> tuple[str, View, str]:
    """The card of an item a person is chased about, as they see it: (the key of their copy,
    the view, what the item is called)."""
    entry = _ITEMS[kind]
    card = _card(kind)
    assert entry.aggregate is not None
    found = await load(uow.repo(entry.aggregate), item_id, entry.called, lock=False)
    names = await names_for(uow, everyone(project))
    key = entry.copy_key(found, person_id) if entry.copy_key else card_key(kind, item_id)
    return key, card(found, project, names, person_id), entry.called


def _has_card(kind: str) -> bool:
    entry = _ITEMS.get(kind)
    return entry is not None and entry.card is not None


def _card(kind: str) -> Card:
    card = _ITEMS[kind].card
    assert card is not None
    return card
