"""The whole ASGI app on a migrated database, talking to loopback fakes of the Slack Web API
and of the Bot Framework Connector (Teams).

Override `e2e_database_url` (e.g. with `db_url` for PostgreSQL too), `slack_settings` (OAuth)
or `slack_parts` (listeners, notifier) in a test module to change what the app is built with;
for Teams, `teams_settings` and `teams_parts`.
"""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bot.app import create_app
from bot.settings import Settings
from bot.slack_wiring import SlackParts
from bot.teams_wiring import TeamsParts
from tests.e2e.fake_connector import FakeConnector
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import SlackRequests
from tests.e2e.slack_world import Slack, set_up_project
from tests.e2e.teams_client import TeamsRequests
from tests.e2e.teams_world import Teams as TeamsWorld
from workflow.delivery.limits import RateLimiter
from workflow.persistence.db import upgrade_async

SIGNING_SECRET = "e2e-signing-secret"
BOT_TOKEN = "xoxb-e2e-bot-token"
SECRET_KEY = "5iS_9ejbsOc9HVJn2ZEmmkmKV40KPXh4tthDNLYhLWU"  # secrets.token_urlsafe(32)
SETTING_NAMES = [name.upper() for name in Settings.model_fields]


@pytest.fixture(autouse=True)
def no_platform_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test passes counts: Settings and Bolt both read the environment."""
    for name in [*SETTING_NAMES, "SLACK_VERIFICATION_TOKEN"]:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def e2e_database_url(sqlite_url: str) -> str:
    await upgrade_async(sqlite_url)
    return sqlite_url


@pytest.fixture
def slack_settings(fake_slack: FakeSlack, e2e_database_url: str) -> dict[str, Any]:
    """One workspace over HTTP, every Web API call to the fake."""
    return {
        "database_url": e2e_database_url,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_bot_token": BOT_TOKEN,
        "slack_api_url": fake_slack.api_url,
    }


@pytest.fixture
def slack_parts() -> SlackParts | None:
    """None: the real listeners and notifier, as `clientloop serve` runs them."""
    return None


@pytest.fixture
async def slack_app(
    slack_settings: dict[str, Any], slack_parts: SlackParts | None
) -> AsyncIterator[FastAPI]:
    app = create_app(
        Settings(_env_file=None, **slack_settings), run_scheduler=False, slack_parts=slack_parts
    )
    async with app.router.lifespan_context(app):
        # These flows check what is said, not pacing (tests/integration/test_delivery_pacing.py
        # does): without limits the outbox drains at once on the real clock.
        app.state.runtime.sender.limiter = RateLimiter(limits={})
        yield app


@pytest.fixture
async def http(slack_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=slack_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://clientloop.test") as client:
        yield client


@pytest.fixture
def slack(http: httpx.AsyncClient, fake_slack: FakeSlack) -> SlackRequests:
    """Signed requests to /slack/events, with response_url on the fake."""
    return SlackRequests(http, SIGNING_SECRET, response_url=fake_slack.response_url())


@pytest.fixture
def world(slack: SlackRequests, fake_slack: FakeSlack, slack_app: FastAPI) -> Slack:
    """A person's-eye driver: /loop, modals, buttons, and what Slack was asked to do."""
    return Slack(slack, fake_slack, slack_app)


@pytest.fixture
async def project(world: Slack) -> Slack:
    """The WEB project set up through /loop new (see slack_world.set_up_project)."""
    return await set_up_project(world)


@pytest.fixture
async def fake_connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def teams_settings(e2e_database_url: str) -> dict[str, Any]:
    """Teams without authentication (local testing mode), on a migrated SQLite database."""
    return {"database_url": e2e_database_url, "clientloop_teams_allow_unauthenticated": True}


@pytest.fixture
def teams_parts() -> TeamsParts | None:
    """None: the real listeners and notifier, as `clientloop serve` runs them."""
    return None


@pytest.fixture
async def teams_app(
    teams_settings: dict[str, Any], teams_parts: TeamsParts | None
) -> AsyncIterator[FastAPI]:
    app = create_app(
        Settings(_env_file=None, **teams_settings), run_scheduler=False, teams_parts=teams_parts
    )
    async with app.router.lifespan_context(app):
        app.state.runtime.sender.limiter = RateLimiter(limits={})
        yield app


@pytest.fixture
async def teams(teams_app: FastAPI) -> AsyncIterator[TeamsRequests]:
    """Activities posted to /api/messages as the Bot Connector posts them."""
    transport = httpx.ASGITransport(app=teams_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://clientloop.test") as client:
        yield TeamsRequests(client)


@pytest.fixture
async def teams_world(
    teams: TeamsRequests, fake_connector: FakeConnector, teams_app: FastAPI
) -> TeamsWorld:
    """A person's-eye Teams driver on the real app and the fake Bot Connector."""
    return TeamsWorld(teams, fake_connector, teams_app)
