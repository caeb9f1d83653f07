"""The project flow's forms (new project, people, settings) and their parsers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time

from workflow.domain import commands as c
from workflow.domain.errors import Refused
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import (
    DECISION_ALERT_DAYS,
    ApprovalOrder,
    ApprovalRule,
    CustomerKind,
    Role,
    valid_key,
)
from workflow.flows.flow import Opening
from workflow.flows.projects.checks import typed_alert_days, typed_quorum
from workflow.flows.projects.messages import ChangePeople, ConfigureProject, CreateProject
from workflow.flows.projects.use_cases import already_here, project_in_channel
from workflow.ports import UnitOfWork
from workflow.presentation.forms import (
    ORDER_OPTIONS,
    ROLE_OPTIONS,
    RULE_OPTIONS,
    TICKED,
    WEEKDAY_OPTIONS,
    Context,
    Errors,
    F,
    Form,
    FormKind,
    T,
    Values,
    Who,
    need_int,
    parse_int,
    parse_time,
    people_of,
    raise_errors,
    text_value,
)
from workflow.presentation.presses import OpenForm, Outcome, Press, Show, ShowWhat
from workflow.presentation.words import Here, after_mentions


def new_project_form(context: Context) -> Form:
    return Form(
        FormKind.NEW_PROJECT,
        "New project",
        "Create",
        (
            F("name", "Project name", max_length=80),
            F("key", "Short key (e.g. WEB)", max_length=10, hint="2 to 10 letters or digits"),
            F("customers_internal", "Internal customers", T.USERS, required=False),
            F("customers_external", "External customers", T.USERS, required=False),
            F(
                "sponsor",
                "Sponsor (internal; required with external customers)",
                T.USER,
                required=False,
            ),
            F("members", "Team members", T.USERS, required=False),
            F("checkin_day", "Weekly check-in day", T.SELECT, options=WEEKDAY_OPTIONS, initial="0"),
            F(
                "checkin_time",
                "Check-in time (each customer's own local time)",
                T.TIME,
                initial="10:00",
            ),
        ),
        context,
        "You become the project's PM. Customers and the sponsor get a short welcome.",
    )


def people_form(context: Context, prefill: Mapping[str, str] | None = None) -> Form:
    said = prefill or {}
    return Form(
        FormKind.PEOPLE,
        "People",
        "Save",
        (
            F("users", "People", T.USERS),
            F("role", "Role", T.SELECT, options=ROLE_OPTIONS,
              initial=said.get("role") or "customer_internal"),
            F("remove", "Remove them from this role instead of adding", T.CHECKBOX,
              required=False, initial=said.get("remove", "")),
        ),
        context,
    )  # fmt: skip


# Words after `people` that choose the role (`external` makes a customer external).
ROLE_WORDS = {"customer": "customer_internal", "customers": "customer_internal",
              "internal": "customer_internal", "sponsor": "sponsor", "member": "member",
              "members": "member", "pm": "pm", "pms": "pm"}  # fmt: skip


def people_word(rest: str, here: Here) -> Outcome:
    """`people @mo @eli member` (or `... remove`): the people form with everyone mentioned
    chosen, and the role and removal the other words name."""
    said = after_mentions(rest, here).lower().replace(",", " ").split()
    role = "customer_external" if "external" in said else ""
    role = role or next((ROLE_WORDS[w] for w in said if w in ROLE_WORDS), "")
    prefill = {"role": role} if role else {}
    if "remove" in said:
        prefill["remove"] = TICKED
    return OpenForm(FormKind.PEOPLE, here.context, prefill, {"users": here.mentions})


def settings_form(
    context: Context,
    day: int,
    at: str,
    rule: str,
    quorum: int | None,
    order: str,
    alert_days: int = DECISION_ALERT_DAYS,
) -> Form:
    return Form(
        FormKind.SETTINGS,
        "Check-ins and approvals",
        "Save",
        (
            F(
                "checkin_day",
                "Weekly check-in day",
                T.SELECT,
                options=WEEKDAY_OPTIONS,
                initial=str(day),
            ),
            F("checkin_time", "Check-in time (customers' local time)", T.TIME, initial=at),
            F("rule", "Change requests need", T.SELECT, options=RULE_OPTIONS, initial=rule),
            F(
                "quorum",
                "Quorum (for a quorum rule)",
                T.INTEGER,
                required=False,
                initial=str(quorum or ""),
            ),
            F("order", "Order", T.SELECT, options=ORDER_OPTIONS, initial=order),
            F(
                "alert_days",
                "Alert the PMs when a decision waits (days)",
                T.INTEGER,
                required=False,
                initial=str(alert_days),
            ),
        ),
        context,
    )


ROLES = {
    "customer_internal": (Role.CUSTOMER, CustomerKind.INTERNAL),
    "customer_external": (Role.CUSTOMER, CustomerKind.EXTERNAL),
    "sponsor": (Role.SPONSOR, None),
    "member": (Role.MEMBER, None),
    "pm": (Role.PM, None),
}


async def open_new_project(uow: UnitOfWork, wanted: OpenForm, identity: Identity) -> Form:
    """The new project form, unless the channel has a project already: that is said at
    once, naming it, rather than after the whole form was filled in."""
    ctx = wanted.context
    here = await project_in_channel(
        uow, Platform(str(ctx["platform"])), str(ctx["workspace_id"]), str(ctx["channel_id"])
    )
    if here is not None:
        raise Refused(already_here(here))
    return new_project_form(dict(ctx))


def parse_new_project(v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    try:
        valid_key(text_value(v, "key"))
    except Refused as bad:
        errors["key"] = bad.reason
    day = parse_int(v, "checkin_day", errors)
    at = parse_time(v, "checkin_time", errors)
    customers = tuple((p, CustomerKind.INTERNAL) for p in people_of(v, "customers_internal"))
    customers += tuple((p, CustomerKind.EXTERNAL) for p in people_of(v, "customers_external"))
    sponsor = people_of(v, "sponsor")
    if any(kind is CustomerKind.EXTERNAL for _, kind in customers) and not sponsor:
        errors["sponsor"] = "External customers need an internal sponsor to balance their requests."
    raise_errors(errors)
    return CreateProject(
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


def parse_people(v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    role, kind = ROLES.get(text_value(v, "role"), (Role.MEMBER, None))
    chosen = people_of(v, "users")
    if not chosen:
        errors["users"] = "Choose at least one person."
    raise_errors(errors)
    if v.get("remove") is True:
        return ChangePeople(
            actor=who.actor,
            at=who.at,
            project_id=need_int(ctx, "project_id"),
            remove=tuple((p, role) for p in chosen),
        )
    return ChangePeople(
        actor=who.actor,
        at=who.at,
        project_id=need_int(ctx, "project_id"),
        add=tuple((p, role, kind) for p in chosen),
    )


def parse_settings(v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    day, at = parse_int(v, "checkin_day", errors), parse_time(v, "checkin_time", errors)
    rule = ApprovalRule(text_value(v, "rule") or "all")
    quorum, alert_days = typed_quorum(v, rule, errors), typed_alert_days(v, errors)
    raise_errors(errors)
    assert at is not None
    return ConfigureProject(
        actor=who.actor,
        at=who.at,
        project_id=need_int(ctx, "project_id"),
        day=day,
        time=at,
        rule=rule,
        quorum=quorum,
        order=ApprovalOrder(text_value(v, "order") or "parallel"),
        alert_days=alert_days,
    )


def away_until(rest: str) -> date | None:
    words = rest.lower().split()
    if not words:
        raise Refused(
            "Write `away until 2027-01-04` to pause your check-ins, and "
            "`away off` when you are back."
        )
    if words in (["off"], ["back"], ["none"]):
        return None
    raw = words[-1]
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Refused(
            f"'{raw}' is not a date: write `away until 2027-01-04`, or "
            "`away off` when you are back."
        ) from None


def press(p: Press) -> Outcome | None:
    """The buttons on a welcome or check-in that start something in the project."""
    if p.verb in PROJECT_FORMS:
        return OpenForm(PROJECT_FORMS[p.verb], {"project_id": p.item_id})
    if p.verb == "show_pending":
        return Show(ShowWhat.PENDING, p.item_id)
    return None


PROJECT_FORMS = {
    "start_request": FormKind.REQUEST,
    "start_notice": FormKind.NOTICE,
    "start_feedback": FormKind.FEEDBACK,
    "evaluate": FormKind.EVALUATE,
}


def settings_from(opening: Opening) -> Form:
    project = opening.project
    assert project is not None
    return settings_form(
        opening.context,
        project.checkin_day,
        f"{project.checkin_time:%H:%M}",
        project.approval_rule.value,
        project.quorum,
        project.approval_order.value,
        project.decision_alert_days,
    )
