"""What a check-in carries: the decisions its messages show, and their cards as they are now.

A check-in shows the change requests, sign-offs and reports waiting on its customer, each
with its buttons: those nested cards are copies too. The items' own flows update only the
cards keyed by the item; `cards.keep_current` updates the check-ins that carry them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from workflow.domain.checkins import CheckIn
from workflow.domain.projects import Project
from workflow.domain.views import View, card_key
from workflow.flows.common import cards_updated, everyone, names_for
from workflow.flows.flow import Card, Item, Waiting
from workflow.flows.waiting import waiting_in
from workflow.ports import UnitOfWork
from workflow.presentation.cards import Names

SHOWN = 10  # decisions a check-in shows; `pending` lists them all
_ITEMS: dict[str, Item] = {}
# What waits on whom in a project, found once per unit of work (one transaction): a batch
# of a fan-out sends dozens of check-in cards, and opening check-ins changes no decision.
_FOUND: WeakKeyDictionary[UnitOfWork, dict[int, list[Waiting]]] = WeakKeyDictionary()


def register(items: Mapping[str, Item]) -> None:
    """Called once by `workflow.flows` with every item kind: those with a card can be carried."""
    _ITEMS.clear()
    _ITEMS.update(
        (kind, item)
        for kind, item in items.items()
        if kind != "checkin" and item.card is not None and item.aggregate is not None
    )


def item_of(key: str) -> str:
    """The item a card key is a copy of: "signoff:3:scope" -> "signoff:3"."""
    kind, _, rest = key.partition(":")
    return f"{kind}:{rest.partition(':')[0]}"


async def waiting_once(uow: UnitOfWork, project: Project) -> list[Waiting]:
    found = _FOUND.setdefault(uow, {})
    key = project.id or 0
    if key not in found:
        found[key] = await waiting_in(uow, project)
    return found[key]


def carried_of(found: Sequence[Waiting], person_id: int) -> list[Waiting]:
    """The decisions a check-in to `person_id` shows, of what waits in the project."""
    mine = [w for w in found if w.decision and w.pending.waiting_on == person_id]
    return [w for w in mine if w.pending.kind in _ITEMS][:SHOWN]


def keys_of(shown: Iterable[Waiting]) -> list[str]:
    return [card_key(w.pending.kind, w.pending.item_id) for w in shown]


async def carried_cards(
    uow: UnitOfWork, project: Project, checkins: Sequence[CheckIn], names: Names | None = None
) -> dict[int, list[View]]:
    """Each check-in's carried decisions as its customer sees them now (by check-in id):
    one query per kind of item for all of them; items gone since are left out."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for checkin in checkins:
        for key in checkin.carried:
            kind, _, raw = key.partition(":")
            if kind in _ITEMS and raw.isdigit():
                wanted[kind].add(int(raw))
    loaded: dict[str, Any] = {}
    for kind, ids in wanted.items():
        aggregate = _ITEMS[kind].aggregate
        assert aggregate is not None
        for item in await uow.repo(aggregate).get_many(ids):
            loaded[card_key(kind, item.id)] = item
    if loaded and names is None:
        names = await names_for(uow, everyone(project))
    return {
        checkin.id or 0: [
            _card(key)(loaded[key], project, names or {}, checkin.person_id)
            for key in checkin.carried
            if key in loaded
        ]
        for checkin in checkins
    }


def _card(key: str) -> Card:
    card = _ITEMS[key.partition(":")[0]].card
    assert card is not None
    return card


def updated_items(uow: UnitOfWork) -> dict[int, dict[str, datetime]]:
    """The items whose cards were updated in this transaction so far, that a check-in can
    carry: {project: {"change_request:12": when}}."""
    by_project: dict[int, dict[str, datetime]] = defaultdict(dict)
    for (project_id, key), at in cards_updated(uow).items():
        if key.partition(":")[0] in _ITEMS:
            by_project[project_id][item_of(key)] = at
    return by_project
