"""The sign-off card, one per audience, and the event handlers that send it."""

from __future__ import annotations

from workflow.domain import events as e
from workflow.domain.signoffs import (
    Audience,
    SignoffApprover,
    SignoffRequest,
    SignoffState,
    SignoffVerdict,
)
from workflow.domain.views import Button, Style, View, ViewKind, card_key
from workflow.flows.common import everyone, load, names_for, project_of, to_people, update_cards
from workflow.flows.signoffs.messages import SignoffAnswered, SignoffRequested, SignoffSettled
from workflow.ports import UnitOfWork
from workflow.presentation.cards import Names, info, who

ANSWERED = {
    SignoffVerdict.APPROVE: "Approved",
    SignoffVerdict.APPROVE_WITH_REMARKS: "Approved with remarks",
    SignoffVerdict.REJECT: "Rejected",
}
SETTLED = {
    SignoffState.APPROVED: "approved",
    SignoffState.REJECTED: "rejected",
    SignoffState.WITHDRAWN: "withdrawn by a PM",
    SignoffState.SUPERSEDED: "superseded by a newer request",
    SignoffState.EXPIRED: "expired before everyone answered",
}


def answer(approver: SignoffApprover) -> str:
    """One answer in words, with its remarks or reason: "Rejected: Milestones too tight"."""
    said = ANSWERED[approver.verdict] if approver.verdict else "No answer"
    return f"{said}: {approver.remarks}" if approver.remarks else said


def answers(
    request: SignoffRequest, names: Names, audience: Audience = Audience.WHOLE
) -> tuple[tuple[str, str], ...]:
    """Who answered and what (plain user text: renderers escape and fit it). A copy for the
    scope section shows only the answers on that section, not the remarks on the whole plan."""
    return tuple(
        (names.get(a.person_id, f"#{a.person_id}"), answer(a))
        for a in request.approvers
        if a.verdict is not None and (audience is Audience.WHOLE or a.audience is audience)
    )


def outcome(request: SignoffRequest, names: Names) -> str:
    """How the request stands, naming who rejected it: "rejected by Carol"."""
    if request.state is SignoffState.PENDING:
        return f"waiting on {who(request.waiting_on(), names)}"
    said = SETTLED[request.state]
    rejected = [a for a in request.approvers if a.verdict is SignoffVerdict.REJECT]
    return f"{said} by {who([rejected[0].person_id], names)}" if rejected else said


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
    text = "\n".join(t for t in (request.summary, part) if t)
    return View(
        ViewKind.SIGNOFF,
        f"Sign-off · {request.kind.document.capitalize()}: {request.title}",
        text,
        (
            ("Version", request.doc_version),
            ("Requested by", names.get(request.requested_by, "")),
            *answers(request, names, audience),
        ),
        _first_up(outcome(request, names)),
        buttons,
        actors,
        link=request.link,
    )


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def settled_note(request: SignoffRequest, names: Names) -> View:
    """What the PMs hear when a sign-off settles: the outcome, and every answer with its
    remarks or reason, and who never answered."""
    silent = request.waiting_on()
    fields = answers(request, names)
    if silent:
        fields += (("No answer from", who(silent, names)),)
    title = f"Sign-off of the {request.kind.document} '{request.title}': "
    return info(title + outcome(request, names), fields=fields)


def _signoff_views(request: SignoffRequest, names: dict[int, str]) -> dict[str, View]:
    audiences = dict.fromkeys(a.audience for a in request.approvers)
    return {
        f"{card_key('signoff', request.id or 0)}:{audience.value}": signoff_card(
            request, audience, names
        )
        for audience in audiences
    }


async def _signoff(
    uow: UnitOfWork, event: e.Event
) -> tuple[SignoffRequest, dict[str, View], dict[int, str]]:
    assert event.subject_id is not None
    request = await load(uow.repo(SignoffRequest), event.subject_id, "sign-off request", lock=False)
    project = await project_of(uow, event)
    approvers = [a.person_id for a in request.approvers]
    names = await names_for(uow, [*everyone(project), request.requested_by, *approvers])
    return request, _signoff_views(request, names), names


async def signoff_requested(event: SignoffRequested, uow: UnitOfWork) -> None:
    request, views, _ = await _signoff(uow, event)
    for approver in request.approvers:
        key = f"{card_key('signoff', request.id or 0)}:{approver.audience.value}"
        await to_people(uow, event, [approver.person_id], views[key], key)


async def signoff_answered(event: SignoffAnswered, uow: UnitOfWork) -> None:
    _, views, _ = await _signoff(uow, event)
    for key, view in views.items():
        await update_cards(uow, event, key, view)


async def signoff_settled(event: SignoffSettled, uow: UnitOfWork) -> None:
    request, views, names = await _signoff(uow, event)
    for key, view in views.items():
        await update_cards(uow, event, key, view)
    project = await project_of(uow, event)
    await to_people(uow, event, [request.requested_by, *project.pms], settled_note(request, names))
