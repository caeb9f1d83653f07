"""Teams activities as the Bot Connector sends them, and a client that posts them to the app.

A `Chat` is where an activity comes from (a personal chat or a channel, its tenant,
serviceUrl and user); the builders give the JSON of a message, an @mention, an
`adaptiveCard/action` invoke, an installationUpdate and a conversationUpdate.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.card_schema import cards_in_invoke_response, check

Json = dict[str, Any]
TENANT = "9f1c7a4e-0000-4000-8000-00000000te01"
BOT_ID = "28:00000000-0000-4000-8000-0000000b0t01"
BOT_NAME = "clientloop"
MESSAGES = "/api/messages"
_ids = itertools.count(1)


@dataclass(frozen=True)
class Chat:
    """Where activities come from: a conversation, its Bot Connector and the person typing."""

    service_url: str
    conversation_id: str
    conversation_type: str = "personal"
    tenant_id: str = TENANT
    aad_object_id: str = "aad-alice"
    user_name: str = "Alice"
    time_zone: str | None = "Europe/Paris"
    team_id: str | None = None
    channel_id: str | None = None

    def as_user(self, aad_object_id: str, name: str = "", time_zone: str | None = None) -> Chat:
        """The same conversation, someone else typing."""
        return replace(
            self, aad_object_id=aad_object_id, user_name=name or aad_object_id, time_zone=time_zone
        )


def personal(service_url: str, aad_object_id: str = "aad-alice", **kw: Any) -> Chat:
    return Chat(
        service_url, f"a:1personal-{aad_object_id}", "personal", aad_object_id=aad_object_id, **kw
    )


def channel(service_url: str, name: str = "web", **kw: Any) -> Chat:
    channel_id = f"19:{name}@thread.tacv2"
    return Chat(
        service_url,
        channel_id,
        "channel",
        team_id=f"19:team-{name}@thread.tacv2",
        channel_id=channel_id,
        **kw,
    )


def _base(chat: Chat, kind: str) -> Json:
    now = datetime.now(UTC).isoformat()
    conversation: Json = {
        "id": chat.conversation_id,
        "conversationType": chat.conversation_type,
        "tenantId": chat.tenant_id,
    }
    channel_data: Json = {"tenant": {"id": chat.tenant_id}}
    if chat.conversation_type != "personal":
        conversation["isGroup"] = True
    if chat.team_id and chat.channel_id:
        channel_data.update(
            teamsTeamId=chat.team_id,
            teamsChannelId=chat.channel_id,
            team={"id": chat.team_id},
            channel={"id": chat.channel_id},
        )
    activity: Json = {
        "type": kind,
        "id": f"f:{next(_ids)}",
        "timestamp": now,
        "localTimestamp": now,
        "serviceUrl": chat.service_url,
        "channelId": "msteams",
        "from": {
            "id": f"29:{chat.aad_object_id}",
            "name": chat.user_name,
            "aadObjectId": chat.aad_object_id,
        },
        "conversation": conversation,
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "locale": "en-US",
        "channelData": channel_data,
        "entities": [],
    }
    if chat.time_zone:
        activity["entities"].append(
            {
                "type": "clientInfo",
                "locale": "en-US",
                "country": "FR",
                "platform": "Web",
                "timezone": chat.time_zone,
            }
        )
    return activity


def message(chat: Chat, text: str) -> Json:
    """A message typed to the bot (in a channel, without a mention the bot never sees it)."""
    return {**_base(chat, "message"), "text": text, "textFormat": "plain"}


def mention(chat: Chat, text: str) -> Json:
    """`@clientloop <text>` in a channel: the <at> tag in the text and the mention entity."""
    tag = f"<at>{BOT_NAME}</at>"
    activity = message(chat, f"{tag} {text}")
    entity = {"type": "mention", "text": tag, "mentioned": {"id": BOT_ID, "name": BOT_NAME}}
    activity["entities"] = [entity, *activity["entities"]]
    return activity


def card_action(chat: Chat, verb: str, data: Json | None = None, reply_to: str = "") -> Json:
    """A press of an Action.Execute button: an `adaptiveCard/action` invoke."""
    activity = _base(chat, "invoke")
    activity.update(
        name="adaptiveCard/action",
        value={
            "action": {"type": "Action.Execute", "verb": verb, "data": dict(data or {})},
            "trigger": "manual",
        },
    )
    if reply_to:
        activity["replyToId"] = reply_to
    return activity


def installation_update(chat: Chat, action: str = "add") -> Json:
    """The app installed ("add") or uninstalled ("remove") in this conversation."""
    activity = _base(chat, "installationUpdate")
    activity["action"] = action
    activity["channelData"]["source"] = {"name": "message"}
    return activity


def bot_added(chat: Chat) -> Json:
    """conversationUpdate with the bot among membersAdded (a team or group chat install)."""
    activity = _base(chat, "conversationUpdate")
    activity["membersAdded"] = [{"id": BOT_ID}]
    if chat.team_id:
        activity["channelData"]["eventType"] = "teamMemberAdded"
    return activity


def bot_removed(chat: Chat) -> Json:
    activity = _base(chat, "conversationUpdate")
    activity["membersRemoved"] = [{"id": BOT_ID}]
    if chat.team_id:
        activity["channelData"]["eventType"] = "teamMemberRemoved"
    return activity


@dataclass
class TeamsRequests:
    """Posts activities to the app's /api/messages, as the Bot Connector does."""

    http: httpx.AsyncClient

    async def send(self, activity: Json, token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(MESSAGES, json=activity, headers=headers)
        if response.headers.get("content-type", "").startswith("application/json"):
            cards = cards_in_invoke_response(response.json())
            bad = check(cards, f"the answer to {activity.get('name') or activity.get('type')}")
            assert not bad, "\n".join(bad)  # a card Teams would not show fails the test
        return response
