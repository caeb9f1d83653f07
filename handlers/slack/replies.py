"""Private answers to the person who acted: ephemeral where Slack allows, else a DM."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from handlers.slack.blocks import ephemeral_blocks, fit
from handlers.slack.render_message import message_blocks
from workflow.domain.views import View

log = logging.getLogger(__name__)
Respond = Callable[..., Awaitable[Any]]


def private_text(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The fallback text and blocks of a private reply in words."""
    return fit(text, 3000), ephemeral_blocks(text)


def private_view(view: View, viewer: int | None) -> tuple[str, list[dict[str, Any]]]:
    """The fallback text and blocks of a card shown privately to `viewer`."""
    return message_blocks(view, viewer, in_channel=False)


class ResponseUrls:
    """Posts to a request's response_url on one HTTP session for the whole process.

    Bolt's `respond` opens an HTTP session, and so a connection (in production a TLS
    handshake with hooks.slack.com), for every reply; under a burst that cost more than
    the reply. `urls(url)` is a `respond` for that url; `close()` at shutdown.
    """

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def __call__(self, url: str) -> Respond:
        async def respond(**message: Any) -> None:
            client = AsyncWebhookClient(url, session=self._pooled(), logger=log)
            response = await client.send_dict(message)
            if response.status_code != 200:
                log.warning("response_url answered %s: %.200s", response.status_code,
                            response.body)  # fmt: skip

        return respond

    def _pooled(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


@dataclass
class Replier:
    """Answers one person: through response_url when there is one, else ephemeral or DM."""

    client: AsyncWebClient
    user_id: str
    channel_id: str | None
    respond: Respond | None = None

    async def text(self, text: str) -> None:
        await self._send(*private_text(text))

    async def view(self, view: View, viewer: int | None) -> None:
        await self._send(*private_view(view, viewer))

    async def _send(self, text: str, blocks: list[dict[str, Any]]) -> None:
        try:
            if self.respond is not None:
                await self.respond(
                    text=text, blocks=blocks, response_type="ephemeral", replace_original=False
                )
            elif self.channel_id and not self.channel_id.startswith("D"):
                await self.client.chat_postEphemeral(
                    channel=self.channel_id, user=self.user_id, text=text, blocks=blocks
                )
            else:
                await self.client.chat_postMessage(channel=self.user_id, text=text, blocks=blocks)
        except (SlackClientError, aiohttp.ClientError, TimeoutError):
            log.exception("could not answer %s privately", self.user_id)
