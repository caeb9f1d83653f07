"""The Web API client for a workspace: the one bot token, or the workspace's stored installation.

Rotating tokens (a bot with a refresh token and an expiry) are refreshed here, before a
client is handed out, when they expire within two hours. One refresh per workspace runs
at a time in a process (a lock per workspace; the others wait and reuse its result).
Across replicas nothing is locked: Slack's guide says a refresh token is revoked once
exchanged, so two replicas refreshing at the same instant may see one of them refused;
that one re-reads the store, finds the token the other saved, and uses it. Until then the
old access token stays valid (it is refreshed two hours before it expires).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

import aiohttp
from slack_sdk.errors import SlackClientError, SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("clientloop.slack")
REFRESH_MINUTES_BEFORE_EXPIRY = 120


class NotInstalled(SlackClientError):
    """The app has no bot token for that workspace (never installed, or uninstalled)."""


class WorkspaceClients:
    """`await clients(workspace_id)` gives a client for that team (T…) or enterprise (E…).

    With a bot token (one workspace) every workspace gets the app's own client; with an
    installation store the workspace's latest bot token is looked up on each call, so a
    reinstall or a rotated token is picked up at once; with a `rotator` an expiring
    rotating token is refreshed first and the refreshed bot saved.
    """

    def __init__(
        self,
        base_url: str,
        *,
        client: AsyncWebClient | None = None,
        store: AsyncInstallationStore | None = None,
        rotator: AsyncTokenRotator | None = None,
    ) -> None:
        if (client is None) == (store is None):
            raise ValueError("give either the app's client or an installation store")
        self.base_url, self.client, self.store, self.rotator = base_url, client, store, rotator
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._session: aiohttp.ClientSession | None = None
        self._own_client: AsyncWebClient | None = None

    async def __call__(self, workspace_id: str) -> AsyncWebClient:
        if self.store is None:
            assert self.client is not None  # __init__ takes exactly one of the two
            if self._own_client is None:
                self._own_client = AsyncWebClient(
                    base_url=self.client.base_url,
                    token=self.client.token,
                    timeout=self.client.timeout,
                    logger=self.client.logger,
                    session=self._pooled(),
                )
            return self._own_client
        bot = await _find_bot(self.store, workspace_id)
        if bot is not None and self.rotator is not None and _rotating(bot):
            bot = await self._refreshed(self.store, self.rotator, workspace_id)
        if bot is None or not bot.bot_token:
            raise NotInstalled(f"clientloop is not installed in Slack workspace {workspace_id}")
        return AsyncWebClient(
            base_url=self.base_url, token=bot.bot_token, logger=log, session=self._pooled()
        )

    def _pooled(self) -> aiohttp.ClientSession:
        """One HTTP session for every call this process makes through these clients.

        Without one, slack_sdk opens a new aiohttp session, and a new connection, per call:
        a card with eleven copies cost eleven TCP handshakes and session set-ups.
        """
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        """Close the pooled connections (at shutdown)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session, self._own_client = None, None

    async def _refreshed(
        self, store: AsyncInstallationStore, rotator: AsyncTokenRotator, workspace_id: str
    ) -> Bot | None:
        """The workspace's bot with a fresh token; read again under the lock, since a task
        that waited for it finds the token another one already refreshed."""
        async with self._locks[workspace_id]:
            bot = await _find_bot(store, workspace_id)
            if bot is None:
                return None
            try:
                rotated = await rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=REFRESH_MINUTES_BEFORE_EXPIRY
                )
            except SlackTokenRotationError as exc:
                # Another replica may have used the refresh token first: take what it saved.
                log.warning("Slack token refresh for %s failed: %s", workspace_id, exc)
                return await _find_bot(store, workspace_id)
            if rotated is None:
                return bot
            await _save(store, workspace_id, rotated)
            log.info("refreshed the Slack bot token of %s", workspace_id)
            return rotated


async def _save(store: AsyncInstallationStore, workspace_id: str, bot: Bot) -> None:
    """Save the refreshed token on the installation too: Bolt reads it for incoming requests."""
    enterprise = workspace_id.startswith("E")
    installation = await store.async_find_installation(
        enterprise_id=bot.enterprise_id,
        team_id=None if enterprise else bot.team_id,
        is_enterprise_install=enterprise,
    )
    if installation is None:
        await store.async_save_bot(bot)
        return
    installation.bot_token = bot.bot_token
    installation.bot_refresh_token = bot.bot_refresh_token
    installation.bot_token_expires_at = bot.bot_token_expires_at
    await store.async_save(installation)


def _rotating(bot: Bot) -> bool:
    return bool(bot.bot_refresh_token and bot.bot_token_expires_at)


def token_rotator(base_url: str, client_id: str, client_secret: str) -> AsyncTokenRotator:
    """slack-sdk's rotator, calling oauth.v2.access at `base_url` (SLACK_API_URL)."""
    client = AsyncWebClient(base_url=base_url, logger=log)
    return AsyncTokenRotator(client_id=client_id, client_secret=client_secret, client=client)


async def _find_bot(store: AsyncInstallationStore, workspace_id: str) -> Bot | None:
    if workspace_id.startswith("E"):  # an org-wide (Enterprise Grid) installation
        return await store.async_find_bot(
            enterprise_id=workspace_id, team_id=None, is_enterprise_install=True
        )
    return await store.async_find_bot(enterprise_id=None, team_id=workspace_id)
