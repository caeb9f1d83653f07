"""The change form (new, edited, or drawn from a request or notice) and its buttons."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from workflow.domain.change_versions import MAX_COST, Verdict
from workflow.domain.commands import Command
from workflow.domain.errors import NotFound
from workflow.domain.inbox import CustomerRequest, Notice
from workflow.domain.people import Identity
from workflow.domain.permissions import Act
from workflow.flows.change_requests.editing import due_kept, edit_values
from workflow.flows.change_requests.messages import (
    AnswerQuestion,
    AskAboutChange,
    CreateChangeRequest,
    DecideChange,
    EditChangeRequest,
)
from workflow.flows.common import allowed_in
from workflow.ports import UnitOfWork
from workflow.presentation.forms import (
    Context,
    Errors,
    F,
    Form,
    FormKind,
    T,
    Values,
    Who,
    end_of_day,
    need_int,
    opt_int,
    parse_date,
    parse_int,
    raise_errors,
    text_value,
)
from workflow.presentation.presses import OpenForm, Outcome, Press


def change_form(context: Context, prefill: dict[str, str] | None = None) -> Form:
    p = prefill or {}
    editing = context.get("change_id") is not None
    return Form(FormKind.CHANGE, "Edit change request" if editing else "Change request",
                "Save new version" if editing else "Send for approval", (
        F("title", "Title", initial=p.get("title", ""), max_length=150),
        F("description", "Description", T.MULTILINE, required=False,
          initial=p.get("description", "")),
        F("scope", "Impact on scope", T.MULTILINE, required=False, initial=p.get("scope", "")),
        F("schedule_days", "Impact on schedule (days)", T.INTEGER, required=False,
          initial=p.get("schedule_days", "0")),
        F("cost", "Impact on cost", T.DECIMAL, required=False, initial=p.get("cost", "0")),
        F("reason", "Reason", T.MULTILINE, required=False, initial=p.get("reason", "")),
        F("due", "Decide by (optional)", T.DATE, required=False, initial=p.get("due", "")),
    ), context)  # fmt: skip


def parse_change(v: Values, ctx: Context, who: Who, errors: Errors) -> Command:
    days, cost = parse_int(v, "schedule_days", errors), _cost(v, errors)
    due = due_kept(text_value(v, "due"), ctx, end_of_day(parse_date(v, "due", errors), who.zone))
    if due is not None and due <= who.at:
        errors["due"] = "That day has passed: choose today or a later day, or leave it empty."
    if not text_value(v, "title"):
        errors["title"] = "A change request needs a title."
    raise_errors(errors)
    title, description = text_value(v, "title"), text_value(v, "description")
    scope, reason = text_value(v, "scope"), text_value(v, "reason")
    change_id = opt_int(ctx, "change_id")
    if change_id is not None:
        changes: dict[str, object] = {
            "title": title, "description": description, "scope": scope,
            "schedule_days": days, "cost": cost, "reason": reason, "due_at": due,
        }  # fmt: skip
        return EditChangeRequest(actor=who.actor, at=who.at, change_id=change_id, changes=changes)
    return CreateChangeRequest(
        actor=who.actor,
        at=who.at,
        project_id=need_int(ctx, "project_id"),
        title=title,
        description=description,
        scope=scope,
        schedule_days=days,
        cost=cost,
        reason=reason,
        due_at=due,
        from_request_id=opt_int(ctx, "request_id"),
        from_notice_id=opt_int(ctx, "notice_id"),
    )


def _cost(v: Values, errors: Errors) -> Decimal:
    """The typed cost impact; on the Cost field when it is not an amount the model takes."""
    try:
        cost = Decimal(text_value(v, "cost").replace(",", "") or "0")
    except InvalidOperation:
        cost = Decimal("NaN")
    if not cost.is_finite():
        errors["cost"] = "Please type an amount, e.g. 1200 or 1200.50."
    elif abs(cost) >= MAX_COST:
        errors["cost"] = "That is too large: keep the cost impact under 1,000,000,000,000."
    return cost if cost.is_finite() else Decimal(0)


async def _change_from_item(uow: UnitOfWork, identity: Identity, wanted: OpenForm) -> Form:
    """A change form drawn from a request or a notice."""
    ctx = dict(wanted.context)
    if ctx.get("request_id") is not None:
        request = await uow.repo(CustomerRequest).get(int(ctx["request_id"] or 0))
        if request is None:
            raise NotFound("That request no longer exists.")
        await allowed_in(uow, identity, request.project_id, Act.CHANGE)
        ctx["project_id"] = request.project_id
        return change_form(
            ctx,
            {
                "title": request.text[:150],
                "description": request.text,
                "reason": "Requested by the customer",
            },
        )
    notice = await uow.repo(Notice).get(int(ctx.get("notice_id") or 0))
    if notice is None:
        raise NotFound("That notice no longer exists.")
    await allowed_in(uow, identity, notice.project_id, Act.CHANGE)
    ctx["project_id"] = notice.project_id
    return change_form(
        ctx,
        {
            "title": f"Change on the customer's side: {notice.what[:100]}",
            "description": notice.what,
            "scope": notice.affects,
            "reason": "Environment change reported by the customer",
        },
    )


def press(p: Press) -> Outcome | None:
    text = p.text or ""
    if p.verb in ("approve", "reject"):
        return DecideChange(
            actor=p.actor,
            at=p.at,
            event_id=p.event_id,
            change_id=p.item_id,
            version=p.version or 0,
            verdict=Verdict(p.verb),
            reason=text,
        )
    if p.verb == "ask":
        return AskAboutChange(
            actor=p.actor, at=p.at, event_id=p.event_id, change_id=p.item_id, text=text
        )
    if p.base_verb == "answer_question":
        return AnswerQuestion(
            actor=p.actor,
            at=p.at,
            event_id=p.event_id,
            change_id=p.item_id,
            question_id=p.verb_id,
            text=text,
        )
    if p.verb == "edit":
        return OpenForm(FormKind.CHANGE, {"change_id": p.item_id})
    return None


async def open_change(uow: UnitOfWork, wanted: OpenForm, identity: Identity) -> Form:
    """A new change form in a project, or one drawn from an item (edit, request, notice)."""
    if wanted.context.get("change_id") is not None:
        return change_form(*await edit_values(uow, identity, wanted.context))
    if "project_id" not in wanted.context:
        return await _change_from_item(uow, identity, wanted)
    ctx = dict(wanted.context)
    await allowed_in(uow, identity, int(ctx["project_id"] or 0), Act.CHANGE)
    return change_form(ctx)
