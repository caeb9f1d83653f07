"""Builds Bolt's AsyncApp (one workspace, OAuth, Socket Mode) and its global error handler."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncBoltRequest
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.slack.installation_store import installation_store, oauth_state_store

log = logging.getLogger("clientloop.slack")

# Exactly the bot scopes manifest.yml declares (a test compares the two).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "im:history",  # message.im: the words people type in the bot's DM
    "users:read",
    "files:write",
)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# Events have no one to answer privately; the log says what failed.
SILENT_KINDS = frozenset({"event_callback", "url_verification", "app_rate_limited", "unknown"})
SORRY = "Something went wrong on our side; nothing was changed. Please try again."


@dataclass(frozen=True)
class SlackConfig:
    """The Slack settings the app needs, as plain strings ("" for unset)."""

    api_url: str
    signing_secret: str = ""
    bot_token: str = ""
    client_id: str = ""
    client_secret: str = ""
    secret_key: str = ""
    old_secret_keys: tuple[str, ...] = ()  # still open stored tokens, never seal them

    @property
    def oauth(self) -> bool:
        return bool(self.signing_secret and self.client_id and self.client_secret)


def build_slack_app(
    config: SlackConfig,
    *,
    engine: AsyncEngine | None = None,
    installation_store: AsyncInstallationStore | None = None,
) -> AsyncApp | None:
    """The Bolt app for these settings, or None when they turn Slack off.

    OAuth (many workspaces) wins over a bot token; its stores live in `engine`'s database
    unless an installation store is given. Every Web API call goes to `config.api_url`:
    Bolt copies the app client's base URL into each request's client and the OAuth flow.
    """
    if config.oauth:
        app = _oauth_app(config, engine, installation_store)
    elif config.bot_token:
        app = AsyncApp(
            name="clientloop",
            logger=log,
            signing_secret=config.signing_secret,
            client=AsyncWebClient(base_url=config.api_url, token=config.bot_token, logger=log),
        )
    else:
        return None
    app.error(report_error)
    return app


def _oauth_app(
    config: SlackConfig, engine: AsyncEngine | None, store: AsyncInstallationStore | None
) -> AsyncApp:
    if not config.secret_key:
        raise ValueError("Slack OAuth needs CLIENTLOOP_SECRET_KEY to encrypt the stored tokens")
    if engine is None:
        raise ValueError("Slack OAuth needs the database engine for its installation store")
    store = store or installation_store(
        config.client_id, engine, config.secret_key, config.old_secret_keys
    )
    oauth = AsyncOAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        install_page_rendering_enabled=False,
        installation_store=store,
        state_store=oauth_state_store(engine),
        logger=log,
    )
    return AsyncApp(
        name="clientloop",
        logger=log,
        signing_secret=config.signing_secret,
        client=AsyncWebClient(base_url=config.api_url, logger=log),
        oauth_settings=oauth,
    )


async def report_error(
    error: Exception, request: AsyncBoltRequest, response: BoltResponse | None
) -> BoltResponse | None:
    """Bolt's global error handler: log it, and tell the person privately, never the trace.

    `response` is set while the request is not yet acknowledged: then Slack gets a 200
    (a slash command's carries the apology), so it shows no error of its own.
    """
    body: dict[str, Any] = request.body
    kind = str(body.get("type") or ("slash_command" if "command" in body else "unknown"))
    who = failure_fields(body, request.context)
    log.error(
        "Slack %s failed (team %s, user %s, %s): %r", kind, who["team"], who["user"],
        who.get("command") or who.get("action"), error, exc_info=error, extra=who,
    )  # fmt: skip
    if response is not None and kind == "slash_command":
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": SORRY})
    if kind not in SILENT_KINDS:
        await _apologise(request.context)
    if response is None:
        _keep_acknowledgement(request.context.ack)
        return None
    return BoltResponse(status=200, body="")


def failure_fields(body: dict[str, Any], context: AsyncBoltContext) -> dict[str, str | None]:
    """Who asked for what, for the log line of a failure: team, user, command or action."""
    fields: dict[str, str | None] = {
        "platform": "slack",
        "team": context.team_id or context.enterprise_id,
        "user": context.user_id,
    }
    if isinstance(body.get("command"), str):  # the command and its first word, not the rest
        fields["command"] = " ".join([body["command"], *str(body.get("text") or "").split()[:1]])
    else:
        fields["action"] = _action_of(body)
    return fields


def _action_of(body: dict[str, Any]) -> str | None:
    """A button's action_id, a modal's or shortcut's callback_id, an event's type."""
    actions = body.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], dict):
        return str(actions[0].get("action_id"))
    view, event = body.get("view"), body.get("event")
    named = (
        (view.get("callback_id") if isinstance(view, dict) else None)
        or body.get("callback_id")
        or (event.get("type") if isinstance(event, dict) else None)
    )
    return str(named) if named else None


def _keep_acknowledgement(ack: AsyncAck) -> None:
    """Undo Bolt clearing the ack of a listener that failed after acknowledging.

    Bolt (1.30, process_before_response=False) sets `ack.response = None` right after
    this handler returns; when that happens before its dispatcher looked, it waits out
    the 3 s ack timeout and answers Slack 404, so the person sees an error. Put the ack
    back once that assignment has run (call_soon runs after the task's current step).
    """
    acknowledged = ack.response
    if acknowledged is None:
        return

    def restore() -> None:
        if ack.response is None:
            ack.response = acknowledged

    asyncio.get_running_loop().call_soon(restore)


async def _apologise(context: AsyncBoltContext) -> None:
    try:
        if context.respond is not None:
            await context.respond(text=SORRY, response_type="ephemeral", replace_original=False)
        elif context.user_id and context.channel_id:
            await context.client.chat_postEphemeral(
                channel=context.channel_id, user=context.user_id, text=SORRY
            )
        elif context.user_id:
            await context.client.chat_postMessage(channel=context.user_id, text=SORRY)
    except Exception:
        # The error handler must never raise: Bolt would turn that into a 500 for Slack.
        log.exception("could not tell the person that their Slack request failed")
