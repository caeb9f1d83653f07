"""With CLIENTLOOP_LOG_FORMAT=json, a Slack flow (a slash command, a modal, a button) logs
only JSON lines, and every line logged while a request is handled carries its request id.

Logging is set up by the CLI's own start (`bot.cli._settings`) from the environment, at
DEBUG so Bolt, slack-sdk and the app all speak. "While a request is handled" is told by a
marker this test sets around the app (a contextvar of its own, so Bolt's listeners that run
after the ack count too): lines with the marker carry the request's id, lines without it
(the lifespan's start and stop, the outbox the test drains) carry null.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from bot import cli
from bot.log_format import CHATTY
from bot.redaction import RedactSecrets
from bot.request_ids import RequestIdFilter
from tests.e2e.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_world import ALICE, CUSTOMER_TEAM, Slack, set_up_project

handling: ContextVar[str | None] = ContextVar("test_handling", default=None)
QUIETED = ("apscheduler", "alembic.runtime.plugins", *CHATTY)


class Marked:
    """Marks everything the app does for a request (the test's own view of "in a request")."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = handling.set(scope.get("path", "?") if scope["type"] == "http" else None)
        try:
            await self.app(scope, receive, send)
        finally:
            handling.reset(token)


class Mark(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.handling = handling.get()
        return True


@pytest.fixture
def json_log(
    fake_slack: FakeSlack,
    e2e_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> Iterator[tuple[dict[str, Any], io.StringIO]]:
    """The settings in the environment, and what the root handler the CLI set up wrote."""
    settings = {
        "database_url": e2e_database_url,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_bot_token": BOT_TOKEN,
        "slack_api_url": fake_slack.api_url,
        "clientloop_log_level": "DEBUG",
        "clientloop_log_format": "json",
    }
    monkeypatch.chdir(tmp_path)  # no .env but the test's
    for name, value in settings.items():
        monkeypatch.setenv(name.upper(), str(value))
    out, root = io.StringIO(), logging.getLogger()
    handler = logging.StreamHandler(out)  # no formatter: the CLI gives it its own
    handler.addFilter(Mark())
    levels = {name: logging.getLogger(name).level for name in QUIETED}
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    cli._settings()
    yield settings, out
    for each in {*root.handlers, handler, caplog.handler}:
        for added in [f for f in each.filters if isinstance(f, RedactSecrets | RequestIdFilter)]:
            each.removeFilter(added)
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def slack_settings(json_log: tuple[dict[str, Any], io.StringIO]) -> dict[str, Any]:
    return json_log[0]


@pytest.fixture
async def http(slack_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=Marked(slack_app))
    async with httpx.AsyncClient(transport=transport, base_url="http://clientloop.test") as client:
        yield client


@pytest.fixture
def answered() -> list[str]:
    """The request id of every response, in order."""
    return []


@pytest.fixture
def world(
    http: httpx.AsyncClient, fake_slack: FakeSlack, slack_app: FastAPI, answered: list[str]
) -> Slack:
    from tests.e2e.slack_client import SlackRequests

    async def note(response: httpx.Response) -> None:
        answered.append(response.headers["X-Request-ID"])

    http.event_hooks["response"].append(note)
    requests = SlackRequests(http, SIGNING_SECRET, response_url=fake_slack.response_url())
    return Slack(requests, fake_slack, slack_app)


async def test_a_slack_flow_logs_json_lines_each_with_the_id_of_the_request_it_served(
    json_log: tuple[dict[str, Any], io.StringIO], world: Slack, answered: list[str]
) -> None:
    await set_up_project(world)  # a slash command, then the modal's submission
    await world.press(ALICE, ALICE, "start_request", "Welcome", user_team=CUSTOMER_TEAM)

    lines = [json.loads(text) for text in json_log[1].getvalue().splitlines()]
    assert len(answered) == 3 and len(set(answered)) == 3
    in_requests = [line for line in lines if line["handling"] is not None]
    outside = [line for line in lines if line["handling"] is None]
    # Bolt and slack-sdk spoke in every request, and the app's start spoke outside them.
    assert {line["logger"] for line in in_requests} >= {"clientloop.slack"}
    assert {line["request_id"] for line in in_requests} == set(answered)
    assert [line for line in in_requests if line["request_id"] not in answered] == []
    assert any("Slack is on" in line["message"] for line in outside)
    assert [line for line in outside if line["request_id"] is not None] == []
    # No database library floods the log at DEBUG.
    assert [line for line in lines if line["logger"].startswith(CHATTY)] == []
    assert BOT_TOKEN not in json_log[1].getvalue()
