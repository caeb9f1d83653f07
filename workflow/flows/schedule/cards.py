"""Event handlers for what the scheduler does: reminders, misses, escalations, the digest."""

from __future__ import annotations

from workflow import audit
from workflow.domain import events as e
from workflow.domain.checkins import CheckIn
from workflow.domain.views import Op, Outgoing, Recipient, View, card_key
from workflow.flows.checkins.cards import checkin_card
from workflow.flows.common import load, names_for, project_of, to_people, update_cards
from workflow.flows.insight.reads import project_digest
from workflow.flows.waiting import chased_card, decisions_for
from workflow.ports import UnitOfWork
from workflow.presentation.cards import digest_card, info


def reminded(view: View, note: str) -> View:
    return View(
        view.kind,
        f"Reminder: {view.title}",
        view.text,
        view.fields,
        view.status,
        view.buttons,
        view.actors,
        view.items,
        note,
        view.link,
    )


async def checkin_reminded(event: e.CheckInReminded, uow: UnitOfWork) -> None:
    checkin = await load(uow.repo(CheckIn), event.subject_id or 0, "check-in", lock=False)
    project = await project_of(uow, event)
    pending = await decisions_for(uow, project, event.person_id)
    view = reminded(
        checkin_card(checkin, project, pending),
        "One minute is enough: your answer helps the team steer.",
    )
    await to_people(uow, event, [event.person_id], view, card_key("checkin", checkin.id or 0))


async def checkin_missed(event: e.CheckInMissed, uow: UnitOfWork) -> None:
    checkin = await load(uow.repo(CheckIn), event.subject_id or 0, "check-in", lock=False)
    project = await project_of(uow, event)
    view = checkin_card(checkin, project, [])
    await update_cards(
        uow,
        event,
        card_key("checkin", checkin.id or 0),
        View(
            view.kind,
            view.title,
            "This check-in was missed; next week's will come as usual. You can still answer it.",
            view.fields,
            "Missed",
            view.buttons,
            view.actors,
        ),
    )


async def decision_reminded(event: e.DecisionReminded, uow: UnitOfWork) -> None:
    project = await project_of(uow, event)
    key, view, noun = await chased_card(uow, project, event.kind, event.item_id, event.person_id)
    note = f"Reminder {event.reminder}: this {noun} is waiting on you."
    await to_people(uow, event, [event.person_id], reminded(view, note), key)


async def decision_escalated(event: e.DecisionEscalated, uow: UnitOfWork) -> None:
    project = await project_of(uow, event)
    _, view, _ = await chased_card(uow, project, event.kind, event.item_id, event.person_id)
    names = await names_for(uow, [event.person_id])
    note = info(
        f"Still waiting on {names[event.person_id]} after {event.waiting_days} days",
        f"{view.title}\nThey were reminded 3 times. Perhaps a call helps, or ask whether "
        "someone else should decide.",
    )
    await to_people(uow, event, [event.to], note)  # each recipient in their own hours


async def digest_sent(event: e.DigestSent, uow: UnitOfWork) -> None:
    project = await project_of(uow, event)
    figures = await project_digest(uow, project.id or 0, event.at)
    point = await audit.checkpoint(uow, event.at)  # the head before this transaction's entries
    view = digest_card(project, figures, await names_for(uow, figures.silent), point.line())
    await uow.outbox.put(  # to this PM alone: each gets theirs at their own check-in time
        Outgoing(Recipient(person_id=event.person_id), view, None, Op.POST, project.id), event.at
    )
