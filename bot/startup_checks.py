"""Checks at start: half-configured platforms, the Slack bot token, the database's readiness.

A setting that is wrong should show when the process starts, naming the variable, not on a
person's first `/loop` ("Something went wrong"). Nothing here stops the process: with a
bad Slack token Teams still works, and a database that is down may come back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.failures import safe_url
from bot.settings import Settings
from bot.slack_wiring import SlackSide
from workflow.persistence.db import schema_problem

log = logging.getLogger("clientloop")
SLACK_OAUTH = ("SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")


@dataclass
class StartupChecks:
    """What the checks found; `slack` is shown by /readyz while it is set."""

    slack: str | None = None
    _running: asyncio.Task[None] | None = field(default=None, repr=False)

    async def stop(self) -> None:
        if self._running is not None and not self._running.done():
            self._running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._running


def start_checks(settings: Settings, engine: AsyncEngine, slack: SlackSide | None) -> StartupChecks:
    """Warn about half-configured platforms now; check Slack and the database meanwhile.

    In the background: serving (Teams above all) does not wait for Slack to answer.
    """
    for line in half_configured(settings):
        log.warning(line)
    checks = StartupChecks()
    checks._running = asyncio.create_task(_run(checks, settings, engine, slack))
    return checks


async def _run(
    checks: StartupChecks, settings: Settings, engine: AsyncEngine, slack: SlackSide | None
) -> None:
    if slack is not None and settings.slack_bot_token and not settings.slack_oauth:
        checks.slack = await slack_token_problem(slack.app.client, settings.slack_api_url)
        if checks.slack is not None:
            log.error(checks.slack)
    problem = await schema_problem(engine)
    if problem is not None:
        log.warning(
            "database not ready at %s (DATABASE_URL): %s", safe_url(settings.database_url), problem
        )


async def slack_token_problem(client: AsyncWebClient, api_url: str) -> str | None:
    """Why Slack refuses the bot token (auth.test), or None when it accepts it.

    Slack not answering is a WARNING here, not a problem with the token.
    """
    try:
        await client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "refused")
        return (
            f"Slack refused SLACK_BOT_TOKEN (auth.test: {error}): set it to the app's Bot User "
            "OAuth Token (xoxb-…, under OAuth & Permissions); until then Slack requests fail"
        )
    except (SlackClientError, aiohttp.ClientError, OSError) as exc:
        log.warning(
            "could not check SLACK_BOT_TOKEN: Slack at %s (SLACK_API_URL) did not answer: %s",
            api_url, exc or type(exc).__name__,
        )  # fmt: skip
    return None


def half_configured(settings: Settings) -> list[str]:
    """One WARNING per platform some of whose settings are set but not all it needs."""
    found = [_slack_missing(settings), _teams_missing(settings)]
    return [line for line in found if line]


def _slack_missing(s: Settings) -> str | None:
    given = {name for name, value in _slack_values(s).items() if _set(value)}
    if {"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"} & given and not s.slack_oauth:
        ids = given & {"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"}
        return _missing("Slack OAuth", ids, sorted(set(SLACK_OAUTH) - given))
    if "SLACK_APP_TOKEN" in given and not s.slack_socket_mode:
        return _missing("Slack Socket Mode", {"SLACK_APP_TOKEN"}, ["SLACK_BOT_TOKEN"])
    if "SLACK_BOT_TOKEN" in given and not s.slack_enabled:
        signing = "SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)"
        return _missing("Slack", {"SLACK_BOT_TOKEN"}, [signing])
    if given == {"SLACK_SIGNING_SECRET"}:
        token = "SLACK_BOT_TOKEN (or SLACK_CLIENT_ID + SLACK_CLIENT_SECRET for OAuth)"
        return _missing("Slack", given, [token])
    return None


def _teams_missing(s: Settings) -> str | None:
    values = {"CLIENT_ID": s.client_id, "CLIENT_SECRET": s.client_secret, "TENANT_ID": s.tenant_id}
    given = {name for name, value in values.items() if _set(value)}
    missing = [name for name in ("CLIENT_ID", "CLIENT_SECRET") if name not in given]
    if given and missing and not s.teams_enabled:
        return _missing("Teams", given, missing)
    return None


def _slack_values(s: Settings) -> dict[str, object]:
    return {
        "SLACK_SIGNING_SECRET": s.slack_signing_secret,
        "SLACK_BOT_TOKEN": s.slack_bot_token,
        "SLACK_CLIENT_ID": s.slack_client_id,
        "SLACK_CLIENT_SECRET": s.slack_client_secret,
        "SLACK_APP_TOKEN": s.slack_app_token,
    }


def _missing(what: str, given: set[str], missing: list[str]) -> str:
    have, lack = " and ".join(sorted(given)), " and ".join(missing)
    are = "are" if len(given) > 1 else "is"
    lacks, them = ("are", "them") if len(missing) > 1 else ("is", "it")
    return (
        f"{what} is off: {have} {are} set but {lack} {lacks} missing; set {them}, or unset {have}"
    )


def _set(value: object) -> bool:
    secret = getattr(value, "get_secret_value", None)
    return bool(secret() if secret else value)
