"""Teams listeners: messages with command words, and Action.Execute invokes from our cards."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from microsoft_teams.api import ActivityBase
from microsoft_teams.api.activities.message.message import MessageActivity
from microsoft_teams.api.models.adaptive_card.adaptive_card_action_response import (
    AdaptiveCardActionCardResponse,
    AdaptiveCardActionMessageResponse,
)
from microsoft_teams.apps import ActivityContext
from microsoft_teams.cards import AdaptiveCard
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.teams.app import App
from handlers.teams.cards import card
from handlers.teams.conversations import Conversations, reference_of, time_zone_of
from handlers.teams.outcomes import Answer, carry_out, press_outcome, submit
from workflow import interpreter, queries
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.views import View
from workflow.messagebus import MessageBus
from workflow.ports import Clock, UnitOfWork

MENTION = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)
Response = AdaptiveCardActionCardResponse | AdaptiveCardActionMessageResponse


class Runtime(Protocol):
    """What the listeners need from the composition root (bot.bootstrap.Runtime fits)."""

    bus: MessageBus
    clock: Clock
    engine: AsyncEngine

    def uow(self) -> UnitOfWork: ...


@dataclass(frozen=True)
class Who:
    identity: Identity
    ref: PersonRef
    conversation_id: str
    personal: bool


def who(activity: ActivityBase) -> Who:
    """The actor as (tenant, AAD object id), with the zone Teams reports in clientInfo."""
    reference = reference_of(activity)
    tenant = reference.tenant_id if reference else (activity.conversation.tenant_id or "")
    aad = activity.from_.aad_object_id or activity.from_.id
    identity = Identity(Platform.TEAMS, tenant, aad)
    conversation = activity.conversation.id.split(";", 1)[0]
    personal = activity.conversation.conversation_type in (None, "personal")
    return Who(
        identity,
        PersonRef(identity, activity.from_.name or "", time_zone_of(activity)),
        conversation,
        personal,
    )


def render(view: View, viewer: int | None) -> dict[str, Any]:
    """How the notifier draws a view: buttons refresh for the people who may act."""
    return card(view, viewer_aad_ids=dict(view.actor_users), for_person=viewer)


def register(app: App, runtime: Runtime, zone: str = "UTC") -> None:
    """Every listener: bookkeeping of conversations, messages, and card actions."""
    conversations = Conversations(runtime.engine)

    async def observe(ctx: ActivityContext[ActivityBase]) -> None:
        await conversations.observe(ctx.activity)
        await ctx.next()

    app.use(observe)

    @app.on_message
    async def on_message(ctx: ActivityContext[MessageActivity]) -> None:
        actor = who(ctx.activity)
        text = MENTION.sub("", ctx.activity.text or "").strip()
        async with runtime.uow() as uow:
            project = await queries.project_in_channel(
                uow, Platform.TEAMS, actor.identity.org_id, actor.conversation_id
            )
        now = runtime.clock.now()
        outcome = interpreter.interpret_words(
            text, project.id if project else None, actor.ref, now, f"teams:{ctx.activity.id}"
        )
        answer = await carry_out(runtime, outcome, actor, conversation_context(actor), zone)
        await send(ctx, answer)

    @app.on_card_action_execute
    async def on_execute(ctx: ActivityContext[Any]) -> Response:
        actor = who(ctx.activity)
        action = ctx.activity.value.action
        data: dict[str, Any] = dict(action.data or {})
        verb = str(action.verb or data.get("verb") or "")
        event_id = f"teams:{ctx.activity.id}"
        if verb == "submit_form":
            answer = await submit(runtime, data, actor, event_id, zone)
        else:
            answer = await press_outcome(runtime, verb, data, actor, event_id, zone)
        return respond(answer)


def conversation_context(actor: Who) -> dict[str, str | int | None]:
    return {
        "platform": Platform.TEAMS.value,
        "workspace_id": actor.identity.org_id,
        "channel_id": actor.conversation_id,
    }


async def send(ctx: ActivityContext[MessageActivity], answer: Answer) -> None:
    if answer.card is not None:
        await ctx.send(AdaptiveCard.model_validate(answer.card))
    else:
        await ctx.send(answer.text)


def respond(answer: Answer) -> Response:
    if answer.card is not None:
        return AdaptiveCardActionCardResponse(value=AdaptiveCard.model_validate(answer.card))
    return AdaptiveCardActionMessageResponse(value=answer.text)
