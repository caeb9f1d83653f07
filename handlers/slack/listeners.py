"""Bolt listeners: acknowledge, translate the payload, hand it to the dispatcher, render."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack import forms as slack_forms
from handlers.slack.blocks import ACTION_ID_PATTERN, decode_value, verb_of
from handlers.slack.forms import UserIds
from handlers.slack.outcomes import (
    Situation,
    in_acknowledgement,
    publish_home,
    render,
    render_submission,
)
from handlers.slack.payloads import (
    Source,
    action_event_id,
    command_event_id,
    message_text,
    source,
    submission_event_id,
)
from handlers.slack.people import Directory
from handlers.slack.replies import Replier
from workflow.dispatcher import Dispatcher
from workflow.domain.commands import PersonRef
from workflow.domain.people import Platform
from workflow.ports import Clock
from workflow.presentation.answers import Answer, Origin, Pressed, Submitted, Words
from workflow.presentation.forms import FormKind
from workflow.presentation.presses import OpenForm

# What manifest.yml must declare, no more and no less (a test holds the two together).
COMMANDS = ("/loop",)
SHORTCUT_CALLBACK = "send_as_request"
MESSAGE_SHORTCUTS = (SHORTCUT_CALLBACK,)
BOT_EVENTS = ("app_home_opened",)
FORM_CALLBACK = re.compile(r"^cl_form:")
# Slack waits 3 s for the acknowledgement. The work is done before it when it is done within
# this long, so a busy server slows the acknowledgements (Slack's connections wait their
# turn) instead of piling up acknowledged work nobody is answered for; slower work is
# acknowledged at this point and answered through response_url when it is done.
ANSWER_WITHIN = 2.0
Ack = Callable[..., Awaitable[Any]]

__all__ = [
    "ANSWER_WITHIN",
    "Deps",
    "Directory",
    "acknowledged_after",
    "answered_in_ack",
    "register",
]


@dataclass
class Deps:
    """What the listeners need from the composition root: the core's door and a directory."""

    dispatcher: Dispatcher
    clock: Clock
    directory: Directory = field(default_factory=Directory)

    async def origin(
        self, client: AsyncWebClient, where: Source, event_id: str | None, channel: str = ""
    ) -> Origin:
        """The core's Origin: what Slack signed, and the actor's name and zone from Slack."""
        actor = await self.directory.actor(client, where.identity, self.clock.now())
        here = channel or where.channel_id or ""
        return Origin(Platform.SLACK, where.workspace_id, here, actor, event_id=event_id)

    async def people(
        self, client: AsyncWebClient, workspace_id: str, values: dict[str, object]
    ) -> dict[str, object]:
        """Form values with picked Slack user ids looked up as people."""
        return {
            name: await self._refs(client, workspace_id, value)
            if isinstance(value, UserIds)
            else value
            for name, value in values.items()
        }

    async def _refs(self, client: AsyncWebClient, workspace_id: str, picked: UserIds) -> object:
        now = self.clock.now()
        refs = tuple([await self.directory.ref(client, u, workspace_id, now) for u in picked.ids])
        if picked.single:
            return refs[0] if refs else None
        return refs


async def answered_in_ack(ack: Ack, work: Awaitable[Answer]) -> Answer | None:
    """A slash command: its private answer rides in the acknowledgement when done in time
    (Slack's "immediate response"); None then, else the Answer still to be shown."""
    answer = await _in_time(work)
    body = in_acknowledgement(answer) if isinstance(answer, Answer) else None
    if body is not None:
        await ack(**body)
        return None
    await ack()
    return answer if isinstance(answer, Answer) else await answer


async def acknowledged_after(ack: Ack, work: Awaitable[Answer]) -> Answer:
    """A click or shortcut: acknowledged once done (or at ANSWER_WITHIN), answered after."""
    answer = await _in_time(work)
    await ack()
    return answer if isinstance(answer, Answer) else await answer


async def _in_time(work: Awaitable[Answer]) -> Answer | asyncio.Future[Answer]:
    """The Answer when done within ANSWER_WITHIN, else the work still running. An error
    within that time propagates before any ack, so the error handler answers in the ack."""
    running = asyncio.ensure_future(work)
    try:
        return await asyncio.wait_for(asyncio.shield(running), ANSWER_WITHIN)
    except TimeoutError:
        return running


def register(app: AsyncApp, deps: Deps) -> None:
    """Every listener the app has; manifest.yml declares exactly these."""
    door = deps.dispatcher

    @app.command(COMMANDS[0])
    async def loop_command(
        ack: Any, body: dict[str, Any], client: AsyncWebClient, context: Any, respond: Any
    ) -> None:
        where = source(body, context)

        async def work() -> Answer:
            here = await deps.origin(client, where, command_event_id(body))
            return await door.handle(here, Words(str(body.get("text") or "")))

        answer = await answered_in_ack(ack, work())
        if answer is not None:
            reply = Replier(client, where.identity.user_id, where.channel_id, respond)
            await render(answer, Situation(client, where, reply))

    @app.action(ACTION_ID_PATTERN)
    async def button(
        ack: Any,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        context: Any,
        respond: Any,
    ) -> None:
        where = source(body, context)
        item, version = decode_value(str(action.get("value") or ""))

        async def work() -> Answer:
            here = await deps.origin(client, where, action_event_id(body, action))
            pressed = Pressed(verb_of(str(action.get("action_id"))), item, version)
            return await door.handle(here, pressed)

        # A click's acknowledgement shows nothing: its answer always follows it.
        answer = await acknowledged_after(ack, work())
        respond_ = respond if body.get("response_url") else None
        reply = Replier(client, where.identity.user_id, where.channel_id, respond_)
        await render(answer, Situation(client, where, reply))

    @app.view(FORM_CALLBACK)
    async def form_submitted(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        where = source(body, context)
        # A view_submission names no channel: the modal kept where it was opened.
        form_context, channel = slack_forms.read_metadata(str(view.get("private_metadata") or ""))
        here = await deps.origin(client, where, submission_event_id(body), channel or "")
        kind = slack_forms.kind_of(str(view.get("callback_id")))
        values = await deps.people(
            client, where.workspace_id, slack_forms.values(view.get("state") or {})
        )
        answer = await door.handle(here, Submitted(kind, values, form_context))
        await render_submission(answer, ack, Replier(client, where.identity.user_id, channel))

    @app.shortcut(SHORTCUT_CALLBACK)
    async def send_as_request(
        ack: Any, body: dict[str, Any], client: AsyncWebClient, context: Any, respond: Any
    ) -> None:
        where = source(body, context)

        async def work() -> Answer:
            here = await deps.origin(client, where, None)
            wanted = OpenForm(FormKind.REQUEST, prefill={"text": message_text(body)})
            return await door.handle(here, wanted)

        answer = await acknowledged_after(ack, work())
        reply = Replier(client, where.identity.user_id, where.channel_id)
        await render(answer, Situation(client, where, reply))

    @app.event(BOT_EVENTS[0])
    async def home_opened(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        if event.get("tab") not in (None, "home"):
            return
        key = f"slack:event:{body.get('event_id', '')}"
        if body.get("event_id") and not await door.first_time(key):
            return  # an Events API retry of one we already handled
        where = source(body, context)
        here = Origin(Platform.SLACK, where.workspace_id, "", PersonRef(where.identity))
        await publish_home(client, where.identity.user_id, await door.home(here))
