"""Delivers views to Slack with chat.postMessage and chat.update, mapping failures to receipts."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.charts import share_chart
from handlers.slack.home_tabs import HomeTabs
from handlers.slack.render_message import message_blocks
from workflow.domain.views import View
from workflow.ports import Address, Receipt

log = logging.getLogger(__name__)

# Errors that no retry can fix: the message has nowhere to go, or may never be edited.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "account_inactive",
        "not_in_channel",
        "is_archived",
        "user_not_found",
        "invalid_auth",
        "message_not_found",
        "cant_update_message",
    }
)
DEFAULT_RETRY_AFTER = 1.0

ClientFor = Callable[[str], Awaitable[AsyncWebClient]]


class SlackNotifier:
    """The Notifier port for Slack; `client_for` gives a workspace's Web API client, and
    `homes` republishes the App Home of a person something was delivered to."""

    def __init__(self, client_for: ClientFor, homes: HomeTabs | None = None) -> None:
        self.client_for, self.homes = client_for, homes

    async def send(self, view: View, address: Address) -> Receipt:
        text, blocks = _render(view, address)
        try:
            client = await self.client_for(address.workspace_id)
            response = await client.chat_postMessage(
                channel=address.conversation_id,
                text=text,
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
            )
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            return failure(exc)
        receipt = _receipt(response.data, address)
        if view.chart is not None and receipt.ok and view.chart.has_data():
            # Right under the message it belongs to; a failed upload fails nothing else
            # (the message went, and its fields carry the same figures in words).
            comment = f"{view.title}: the chart"
            await share_chart(client, view.chart, receipt.conversation_id or "", comment)
        return self._delivered(receipt, address)

    async def update(self, view: View, address: Address, message_id: str) -> Receipt:
        text, blocks = _render(view, address)
        try:
            client = await self.client_for(address.workspace_id)
            response = await client.chat_update(
                channel=address.conversation_id, ts=message_id, text=text, blocks=blocks
            )
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            return failure(exc)
        return self._delivered(_receipt(response.data, address, message_id), address)

    def _delivered(self, receipt: Receipt, address: Address) -> Receipt:
        if receipt.ok and address.person_id is not None and self.homes is not None:
            self.homes.delivered(address.person_id)
        return receipt


def _render(view: View, address: Address) -> tuple[str, list[dict[str, Any]]]:
    # A copy with a person is a DM: its buttons are live only for that viewer.
    return message_blocks(view, address.person_id, in_channel=address.person_id is None)


def _receipt(data: Any, address: Address, message_id: str | None = None) -> Receipt:
    body = data if isinstance(data, dict) else {}
    return Receipt(
        message_id=str(body.get("ts") or message_id or "") or None,
        conversation_id=str(body.get("channel") or address.conversation_id),
    )


def failure(exc: BaseException) -> Receipt:
    """What a failed Web API call means for delivery: wait, retry later, or give up."""
    if not isinstance(exc, SlackApiError):
        kind = "timed out" if isinstance(exc, TimeoutError) else "connection failed"
        log.warning("Slack call %s: %r", kind, exc)
        return Receipt(error=f"slack {kind}: {type(exc).__name__}")
    status = _status(exc.response)
    error = _error_code(exc.response)
    if status == 429 or error == "ratelimited":
        return Receipt(error="ratelimited", retry_after=_retry_after(exc.response))
    if status >= 500:
        return Receipt(error=f"slack http {status}: {error or 'server error'}")
    return Receipt(error=error or f"slack http {status}", permanent=error in PERMANENT_ERRORS)


def _status(response: Any) -> int:
    # An AsyncSlackResponse has status_code; an unreadable body leaves aiohttp's response.
    value = getattr(response, "status_code", None) or getattr(response, "status", None)
    return value if isinstance(value, int) else 0


def _error_code(response: Any) -> str:
    data = getattr(response, "data", None)
    return str(data.get("error") or "") if isinstance(data, dict) else ""


def _retry_after(response: Any) -> float:
    headers = getattr(response, "headers", None) or {}
    value = next((v for k, v in headers.items() if str(k).lower() == "retry-after"), None)
    try:
        return max(float(value), 0.0) if value is not None else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER
