"""Event handlers that turn what happened into outbox messages (same transaction)."""

from __future__ import annotations

from collections.abc import Iterable

from workflow.domain import events as e
from workflow.domain.changes import Approvers, ChangeRequest
from workflow.domain.projects import Project
from workflow.domain.signoffs import SignoffRequest
from workflow.domain.views import Op, Outgoing, Recipient, View, card_key
from workflow.ports import UnitOfWork
from workflow.services import cards
from workflow.services.common import load


async def names_for(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    names = {person.id: person.label for person in await uow.people.get_many(wanted)}
    return {i: names.get(i, f"#{i}") for i in wanted}


async def project_of(uow: UnitOfWork, event: e.Event) -> Project:
    assert event.project_id is not None
    return await load(uow.projects, event.project_id, "project", lock=False)


async def to_people(
    uow: UnitOfWork, event: e.Event, people: Iterable[int], view: View, key: str | None = None
) -> None:
    for person_id in dict.fromkeys(people):
        await uow.outbox.put(
            Outgoing(Recipient(person_id=person_id), view, key, Op.POST, event.project_id), event.at
        )


async def to_channel(uow: UnitOfWork, event: e.Event, view: View, key: str | None = None) -> None:
    assert event.project_id is not None
    await uow.outbox.put(
        Outgoing(Recipient(project_id=event.project_id), view, key, Op.POST, event.project_id),
        event.at,
    )


async def update_cards(uow: UnitOfWork, event: e.Event, key: str, view: View) -> None:
    await uow.outbox.put(Outgoing(None, view, key, Op.UPDATE, event.project_id), event.at)


def everyone(project: Project) -> list[int]:
    return [p.person_id for p in project.participants]


# Projects and people
async def project_created(event: e.ProjectCreated, uow: UnitOfWork) -> None:
    project = await project_of(uow, event)
    names = await names_for(uow, everyone(project))
    await to_channel(
        uow, event, cards.project_card(project, names), card_key("project", project.id or 0)
    )
    for person_id in event.welcomed:
        await to_people(uow, event, [person_id], cards.welcome_card(project, person_id, names))


async def people_changed(event: e.PeopleChanged, uow: UnitOfWork) -> None:
    project = await project_of(uow, event)
    names = await names_for(uow, everyone(project))
    await update_cards(
        uow, event, card_key("project", project.id or 0), cards.project_card(project, names)
    )
    for person_id in event.welcomed:
        await to_people(uow, event, [person_id], cards.welcome_card(project, person_id, names))


# Change requests
async def _change_view(
    uow: UnitOfWork, event: e.Event, changed: tuple[str, ...] = ()
) -> tuple[ChangeRequest, View, Project]:
    assert event.subject_id is not None
    change = await load(uow.changes, event.subject_id, "change request", lock=False)
    project = await project_of(uow, event)
    turn = change.turn(Approvers.of(project)) if change.is_open else []
    names = await names_for(uow, [*everyone(project), change.requested_by])
    return change, cards.change_card(change, turn, names, changed), project


async def change_requested(event: e.ChangeRequested, uow: UnitOfWork) -> None:
    change, view, _ = await _change_view(uow, event)
    await to_channel(uow, event, view, card_key("change_request", change.id or 0))


async def approval_asked(event: e.ApprovalAsked, uow: UnitOfWork) -> None:
    change, view, _ = await _change_view(uow, event, event.changed)
    await to_people(
        uow, event, event.approver_ids, view, card_key("change_request", change.id or 0)
    )


async def change_updated(event: e.Event, uow: UnitOfWork) -> None:
    changed = event.changed if isinstance(event, e.ChangeEdited) else ()
    change, view, _ = await _change_view(uow, event, changed)
    await update_cards(uow, event, card_key("change_request", change.id or 0), view)


async def question_asked(event: e.QuestionAsked, uow: UnitOfWork) -> None:
    change, view, project = await _change_view(uow, event)
    await update_cards(uow, event, card_key("change_request", change.id or 0), view)
    asker = (await names_for(uow, [event.actor_id or 0])).get(event.actor_id or 0, "")
    question = cards.question_card(change, event.question_id, event.comment, asker)
    await to_people(uow, event, project.pms, question)


async def question_answered(event: e.QuestionAnswered, uow: UnitOfWork) -> None:
    change, view, _ = await _change_view(uow, event)
    await update_cards(uow, event, card_key("change_request", change.id or 0), view)
    await to_people(
        uow,
        event,
        [event.asker_id],
        cards.info(f"Answer to your question on CR-{change.id}", event.comment),
    )


async def change_settled(event: e.ChangeSettled, uow: UnitOfWork) -> None:
    change, view, project = await _change_view(uow, event)
    await update_cards(uow, event, card_key("change_request", change.id or 0), view)
    outcome = cards.info(f"CR-{change.id} · {change.current.title}: {view.status}")
    await to_people(uow, event, [change.requested_by, *project.pms], outcome)


# Sign-offs
def _signoff_views(request: SignoffRequest, names: dict[int, str]) -> dict[str, View]:
    audiences = dict.fromkeys(a.audience for a in request.approvers)
    return {
        f"{card_key('signoff', request.id or 0)}:{audience.value}": cards.signoff_card(
            request, audience, names
        )
        for audience in audiences
    }


async def _signoff(uow: UnitOfWork, event: e.Event) -> tuple[SignoffRequest, dict[str, View]]:
    assert event.subject_id is not None
    request = await load(uow.signoffs, event.subject_id, "sign-off request", lock=False)
    project = await project_of(uow, event)
    names = await names_for(uow, [*everyone(project), request.requested_by])
    return request, _signoff_views(request, names)


async def signoff_requested(event: e.SignoffRequested, uow: UnitOfWork) -> None:
    request, views = await _signoff(uow, event)
    for approver in request.approvers:
        key = f"{card_key('signoff', request.id or 0)}:{approver.audience.value}"
        await to_people(uow, event, [approver.person_id], views[key], key)


async def signoff_answered(event: e.SignoffAnswered, uow: UnitOfWork) -> None:
    _, views = await _signoff(uow, event)
    for key, view in views.items():
        await update_cards(uow, event, key, view)


async def signoff_settled(event: e.SignoffSettled, uow: UnitOfWork) -> None:
    request, views = await _signoff(uow, event)
    for key, view in views.items():
        await update_cards(uow, event, key, view)
    project = await project_of(uow, event)
    note = cards.info(f"Sign-off of the {request.kind.value} '{request.title}': {event.state}")
    await to_people(uow, event, [request.requested_by, *project.pms], note)
