"""The change-request card and question card, and the event handlers that send them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from workflow.domain import events as e
from workflow.domain.approvals import Approvers
from workflow.domain.changes import MACHINE, ChangeRequest, CRAction, CRState
from workflow.domain.projects import Project
from workflow.domain.views import Button, Style, View, ViewKind, card_key
from workflow.flows.change_requests.messages import (
    ApprovalAsked,
    ChangeEdited,
    ChangeRequested,
    ChangeSettled,
    QuestionAnswered,
    QuestionAsked,
)
from workflow.flows.common import (
    everyone,
    load,
    names_for,
    project_of,
    to_channel,
    to_people,
    update_cards,
)
from workflow.ports import UnitOfWork
from workflow.presentation.cards import Names, info, who
from workflow.presentation.said import CHANGE_FIELDS


def change_card(
    change: ChangeRequest,
    turn: Sequence[int],
    names: Names,
    changed: Sequence[str] = (),
    editors: Sequence[int] = (),
) -> View:
    """The card every copy shows; `editors` (the PMs) get Edit while it can still change."""
    v = change.current
    key = card_key("change_request", change.id or 0)
    fields = [
        ("Scope", v.scope or "—"),
        ("Schedule", f"{v.schedule_days:+d} days"),
        ("Cost", f"{v.cost:,}"),
        ("Reason", v.reason or "—"),
        ("Requested by", names.get(change.requested_by, "")),
    ]
    if v.due_at is not None:
        fields.append(("Due", f"{v.due_at:%Y-%m-%d %H:%M} UTC"))
    is_open = change.state is CRState.PENDING
    buttons = (
        (
            Button("approve", "Approve", key, v.number, Style.PRIMARY),
            Button("reject", "Reject", key, v.number, Style.DANGER, needs_text="Reason"),
            Button("ask", "Ask a question", key, v.number, needs_text="Your question"),
        )
        if is_open
        else ()
    ) + pm_buttons(change, editors)
    named = ", ".join(CHANGE_FIELDS.get(name, name.replace("_", " ")) for name in changed)
    footer = f"Changed in version {v.number}: {named}" if changed else ""
    return View(
        ViewKind.CHANGE_REQUEST,
        f"CR-{change.id} · {v.title} (version {v.number})",
        v.description,
        tuple(fields),
        _change_status(change, turn, names),
        buttons,
        tuple(turn) if is_open else (),
        footer=footer,
    )


def edit_buttons(change: ChangeRequest, editors: Sequence[int]) -> tuple[Button, ...]:
    """Edit, for the PMs, while a new version can still be made (open or rejected)."""
    if not editors or not MACHINE.allows(change.state, CRAction.EDIT):
        return ()
    key = card_key("change_request", change.id or 0)
    return (Button("edit", "Edit", key, change.current.number, only_for=tuple(editors)),)


def pm_buttons(change: ChangeRequest, editors: Sequence[int]) -> tuple[Button, ...]:
    """The PMs' own buttons: Edit while it can still change, Evidence once decided."""
    return edit_buttons(change, editors) + evidence_buttons(change, editors)


def evidence_buttons(change: ChangeRequest, editors: Sequence[int]) -> tuple[Button, ...]:
    """Evidence, for the PMs, once decided: what each approver saw and the audit proof."""
    if not editors or change.state not in (CRState.APPROVED, CRState.REJECTED):
        return ()
    key = card_key("change_request", change.id or 0)
    return (Button("evidence", "Evidence", key, change.current.number, only_for=tuple(editors)),)


def _change_status(change: ChangeRequest, turn: Sequence[int], names: Names) -> str:
    if change.state is CRState.PENDING:
        return f"Waiting on {who(turn, names)}"
    if change.state is CRState.PAUSED:
        return "Paused: a question is with the PMs"
    rejected = [
        d
        for d in change.decisions
        if d.version == change.current.number and d.verdict.value == "reject"
    ]
    if change.state is CRState.REJECTED and rejected:
        return f"Rejected by {names.get(rejected[-1].approver_id, '')}: {rejected[-1].reason}"
    return change.state.value.title()


def question_card(
    change: ChangeRequest, question_id: int, text: str, asker: str, editors: Sequence[int] = ()
) -> View:
    """The question for the PMs: Answer it, or Edit the change request (a new version)."""
    key = card_key("change_request", change.id or 0)
    return View(
        ViewKind.QUESTION,
        f"Question on CR-{change.id} from {asker}",
        text,
        buttons=(
            Button(
                f"answer_question:{question_id}",
                "Answer",
                key,
                change.current.number,
                Style.PRIMARY,
                needs_text="Answer",
            ),
            *edit_buttons(change, editors),
        ),
    )


async def _change_view(
    uow: UnitOfWork, event: e.Event, changed: tuple[str, ...] = ()
) -> tuple[ChangeRequest, View, Project]:
    assert event.subject_id is not None
    change = await load(uow.repo(ChangeRequest), event.subject_id, "change request", lock=False)
    project = await project_of(uow, event)
    turn = change.turn(Approvers.of(project)) if change.is_open else []
    names = await names_for(uow, [*everyone(project), change.requested_by])
    return change, change_card(change, turn, names, changed, project.pms), project


async def change_requested(event: ChangeRequested, uow: UnitOfWork) -> None:
    change, view, _ = await _change_view(uow, event)
    await to_channel(uow, event, view, card_key("change_request", change.id or 0))


async def approval_asked(event: ApprovalAsked, uow: UnitOfWork) -> None:
    change, view, _ = await _change_view(uow, event, event.changed)
    await to_people(
        uow, event, event.approver_ids, view, card_key("change_request", change.id or 0)
    )


async def change_updated(event: e.Event, uow: UnitOfWork) -> None:
    changed = event.changed if isinstance(event, ChangeEdited) else ()
    change, view, _ = await _change_view(uow, event, changed)
    await update_cards(uow, event, card_key("change_request", change.id or 0), view)


async def question_asked(event: QuestionAsked, uow: UnitOfWork) -> None:
    change, view, project = await _change_view(uow, event)
    await update_cards(uow, event, card_key("change_request", change.id or 0), view)
    asker = (await names_for(uow, [event.actor_id or 0])).get(event.actor_id or 0, "")
    question = question_card(change, event.question_id, event.comment, asker, project.pms)
    await to_people(uow, event, project.pms, question)


async def question_answered(event: QuestionAnswered, uow: UnitOfWork) -> None:
    change, view, _ = await _change_view(uow, event)
    await update_cards(uow, event, card_key("change_request", change.id or 0), view)
    await to_people(
        uow,
        event,
        [event.asker_id],
        info(f"Answer to your question on CR-{change.id}", event.comment),
    )


async def change_settled(event: ChangeSettled, uow: UnitOfWork) -> None:
    change, view, project = await _change_view(uow, event)
    await update_cards(uow, event, card_key("change_request", change.id or 0), view)
    outcome = info(f"CR-{change.id} · {change.current.title}: {view.status}")
    outcome = replace(outcome, buttons=pm_buttons(change, project.pms))  # Edit, Evidence
    await to_people(uow, event, [change.requested_by, *project.pms], outcome)
