"""Which Slack the settings build: one workspace, OAuth, Socket Mode; all on SLACK_API_URL."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import create_app
from bot.settings import Settings
from bot.slack_wiring import build_notifiers, build_slack
from tests.e2e.conftest import BOT_TOKEN, SECRET_KEY, SIGNING_SECRET
from tests.e2e.fake_slack import FakeSlack
from workflow.domain.people import Platform
from workflow.domain.views import View
from workflow.persistence.db import make_engine
from workflow.ports import Address, Receipt

API_URL = "http://127.0.0.1:9/api/"
APP_TOKEN = "xapp-1-A0001-socket"


@pytest.fixture
async def engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(sqlite_url)
    yield engine
    await engine.dispose()


def settings(**values: str) -> Settings:
    return Settings(_env_file=None, slack_api_url=API_URL, **values)  # type: ignore[arg-type]


async def test_socket_mode_is_built_on_the_apps_client_without_connecting(
    engine: AsyncEngine,
) -> None:
    slack = build_slack(settings(slack_app_token=APP_TOKEN, slack_bot_token=BOT_TOKEN), engine)

    assert slack is not None and slack.socket_mode is not None
    assert slack.socket_mode.app is slack.app
    assert slack.socket_mode.client.app_token == APP_TOKEN
    assert slack.socket_mode.client.web_client.base_url == API_URL
    assert slack.app.client.token == BOT_TOKEN


def test_socket_mode_alone_mounts_no_http_route() -> None:
    app = create_app(settings(slack_app_token=APP_TOKEN, slack_bot_token=BOT_TOKEN))

    assert "/slack/events" not in {getattr(route, "path", "") for route in app.routes}


async def test_oauth_wins_over_a_bot_token_and_keeps_the_api_url(engine: AsyncEngine) -> None:
    slack = build_slack(
        settings(
            slack_signing_secret=SIGNING_SECRET,
            slack_bot_token=BOT_TOKEN,
            slack_client_id="1.2",
            slack_client_secret="c",
            clientloop_secret_key=SECRET_KEY,
        ),
        engine,
    )

    assert slack is not None and slack.app.oauth_flow is not None
    assert slack.app.oauth_flow.client.base_url == API_URL
    assert slack.app.client.token is None
    assert slack.socket_mode is None


async def test_no_slack_settings_build_no_slack(engine: AsyncEngine) -> None:
    assert build_slack(settings(), engine) is None


class SpyNotifier:
    """Keeps the client factory it was built on."""

    def __init__(self, client_for: object) -> None:
        self.client_for = client_for

    async def send(self, view: View, address: Address) -> Receipt:
        return Receipt()

    async def update(self, view: View, address: Address, message_id: str) -> Receipt:
        return Receipt()


async def test_the_slack_notifier_gets_the_workspace_client_factory(
    engine: AsyncEngine, fake_slack: FakeSlack
) -> None:
    values = {"slack_signing_secret": SIGNING_SECRET, "slack_bot_token": BOT_TOKEN}
    slack = build_slack(settings(**values), engine)
    assert slack is not None

    notifiers = build_notifiers(slack.clients, SpyNotifier)

    notifier = notifiers[Platform.SLACK]
    assert isinstance(notifier, SpyNotifier) and notifier.client_for is slack.clients
    client = await slack.clients("T0001")
    assert (client.token, client.base_url) == (BOT_TOKEN, API_URL)
    assert build_notifiers(None, SpyNotifier) == {}
