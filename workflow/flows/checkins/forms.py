"""The check-in form, its parser, its button and the `checkin` word."""

from __future__ import annotations

from workflow.domain import commands as c
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.errors import Refused
from workflow.domain.people import Identity
from workflow.flows.checkins.messages import AnswerCheckIn, SendCheckIns
from workflow.flows.common import person_with
from workflow.ports import UnitOfWork
from workflow.presentation.forms import (
    RATING_OPTIONS,
    Context,
    Errors,
    F,
    Form,
    FormKind,
    T,
    Values,
    Who,
    need_int,
    parse_date,
    parse_int,
    raise_errors,
    text_value,
)
from workflow.presentation.presses import OpenForm, Outcome, Press
from workflow.presentation.words import Here


def checkin_form(context: Context) -> Form:
    return Form(
        FormKind.CHECKIN,
        "Weekly check-in",
        "Send",
        (
            F("rating", "How satisfied are you this week?", T.SELECT, options=RATING_OPTIONS),
            F("text", "What is going well, and what should change?", T.MULTILINE, required=False),
            F(
                "changed",
                "Something changed on our side that could affect the deliverables",
                T.CHECKBOX,
                required=False,
            ),
            F("change_what", "If so: what changed?", T.MULTILINE, required=False),
            F("change_since", "Since when?", T.DATE, required=False),
            F("change_affects", "What may it affect?", T.MULTILINE, required=False),
        ),
        context,
    )


def parse_checkin(v: Values, ctx: Context, who: Who, errors: Errors) -> c.Command:
    rating = parse_int(v, "rating", errors)
    changed = v.get("changed") is True
    since = parse_date(v, "change_since", errors)
    if changed and not text_value(v, "change_what"):
        errors["change_what"] = "Please say what changed on your side."
    if not 1 <= rating <= 5:
        errors["rating"] = "Please rate from 1 (poor) to 5 (great)."
    raise_errors(errors)
    return AnswerCheckIn(
        actor=who.actor,
        at=who.at,
        checkin_id=need_int(ctx, "checkin_id"),
        rating=rating,
        text=text_value(v, "text"),
        environment_changed=changed,
        change_what=text_value(v, "change_what"),
        change_since=since,
        change_affects=text_value(v, "change_affects"),
    )


async def _checkin_form(uow: UnitOfWork, identity: Identity, checkin_id: int) -> Form:
    checkin = await uow.repo(CheckIn).get(checkin_id)
    person = await person_with(uow, identity)
    if checkin is None or person is None or checkin.person_id != person.id:
        raise Refused("This check-in was sent to someone else; only they can answer it.")
    if checkin.state is CheckInState.ANSWERED:
        raise Refused("You have already answered this check-in. Thank you!")
    return checkin_form({"checkin_id": checkin_id})


def press(p: Press) -> Outcome | None:
    return OpenForm(FormKind.CHECKIN, {"checkin_id": p.item_id}) if p.verb == "answer" else None


async def open_checkin(uow: UnitOfWork, wanted: OpenForm, identity: Identity) -> Form:
    return await _checkin_form(uow, identity, int(wanted.context["checkin_id"] or 0))


def checkin_word(rest: str, here: Here) -> Outcome:
    if rest.lower() == "now":
        assert here.project_id is not None
        return SendCheckIns(
            actor=here.actor, at=here.at, event_id=here.event_id, project_id=here.project_id
        )
    return OpenForm(FormKind.SETTINGS, here.context)
