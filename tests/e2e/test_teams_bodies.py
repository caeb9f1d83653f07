"""Bodies on /api/messages that are not activities get 400 and one log line, never a 500 or a
traceback; with authentication on, a bad or missing token still gets 401 first."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from bot.app import create_app
from bot.settings import Settings
from bot.teams_wiring import TeamsParts
from tests.e2e.fake_connector import FakeConnector
from tests.e2e.teams_client import TeamsRequests, card_action, message, personal
from tests.e2e.test_teams_auth import CLIENT_ID, SERVICE_URL, KeyServer, new_key, token

DEEP = "[" * 5000 + "]" * 5000


def malformed(service_url: str) -> dict[str, str]:
    """Bodies by what is wrong with them, as the raw text posted."""
    good = message(personal(service_url), "help")
    invoke = card_action(personal(service_url), "approve")
    bodies: dict[str, Any] = {
        "not an activity": {"foo": "bar"},
        "a list": [good],
        "a string": "help",
        "a number": 5,
        "null": None,
        "an id that is a number": {**good, "id": 5},
        "a serviceUrl that is a list": {**good, "serviceUrl": [service_url]},
        "no serviceUrl": {k: v for k, v in good.items() if k != "serviceUrl"},
        "a serviceUrl that is no http(s) URL": {**good, "serviceUrl": "file:///etc/passwd"},
        "a sender that is a string": {**good, "from": "alice"},
        "a conversation that is a number": {**good, "conversation": 3},
        "a text that is a number": {**good, "text": 5},
        "only a type": {"type": "message"},
        "an unknown type": {**good, "type": "frobnicate"},
        "an entity that is a number": {**good, "entities": [5]},
        "an invoke value that is a string": {**invoke, "value": "x"},
        "an invoke action that is a number": {**invoke, "value": {"action": 5}},
    }
    raw = {name: json.dumps(body) for name, body in bodies.items()}
    raw["not JSON"] = "{'type': 'message'"
    raw["a 5,000-deep array"] = DEEP
    raw["a 5,000-deep array inside an activity"] = json.dumps(good)[:-1] + f', "x": {DEEP}}}'
    raw["a 900-deep array beside a valid message"] = (
        json.dumps(good)[:-1] + f', "x": {DEEP[4100:-4100]}}}'
    )
    raw["a 900-deep array as the text"] = json.dumps(good)[:-1] + f', "text": {DEEP[4100:-4100]}}}'
    return raw


async def post(http: httpx.AsyncClient, body: str, token: str | None = None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return await http.post("/api/messages", content=body, headers=headers)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("name", list(malformed("http://connector.test")))
async def test_a_malformed_body_gets_400_and_one_log_line_without_a_traceback(
    teams: TeamsRequests,
    fake_connector: FakeConnector,
    caplog: pytest.LogCaptureFixture,
    name: str,
) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()

    response = await post(teams.http, malformed(fake_connector.service_url)[name])

    assert response.status_code == 400, response.text
    assert len(warnings_of(caplog)) == 1, warnings_of(caplog)
    assert not any(r.exc_info for r in caplog.records)
    assert fake_connector.calls == []


@pytest.fixture
def key_server() -> Iterator[KeyServer]:
    server = KeyServer(new_key())
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def signed(key_server: KeyServer, e2e_database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app with real JWT validation (no listeners: an answer would need Microsoft)."""
    settings = Settings(
        _env_file=None,
        database_url=e2e_database_url,
        client_id=CLIENT_ID,
        client_secret=SecretStr("loopback-secret"),
        clientloop_teams_openid_metadata_url=key_server.metadata_url,
    )
    app: FastAPI = create_app(settings, run_scheduler=False, teams_parts=TeamsParts())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://clientloop.test"
        ) as http:
            yield http


@pytest.mark.parametrize(
    "name", ["not an activity", "only a type", "a text that is a number", "no serviceUrl"]
)
async def test_with_authentication_a_malformed_body_gets_401_without_a_good_token_and_400_with(
    signed: httpx.AsyncClient, key_server: KeyServer, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    body = malformed(SERVICE_URL)[name]
    good = token(key=key_server.key)

    assert (await post(signed, body)).status_code == 401
    assert (await post(signed, body, token(key=new_key()))).status_code == 401
    caplog.clear()
    assert (await post(signed, body, good)).status_code == 400
    assert len(warnings_of(caplog)) == 1 and not any(r.exc_info for r in caplog.records)
    assert (
        await post(signed, json.dumps(message(personal(SERVICE_URL), "hi")), good)
    ).status_code == 200
