"""Teams for the composition root: the SDK's App on our FastAPI app, conversations, notifier.

The Teams SDK takes seconds and tens of MB to import, so nothing here imports it (or our
Teams adapter) until the settings turn Teams on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import Runtime
from bot.settings import Settings
from workflow.ports import Notifier

if TYPE_CHECKING:  # Teams' own modules (and httpx) load only when Teams is on
    import httpx

    from handlers.teams.app import App, TeamsConfig
    from handlers.teams.conversations import Conversations
    from handlers.teams.notifier import BotToken, Render

log = logging.getLogger("clientloop.teams")

TeamsListeners = Callable[["App", Runtime], None]
TeamsNotifierFactory = Callable[["Conversations", "httpx.AsyncClient", "BotToken"], Notifier]
CONNECTOR_TIMEOUT_SECONDS, CONNECT_TIMEOUT_SECONDS = 10.0, 5.0


@dataclass(frozen=True)
class TeamsParts:
    """What the Teams adapter plugs in: its listener registrar and its notifier's constructor."""

    listeners: TeamsListeners | None = None
    notifier: TeamsNotifierFactory | None = None


def default_teams_parts(settings: Settings) -> TeamsParts:
    """The real adapter: every listener of handlers.teams, and the Teams notifier."""

    def listeners(app: App, runtime: Runtime) -> None:
        from handlers.teams.listeners import register

        register(app, runtime)

    def notifier(
        conversations: Conversations, client: httpx.AsyncClient, token: BotToken
    ) -> Notifier:
        from handlers.teams.listeners import render

        return teams_notifier(render)(conversations, client, token)

    return TeamsParts(listeners=listeners, notifier=notifier)


def teams_notifier(render: Render) -> TeamsNotifierFactory:
    """The notifier factory for TeamsParts, rendering cards with `render(view, viewer)`."""

    def make(conversations: Conversations, client: httpx.AsyncClient, token: BotToken) -> Notifier:
        from handlers.teams.notifier import TeamsNotifier

        return TeamsNotifier(conversations, render, client, token)

    return make


@dataclass
class TeamsSide:
    """The Teams SDK's App served by our FastAPI app, with what proactive sends need."""

    app: App
    config: TeamsConfig
    conversations: Conversations
    client: httpx.AsyncClient

    async def start(self) -> None:
        """Register /api/messages and its JWT validation (checked on a worker thread, since
        the SDK fetches its signing keys with a blocking call), then refuse, after
        authentication, bodies that are not activities; warn when there is no authentication."""
        from handlers.teams.app import MESSAGES_PATH, UNAUTHENTICATED_WARNING, refuse_malformed
        from handlers.teams.signing_keys import check_tokens_off_the_loop

        await self.app.initialize()
        refuse_malformed(self.app)
        if self.config.authenticated and not check_tokens_off_the_loop(self.app):
            log.warning("Teams: the signing keys will be fetched on the event loop")
        if self.config.unauthenticated:
            log.warning(UNAUTHENTICATED_WARNING, MESSAGES_PATH)

    async def stop(self) -> None:
        await self.app.stop()
        await self.client.aclose()

    async def bot_token(self) -> str | None:
        """A Bot Framework token from the SDK's token manager (cached by MSAL)."""
        token = await self.app.token_provider.get_app_token()
        return str(token) if token is not None else None

    def notifier(self, factory: TeamsNotifierFactory) -> Notifier:
        from handlers.teams.notifier import no_token

        token = self.bot_token if self.config.authenticated else no_token
        return factory(self.conversations, self.client, token)


def teams_config(settings: Settings) -> TeamsConfig:
    from handlers.teams.app import TeamsConfig

    secret = settings.client_secret
    return TeamsConfig(
        client_id=settings.client_id or "",
        client_secret=secret.get_secret_value() if secret is not None else "",
        tenant_id=settings.tenant_id or "",
        allow_unauthenticated=settings.clientloop_teams_allow_unauthenticated,
        openid_metadata_url=settings.clientloop_teams_openid_metadata_url or "",
    )


def host_teams(settings: Settings, host: FastAPI) -> App | None:
    """The SDK's App on `host` (built with the FastAPI app, since it wraps its lifespan)."""
    if not settings.teams_enabled:
        return None
    from handlers.teams.app import build_teams_app

    return build_teams_app(teams_config(settings), host=host)


def build_teams(settings: Settings, app: App | None, engine: AsyncEngine) -> TeamsSide | None:
    """The running Teams side for the lifespan, or None when Teams is off."""
    if app is None:
        return None
    import httpx

    from handlers.teams.conversations import Conversations

    timeout = httpx.Timeout(CONNECTOR_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS)
    client = httpx.AsyncClient(timeout=timeout)
    return TeamsSide(app, teams_config(settings), Conversations(engine), client)


def register_teams_listeners(teams: TeamsSide | None, runtime: Runtime, parts: TeamsParts) -> None:
    if teams is not None and parts.listeners is not None:
        parts.listeners(teams.app, runtime)
