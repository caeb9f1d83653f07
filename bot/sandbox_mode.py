"""Sandbox mode: Slack played by the local sandbox at /sandbox, served by this same process.

On by default exactly when no Slack or Teams credential is set (CLIENTLOOP_SANDBOX says
otherwise either way). Then Slack is one workspace whose signing secret is made at
start and kept in memory, whose bot token is a placeholder and whose Web API is this
process's /sandbox/api/. The sandbox package is imported only here, only then.
"""

from __future__ import annotations

import importlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Protocol, cast

from fastapi import FastAPI
from pydantic import SecretStr

from bot.clock import AdjustableClock
from bot.settings import Settings

log = logging.getLogger("clientloop.sandbox")

BOT_TOKEN = "xoxb-sandbox"
PAGE_PATH = "/sandbox"
API_PATH = "/sandbox/api/"
EVENTS_PATH = "/slack/events"
# Any one of these, set, is someone setting a platform up: no sandbox unless asked for.
CREDENTIALS = (
    "slack_signing_secret",
    "slack_bot_token",
    "slack_client_id",
    "slack_client_secret",
    "slack_app_token",
    "client_id",
    "client_secret",
)
TickNow = Callable[[], Awaitable[object]]


class MountSandbox(Protocol):
    """What `sandbox.app.mount_sandbox` is expected to be."""

    def __call__(
        self,
        app: FastAPI,
        *,
        signing_secret: str,
        bot_events_url: str,
        clock: AdjustableClock,
        tick_now: TickNow,
    ) -> None: ...


@dataclass(frozen=True)
class Sandbox:
    """Where the sandbox is and the secret it signs its requests with."""

    base_url: str  # this process, e.g. http://127.0.0.1:3000
    signing_secret: str = field(repr=False)
    bot_token: str = BOT_TOKEN
    # The runtime's clock in sandbox mode: the sandbox moves it forward.
    clock: AdjustableClock = field(default_factory=AdjustableClock, compare=False)
    mount_sandbox: MountSandbox | None = field(default=None, compare=False, repr=False)

    @property
    def page_url(self) -> str:
        return self.base_url + PAGE_PATH

    @property
    def api_url(self) -> str:
        return self.base_url + API_PATH

    @property
    def events_url(self) -> str:
        return self.base_url + EVENTS_PATH

    def slack_settings(self, settings: Settings) -> Settings:
        """`settings` with Slack as one workspace whose Web API is the sandbox (no OAuth)."""
        return settings.model_copy(
            update={
                "slack_signing_secret": SecretStr(self.signing_secret),
                "slack_bot_token": SecretStr(self.bot_token),
                "slack_api_url": self.api_url,
                "slack_client_id": None,
                "slack_client_secret": None,
                "slack_app_token": None,
            }
        )


def has_credentials(settings: Settings) -> bool:
    """Whether any Slack or Teams credential is set (or Teams runs unauthenticated)."""
    given = (getattr(settings, name) for name in CREDENTIALS)
    return settings.slack_enabled or settings.teams_enabled or any(map(_is_set, given))


def sandbox_on(settings: Settings) -> bool:
    """CLIENTLOOP_SANDBOX when set; otherwise on exactly when no credential is set."""
    if settings.clientloop_sandbox is not None:
        return settings.clientloop_sandbox
    return not has_credentials(settings)


def sandbox_for(settings: Settings) -> Sandbox | None:
    """The sandbox for this process (a fresh signing secret each call), or None when off."""
    if not sandbox_on(settings):
        return None
    return Sandbox(base_url(settings.host, settings.port), secrets.token_urlsafe(32))


def effective_settings(settings: Settings) -> tuple[Settings, Sandbox | None]:
    """The settings Slack is built from, and the sandbox when sandbox mode is on.

    Without an importable `sandbox.app` it is one WARNING and the settings as they are.
    """
    sandbox = sandbox_for(settings)
    if sandbox is None:
        return settings, None
    mount_sandbox = _load_mount_sandbox()
    if mount_sandbox is None:
        return settings, None
    return sandbox.slack_settings(settings), replace(sandbox, mount_sandbox=mount_sandbox)


def base_url(host: str, port: int) -> str:
    """This process as seen from itself: a wildcard address is reached on loopback."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def mount(app: FastAPI, sandbox: Sandbox, tick_now: TickNow) -> None:
    """Serve the sandbox from `app`; `tick_now` runs a scheduler tick (after a jump)."""
    if sandbox.mount_sandbox is None:
        return
    sandbox.mount_sandbox(
        app,
        signing_secret=sandbox.signing_secret,
        bot_events_url=sandbox.events_url,
        clock=sandbox.clock,
        tick_now=tick_now,
    )
    app.state.sandbox = sandbox


def _load_mount_sandbox() -> MountSandbox | None:
    # Imported here only: outside sandbox mode the sandbox package is never loaded.
    try:
        module = importlib.import_module("sandbox.app")
        return cast(MountSandbox, module.mount_sandbox)
    except (ImportError, AttributeError) as exc:
        log.warning("sandbox mode is on, but the sandbox cannot be loaded (%s): no sandbox", exc)
        return None


def _is_set(value: object) -> bool:
    if isinstance(value, SecretStr):
        return bool(value.get_secret_value())
    return bool(value)
