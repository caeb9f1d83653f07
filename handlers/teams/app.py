"""Builds the Teams SDK's App on our own FastAPI app: real JWT validation, or none for tests."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from microsoft_teams.api import InvokeResponse
from microsoft_teams.api.activities import ActivityTypeAdapter
from microsoft_teams.api.auth.cloud_environment import PUBLIC, CloudEnvironment, with_overrides
from microsoft_teams.apps import App
from microsoft_teams.apps.events import ActivityEvent
from microsoft_teams.apps.http import FastAPIAdapter
from pydantic import ValidationError

__all__ = [
    "MESSAGES_PATH",
    "UNAUTHENTICATED_WARNING",
    "App",
    "TeamsConfig",
    "build_teams_app",
    "refuse_malformed",
]

MESSAGES_PATH = "/api/messages"
UNAUTHENTICATED_WARNING = (
    "TEAMS ACCEPTS UNAUTHENTICATED ACTIVITIES on %s (CLIENTLOOP_TEAMS_ALLOW_UNAUTHENTICATED): "
    "anyone who can reach this server can act as any Teams user. Local testing only; "
    "set CLIENT_ID and CLIENT_SECRET for anything else."
)
MALFORMED = {"error": "the body is not a valid Bot Framework activity"}

log = logging.getLogger("clientloop.teams")


@dataclass(frozen=True)
class TeamsConfig:
    """The Teams settings the app needs, as plain strings ("" for unset)."""

    client_id: str = ""
    client_secret: str = ""
    tenant_id: str = ""
    allow_unauthenticated: bool = False
    openid_metadata_url: str = ""

    @property
    def authenticated(self) -> bool:
        return bool(self.client_id and self.client_secret)

    @property
    def unauthenticated(self) -> bool:
        """Unsigned activities accepted: only with the flag and without any credentials."""
        return self.allow_unauthenticated and not self.client_id

    @property
    def cloud(self) -> CloudEnvironment:
        """The public cloud, with the OpenID metadata (and so the signing keys) overridable."""
        return with_overrides(PUBLIC, openid_metadata_url=self.openid_metadata_url or None)


def build_teams_app(config: TeamsConfig, *, host: FastAPI | None = None) -> App | None:
    """The SDK's App for these settings, or None when they turn Teams off.

    With `host`, the SDK's FastAPI adapter serves `POST /api/messages` on that app (its
    lifespan wraps the host's); `await app.initialize()` registers the route and the JWT
    validation. Credentials are passed explicitly so the SDK's own environment fallbacks
    (CLIENT_ID, DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS) never decide for us.
    """
    if not config.authenticated and not config.unauthenticated:
        return None
    adapter = FastAPIAdapter(app=host) if host is not None else None
    if config.authenticated:
        return App(
            client_id=config.client_id,
            client_secret=config.client_secret,
            tenant_id=config.tenant_id or None,
            dangerously_allow_unauthenticated_requests=False,
            cloud=config.cloud,
            http_server_adapter=adapter,
            messaging_endpoint=MESSAGES_PATH,
            state=False,
        )
    return App(
        dangerously_allow_unauthenticated_requests=True,
        cloud=config.cloud,
        http_server_adapter=adapter,
        messaging_endpoint=MESSAGES_PATH,
        state=False,
    )


def refuse_malformed(app: App) -> None:
    """After `app.initialize()`: a body that passed authentication but is not an activity the
    SDK can read gets 400 and one log line. The SDK validates it only once it is inside its
    pipeline, where any error becomes a 500 and a pydantic traceback in the log."""
    process = app.server.on_request
    if process is None:
        return

    async def checked(event: ActivityEvent) -> InvokeResponse[Any]:
        problem = _malformed(event)
        if problem:
            log.warning("Teams: refused an activity with 400: %s", problem)
            return InvokeResponse[Any](status=400, body=MALFORMED)
        return await process(event)

    app.server.on_request = checked


def _malformed(event: ActivityEvent) -> str:
    """Why the SDK could not read this activity or reply to it, or "" when it can."""
    try:  # as the SDK's pipeline reads it
        body = event.body.model_dump(by_alias=True, exclude_none=True)
        ActivityTypeAdapter.validate_python(body)
    except ValidationError as bad:
        first = bad.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])[:200]
        return f"{bad.error_count()} error(s), first at {where!r}: {first['type']}"
    except (RecursionError, ValueError):  # nesting too deep for the validator or serializer
        return "nested too deep"
    if not str(body.get("serviceUrl") or "").startswith(("https://", "http://")):
        return "no http(s) serviceUrl"  # the Bot Connector always sends one: replies go there
    return ""
