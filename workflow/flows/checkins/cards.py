"""The check-in card, with everything still waiting on that customer, and its handlers."""

from __future__ import annotations

from collections.abc import Sequence

from workflow.domain.checkins import SHOWING, CheckIn, CheckInState
from workflow.domain.events import CheckInReminded, Event
from workflow.domain.projects import Project
from workflow.domain.views import Button, Op, Outgoing, Style, View, ViewKind, card_key
from workflow.flows.checkins.carried import (
    SHOWN,
    carried_cards,
    carried_of,
    keys_of,
    updated_items,
    waiting_once,
)
from workflow.flows.checkins.messages import CheckInAnswered, CheckInSent
from workflow.flows.common import (
    load,
    project_of,
    subject_id,
    to_people,
    update_cards,
)
from workflow.flows.projects.cards import for_project
from workflow.flows.waiting import decision_cards
from workflow.ports import AnyOf, UnitOfWork
from workflow.presentation.cards import CUSTOMER_STARTS, Names


async def checkin_sent(event: CheckInSent, uow: UnitOfWork) -> None:
    checkin = await load(uow.repo(CheckIn), subject_id(event), "check-in", lock=False)
    project = await project_of(uow, event)
    shown = carried_of(await waiting_once(uow, project), event.person_id)
    pending = await decision_cards(uow, project, shown, event.person_id)
    checkin.carry(keys_of(shown))
    view = checkin_card(checkin, project, pending)
    await to_people(uow, event, [event.person_id], view, card_key("checkin", checkin.id or 0))


async def checkin_answered(event: CheckInAnswered, uow: UnitOfWork) -> None:
    checkin = await load(uow.repo(CheckIn), subject_id(event), "check-in", lock=False)
    project = await project_of(uow, event)
    await update_cards(
        uow, event, card_key("checkin", checkin.id or 0), checkin_card(checkin, project, [])
    )


async def keep_current(events: Sequence[Event], uow: UnitOfWork) -> None:
    """The bus's hook before commit: the check-ins carrying an item whose cards were updated
    in this transaction are updated too (one indexed query per project that has any), each
    with all it carries as it is now, a settled decision without its buttons."""
    await _carry_reminded([ev for ev in events if isinstance(ev, CheckInReminded)], uow)
    for project_id, items in sorted(updated_items(uow).items()):
        showing = await uow.repo(CheckIn).find(project_id=project_id, state=AnyOf(*SHOWING))
        touched = await _locked([ci for ci in showing if items.keys() & set(ci.carried)], uow)
        if not touched:
            continue
        project = await load(uow.projects, project_id, "project", lock=False)
        cards = await carried_cards(uow, project, touched)
        for checkin in touched:
            at = max(items[key] for key in items.keys() & set(checkin.carried))
            view = checkin_card(checkin, project, cards[checkin.id or 0])
            key = card_key("checkin", checkin.id or 0)
            await uow.outbox.put(Outgoing(None, view, key, Op.UPDATE, project_id), at)


async def _locked(checkins: Sequence[CheckIn], uow: UnitOfWork) -> list[CheckIn]:
    """Those of `checkins` still showing their decisions once locked and read again: an
    answer takes the same lock, so its card is never followed by an older question."""
    found = [await uow.repo(CheckIn).get(ci.id or 0, lock=True) for ci in checkins]
    return [ci for ci in found if ci is not None and ci.shows_decisions]


async def _carry_reminded(reminded: Sequence[CheckInReminded], uow: UnitOfWork) -> None:
    """A reminder is a copy of the check-in (same card key) showing what waits now: the
    check-in carries that too, so an update keeps it in both messages."""
    for event in reminded:
        checkin = await load(uow.repo(CheckIn), subject_id(event), "check-in", lock=False)
        project = await load(uow.projects, checkin.project_id, "project", lock=False)
        checkin.carry(keys_of(carried_of(await waiting_once(uow, project), checkin.person_id)))


async def current_card(
    uow: UnitOfWork, checkin: CheckIn, project: Project, names: Names, viewer: int | None
) -> View:
    """The check-in as it is now, with the decisions it carries as they are now (for a
    platform that asks for a card again, as Teams does for `refresh.userIds`)."""
    if not checkin.shows_decisions:
        return checkin_card(checkin, project, [])
    cards = await carried_cards(uow, project, [checkin], names)
    return checkin_card(checkin, project, cards[checkin.id or 0])


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
        items=tuple(pending[:SHOWN]),
    )
