"""Carrying out what a Teams message or card action asks for, and the answer to show."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from handlers.teams.card_forms import AadIds, form_card, form_of, form_values
from handlers.teams.cards import card, text_reply, typed_text
from workflow import interpreter, queries
from workflow.domain import commands as c
from workflow.domain.errors import Conflict, Refused, Unavailable
from workflow.domain.people import Identity, Platform
from workflow.domain.views import View
from workflow.flows.common import person_with
from workflow.interpreter import command_from_form
from workflow.presentation.forms import Context, FieldErrors, FormKind
from workflow.presentation.presses import (
    NeedText,
    OpenForm,
    Outcome,
    Press,
    Show,
    ShowWhat,
)

if TYPE_CHECKING:
    from handlers.teams.listeners import Runtime, Who

BUSY = "Someone changed this at the same moment; nothing was changed. Please try again."
MAX_EXPORT_CHARS = 20_000


@dataclass(frozen=True)
class Answer:
    """What the person sees back: a card, or a short text."""

    text: str = ""
    card: dict[str, Any] | None = None
    refused: bool = False


async def carry_out(
    runtime: Runtime, outcome: Outcome, actor: Who, here: Context, zone: str
) -> Answer:
    """Do it; refusals and failures come back as a sentence for the person."""
    try:
        return await _dispatch(runtime, outcome, actor, here)
    except Refused as refused:
        return Answer(refused.reason, refused=True)
    except Unavailable:
        return Answer(Unavailable.reason, refused=True)
    except Conflict:
        return Answer(BUSY, refused=True)


async def _dispatch(runtime: Runtime, outcome: Outcome, actor: Who, here: Context) -> Answer:
    if isinstance(outcome, c.Command):
        reply = await runtime.bus.handle(outcome)
        return Answer(reply.text)
    if isinstance(outcome, NeedText):
        return Answer(f"Please type the {outcome.label.lower()} in the card first.")
    if isinstance(outcome, OpenForm):
        if outcome.kind is FormKind.NEW_PROJECT:
            outcome = OpenForm(outcome.kind, dict(here))
        async with runtime.uow() as uow:
            form = await interpreter.build_form(uow, outcome, actor.identity)
        return Answer(card=form_card(form))
    return await _show(runtime, outcome, actor)


async def refreshed(runtime: Runtime, item: str, actor: Who) -> Answer | None:
    async with runtime.uow() as uow:
        person = await person_with(uow, actor.identity)
        viewer = person.id if person else None
        view = await queries.card_for_item(uow, item, viewer)
        if view is None:
            return None
        users = await uow.people.get_many(view.all_actors())
    ids = {p.id: p.identity.user_id for p in users if p.id is not None}
    return Answer(card=card(view, viewer_aad_ids=ids, for_person=viewer))


async def _show(runtime: Runtime, show: Show, actor: Who) -> Answer:
    now = runtime.clock.now()
    async with runtime.uow() as uow:
        person = await person_with(uow, actor.identity)
        viewer = person.id if person else None
        if show.what is ShowWhat.HELP:
            project = await uow.projects.get(show.project_id) if show.project_id else None
            prefix = "" if actor.personal else "@clientloop"
            lines = await queries.help_for(uow, actor.identity, project, prefix)
            head = f"{show.note} " if show.note else ""
            return Answer(f"{head}Here is what you can do here:\n\n" + "\n\n".join(lines))
        if show.what is ShowWhat.EXPORT:
            files = await queries.export_csv(uow, actor.identity, show.project_id or 0)
            return Answer(_inline_export(files))
        view: View = (
            await queries.pending_view(uow, actor.identity, show.project_id, now)
            if show.what is ShowWhat.PENDING
            else await queries.digest_view(uow, actor.identity, show.project_id or 0, now)
        )
    return Answer(card=card(view, viewer_aad_ids=None, for_person=viewer))


def _inline_export(files: dict[str, str]) -> str:
    """Teams bots can only attach files after a consent card; small exports come inline."""
    parts = [f"**{name}**\n```\n{text}```" for name, text in files.items()]
    body = "\n\n".join(parts)
    if len(body) > MAX_EXPORT_CHARS:
        return (
            "This export is too large to show in Teams; use /loop export in Slack, or ask "
            "your administrator for the CSV from the database."
        )
    return body


async def press_outcome(
    runtime: Runtime, verb: str, data: dict[str, Any], actor: Who, event_id: str, zone: str
) -> Answer:
    """A button on one of our cards (or Teams' refresh of a card)."""
    item = str(data.get("item") or "")
    if verb == "refresh":
        return await refreshed(runtime, item, actor) or Answer("This item no longer exists.")
    version = data.get("version")
    now = runtime.clock.now()
    try:
        press = Press(
            verb,
            item,
            version if isinstance(version, int) else None,
            actor.ref,
            now,
            text=typed_text(data),
            event_id=event_id,
        )
        outcome = interpreter.interpret_press(press)
    except Refused as refused:
        return Answer(refused.reason)
    answer = await carry_out(runtime, outcome, actor, {}, zone)
    if isinstance(outcome, c.Command) and not answer.refused:
        # Done: the clicker's card shows the item as it now stands (the others are updated
        # through the outbox); a refusal shows only to the clicker, and changes no card.
        return await refreshed(runtime, item, actor) or answer
    return answer


async def submit(
    runtime: Runtime, data: dict[str, Any], actor: Who, event_id: str, zone: str
) -> Answer:
    """A form card was submitted: errors come back on the fields, in the same card."""
    found = form_of(data)
    if found is None:
        return Answer("This form has expired; please start again.")
    kind, context = found
    values = {
        k: _people(v, actor) if isinstance(v, AadIds) else v for k, v in form_values(data).items()
    }
    now = runtime.clock.now()
    try:
        command = command_from_form(
            kind, values, context, actor.ref, now, ZoneInfo(actor.ref.timezone or zone)
        )
        reply = await runtime.bus.handle(dataclasses.replace(command, event_id=event_id))
    except FieldErrors as bad:
        return await _form_again(runtime, kind, context, actor, bad.errors, values)
    except Refused as refused:
        return await _form_again(runtime, kind, context, actor, {"": refused.reason}, values)
    except (Unavailable, Conflict) as failed:
        reason = Unavailable.reason if isinstance(failed, Unavailable) else BUSY
        return await _form_again(runtime, kind, context, actor, {"": reason}, values)
    return Answer(card=text_reply(reply.text))


async def _form_again(
    runtime: Runtime,
    kind: FormKind,
    context: Context,
    actor: Who,
    errors: dict[str, str],
    values: dict[str, object],
) -> Answer:
    async with runtime.uow() as uow:
        form = await interpreter.build_form(uow, OpenForm(kind, context), actor.identity)
    kept = tuple(
        dataclasses.replace(f, initial=str(values[f.name]))
        if isinstance(values.get(f.name), str) and values.get(f.name)
        else f
        for f in form.fields
    )
    return Answer(card=form_card(dataclasses.replace(form, fields=kept), errors=errors))


def _people(picked: AadIds, actor: Who) -> object:
    refs = tuple(
        c.PersonRef(Identity(Platform.TEAMS, actor.identity.org_id, aad)) for aad in picked.ids
    )
    if picked.single:
        return refs[0] if refs else None
    return refs
