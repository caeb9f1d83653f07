"""What every flow is waiting on people for, gathered from the flows that declare it.

Pending, the Home, the digest, each check-in and the scheduler's chases all ask the same
question: which items of a project wait on whom? Each flow answers for its own items
(`Flow.waiting`); this module asks them all. `workflow.flows` registers the flows once they
are all imported, so flows that need the answer (check-ins, the scheduler) can import this
module without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workflow.domain.insight import PendingItem
from workflow.domain.projects import Project
from workflow.domain.views import View, card_key
from workflow.flows.common import everyone, load, names_for
from workflow.flows.flow import Card, Item, Waiter, Waiting
from workflow.flows.views import views_of
from workflow.ports import AnyOf, UnitOfWork


@dataclass(frozen=True)
class Waits:
    """A flow's `waiting` that reads one aggregate's rows in a project, filtered by `where`
    (its open states), and `build`s what waits on whom from them.

    Declaring the rows lets `waiting_in` first ask in one statement which flows have any
    such row at all (most have none), then load only those, for many projects at once.
    """

    aggregate: type[Any]
    where: Mapping[str, object]
    build: Callable[[Project, list[Any]], list[Waiting]]

    async def __call__(self, uow: UnitOfWork, project: Project) -> list[Waiting]:
        found = await uow.repo(self.aggregate).find(project_id=project.id, **self.where)
        return self.build(project, found)


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
    return (await waiting_across(uow, [project])).get(project.id or 0, [])


async def waiting_across(uow: UnitOfWork, projects: Iterable[Project]) -> dict[int, list[Waiting]]:
    """`waiting_in` of each project (by id), asking each flow once for all of them, and only
    the flows that the read model says have open rows in them."""
    found = await _across(uow, projects, _WAITERS)
    return {pid: [w for _, w in tagged] for pid, tagged in found.items()}


async def shown_waiting(
    uow: UnitOfWork, projects: Sequence[Project], person_id: int | None, limit: int
) -> list[PendingItem]:
    """The first `limit` of what waits (on `person_id` only, unless None) in `projects`,
    oldest first, in the order `waiting_across` lists them: the read model answers the flows
    it has a query for with the rows shown; the other flows' `waiting` builds the rest."""
    chosen = [p for p in projects if p.id is not None]
    declared = [w for w in _WAITERS if isinstance(w, Waits)]
    aggregates = [w.aggregate for w in declared]
    pids = [p.id or 0 for p in chosen]
    rows, answered = await views_of(uow).waiting(aggregates, pids, person_id, limit)
    keyed = [(s.pending, _WAITERS.index(declared[s.flow]), s.rank) for s in rows]
    rest = [w for w in _WAITERS if not (isinstance(w, Waits) and w.aggregate in answered)]
    for tagged in (await _across(uow, chosen, rest)).values():
        places: dict[tuple[int, int], int] = {}
        for flow, w in tagged:
            item = (flow, w.pending.item_id)
            places[item] = places.get(item, -1) + 1
            if person_id is None or w.pending.waiting_on == person_id:
                keyed.append((w.pending, flow, places[item]))
    keyed.sort(key=lambda k: (k[0].since, k[0].project_id, k[1], k[0].item_id, k[2]))
    return [pending for pending, _, _ in keyed[:limit]]


async def _across(
    uow: UnitOfWork, projects: Iterable[Project], waiters: Sequence[Waiter]
) -> dict[int, list[tuple[int, Waiting]]]:
    """What `waiters` find in each project, each entry with its waiter's place in the flows."""
    chosen = {p.id: p for p in projects if p.id is not None}
    found: dict[int, list[tuple[int, Waiting]]] = {pid: [] for pid in chosen}
    declared = [w for w in waiters if isinstance(w, Waits)]
    questions = [(w.aggregate, w.where) for w in declared]
    views = views_of(uow)
    having = await views.having(questions, list(chosen)) if chosen and declared else set()
    for waiter in waiters:
        flow = _WAITERS.index(waiter)
        if not isinstance(waiter, Waits):
            for pid, project in chosen.items():
                found[pid] += [(flow, w) for w in await waiter(uow, project)]
            continue
        index = declared.index(waiter)
        pids = sorted(pid for i, pid in having if i == index)
        if not pids:
            continue
        rows = await views.find(waiter.aggregate, project_id=AnyOf(*pids), **waiter.where)
        for pid in pids:
            built = waiter.build(chosen[pid], [r for r in rows if r.project_id == pid])
            found[pid] += [(flow, w) for w in built]
    return found


async def decisions_for(uow: UnitOfWork, project: Project, person_id: int) -> list[View]:
    """The cards of every decision in `project` still waiting on `person_id`, as they see them."""
    return await decision_cards(uow, project, await waiting_in(uow, project), person_id)


async def decision_cards(
    uow: UnitOfWork,
    project: Project,
    found: Sequence[Waiting],
    person_id: int,
    names: Mapping[int, str] | None = None,
) -> list[View]:
    """`decisions_for` from what `waiting_in` already found (so a caller asks only once);
    `names` of the project's people, when the caller has them already."""
    waiting = [
        w
        for w in found
        if w.decision and w.pending.waiting_on == person_id and _has_card(w.pending.kind)
    ]
    if not waiting:
        return []
    people = everyone(project)
    if names is None or any(p not in names for p in people):
        names = await names_for(uow, people)
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
