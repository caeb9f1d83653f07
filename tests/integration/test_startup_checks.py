"""At start: a refused Slack token is an ERROR naming SLACK_BOT_TOKEN, half-set platforms warn."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from tests.e2e.fake_slack import FakeSlack
from tests.integration.cli_process import Running, free_port, run

SETTING_NAMES = [name.upper() for name in Settings.model_fields]


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


async def test_a_refused_slack_token_is_an_error_at_start_and_the_server_keeps_serving(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("auth.test", error="invalid_auth", times=1000)
    settings = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/clientloop.db",
        "SLACK_SIGNING_SECRET": "startup-signing-secret",
        "SLACK_BOT_TOKEN": "xoxb-revoked-token",
        "SLACK_API_URL": fake_slack.api_url,
    }
    assert run(tmp_path, "db", "upgrade", **settings).returncode == 0
    port = str(free_port())
    server = await Running.start(
        tmp_path, "serve", "--host", "127.0.0.1", "--port", port, "--no-scheduler", **settings
    )
    try:
        error = await server.until("Slack refused SLACK_BOT_TOKEN")
        await server.until("Application startup complete")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            health, ready = await client.get("/healthz"), await client.get("/readyz")
    finally:
        log = await server.stop()

    assert "ERROR" in error and "invalid_auth" in error
    assert "xoxb-revoked-token" not in log
    assert fake_slack.calls_of("auth.test"), "the token was not checked"
    assert health.status_code == 200
    assert ready.status_code == 200 and "SLACK_BOT_TOKEN" in ready.json()["slack"]


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"client_id": "teams-app-id"}, "CLIENT_SECRET"),
        ({"client_secret": "teams-app-secret"}, "CLIENT_ID"),
        ({"slack_app_token": "xapp-1-socket"}, "SLACK_BOT_TOKEN"),
        ({"slack_bot_token": "xoxb-alone"}, "SLACK_SIGNING_SECRET"),
        ({"slack_signing_secret": "secret-alone"}, "SLACK_BOT_TOKEN"),
        ({"slack_client_id": "1.2"}, "SLACK_CLIENT_SECRET"),
    ],
    ids=lambda value: "+".join(value) if isinstance(value, dict) else value,
)
async def test_a_half_configured_platform_warns_naming_what_is_missing(
    sqlite_url: str,
    given: dict[str, Any],
    missing: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    app = create_app(
        Settings(_env_file=None, database_url=sqlite_url, **given), run_scheduler=False
    )

    with caplog.at_level(logging.INFO):
        async with app.router.lifespan_context(app):
            pass

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    named = [w for w in warnings if missing in w and " is off: " in w]
    assert named, warnings
    for setting in given:
        assert setting.upper() in named[0]
