"""Carrying out what a command word, button or form asks for, and answering privately."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack import forms as slack_forms
from handlers.slack.forms import UserIds
from handlers.slack.payloads import Origin
from handlers.slack.people import Directory
from handlers.slack.replies import Replier
from workflow import interpreter, queries
from workflow.domain import commands as c
from workflow.domain.errors import Conflict, Refused, Unavailable
from workflow.flows.common import person_with
from workflow.interpreter import command_from_form
from workflow.messagebus import MessageBus
from workflow.ports import Clock, UnitOfWork
from workflow.presentation.forms import Context, FieldErrors, Form, FormKind
from workflow.presentation.presses import (
    NeedText,
    OpenForm,
    Outcome,
    Press,
    Show,
    ShowWhat,
)

log = logging.getLogger(__name__)
BUSY = "Someone changed this at the same moment; nothing was changed. Please try again."
Ack = Callable[..., Awaitable[Any]]


@dataclass
class Deps:
    """What the listeners need from the composition root."""

    bus: MessageBus
    uow: Callable[[], UnitOfWork]
    clock: Clock
    zone: str = "UTC"
    directory: Directory = field(default_factory=Directory)


@dataclass
class Situation:
    client: AsyncWebClient
    origin: Origin
    actor: c.PersonRef
    reply: Replier
    channel_override: str | None = None

    @property
    def channel(self) -> str | None:
        return self.channel_override or self.origin.channel_id


async def carry_out(
    deps: Deps,
    wanted: Outcome | Press,
    situation: Situation,
    translate: Callable[[Press], Outcome] | None = None,
) -> None:
    """Do it, and tell the person privately what happened or why not."""
    try:
        outcome = translate(wanted) if translate and isinstance(wanted, Press) else wanted
        assert not isinstance(outcome, Press)
        await _dispatch(deps, outcome, situation)
    except Refused as refused:
        await situation.reply.text(refused.reason)
    except Unavailable:
        await situation.reply.text(Unavailable.reason)
    except Conflict:
        await situation.reply.text(BUSY)


async def _dispatch(deps: Deps, outcome: Outcome, situation: Situation) -> None:
    if isinstance(outcome, c.Command):
        reply = await deps.bus.handle(outcome)
        await situation.reply.text(reply.text)
    elif isinstance(outcome, NeedText):
        await _open(situation, queries.need_text_form(outcome))
    elif isinstance(outcome, OpenForm):
        await _open(situation, await _form(deps, outcome, situation))
    else:
        await _show(deps, outcome, situation)


async def _form(deps: Deps, wanted: OpenForm, situation: Situation) -> Form:
    if wanted.kind is FormKind.NEW_PROJECT:
        where = situation.origin
        wanted = OpenForm(
            wanted.kind,
            {
                "platform": "slack",
                "workspace_id": where.workspace_id,
                "channel_id": where.channel_id or "",
            },
        )
    async with deps.uow() as uow:
        return await interpreter.build_form(uow, wanted, situation.origin.identity)


async def _open(situation: Situation, form: Form) -> None:
    trigger = situation.origin.trigger_id
    if not trigger:
        raise Refused("Slack gave no way to open a form here; please use the button again.")
    await situation.client.views_open(
        trigger_id=trigger, view=slack_forms.modal(form, situation.channel)
    )


async def _show(deps: Deps, show: Show, situation: Situation) -> None:
    identity, now = situation.origin.identity, deps.clock.now()
    async with deps.uow() as uow:
        person = await person_with(uow, identity)
        viewer = person.id if person else None
        if show.what is ShowWhat.HELP:
            project = await uow.projects.get(show.project_id) if show.project_id else None
            lines = await queries.help_for(uow, identity, project, "/loop")
            head = f"{show.note} " if show.note else ""
            await situation.reply.text(f"{head}Here is what you can do here:\n" + "\n".join(lines))
            return
        if show.what is ShowWhat.PENDING:
            view = await queries.pending_view(uow, identity, show.project_id, now)
        elif show.what is ShowWhat.DIGEST:
            view = await queries.digest_view(uow, identity, show.project_id or 0, now)
        else:
            files = await queries.export_csv(uow, identity, show.project_id or 0)
            await _upload(situation, files)
            return
    await situation.reply.view(view, viewer)


async def _upload(situation: Situation, files: dict[str, str]) -> None:
    """Exports go to the person's DM through Slack's file-upload methods."""
    user = situation.origin.identity.user_id
    try:
        opened = await situation.client.conversations_open(users=user)
        channel = str((opened.get("channel") or {}).get("id") or user)
        uploads = [
            {"content": text, "filename": name, "title": name} for name, text in files.items()
        ]
        await situation.client.files_upload_v2(
            file_uploads=uploads, channel=channel, initial_comment="Your clientloop export."
        )
    except SlackClientError as exc:
        log.warning("export upload failed: %s", exc)
        raise Refused("Slack did not take the export file just now; please try again.") from exc
    await situation.reply.text("I sent you the export (CSV files) in a direct message.")


async def submit_form(
    deps: Deps,
    situation: Situation,
    kind: FormKind,
    values: dict[str, object],
    context: Context,
    ack: Ack,
    event_id: str,
) -> None:
    """A submitted modal: errors go back onto its fields; success closes it and answers."""
    main = "text" if kind is FormKind.TEXT else _main_field(kind)
    try:
        command = await _command(deps, situation, kind, values, context)
        reply = await deps.bus.handle(dataclasses.replace(command, event_id=event_id))
    except FieldErrors as bad:
        errors = {(k or main): v for k, v in bad.errors.items()}
        await ack(response_action="errors", errors=errors)
        return
    except Refused as refused:
        await ack(response_action="errors", errors={main: refused.reason})
        return
    except (Unavailable, Conflict) as failed:
        reason = Unavailable.reason if isinstance(failed, Unavailable) else BUSY
        await ack(response_action="errors", errors={main: reason})
        return
    await ack()
    await situation.reply.text(reply.text)


def _main_field(kind: FormKind) -> str:
    names = {
        FormKind.NEW_PROJECT: "name",
        FormKind.PEOPLE: "users",
        FormKind.SETTINGS: "checkin_day",
        FormKind.CHANGE: "title",
        FormKind.SIGNOFF: "title",
        FormKind.REPORT: "summary",
        FormKind.CHECKIN: "rating",
        FormKind.REQUEST: "text",
        FormKind.NOTICE: "what",
        FormKind.FEEDBACK: "text",
        FormKind.INVITE: "invitee",
        FormKind.CLOSE: "deliverables",
        FormKind.EVALUATE: "process_rating",
    }
    return names[kind]


async def _command(
    deps: Deps, situation: Situation, kind: FormKind, values: dict[str, object], context: Context
) -> c.Command:
    now = deps.clock.now()
    if kind is FormKind.TEXT:
        press = Press(
            str(context.get("verb") or ""),
            str(context.get("item") or ""),
            _version(context.get("version")),
            situation.actor,
            now,
            text=str(values.get("text") or ""),
        )
        outcome = interpreter.interpret_press(press)
        if isinstance(outcome, NeedText):
            raise FieldErrors({"text": f"Please type the {outcome.label.lower()} first."})
        if not isinstance(outcome, c.Command):
            raise FieldErrors({"text": "This form has expired; please use the button again."})
        return outcome
    resolved = {
        name: await _people(deps, situation, value) if isinstance(value, UserIds) else value
        for name, value in values.items()
    }
    zone = ZoneInfo(situation.actor.timezone or deps.zone)
    return command_from_form(kind, resolved, context, situation.actor, now, zone)


def _version(raw: object) -> int | None:
    return raw if isinstance(raw, int) else None


async def _people(deps: Deps, situation: Situation, picked: UserIds) -> object:
    refs = tuple(
        [
            await deps.directory.ref(
                situation.client, user, situation.origin.workspace_id, deps.clock.now()
            )
            for user in picked.ids
        ]
    )
    if picked.single:
        return refs[0] if refs else None
    return refs
