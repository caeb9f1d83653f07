"""The check-in card, with everything still waiting on that customer, and its handlers."""

from __future__ import annotations

from collections.abc import Sequence
from weakref import WeakKeyDictionary

from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.projects import Project
from workflow.domain.views import Button, Style, View, ViewKind, card_key
from workflow.flows.checkins.messages import CheckInAnswered, CheckInSent
from workflow.flows.common import (
    load,
    project_of,
    subject_id,
    to_people,
    update_cards,
)
from workflow.flows.flow import Waiting
from workflow.flows.projects.cards import for_project
from workflow.flows.waiting import decision_cards, waiting_in
from workflow.ports import UnitOfWork
from workflow.presentation.cards import CUSTOMER_STARTS

# What waits on whom in a project, found once per unit of work (one transaction): a batch
# of a fan-out sends dozens of check-in cards, and opening check-ins changes no decision.
_FOUND: WeakKeyDictionary[UnitOfWork, dict[int, list[Waiting]]] = WeakKeyDictionary()


async def checkin_sent(event: CheckInSent, uow: UnitOfWork) -> None:
    checkin = await load(uow.repo(CheckIn), subject_id(event), "check-in", lock=False)
    project = await project_of(uow, event)
    found = await _waiting_once(uow, project)
    pending = await decision_cards(uow, project, found, event.person_id)
    view = checkin_card(checkin, project, pending)
    await to_people(uow, event, [event.person_id], view, card_key("checkin", checkin.id or 0))


async def checkin_answered(event: CheckInAnswered, uow: UnitOfWork) -> None:
    checkin = await load(uow.repo(CheckIn), subject_id(event), "check-in", lock=False)
    project = await project_of(uow, event)
    await update_cards(
        uow, event, card_key("checkin", checkin.id or 0), checkin_card(checkin, project, [])
    )


async def _waiting_once(uow: UnitOfWork, project: Project) -> list[Waiting]:
    found = _FOUND.setdefault(uow, {})
    key = project.id or 0
    if key not in found:
        found[key] = await waiting_in(uow, project)
    return found[key]


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
        items=tuple(pending[:10]),
    )
