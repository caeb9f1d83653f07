"""The Web API client for a workspace: the one bot token, or the workspace's stored installation."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackClientError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("clientloop.slack")


class NotInstalled(SlackClientError):
    """The app has no bot token for that workspace (never installed, or uninstalled)."""


class WorkspaceClients:
    """`await clients(workspace_id)` gives a client for that team (T…) or enterprise (E…).

    With a bot token (one workspace) every workspace gets the app's own client; with an
    installation store the workspace's latest bot token is looked up on each call, so a
    reinstall or a rotated token is picked up at once.
    """

    def __init__(
        self,
        base_url: str,
        *,
        client: AsyncWebClient | None = None,
        store: AsyncInstallationStore | None = None,
    ) -> None:
        if (client is None) == (store is None):
            raise ValueError("give either the app's client or an installation store")
        self.base_url, self.client, self.store = base_url, client, store

    async def __call__(self, workspace_id: str) -> AsyncWebClient:
        if self.store is None:
            assert self.client is not None  # __init__ takes exactly one of the two
            return self.client
        bot = await _find_bot(self.store, workspace_id)
        if bot is None or not bot.bot_token:
            raise NotInstalled(f"clientloop is not installed in Slack workspace {workspace_id}")
        return AsyncWebClient(base_url=self.base_url, token=bot.bot_token, logger=log)


async def _find_bot(store: AsyncInstallationStore, workspace_id: str) -> Bot | None:
    if workspace_id.startswith("E"):  # an org-wide (Enterprise Grid) installation
        return await store.async_find_bot(
            enterprise_id=workspace_id, team_id=None, is_enterprise_install=True
        )
    return await store.async_find_bot(enterprise_id=None, team_id=workspace_id)
