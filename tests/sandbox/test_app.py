"""The sandbox page and its endpoints, mounted next to a tiny fake bot that checks signatures."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_sdk.signature import SignatureVerifier

from sandbox.app import mount_sandbox, next_monday_nine
from sandbox.workspace import PROJECT_CHANNEL

SECRET = "test-signing-secret"
BASE = "http://sandbox"
BUTTON = {"type": "button", "action_id": "approve", "value": "change-7", "style": "primary",
          "text": {"type": "plain_text", "text": "Approve"}}  # fmt: skip


@dataclass
class FakeClock:
    at: datetime = datetime(2025, 1, 1, 12, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> datetime:
        self.at += delta
        return self.at

    def jump_to(self, at: datetime) -> datetime:
        if at < self.at:
            raise ValueError("backwards")
        self.at = at
        return self.at


@dataclass
class FakeBot:
    """Answers /slack/events as a Bolt app would, calling the sandbox's Web API back."""

    http: httpx.AsyncClient | None = None
    received: list[dict[str, Any]] = field(default_factory=list)
    ticks: int = 0

    async def tick(self) -> int:
        self.ticks += 1
        return 0

    def route(self, app: FastAPI) -> None:
        verifier = SignatureVerifier(SECRET)

        @app.post("/slack/events")
        async def events(request: Request) -> Response:
            body = await request.body()
            if not verifier.is_valid_request(body, dict(request.headers)):
                return Response(status_code=401)
            form = dict(parse_qsl(body.decode()))
            payload = json.loads(form["payload"]) if "payload" in form else form
            self.received.append(payload)
            if form.get("command") == "/loop" and form.get("text") == "hello":
                assert self.http is not None
                await self.http.post(
                    "/sandbox/api/chat.postMessage",
                    json={"channel": form["channel_id"], "text": "card", "blocks": [
                        {"type": "actions", "block_id": "b1", "elements": [BUTTON]}]},
                )  # fmt: skip
                return JSONResponse({"text": "Hello, *you*"})
            return Response(status_code=200)


@pytest.fixture
def bot() -> FakeBot:
    return FakeBot()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def http(bot: FakeBot, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    bot.route(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        bot.http = client
        mount_sandbox(
            app, signing_secret=SECRET, bot_events_url=f"{BASE}/slack/events", clock=clock,
            tick_now=bot.tick, http=client,
        )  # fmt: skip
        yield client


async def state(http: httpx.AsyncClient, user: str, conversation: str) -> dict[str, Any]:
    response = await http.get("/sandbox/state", params={"as": user, "conversation": conversation})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_the_page_has_the_selectors_a_browser_test_uses(http: httpx.AsyncClient) -> None:
    page = await http.get("/sandbox")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for testid in ("composer", "composer-send", "modal", "clock-now", "clock-plus-day",
                   "clock-jump", "person-${p.id}", "conv-${c.id}", "message"):  # fmt: skip
        assert f'data-testid="{testid}"' in page.text, testid
    people = (await state(http, "U0PM", PROJECT_CHANNEL))["people"]
    assert [p["id"] for p in people] == ["U0PM", "U0CUSTOMER", "U0EXTCUSTOMER", "U0SPONSOR",
                                         "U0MEMBER"]  # fmt: skip
    assert all(p["role"] for p in people)


async def test_a_command_reaches_the_bot_signed_and_its_ack_is_the_persons_private_answer(
    http: httpx.AsyncClient, bot: FakeBot
) -> None:
    sent = await http.post(
        "/sandbox/act",
        json={"as": "U0PM", "kind": "command", "conversation": PROJECT_CHANNEL,
              "text": "/loop hello"},
    )  # fmt: skip

    assert sent.json()["ok"] is True
    assert bot.received[0]["user_id"] == "U0PM"
    assert bot.received[0]["channel_id"] == PROJECT_CHANNEL
    pm = await state(http, "U0PM", PROJECT_CHANNEL)
    mine = [m for m in pm["messages"] if m["ephemeral"]]
    assert len(mine) == 1
    assert "Hello, <b>you</b>" in mine[0]["html"]
    customer = await state(http, "U0CUSTOMER", PROJECT_CHANNEL)
    assert not [m for m in customer["messages"] if m["ephemeral"]]


async def test_a_bot_message_with_a_button_is_drawn_and_pressing_it_sends_the_action(
    http: httpx.AsyncClient, bot: FakeBot
) -> None:
    await http.post(
        "/sandbox/act",
        json={"as": "U0PM", "kind": "command", "conversation": PROJECT_CHANNEL,
              "text": "/loop hello"},
    )  # fmt: skip
    card = next(m for m in (await state(http, "U0SPONSOR", PROJECT_CHANNEL))["messages"])
    assert 'data-action-id="approve"' in card["html"]
    assert 'data-value="change-7"' in card["html"]

    pressed = await http.post(
        "/sandbox/act",
        json={"as": "U0SPONSOR", "kind": "press", "conversation": PROJECT_CHANNEL,
              "ts": card["ts"], "block_id": "b1", "action_id": "approve"},
    )  # fmt: skip

    assert pressed.json()["ok"] is True
    action = bot.received[-1]
    assert action["type"] == "block_actions"
    assert action["user"]["id"] == "U0SPONSOR"
    assert action["actions"][0]["value"] == "change-7"
    assert action["container"]["message_ts"] == card["ts"]


async def test_an_unknown_person_or_element_is_a_400(http: httpx.AsyncClient) -> None:
    nobody = await http.post("/sandbox/act", json={"as": "U0NOBODY", "kind": "home"})
    missing = await http.post(
        "/sandbox/act",
        json={"as": "U0PM", "kind": "press", "conversation": PROJECT_CHANNEL, "ts": "1.2",
              "action_id": "approve"},
    )  # fmt: skip
    assert (nobody.status_code, missing.status_code) == (400, 400)


async def test_the_clock_moves_forward_and_a_tick_runs(
    http: httpx.AsyncClient, bot: FakeBot, clock: FakeClock
) -> None:
    start = clock.at
    day = await http.post("/sandbox/clock", json={"days": 1})
    hour = await http.post("/sandbox/clock", json={"hours": 1})
    back = await http.post("/sandbox/clock", json={"to": "2020-01-01T00:00:00+00:00"})

    assert day.status_code == hour.status_code == 200
    assert clock.at == start + timedelta(days=1, hours=1)
    assert hour.json()["clock"] == clock.at.isoformat()
    assert back.status_code == 400
    assert bot.ticks == 2
    assert (await state(http, "U0PM", "home"))["clock"] == clock.at.isoformat()


def test_next_monday_nine_is_in_the_persons_zone() -> None:
    wednesday = datetime(2025, 1, 1, 12, tzinfo=UTC)
    monday_early = datetime(2025, 1, 6, 6, tzinfo=UTC)  # 07:00 in Paris

    assert next_monday_nine(wednesday, "Europe/Paris") == datetime(2025, 1, 6, 8, tzinfo=UTC)
    assert next_monday_nine(monday_early, "Europe/Paris") == datetime(2025, 1, 6, 8, tzinfo=UTC)
