"""Builds the Teams SDK's App on our own FastAPI app: real JWT validation, or none for tests."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from microsoft_teams.api.auth.cloud_environment import PUBLIC, CloudEnvironment, with_overrides
from microsoft_teams.apps import App
from microsoft_teams.apps.http import FastAPIAdapter

__all__ = ["MESSAGES_PATH", "UNAUTHENTICATED_WARNING", "App", "TeamsConfig", "build_teams_app"]

MESSAGES_PATH = "/api/messages"
UNAUTHENTICATED_WARNING = (
    "TEAMS ACCEPTS UNAUTHENTICATED ACTIVITIES on %s (CLIENTLOOP_TEAMS_ALLOW_UNAUTHENTICATED): "
    "anyone who can reach this server can act as any Teams user. Local testing only; "
    "set CLIENT_ID and CLIENT_SECRET for anything else."
)


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
