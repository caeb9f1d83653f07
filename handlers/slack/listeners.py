"""Bolt listeners: acknowledge, translate the payload, hand it to the dispatcher, render."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack import forms as slack_forms
from handlers.slack.blocks import ACTION_ID_PATTERN, decode_value, verb_of
from handlers.slack.forms import UserIds
from handlers.slack.home_tabs import HomeTabs, pressed_on_home
from handlers.slack.outcomes import (
    Situation,
    acknowledge_submission,
    in_acknowledgement,
    not_saved,
    render,
    render_submission,
)
from handlers.slack.payloads import (
    Source,
    action_event_id,
    command_event_id,
    event_key,
    message_event_id,
    message_text,
    source,
    submission_event_id,
    typed_in_dm,
)
from handlers.slack.people import Directory
from handlers.slack.replies import Replier, Respond, ResponseUrls
from handlers.slack.sealed import Seal
from workflow.dispatcher import Dispatcher
from workflow.domain.people import Platform
from workflow.ports import Clock
from workflow.presentation.answers import Answer, Origin, Pressed, Submitted
from workflow.presentation.forms import FormKind
from workflow.presentation.presses import OpenForm

# What manifest.yml must declare, no more and no less (a test holds the two together).
COMMANDS = ("/loop",)
SHORTCUT_CALLBACK = "send_as_request"
MESSAGE_SHORTCUTS = (SHORTCUT_CALLBACK,)
BOT_EVENTS = ("app_home_opened", "message.im")
FORM_CALLBACK = re.compile(r"^cl_form:")
# Slack waits 3 s for the acknowledgement. The work is done before it when it is done within
# this long, so a busy server slows the acknowledgements (Slack's connections wait their
# turn) instead of piling up acknowledged work nobody is answered for; slower work is
# acknowledged at this point and answered through response_url when it is done.
ANSWER_WITHIN = 2.0
Ack = Callable[..., Awaitable[Any]]
T = TypeVar("T")
UNKNOWN_BUTTON = "That button is not one clientloop knows any more; please use a newer message."
log = logging.getLogger(__name__)

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
    seal: Seal  # modals' private_metadata
    directory: Directory = field(default_factory=Directory)
    homes: HomeTabs = field(default_factory=HomeTabs)
    responses: ResponseUrls = field(default_factory=ResponseUrls)  # replies on one session

    def __post_init__(self) -> None:
        if self.homes.dispatcher is None:
            self.homes.dispatcher, self.homes.clock = self.dispatcher, self.clock

    def respond(self, body: dict[str, Any]) -> Respond | None:
        """A `respond` for the request's response_url, if it came with one."""
        url = body.get("response_url")
        return self.responses(url) if isinstance(url, str) and url else None

    async def origin(
        self,
        client: AsyncWebClient,
        where: Source,
        event_id: str | None,
        channel: str = "",
        personal: bool = False,
    ) -> Origin:
        """The core's Origin: what Slack signed, and the actor's name and zone from Slack."""
        actor = await self.directory.actor(client, where.identity, self.clock.now())
        here = channel or where.channel_id or ""
        return Origin(Platform.SLACK, where.workspace_id, here, actor, personal, event_id=event_id)

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


async def _in_time(work: Awaitable[T]) -> T | asyncio.Future[T]:
    """The result when done within ANSWER_WITHIN, else the work still running. An error
    within that time propagates before any ack, so the error handler answers in the ack."""
    running = asyncio.ensure_future(work)
    try:
        return await asyncio.wait_for(asyncio.shield(running), ANSWER_WITHIN)
    except TimeoutError:
        return running


@dataclass(frozen=True)
class Checked:
    """A submitted modal, read, with what is wrong with its values (empty: nothing)."""

    origin: Origin
    sent: Submitted
    errors: dict[str, str]


async def checked_in_ack(
    ack: Ack, work: Awaitable[Checked], reply: Replier, fields: Collection[str]
) -> Checked | None:
    """A modal: acknowledged as soon as its values are checked (field errors ride in the
    ack), or at ANSWER_WITHIN; the Checked submission to carry out, or None."""
    checked = await _in_time(work)
    if isinstance(checked, Checked):
        return checked if await acknowledge_submission(ack, checked.errors, fields, reply) else None
    await ack()  # late: the modal closes, and what is wrong with it is said privately
    late = await checked
    if late.errors:
        await reply.text(not_saved(late.errors))
        return None
    return late


