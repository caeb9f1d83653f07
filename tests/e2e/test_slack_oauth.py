"""Slack OAuth: install and redirect, tokens encrypted at rest, refused without a secret key."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import yaml
from fastapi import FastAPI
from sqlalchemy import select

from handlers.slack.app import BOT_SCOPES
from tests.e2e.conftest import SECRET_KEY, SETTING_NAMES, SIGNING_SECRET
from tests.e2e.fake_slack import FakeSlack
from workflow.persistence.db import make_engine, upgrade_async
from workflow.persistence.tables_slack import slack_bots, slack_installations

REPO = Path(__file__).resolve().parents[2]
CLIENT_ID = "1111.2222"
PLAINTEXT = "xoxb-fake-oauth-bot-token"


@pytest.fixture
async def e2e_database_url(db_url: str) -> str:
    """OAuth's tables on SQLite and, when configured, PostgreSQL."""
    await upgrade_async(db_url)
    return db_url


@pytest.fixture
def slack_settings(fake_slack: FakeSlack, e2e_database_url: str) -> dict[str, Any]:
    return {
        "database_url": e2e_database_url,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": "oauth-client-secret",
        "slack_api_url": fake_slack.api_url,
        "clientloop_secret_key": SECRET_KEY,
    }


async def _install(http: httpx.AsyncClient) -> httpx.Response:
    started = await http.get("/slack/install")
    state = parse_qs(urlparse(started.headers["location"]).query)["state"][0]
    cookie = started.headers["set-cookie"].split(";")[0]
    return await http.get(
        "/slack/oauth_redirect",
        params={"code": "the-code", "state": state},
        headers={"Cookie": cookie},
    )


async def test_install_redirects_to_slack_with_our_client_id_scopes_and_a_state_cookie(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/slack/install")

    assert response.status_code == 302
    location = urlparse(response.headers["location"])
    query = parse_qs(location.query)
    assert f"{location.netloc}{location.path}" == "slack.com/oauth/v2/authorize"
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"][0].split(",") == list(BOT_SCOPES)
    assert response.headers["set-cookie"].startswith(f"slack-app-oauth-state={query['state'][0]}")


async def test_the_redirect_exchanges_the_code_at_the_api_url_and_stores_the_token_encrypted(
    http: httpx.AsyncClient, fake_slack: FakeSlack, slack_app: FastAPI, e2e_database_url: str
) -> None:
    response = await _install(http)

    assert response.status_code == 200, response.text
    exchange = fake_slack.last("oauth.v2.access")
    assert (exchange.params["code"], exchange.token) == ("the-code", f"basic:{CLIENT_ID}")
    assert fake_slack.last("auth.test").token == PLAINTEXT
    stored = await _stored_tokens(e2e_database_url)
    assert stored and all(token and PLAINTEXT not in token for token in stored)
    bot = await slack_app.state.slack.app.installation_store.async_find_bot(
        enterprise_id=None, team_id=fake_slack.team_id
    )
    assert bot.bot_token == PLAINTEXT
    client = await slack_app.state.slack.clients(fake_slack.team_id)
    assert (client.token, client.base_url) == (PLAINTEXT, fake_slack.api_url)


async def test_a_redirect_without_the_state_cookie_installs_nothing(
    http: httpx.AsyncClient, fake_slack: FakeSlack, e2e_database_url: str
) -> None:
    started = await http.get("/slack/install")
    state = parse_qs(urlparse(started.headers["location"]).query)["state"][0]

    response = await http.get("/slack/oauth_redirect", params={"code": "c", "state": state})

    assert response.status_code == 400
    assert fake_slack.calls_of("oauth.v2.access") == []
    assert await _stored_tokens(e2e_database_url) == []


async def _stored_tokens(url: str) -> list[str | None]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            bots = (await connection.execute(select(slack_bots.c.bot_token))).scalars().all()
            installs = await connection.execute(select(slack_installations.c.bot_token))
            return [*bots, *installs.scalars().all()]
    finally:
        await engine.dispose()


def test_oauth_without_a_secret_key_stops_serve_with_one_line(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    oauth = {"SLACK_SIGNING_SECRET": "s", "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c"}

    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env=clean | oauth,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("clientloop: CLIENTLOOP_SECRET_KEY is required for Slack OAuth")


def test_the_scopes_asked_for_are_the_manifests_bot_scopes() -> None:
    manifest = yaml.safe_load((REPO / "manifest.yml").read_text())

    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
