"""Slack for the composition root: the Bolt app from settings, workspace clients, Socket Mode."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import Runtime
from bot.settings import Settings
from handlers.slack.app import SlackConfig, build_slack_app
from handlers.slack.clients import WorkspaceClients, token_rotator
from handlers.slack.home_tabs import HomeTabs
from handlers.slack.listeners import Deps, register
from handlers.slack.notifier import SlackNotifier
from handlers.slack.sealed import Seal
from workflow.domain.people import Platform
from workflow.ports import Notifier

if TYPE_CHECKING:  # imported where Socket Mode is chosen: the HTTP mode never loads it
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

log = logging.getLogger("clientloop.slack")

ClientFor = Callable[[str], Awaitable[AsyncWebClient]]
SlackListeners = Callable[[AsyncApp, Runtime], None]
SlackNotifierFactory = Callable[[ClientFor], Notifier]


@dataclass(frozen=True)
class SlackParts:
    """What the Slack adapter plugs in: its listener registrar and its notifier's constructor."""

    listeners: SlackListeners | None = None
    notifier: SlackNotifierFactory | None = None


@dataclass
class SlackSide:
    """The running Slack connection: Bolt app, workspace clients and, maybe, Socket Mode."""

    app: AsyncApp
    clients: WorkspaceClients
    signing_secret: str
    socket_mode: AsyncSocketModeHandler | None = None
    _connecting: asyncio.Task[None] | None = field(default=None, repr=False)

    def start(self) -> None:
        """Connect Socket Mode in the background (HTTP mode needs nothing started)."""
        if self.socket_mode is not None:
            self._connecting = asyncio.create_task(_connect(self.socket_mode))

    async def stop(self) -> None:
        if self._connecting is not None and not self._connecting.done():
            self._connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._connecting
        if self.socket_mode is not None:
            await self.socket_mode.close_async()  # type: ignore[no-untyped-call]  # unannotated in Bolt


def slack_config(settings: Settings) -> SlackConfig:
    def plain(value: object) -> str:
        secret = getattr(value, "get_secret_value", None)
        return str(secret() if secret else value or "")

    return SlackConfig(
        api_url=settings.slack_api_url,
        signing_secret=plain(settings.slack_signing_secret),
        bot_token=plain(settings.slack_bot_token),
        client_id=plain(settings.slack_client_id),
        client_secret=plain(settings.slack_client_secret),
        secret_key=plain(settings.clientloop_secret_key),
        old_secret_keys=settings.secret_keys[1:],
    )


def build_slack(settings: Settings, engine: AsyncEngine) -> SlackSide | None:
    """Slack as the settings say, or None when they turn it off."""
    config = slack_config(settings)
    app = build_slack_app(config, engine=engine)
    if app is None:
        return None
    if config.oauth:
        rotator = token_rotator(config.api_url, config.client_id, config.client_secret)
        clients = WorkspaceClients(config.api_url, store=app.installation_store, rotator=rotator)
    else:
        clients = WorkspaceClients(config.api_url, client=app.client)
    socket_mode = None
    if settings.slack_socket_mode and settings.slack_app_token is not None:
        socket_mode = socket_mode_handler(app, settings.slack_app_token.get_secret_value())
    return SlackSide(app, clients, config.signing_secret, socket_mode)


def socket_mode_handler(app: AsyncApp, app_token: str) -> AsyncSocketModeHandler:
    """Socket Mode on the app's own client, so apps.connections.open honours SLACK_API_URL."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    return AsyncSocketModeHandler(app, app_token, web_client=app.client)


async def _connect(handler: AsyncSocketModeHandler) -> None:
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]  # unannotated in Bolt
    except (SlackClientError, aiohttp.ClientError, OSError) as exc:
        log.error("Slack Socket Mode could not connect (check SLACK_APP_TOKEN): %s", exc)


def build_notifiers(
    slack_clients: ClientFor | None, slack_notifier: SlackNotifierFactory | None
) -> dict[Platform, Notifier]:
    """The notifiers for bootstrap: Slack's is built on the workspace client factory."""
    notifiers: dict[Platform, Notifier] = {}
    if slack_clients is not None and slack_notifier is not None:
        notifiers[Platform.SLACK] = slack_notifier(slack_clients)
    return notifiers


def default_parts(settings: Settings) -> SlackParts:
    """The real adapter: every listener of handlers.slack, and the Slack notifier."""

    homes = HomeTabs()  # the listeners publish Homes; the notifier republishes them

    def listeners(app: AsyncApp, runtime: Runtime) -> None:
        secret = settings.slack_signing_secret
        seal = Seal(secret.get_secret_value() if secret else "")
        homes.bind(runtime.engine, runtime.dispatcher, runtime.clock, runtime.read_engine)
        runtime.closers.append(homes.close)
        deps = Deps(runtime.dispatcher, runtime.clock, seal, homes=homes)
        runtime.closers.append(deps.responses.close)
        register(app, deps)

    def notifier(client_for: ClientFor) -> Notifier:
        homes.client_for = client_for
        return SlackNotifier(client_for, homes)

    return SlackParts(listeners=listeners, notifier=notifier)


def register_listeners(slack: SlackSide | None, runtime: Runtime, parts: SlackParts) -> None:
    if slack is not None:
        runtime.closers.append(slack.clients.close)
    if slack is not None and parts.listeners is not None:
        parts.listeners(slack.app, runtime)