def register(app: AsyncApp, deps: Deps) -> None:
    """Every listener the app has; manifest.yml declares exactly these."""
    door = deps.dispatcher

    @app.command(COMMANDS[0])
    async def loop_command(
        ack: Any, body: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        where = source(body, context)

        async def work() -> Answer:
            here = await deps.origin(client, where, command_event_id(body))
            typed = str(body.get("text") or "")
            said = await deps.directory.words(client, typed, where.workspace_id, deps.clock.now())
            return await door.handle(here, said)

        answer = await answered_in_ack(ack, work())
        if answer is not None:
            reply = Replier(client, where.identity.user_id, where.channel_id, deps.respond(body))
            await render(answer, Situation(client, where, reply, deps.seal))

    @app.action(ACTION_ID_PATTERN)
    async def button(
        ack: Any,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        context: Any,
    ) -> None:
        where = source(body, context)
        reply = Replier(client, where.identity.user_id, where.channel_id, deps.respond(body))
        try:
            item, version = decode_value(str(action.get("value") or ""))
        except ValueError:
            # Only a tampered (or ancient) payload carries a value we never wrote.
            log.warning("Slack button with a malformed value refused: %.80r", action.get("value"))
            await ack()
            await reply.text(UNKNOWN_BUTTON)
            return

        async def work() -> Answer:
            here = await deps.origin(client, where, action_event_id(body, action))
            pressed = Pressed(verb_of(str(action.get("action_id"))), item, version)
            return await door.handle(here, pressed)

        # A click's acknowledgement shows nothing: its answer always follows it.
        answer = await acknowledged_after(ack, work())
        await render(answer, Situation(client, where, reply, deps.seal))
        if pressed_on_home(body) and answer.form is None:
            await deps.homes.show(client, where.workspace_id, where.identity)

    @app.view(FORM_CALLBACK)
    async def form_submitted(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        where = source(body, context)
        # A view_submission names no channel: the modal kept where it was opened.
        form_context, channel = slack_forms.read_metadata(
            str(view.get("private_metadata") or ""), deps.seal
        )
        reply = Replier(client, where.identity.user_id, channel)
        state = view.get("state") or {}

        async def check() -> Checked:
            here = await deps.origin(client, where, submission_event_id(body), channel or "")
            values = await deps.people(client, where.workspace_id, slack_forms.values(state))
            kind = slack_forms.kind_of(str(view.get("callback_id")))
            sent = Submitted(kind, values, form_context)
            return Checked(here, sent, await door.field_errors(here, sent))

        # Acknowledged before it is carried out: Slack gives a modal 3 s, and an answer past
        # them reads as a failure of what was done (the view id keeps a retry from repeating it).
        checked = await checked_in_ack(ack, check(), reply, state.get("values") or {})
        if checked is not None:
            typed = slack_forms.values(state)
            await render_submission(await door.handle(checked.origin, checked.sent), reply, typed)

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
        await render(answer, Situation(client, where, reply, deps.seal))

    @app.event(BOT_EVENTS[0])
    async def home_opened(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        if event.get("tab") not in (None, "home"):
            return
        if body.get("event_id") and not await door.first_time(event_key(body)):
            return  # an Events API retry of one we already handled
        where = source(body, context)
        # The event names the installing team; users.info, the person's own (Slack Connect).
        user, now = where.identity.user_id, deps.clock.now()
        person = await deps.directory.ref(client, user, where.workspace_id, now)
        await deps.homes.show(client, where.workspace_id, person.identity)

    @app.event("message")
    async def direct_message(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        """Words typed in the bot's DM (its Messages tab), read as `/loop <words>` about the
        person's project, as in a Teams personal chat: customers can't use our command."""
        words = typed_in_dm(event)
        if words is None or not await door.first_time(event_key(body)):
            return  # not a person's message, or an Events API retry of one we answered
        where = source(body, context)
        here = await deps.origin(client, where, message_event_id(body), personal=True)
        typed = await deps.directory.words(client, words, where.workspace_id, deps.clock.now())
        answer = await door.handle(here, typed)
        reply = Replier(client, where.identity.user_id, where.channel_id)
        await render(answer, Situation(client, where, reply, deps.seal), words=words)
