"""The sign-off card, one per audience, and the event handlers that send it."""

from __future__ import annotations

from workflow.domain import events as e
from workflow.domain.signoffs import Audience, SignoffRequest, SignoffState
from workflow.domain.views import Button, Style, View, ViewKind, card_key
from workflow.flows.common import everyone, load, names_for, project_of, to_people, update_cards
from workflow.flows.signoffs.messages import SignoffAnswered, SignoffRequested, SignoffSettled
from workflow.ports import UnitOfWork
from workflow.presentation.cards import Names, info, who


def signoff_card(request: SignoffRequest, audience: Audience, names: Names) -> View:
    key = card_key("signoff", request.id or 0)
    part = (
        "You are asked to approve the scope section of this plan only."
        if audience is Audience.SCOPE_SECTION
        else ""
    )
    pending = request.state is SignoffState.PENDING
    buttons = (
        (
            Button("approve", "Approve", key, None, Style.PRIMARY),
            Button("approve_with_remarks", "Approve with remarks", key, needs_text="Remarks"),
            Button("reject", "Reject", key, None, Style.DANGER, needs_text="Reason"),
        )
        if pending
        else ()
    )
    actors = (
        tuple(
            a.person_id for a in request.approvers if a.audience is audience and a.verdict is None
        )
        if pending
        else ()
    )
    status = (
        f"Waiting on {who(request.waiting_on(), names)}" if pending else request.state.value.title()
    )
    text = "\n".join(t for t in (request.summary, part) if t)
    return View(
        ViewKind.SIGNOFF,
        f"Sign-off · {request.kind.value.title()}: {request.title}",
        text,
        (("Version", request.doc_version), ("Requested by", names.get(request.requested_by, ""))),
        status,
        buttons,
        actors,
        link=request.link,
    )


def _signoff_views(request: SignoffRequest, names: dict[int, str]) -> dict[str, View]:
    audiences = dict.fromkeys(a.audience for a in request.approvers)
    return {
        f"{card_key('signoff', request.id or 0)}:{audience.value}": signoff_card(
            request, audience, names
        )
        for audience in audiences
    }


async def _signoff(uow: UnitOfWork, event: e.Event) -> tuple[SignoffRequest, dict[str, View]]:
    assert event.subject_id is not None
    request = await load(uow.repo(SignoffRequest), event.subject_id, "sign-off request", lock=False)
    project = await project_of(uow, event)
    names = await names_for(uow, [*everyone(project), request.requested_by])
    return request, _signoff_views(request, names)


async def signoff_requested(event: SignoffRequested, uow: UnitOfWork) -> None:
    request, views = await _signoff(uow, event)
    for approver in request.approvers:
        key = f"{card_key('signoff', request.id or 0)}:{approver.audience.value}"
        await to_people(uow, event, [approver.person_id], views[key], key)


async def signoff_answered(event: SignoffAnswered, uow: UnitOfWork) -> None:
    _, views = await _signoff(uow, event)
    for key, view in views.items():
        await update_cards(uow, event, key, view)


async def signoff_settled(event: SignoffSettled, uow: UnitOfWork) -> None:
    request, views = await _signoff(uow, event)
    for key, view in views.items():
        await update_cards(uow, event, key, view)
    project = await project_of(uow, event)
    note = info(f"Sign-off of the {request.kind.value} '{request.title}': {event.state}")
    await to_people(uow, event, [request.requested_by, *project.pms], note)
