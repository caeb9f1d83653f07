"""Delivers views to Teams as Adaptive Cards through each conversation's own Bot Connector."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import httpx

from handlers.teams.conversations import Conversations, Reference
from workflow.delivery.bounces import NO_PRIVATE_CHAT
from workflow.domain.views import View
from workflow.ports import Address, Receipt

log = logging.getLogger(__name__)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
# The Bot Connector's answers that a later try may change (throttled, busy, or unavailable).
TRANSIENT_STATUSES = frozenset({412, 429, 502, 503, 504})
DEFAULT_RETRY_AFTER = 1.0
MENTION_UNSAFE = re.compile(r"[<>&]")  # a name inside <at>…</at> must not close the tag
NOT_INSTALLED = Receipt(error="not installed", permanent=True)
# No personal chat with the person (the app not installed for them, or another tenant): the
# sender then posts the card in the project's channel with an @mention of them.
NO_CHAT = Receipt(error=f"{NO_PRIVATE_CHAT} (not installed for them here)", permanent=True)

Render = Callable[[View, int | None], dict[str, Any]]
BotToken = Callable[[], Awaitable[str | None]]


async def no_token() -> str | None:
    """Unauthenticated (local testing) mode: the fake Bot Connector wants no token."""
    return None


class TeamsNotifier:
    """The Notifier port for Teams.

    `render(view, viewer_person_id)` gives the Adaptive Card; `token()` the bot's token
    (None: send without Authorization); `client` is the HTTP client to post with.
    """

    def __init__(
        self,
        conversations: Conversations,
        render: Render,
        client: httpx.AsyncClient,
        token: BotToken = no_token,
    ) -> None:
        self.conversations, self.render = conversations, render
        self.client, self.token = client, token

    async def send(self, view: View, address: Address) -> Receipt:
        reference = await self._reference(address)
        if reference is None or not reference.installed:
            return NO_CHAT if address.person_id is not None else NOT_INSTALLED
        url = f"{_conversation_url(reference)}/activities"
        return await self._call("POST", url, await self._rendered(view, address), reference)

    async def update(self, view: View, address: Address, message_id: str) -> Receipt:
        reference = await self._reference(address)
        if reference is None or not reference.installed:
            return NOT_INSTALLED
        url = f"{_conversation_url(reference)}/activities/{quote(message_id, safe='')}"
        activity = {**await self._rendered(view, address), "id": message_id}
        return await self._call("PUT", url, activity, reference, message_id)

    async def _reference(self, address: Address) -> Reference | None:
        """A channel by its id; a person by their personal chat (or its id, for card copies)."""
        found = await self.conversations.conversation(address.workspace_id, address.conversation_id)
        if found is None and address.person_id is not None:
            return await self.conversations.personal_conversation(
                address.workspace_id, address.conversation_id
            )
        return found

    async def _rendered(self, view: View, address: Address) -> dict[str, Any]:
        """The activity; a card with a chart is drawn in a worker thread (it takes a moment)."""
        if view.chart is None:
            return self._activity(view, address)
        return await asyncio.to_thread(self._activity, view, address)

    def _activity(self, view: View, address: Address) -> dict[str, Any]:
        activity: dict[str, Any] = {
            "type": "message",
            "summary": view.title,
            "attachments": [
                {"contentType": ADAPTIVE_CARD, "content": self.render(view, address.person_id)}
            ],
        }
        return activity | mentioning(view.mention) if view.mention else activity

    async def _call(
        self,
        method: str,
        url: str,
        activity: dict[str, Any],
        reference: Reference,
        message_id: str | None = None,
    ) -> Receipt:
        activity = await self.conversations.addressed_activity(activity, reference)
        try:
            headers = await self._headers()
            response = await self.client.request(method, url, json=activity, headers=headers)
        except httpx.TimeoutException as exc:
            log.warning("Teams %s %s timed out: %r", method, reference.conversation_id, exc)
            return Receipt(error="teams timed out")
        except (httpx.HTTPError, OSError, ValueError) as exc:
            # ValueError: the SDK's token manager could not get a token (it says why).
            log.warning("Teams %s %s failed: %r", method, reference.conversation_id, exc)
            return Receipt(error=f"teams connection failed: {type(exc).__name__}")
        if response.is_success:
            return Receipt(
                message_id=_activity_id(response) or message_id,
                conversation_id=reference.conversation_id,
            )
        return failure(response)

    async def _headers(self) -> dict[str, str]:
        token = await self.token()
        return {"Authorization": f"Bearer {token}"} if token else {}


def mentioning(person: tuple[str, str]) -> dict[str, Any]:
    """A line above the card that @mentions the person it is for (Teams notifies them), with
    the mention entity naming them by their AAD object id."""
    user_id, name = person
    tag = f"<at>{MENTION_UNSAFE.sub('', name) or 'you'}</at>"
    text = f"{tag}, this is for you: clientloop cannot message you privately."
    entity = {"type": "mention", "text": tag, "mentioned": {"id": user_id, "name": name}}
    return {"text": text, "entities": [entity]}


def _conversation_url(reference: Reference) -> str:
    return f"{reference.service_url}/v3/conversations/{quote(reference.conversation_id, safe='')}"


def _activity_id(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    value = body.get("id") if isinstance(body, dict) else None
    return str(value) if value else None


def failure(response: httpx.Response) -> Receipt:
    """What a Bot Connector error means for delivery: wait, retry later, or give up."""
    status, code = response.status_code, _error_code(response)
    error = f"teams http {status}" + (f": {code}" if code else "")
    retry_after = _retry_after(response)
    if status in TRANSIENT_STATUSES:
        if status == 429:
            return Receipt(error=error, retry_after=retry_after or DEFAULT_RETRY_AFTER)
        return Receipt(error=error, retry_after=retry_after)
    if status >= 500 or status in (401, 408):
        # 401: a token the connector refused (e.g. just expired); the next try gets another.
        return Receipt(error=error, retry_after=retry_after)
    # 403 (MessageWritesBlocked, ConversationBlockedByUser, BotDisabledByAdmin…), 404
    # (conversation not found) and other 4xx: no retry will ever get this one through.
    return Receipt(error=error, permanent=True)


def _error_code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("code") or "")
    return str(error or "")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None
