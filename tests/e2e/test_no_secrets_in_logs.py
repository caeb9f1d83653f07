"""At DEBUG, a Slack OAuth install and the flows after it leave no token or secret in the log.

Logging is set up by the CLI's own start (`bot.cli._settings`), from the environment, as
`clientloop serve` does; the log is what a handler on the root logger wrote.
"""

from __future__ import annotations

import base64
import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from bot import cli
from bot.redaction import RedactSecrets
from tests.e2e.conftest import SECRET_KEY, SIGNING_SECRET
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_world import ALICE, CUSTOMER_TEAM, PM, Slack, change_request, set_up_project

CLIENT_ID, CLIENT_SECRET = "1111.2222", "oauth-client-secret-e2e"
BOT_TOKEN = "xoxb-1111-2222-installedBotToken"
USER_TOKEN = "xoxp-1111-2222-installerUserToken"
REFRESH_TOKEN = "xoxe-1-installRefreshToken"
OLD_KEY = "sZ8mQ2vX7kLp4Rt9Wc1Yb6Hn3Jd5Fg0Ae8Ku2Io7Pq4"
SECRETS = [
    BOT_TOKEN,
    USER_TOKEN,
    REFRESH_TOKEN,
    CLIENT_SECRET,
    SIGNING_SECRET,
    SECRET_KEY,
    OLD_KEY,
    base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode(),  # HTTP Basic
]
# Shapes of secrets, whatever their value: a token not followed by the redaction mark, a
# password in a URL, a bearer credential.
SHAPES = [
    re.compile(r"\b(?:xox[abposre]|xapp)-(?!\[redacted\])[A-Za-z0-9]"),
    re.compile(r"://[^/\s:@'\"]+:(?!\[redacted\])[^@\s/'\"]+@"),
    re.compile(r"(?i)\bbearer\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\."),
]


@pytest.fixture
def slack_settings(fake_slack: FakeSlack, e2e_database_url: str) -> dict[str, Any]:
    """Slack OAuth, every call to the fake, which hands out bot, user and refresh tokens."""
    fake_slack.oauth_response = {
        "ok": True,
        "app_id": "A0001",
        "authed_user": {"id": PM, "scope": "chat:write", "access_token": USER_TOKEN},
        "scope": "commands,chat:write",
        "token_type": "bot",
        "access_token": BOT_TOKEN,
        "refresh_token": REFRESH_TOKEN,
        "expires_in": 43200,
        "bot_user_id": "UBOT0001",
        "team": {"id": fake_slack.team_id, "name": "Fake Team"},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    return {
        "database_url": e2e_database_url,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "slack_api_url": fake_slack.api_url,
        "clientloop_secret_key": SECRET_KEY,
        "clientloop_old_secret_keys": OLD_KEY,
        "clientloop_log_level": "DEBUG",
    }


@pytest.fixture
def log(
    slack_settings: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> Iterator[io.StringIO]:
    """What a root handler writes once the CLI has set logging up from the environment."""
    monkeypatch.chdir(tmp_path)  # no .env but the test's
    for name, value in slack_settings.items():
        monkeypatch.setenv(name.upper(), str(value))
    out, root, apscheduler = io.StringIO(), logging.getLogger(), logging.getLogger("apscheduler")
    handler, apscheduler_level = logging.StreamHandler(out), apscheduler.level
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    cli._settings()
    yield out
    for each in {*root.handlers, handler, caplog.handler}:
        for redactor in [f for f in each.filters if isinstance(f, RedactSecrets)]:
            each.removeFilter(redactor)
    root.removeHandler(handler)
    apscheduler.setLevel(apscheduler_level)


async def _install(http: httpx.AsyncClient) -> None:
    started = await http.get("/slack/install")
    state = parse_qs(urlparse(started.headers["location"]).query)["state"][0]
    cookie = started.headers["set-cookie"].split(";")[0]
    finished = await http.get(
        "/slack/oauth_redirect",
        params={"code": "the-code", "state": state},
        headers={"Cookie": cookie},
    )
    assert finished.status_code == 200, finished.text


async def test_an_install_and_the_flows_after_it_log_no_secret_at_debug(
    log: io.StringIO, world: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    await _install(world.requests.http)
    await set_up_project(world)
    await world.press(ALICE, ALICE, "start_request", "Welcome", user_team=CUSTOMER_TEAM)
    await world.fill(ALICE, {"text": "An FAQ page, please"}, user_team=CUSTOMER_TEAM)
    await change_request(world)
    for words in ("pending", "digest", "export"):
        await world.loop(PM, words)
    await world.settle()

    written = log.getvalue()
    # The log did see the exchange and the flows, at DEBUG, with the tokens hidden.
    assert "Received the following response" in written
    assert "'access_token': '[redacted]'" in written
    assert world.fake.calls_of("chat.postMessage")[-1].token == BOT_TOKEN
    for text in (written, caplog.text):
        assert [s for s in SECRETS if s in text] == []
        assert [m.group() for shape in SHAPES for m in shape.finditer(text)] == []
