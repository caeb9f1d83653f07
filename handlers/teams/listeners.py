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
from microsoft_teams.apps import ActivityContext, ErrorEvent
from microsoft_teams.cards import AdaptiveCard
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.teams.activities import (
    origin_of,
    people_named,
    picked_in,
    with_people,
    words_in,
    words_of,
)
from handlers.teams.app import App
from handlers.teams.card_forms import SUBMIT_VERB, form_of, form_values, is_id, pointer
from handlers.teams.cards import REFRESH_VERB, card, typed_text
from handlers.teams.conversations import Conversations
from handlers.teams.outcomes import (
    Reply,
    after_press,
    after_submit,
    in_a_message,
    refreshed,
    reply_for,
)
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
    app.events.on("error", report_failure)

    @app.on_message
    async def on_message(ctx: ActivityContext[MessageActivity]) -> None:
        if not await first_delivery(door, ctx.activity):
            return  # the Bot Connector's redelivery of a message already answered
        here = origin_of(ctx.activity)
        data = fallback_data(ctx.activity)
        if data is not None:
            reply = await fallback(ctx, conversations, door, here, data)
        else:
            reply = reply_for(await door.handle(here, words_in(ctx.activity, here)))
        await send(ctx, await addressed(conversations, reply, here))

    @app.on_card_action_execute
    async def on_execute(ctx: ActivityContext[Any]) -> Response:
        here = origin_of(ctx.activity)
        action = ctx.activity.value.action
        data: dict[str, Any] = dict(action.data or {})
        verb = pointer(action.verb or data.get("verb"))
        if verb == SUBMIT_VERB:
            values = form_values(data)
            named = await people_named(ctx, conversations, picked_in(values))
            reply = await submit(door, here, data, with_people(values, here, named))
        elif verb == REFRESH_VERB:  # a press of refresh, or Teams' automatic one
            reply = await refreshed(door, here, pointer(data.get("item")))
        else:
            reply = await press(door, here, verb, data)
        return respond(await addressed(conversations, reply, here))


def report_failure(event: ErrorEvent) -> None:
    """The SDK's error event for an activity whose handling failed: one line saying who
    asked for what (the SDK logs the traceback and answers 500)."""
    activity = event.activity
    if activity is None:
        return
    who = failure_fields(activity)
    log.error(
        "Teams %s failed (tenant %s, user %s, %s): %r", activity.type, who["team"], who["user"],
        who.get("command") or who.get("action"), event.error, extra=who,
    )  # fmt: skip


def failure_fields(activity: Any) -> dict[str, str | None]:
    """Team (the tenant), user (the AAD object id), and the command's word or the action."""
    sender = activity.from_
    fields: dict[str, str | None] = {
        "platform": "teams",
        "team": activity.conversation.tenant_id or sender.tenant_id,
        "user": sender.aad_object_id or sender.id,
    }
    action = getattr(getattr(activity, "value", None), "action", None)
    if action is not None:  # an Action.Execute
        fields["action"] = str(action.verb or (action.data or {}).get("verb"))
    elif isinstance(getattr(activity, "value", None), dict):  # an Action.Submit fallback
        fields["action"] = str(activity.value.get("verb"))
    else:  # a message: its first word, not the rest
        fields["command"] = next(iter(words_of(getattr(activity, "text", "")).split()), "")
    return fields


async def press(door: Dispatcher, here: Origin, verb: str, data: dict[str, Any]) -> Reply:
    """A button on one of our cards, with the text typed into its ShowCard, if any."""
    pressed = pressed_of(verb, data)
    return await after_press(door, here, pressed, await door.handle(here, pressed))


def pressed_of(verb: str, data: dict[str, Any]) -> Pressed:
    """A press as the core reads it, from a button's data (and its ShowCard's typed text)."""
    version = data.get("version")
    return Pressed(verb, pointer(data.get("item")), version if is_id(version) else None,
                   typed_text(data))  # fmt: skip


async def first_delivery(door: Dispatcher, activity: MessageActivity) -> bool:
    """Whether a message comes for the first time: the Bot Connector sends an activity again
    (same id) when it thinks it went unanswered, and a second answer would only confuse."""
    return not activity.id or await door.first_time(f"teams:message:{activity.id}")


def fallback_data(activity: MessageActivity) -> dict[str, Any] | None:
    """A button's data when a client too old for Action.Execute pressed it: its Action.Submit
    fallback sends a message whose `value` is that data (and the card's inputs)."""
    value = activity.value
    if isinstance(value, dict) and isinstance(value.get("verb"), str):
        return dict(value)
    return None


async def fallback(
    ctx: ActivityContext[MessageActivity], conversations: Conversations, door: Dispatcher,
    here: Origin, data: dict[str, Any],
) -> Reply:  # fmt: skip
    """An Action.Submit fallback is the press (or form) its Action.Execute would have sent,
    parsed and checked the same way; only the answer comes in a message."""
    verb = pointer(data.get("verb"))
    if verb == SUBMIT_VERB:
        values = form_values(data)
        named = await people_named(ctx, conversations, picked_in(values))
        return await submit(door, here, data, with_people(values, here, named))
    return in_a_message(await door.handle(here, pressed_of(verb, data)))


async def submit(
    door: Dispatcher, here: Origin, data: dict[str, Any], values: dict[str, object]
) -> Reply:
    """A form card was submitted (its `values` with people); its kind and context travel in
    the submit's data."""
    found = form_of(data)
    if found is None:
        return Reply(EXPIRED)
    kind, context = found
    return after_submit(await door.handle(here, Submitted(kind, values, context)))


async def addressed(conversations: Conversations, reply: Reply, here: Origin) -> Reply:
    """The reply with its card's refresh.userIds as the people's MRIs, as Teams wants them."""
    if reply.card is None:
        return reply
    card = await conversations.addressed(reply.card, here.workspace_id, here.channel_id)
    return Reply(reply.text, card)


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
