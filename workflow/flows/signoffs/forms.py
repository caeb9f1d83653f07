"""The sign-off form, its parser and the sign-off buttons."""

from __future__ import annotations

from workflow.domain.commands import Command
from workflow.domain.signoffs import SignoffKind, SignoffVerdict
from workflow.flows.signoffs.messages import DecideSignoff, RequestSignoff
from workflow.presentation.forms import (
    SIGNOFF_OPTIONS,
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
    parse_date,
    raise_errors,
    text_value,
)
from workflow.presentation.presses import Outcome, Press


def signoff_form(context: Context, kind: str = "") -> Form:
    return Form(FormKind.SIGNOFF, "Ask for a sign-off", "Send", (
        F("kind", "Document", T.SELECT, options=SIGNOFF_OPTIONS, initial=kind or "charter"),
        F("title", "Title", max_length=150),
        F("link", "Link", T.URL, required=False),
        F("summary", "Summary", T.MULTILINE, required=False),
        F("version", "Version", initial="1", max_length=40),
        F("due", "Sign off by (optional)", T.DATE, required=False),
    ), context, "Charter: customers and sponsor. Scope: customers. Plan: internal customers "
       "approve the whole plan, external ones its scope section. Final report: internal "
       "customers.")  # fmt: skip


def parse_signoff(v: Values, ctx: Context, who: Who, errors: Errors) -> Command:
    zone = who.zone
    due = end_of_day(parse_date(v, "due", errors), zone)
    if due is not None and due <= who.at:
        errors["due"] = "That day has passed: choose today or a later day, or leave it empty."
    if not text_value(v, "title"):
        errors["title"] = "Give the document's title."
    raise_errors(errors)
    return RequestSignoff(
        actor=who.actor,
        at=who.at,
        project_id=need_int(ctx, "project_id"),
        kind=SignoffKind(text_value(v, "kind") or "charter"),
        title=text_value(v, "title"),
        link=text_value(v, "link"),
        summary=text_value(v, "summary"),
        version=text_value(v, "version") or "1",
        due_at=due,
    )


def press(p: Press) -> Outcome | None:
    if p.verb not in {v.value for v in SignoffVerdict}:
        return None
    return DecideSignoff(
        actor=p.actor,
        at=p.at,
        event_id=p.event_id,
        signoff_id=p.item_id,
        verdict=SignoffVerdict(p.verb),
        remarks=p.text or "",
    )
