"""Turn submitted form values into commands, refusing bad values field by field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from workflow.domain import commands as c
from workflow.domain.closing import DeliverableVerdict, check_deliverables
from workflow.domain.commands import PersonRef
from workflow.domain.errors import Refused
from workflow.domain.people import Platform
from workflow.domain.projects import ApprovalOrder, ApprovalRule, CustomerKind, Role
from workflow.domain.reports import Rag
from workflow.domain.signoffs import SignoffKind
from workflow.presentation.forms import (
    Context,
    FieldErrors,
    FormKind,
    end_of_day,
    parse_date,
    parse_int,
    parse_time,
    text_value,
)

Values = dict[str, object]
Errors = dict[str, str]
ROLES = {
    "customer_internal": (Role.CUSTOMER, CustomerKind.INTERNAL),
    "customer_external": (Role.CUSTOMER, CustomerKind.EXTERNAL),
    "sponsor": (Role.SPONSOR, None),
    "member": (Role.MEMBER, None),
    "pm": (Role.PM, None),
}


@dataclass(frozen=True)
class Who:
    """Who submitted the form, and when."""

    actor: PersonRef
    at: datetime


def people_of(values: Values, name: str) -> tuple[PersonRef, ...]:
    value = values.get(name)
    if isinstance(value, PersonRef):
        return (value,)
    if isinstance(value, tuple | list):
        return tuple(v for v in value if isinstance(v, PersonRef))
    return ()


def _int(context: Context, key: str) -> int:
    value = context.get(key)
    if not isinstance(value, int):
        raise FieldErrors({"": f"the form lost its {key}; please start again"})
    return value


def _opt_int(context: Context, key: str) -> int | None:
    value = context.get(key)
    return value if isinstance(value, int) else None


def new_project(v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    day = parse_int(v, "checkin_day", errors)
    at = parse_time(v, "checkin_time", errors)
    customers = tuple((p, CustomerKind.INTERNAL) for p in people_of(v, "customers_internal"))
    customers += tuple((p, CustomerKind.EXTERNAL) for p in people_of(v, "customers_external"))
    sponsor = people_of(v, "sponsor")
    if any(kind is CustomerKind.EXTERNAL for _, kind in customers) and not sponsor:
        errors["sponsor"] = "External customers need an internal sponsor to balance their requests."
    _raise(errors)
    return c.CreateProject(
        actor=who.actor,
        at=who.at,
        platform=Platform(str(ctx["platform"])),
        workspace_id=str(ctx["workspace_id"]),
        workspace_name=str(ctx.get("workspace_name") or ""),
        channel_id=str(ctx["channel_id"]),
        name=text_value(v, "name"),
        key=text_value(v, "key"),
        customers=customers,
        sponsor=sponsor[0] if sponsor else None,
        members=people_of(v, "members"),
        checkin_day=day,
        checkin_time=at or time(10, 0),
    )


def people(v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    role, kind = ROLES.get(text_value(v, "role"), (Role.MEMBER, None))
    chosen = people_of(v, "users")
    if not chosen:
        errors["users"] = "Choose at least one person."
    _raise(errors)
    if v.get("remove") is True:
        return c.ChangePeople(
            actor=who.actor,
            at=who.at,
            project_id=_int(ctx, "project_id"),
            remove=tuple((p, role) for p in chosen),
        )
    return c.ChangePeople(
        actor=who.actor,
        at=who.at,
        project_id=_int(ctx, "project_id"),
        add=tuple((p, role, kind) for p in chosen),
    )


def settings(v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    day, at = parse_int(v, "checkin_day", errors), parse_time(v, "checkin_time", errors)
    quorum = parse_int(v, "quorum", errors) or None
    _raise(errors)
    assert at is not None
    return c.ConfigureProject(
        actor=who.actor,
        at=who.at,
        project_id=_int(ctx, "project_id"),
        day=day,
        time=at,
        rule=ApprovalRule(text_value(v, "rule") or "all"),
        quorum=quorum,
        order=ApprovalOrder(text_value(v, "order") or "parallel"),
    )


def change(v: Values, ctx: Context, who: Who, errors: Errors, zone: ZoneInfo) -> c.Command:
    days = parse_int(v, "schedule_days", errors)
    try:
        cost = Decimal(text_value(v, "cost").replace(",", "") or "0")
    except InvalidOperation:
        errors["cost"] = "Please type an amount, e.g. 1200 or 1200.50."
        cost = Decimal(0)
    due = end_of_day(parse_date(v, "due", errors), zone)
    if not text_value(v, "title"):
        errors["title"] = "A change request needs a title."
    _raise(errors)
    title, description = text_value(v, "title"), text_value(v, "description")
    scope, reason = text_value(v, "scope"), text_value(v, "reason")
    change_id = _opt_int(ctx, "change_id")
    if change_id is not None:
        changes: dict[str, object] = {
            "title": title, "description": description, "scope": scope,
            "schedule_days": days, "cost": cost, "reason": reason, "due_at": due,
        }  # fmt: skip
        return c.EditChangeRequest(actor=who.actor, at=who.at, change_id=change_id, changes=changes)
    return c.CreateChangeRequest(
        actor=who.actor,
        at=who.at,
        project_id=_int(ctx, "project_id"),
        title=title,
        description=description,
        scope=scope,
        schedule_days=days,
        cost=cost,
        reason=reason,
        due_at=due,
        from_request_id=_opt_int(ctx, "request_id"),
        from_notice_id=_opt_int(ctx, "notice_id"),
    )


def signoff(v: Values, ctx: Context, who: Who, errors: Errors, zone: ZoneInfo) -> c.Command:
    due = end_of_day(parse_date(v, "due", errors), zone)
    if not text_value(v, "title"):
        errors["title"] = "Give the document's title."
    _raise(errors)
    return c.RequestSignoff(
        actor=who.actor,
        at=who.at,
        project_id=_int(ctx, "project_id"),
        kind=SignoffKind(text_value(v, "kind") or "charter"),
        title=text_value(v, "title"),
        link=text_value(v, "link"),
        summary=text_value(v, "summary"),
        version=text_value(v, "version") or "1",
        due_at=due,
    )


def report(v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    for name, what in (("period", "the period"), ("summary", "a summary")):
        if not text_value(v, name):
            errors[name] = f"Please give {what}."
    _raise(errors)
    return c.PostReport(
        actor=who.actor,
        at=who.at,
        project_id=_int(ctx, "project_id"),
        period=text_value(v, "period"),
        rag=Rag(text_value(v, "rag") or "green"),
        summary=text_value(v, "summary"),
        risks=text_value(v, "risks"),
        next_steps=text_value(v, "next_steps"),
    )


def checkin(v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    rating = parse_int(v, "rating", errors)
    changed = v.get("changed") is True
    since = parse_date(v, "change_since", errors)
    if changed and not text_value(v, "change_what"):
        errors["change_what"] = "Please say what changed on your side."
    if not 1 <= rating <= 5:
        errors["rating"] = "Please rate from 1 (poor) to 5 (great)."
    _raise(errors)
    return c.AnswerCheckIn(
        actor=who.actor,
        at=who.at,
        checkin_id=_int(ctx, "checkin_id"),
        rating=rating,
        text=text_value(v, "text"),
        environment_changed=changed,
        change_what=text_value(v, "change_what"),
        change_since=since,
        change_affects=text_value(v, "change_affects"),
    )


def short(kind: FormKind, v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    """The one-text forms a customer starts: a request, a notice or feedback."""
    project_id = _int(ctx, "project_id")
    if kind is FormKind.REQUEST:
        return c.SendRequest(
            actor=who.actor, at=who.at, project_id=project_id, text=text_value(v, "text")
        )
    if kind is FormKind.FEEDBACK:
        return c.SendFeedback(
            actor=who.actor, at=who.at, project_id=project_id, text=text_value(v, "text")
        )
    since = parse_date(v, "since", errors)
    _raise(errors)
    return c.SendNotice(
        actor=who.actor,
        at=who.at,
        project_id=project_id,
        what=text_value(v, "what"),
        affects=text_value(v, "affects"),
        since=since,
    )


def invite(v: Values, ctx: Context, who: Who, errors: Errors, zone: ZoneInfo) -> c.Command:
    invitee = people_of(v, "invitee")
    day = parse_date(v, "date", errors)
    at = parse_time(v, "time", errors) if text_value(v, "time") else None
    if not invitee:
        errors["invitee"] = "Choose the customer to invite."
    _raise(errors)
    when = datetime.combine(day, at or time(9, 0), tzinfo=zone) if day else None
    return c.Invite(
        actor=who.actor,
        at=who.at,
        project_id=_int(ctx, "project_id"),
        invitee=invitee[0],
        what=text_value(v, "what"),
        when=when,
    )


def close(v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    deliverables = tuple(
        line.strip() for line in text_value(v, "deliverables").splitlines() if line.strip()
    )
    if not deliverables:
        errors["deliverables"] = "List at least one deliverable, one per line."
    try:
        check_deliverables(list(deliverables))
    except Refused as refused:
        errors["deliverables"] = refused.reason
    _raise(errors)
    return c.StartClosing(
        actor=who.actor,
        at=who.at,
        project_id=_int(ctx, "project_id"),
        deliverables=deliverables,
        anonymous=v.get("anonymous") is True,
        final_report_title=text_value(v, "final_report_title"),
        final_report_link=text_value(v, "final_report_link"),
    )


def evaluate(v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    names = str(ctx.get("deliverables") or "").split("\n")
    ratings = []
    for n, name in enumerate(names):
        verdict = text_value(v, f"verdict_{n}")
        if verdict not in {d.value for d in DeliverableVerdict}:
            errors[f"verdict_{n}"] = "Please choose a verdict."
            continue
        remarks = text_value(v, f"remarks_{n}")
        if verdict != "accept" and not remarks:
            errors[f"remarks_{n}"] = "Please add your remarks."
        ratings.append((name, DeliverableVerdict(verdict), remarks))
    rating = parse_int(v, "process_rating", errors)
    _raise(errors)
    return c.SubmitEvaluation(
        actor=who.actor,
        at=who.at,
        project_id=_int(ctx, "project_id"),
        process_rating=rating,
        comment=text_value(v, "comment"),
        ratings=tuple(ratings),
    )


def _raise(errors: Errors) -> None:
    if errors:
        raise FieldErrors(errors)


Builder = Callable[[Values, Context, Who, Errors], c.Command]
SIMPLE: dict[FormKind, Builder] = {
    FormKind.NEW_PROJECT: new_project,
    FormKind.PEOPLE: people,
    FormKind.SETTINGS: settings,
    FormKind.REPORT: report,
    FormKind.CHECKIN: checkin,
    FormKind.CLOSE: close,
    FormKind.EVALUATE: evaluate,
}
ZONED = {FormKind.CHANGE: change, FormKind.SIGNOFF: signoff, FormKind.INVITE: invite}


def command_from_form(
    kind: FormKind, values: Values, context: Context, actor: PersonRef, at: datetime, zone: ZoneInfo
) -> c.Command:
    """The command a submitted form asks for; FieldErrors when a value can't be used.

    TEXT forms are not handled here: they finish a button press (see actions.py).
    """
    who, errors = Who(actor, at), dict[str, str]()
    if kind in SIMPLE:
        return SIMPLE[kind](values, context, who, errors)
    if kind in ZONED:
        return ZONED[kind](values, context, who, errors, zone)
    if kind in (FormKind.REQUEST, FormKind.NOTICE, FormKind.FEEDBACK):
        return short(kind, values, context, who, errors)
    raise ValueError(f"{kind} forms are finished by a button press, not here")
