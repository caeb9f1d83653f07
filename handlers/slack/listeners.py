"""Bolt listeners: acknowledge, translate the payload, hand it to the core, answer privately."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack import forms as slack_forms
from handlers.slack.blocks import ACTION_ID_PATTERN, decode_value, verb_of
from handlers.slack.outcomes import Deps, Situation, carry_out, submit_form
from handlers.slack.payloads import (
    action_event_id,
    command_event_id,
    message_text,
    origin,
    submission_event_id,
)
from handlers.slack.people import Directory
from handlers.slack.render_home import home_view
from handlers.slack.replies import Replier
from workflow import interpreter, queries
from workflow.presentation.forms import FormKind
from workflow.presentation.presses import OpenForm, Press
from workflow.services.inbound import first_time

# What manifest.yml must declare, no more and no less (a test holds the two together).
COMMANDS = ("/loop",)
SHORTCUT_CALLBACK = "send_as_request"
MESSAGE_SHORTCUTS = (SHORTCUT_CALLBACK,)
BOT_EVENTS = ("app_home_opened",)
FORM_CALLBACK = re.compile(r"^cl_form:")

__all__ = ["Deps", "Directory", "register"]


def register(app: AsyncApp, deps: Deps) -> None:
    """Every listener the app has; manifest.yml declares exactly these."""

    @app.command(COMMANDS[0])
    async def loop_command(
        ack: Any, body: dict[str, Any], client: AsyncWebClient, context: Any, respond: Any
    ) -> None:
        await ack()
        where = origin(body, context)
        async with deps.uow() as uow:
            project = await queries.project_in_channel(
                uow, where.identity.platform, where.workspace_id, where.channel_id or ""
            )
        now = deps.clock.now()
        actor = await deps.directory.actor(client, where.identity, now)
        outcome = interpreter.interpret_words(
            str(body.get("text") or ""),
            project.id if project else None,
            actor,
            now,
            command_event_id(body),
        )
        situation = Situation(
            client, where, actor, Replier(client, where.identity.user_id, where.channel_id, respond)
        )
        await carry_out(deps, outcome, situation)

    @app.action(ACTION_ID_PATTERN)
    async def button(
        ack: Any,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        context: Any,
        respond: Any,
    ) -> None:
        await ack()
        where = origin(body, context)
        now = deps.clock.now()
        actor = await deps.directory.actor(client, where.identity, now)
        item, version = decode_value(str(action.get("value") or ""))
        press = Press(
            verb_of(str(action.get("action_id"))),
            item,
            version,
            actor,
            now,
            event_id=action_event_id(body, action),
        )
        reply = Replier(
            client,
            where.identity.user_id,
            where.channel_id,
            respond if body.get("response_url") else None,
        )
        await carry_out(
            deps, press, Situation(client, where, actor, reply), interpreter.interpret_press
        )

    @app.view(FORM_CALLBACK)
    async def form_submitted(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        where = origin(body, context)
        context_, channel = slack_forms.read_metadata(str(view.get("private_metadata") or ""))
        now = deps.clock.now()
        actor = await deps.directory.actor(client, where.identity, now)
        reply = Replier(client, where.identity.user_id, channel)
        situation = Situation(client, where, actor, reply, channel_override=channel)
        kind = slack_forms.kind_of(str(view.get("callback_id")))
        values = slack_forms.values(view.get("state") or {})
        await submit_form(deps, situation, kind, values, context_, ack, submission_event_id(body))

    @app.shortcut(SHORTCUT_CALLBACK)
    async def send_as_request(
        ack: Any, body: dict[str, Any], client: AsyncWebClient, context: Any, respond: Any
    ) -> None:
        await ack()
        where = origin(body, context)
        async with deps.uow() as uow:
            project = await queries.project_in_channel(
                uow, where.identity.platform, where.workspace_id, where.channel_id or ""
            )
        actor = await deps.directory.actor(client, where.identity, deps.clock.now())
        reply = Replier(client, where.identity.user_id, where.channel_id)
        if project is None:
            await reply.text(
                "This channel has no clientloop project, so there is nobody to "
                "send the request to. Use it in the project's channel."
            )
            return
        wanted = OpenForm(
            FormKind.REQUEST, {"project_id": project.id}, {"text": message_text(body)}
        )
        await carry_out(deps, wanted, Situation(client, where, actor, reply))

    @app.event(BOT_EVENTS[0])
    async def home_opened(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        if event.get("tab") not in (None, "home"):
            return
        key = f"slack:event:{body.get('event_id', '')}"
        if body.get("event_id") and not await first_time(deps.uow, key, deps.clock.now()):
            return  # an Events API retry of one we already handled
        where = origin(body, context)
        async with deps.uow() as uow:
            data = await queries.home(uow, where.identity)
        view = home_view(
            data.name or "there",
            data.pending,
            data.pm_projects,
            viewer_person_id=data.person_id,
            start_projects=data.customer_projects,
        )
        await client.views_publish(user_id=where.identity.user_id, view=view)
