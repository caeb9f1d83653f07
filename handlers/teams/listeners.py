"""Teams listeners: messages with command words, and Action.Execute invokes from our cards."""

from __future__ import annotations

import logging
from typing import Any, Protocol

import httpx
from microsoft_teams.api import ActivityBase
from microsoft_teams.api.activities.message.message import MessageActivity
from microsoft_teams.api.models.adaptive_card.adaptive_card_action_response import (
    AdaptiveCardActionCardResponse,
    AdaptiveCardActionMessageResponse,
)
from microsoft_teams.apps import ActivityContext
from microsoft_teams.cards import AdaptiveCard
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.teams.activities import origin_of, with_people, words_in
from handlers.teams.app import App
from handlers.teams.card_forms import SUBMIT_VERB, form_of, form_values, is_id, pointer
from handlers.teams.cards import REFRESH_VERB, card, typed_text
from handlers.teams.conversations import Conversations
from handlers.teams.outcomes import Reply, after_press, after_submit, refreshed, reply_for
from workflow.dispatcher import Dispatcher
from workflow.domain.views import View
from workflow.presentation.answers import Origin, Pressed, Submitted

Response = AdaptiveCardActionCardResponse | AdaptiveCardActionMessageResponse
EXPIRED = "This form has expired; please start again."

log = logging.getLogger("clientloop.teams")


class Runtime(Protocol):
    """What the listeners need from the composition root (bot.bootstrap.Runtime fits)."""

    dispatcher: Dispatcher
    engine: AsyncEngine


def render(view: View, viewer: int | None) -> dict[str, Any]:
    """How the notifier draws a view: buttons refresh for the people who may act."""
    return card(view, viewer_aad_ids=dict(view.actor_users), for_person=viewer)


def register(app: App, runtime: Runtime) -> None:
    """Every listener: bookkeeping of conversations, messages, and card actions."""
    conversations = Conversations(runtime.engine)
    door = runtime.dispatcher

    async def observe(ctx: ActivityContext[ActivityBase]) -> None:
        await conversations.observe(ctx.activity)
        await ctx.next()

    app.use(observe)

    @app.on_message
    async def on_message(ctx: ActivityContext[MessageActivity]) -> None:
        here = origin_of(ctx.activity)
        answer = await door.handle(here, words_in(ctx.activity, here))
        await send(ctx, reply_for(answer))

    @app.on_card_action_execute
    async def on_execute(ctx: ActivityContext[Any]) -> Response:
        here = origin_of(ctx.activity)
        action = ctx.activity.value.action
        data: dict[str, Any] = dict(action.data or {})
        verb = pointer(action.verb or data.get("verb"))
        if verb == SUBMIT_VERB:
            return respond(await submit(door, here, data))
        if verb == REFRESH_VERB:
            return respond(await refreshed(door, here, pointer(data.get("item"))))
        return respond(await press(door, here, verb, data))


async def press(door: Dispatcher, here: Origin, verb: str, data: dict[str, Any]) -> Reply:
    """A button on one of our cards, with the text typed into its ShowCard, if any."""
    version = data.get("version")
    pressed = Pressed(
        verb,
        pointer(data.get("item")),
        version if is_id(version) else None,
        typed_text(data),
    )
    return await after_press(door, here, pressed, await door.handle(here, pressed))


async def submit(door: Dispatcher, here: Origin, data: dict[str, Any]) -> Reply:
    """A form card was submitted; its kind and context travel in the submit's data."""
    found = form_of(data)
    if found is None:
        return Reply(EXPIRED)
    kind, context = found
    values = with_people(form_values(data), here)
    return after_submit(await door.handle(here, Submitted(kind, values, context)))


async def send(ctx: ActivityContext[MessageActivity], reply: Reply) -> None:
    """Reply in the conversation. The work is done whether or not the reply arrives, so a
    Bot Connector that refuses it or cannot be reached is a log line, not a 500 (which
    would only make the connector send the activity again)."""
    message = AdaptiveCard.model_validate(reply.card) if reply.card is not None else reply.text
    try:
        await ctx.send(message)
    except httpx.HTTPError as failed:
        where = ctx.activity.conversation.id[:80]
        log.warning("Teams: the reply in %r was not delivered: %r", where, failed)


def respond(reply: Reply) -> Response:
    if reply.card is not None:
        return AdaptiveCardActionCardResponse(value=AdaptiveCard.model_validate(reply.card))
    return AdaptiveCardActionMessageResponse(value=reply.text)
