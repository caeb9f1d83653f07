"""POST /slack/events: signature, size and shape checked before Bolt; its calls reach the fake."""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import create_app
from bot.bootstrap import Runtime
from bot.settings import Settings
from bot.slack_http import MAX_BODY_BYTES
from bot.slack_wiring import SlackParts
from handlers.slack.app import SORRY
from tests.e2e.conftest import BOT_TOKEN
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import FORM, JSON, SlackRequests

SEEN_BY_BOLT: list[dict[str, Any]] = []


def throwaway_listeners(app: AsyncApp, runtime: Runtime) -> None:
    """A /loop that acks and posts through Bolt's client, and buttons that fail."""

    @app.middleware
    async def remember(body: dict[str, Any], next: Any) -> None:
        SEEN_BY_BOLT.append(body)
        await next()

    @app.command("/loop")
    async def loop(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        if command["text"] == "fail":
            raise RuntimeError("a bug before the ack")
        await ack(text="on it")
        await client.chat_postMessage(channel=command["user_id"], text="hello from clientloop")

    @app.action("fail_before_ack")
    async def fail_before_ack(ack: AsyncAck) -> None:
        raise RuntimeError("a bug before the ack")

    @app.event("app_home_opened")
    async def fail_on_home(event: dict[str, Any]) -> None:
        raise RuntimeError("a bug after Bolt acknowledged the event")

    @app.action("fail_after_ack")
    async def fail_after_ack(ack: AsyncAck, context: AsyncBoltContext) -> None:
        await ack()
        raise RuntimeError("a bug after the ack")


@pytest.fixture
def slack_parts() -> Iterator[SlackParts]:
    SEEN_BY_BOLT.clear()
    yield SlackParts(listeners=throwaway_listeners)
    SEEN_BY_BOLT.clear()


async def test_a_forged_signature_gets_401(slack: SlackRequests) -> None:
    response = await slack.form(slack.command_fields("help"), secret="not-our-secret")

    assert response.status_code == 401
    assert SEEN_BY_BOLT == []


async def test_a_timestamp_older_than_five_minutes_gets_401(slack: SlackRequests) -> None:
    stale = str(int(time.time()) - 5 * 60 - 10)

    response = await slack.form(slack.command_fields("help"), timestamp=stale)

    assert response.status_code == 401
    assert SEEN_BY_BOLT == []


async def test_a_signed_request_reaches_bolt_and_its_web_api_calls_reach_the_fake(
    slack: SlackRequests, fake_slack: FakeSlack
) -> None:
    response = await slack.command("status", user="U0042")

    assert response.status_code == 200
    assert response.text == "on it"
    await _until(lambda: fake_slack.calls_of("chat.postMessage"))
    posted = fake_slack.last("chat.postMessage")
    assert (posted.params["channel"], posted.token) == ("U0042", BOT_TOKEN)
    assert posted.params["text"] == "hello from clientloop"


async def test_a_body_over_one_megabyte_gets_413_before_bolt_sees_it(slack: SlackRequests) -> None:
    body = b"text=" + b"x" * MAX_BODY_BYTES

    response = await slack.post(body, FORM)

    assert response.status_code == 413
    assert SEEN_BY_BOLT == []


async def test_a_streamed_body_over_one_megabyte_gets_413_without_content_length(
    http: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 64 * 1024

    response = await http.post("/slack/events", content=chunks(), headers={"Content-Type": FORM})

    assert response.status_code == 413
    assert SEEN_BY_BOLT == []


MALFORMED: list[tuple[bytes, str]] = [
    (b"payload=not-json", FORM),
    (b"payload=%5B1%2C2%5D", FORM),
    (b"payload=%22just+a+string%22", FORM),
    (b"payload=%7B%22type%22%3A%22block_actions%22%7D", FORM),
    (b"command=%2Floop&text=help", FORM),
    (b"foo=bar", FORM),
    (b"", FORM),
    (b"{not json", JSON),
    (b"[1, 2]", JSON),
    (json.dumps({"type": "event_callback", "team_id": "T0001"}).encode(), JSON),
    (json.dumps({"type": "view_submission", "user": {"id": "U1"}, "view": 3}).encode(), JSON),
    (json.dumps({"type": "block_actions", "team": "T1", "user": "U1"}).encode(), JSON),
    ('payload={"é": 1}'.encode("latin-1"), FORM),
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
async def test_a_malformed_but_signed_body_gets_400_not_500(
    slack: SlackRequests, body: bytes, content_type: str
) -> None:
    response = await slack.post(body, content_type)

    assert response.status_code == 400, response.text
    assert response.text.startswith("malformed Slack request")
    assert SEEN_BY_BOLT == []


async def test_url_verification_is_answered_with_the_challenge(slack: SlackRequests) -> None:
    response = await slack.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")

    assert response.status_code == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response.text


async def test_a_command_failing_before_its_ack_gets_a_private_apology_not_a_trace(
    slack: SlackRequests,
) -> None:
    response = await slack.command("fail")

    assert response.status_code == 200
    assert response.json() == {"response_type": "ephemeral", "text": SORRY}


@pytest.mark.parametrize("action_id", ["fail_before_ack", "fail_after_ack"])
async def test_a_failing_click_gets_a_private_apology_through_response_url(
    slack: SlackRequests, fake_slack: FakeSlack, action_id: str
) -> None:
    response = await slack.click(action_id, "1")

    assert response.status_code == 200
    assert "Error" not in response.text
    await _until(lambda: fake_slack.responses.get("r1"))
    apology = fake_slack.responses["r1"][-1]
    assert apology["text"] == SORRY
    assert apology["response_type"] == "ephemeral"
    assert apology.get("replace_original") is False


async def test_an_event_whose_listener_fails_is_still_acknowledged_at_once(
    slack: SlackRequests,
) -> None:
    started = time.monotonic()

    response = await slack.home_opened("U0001")

    assert response.status_code == 200
    assert time.monotonic() - started < 2, "Bolt waited out its ack timeout"


async def test_slack_routes_are_absent_when_slack_is_off(sqlite_url: str) -> None:
    # No Slack settings and the sandbox turned off (with none it would be Slack).
    app = create_app(Settings(_env_file=None, database_url=sqlite_url, clientloop_sandbox=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.post("/slack/events", content=b"{}")

    assert response.status_code == 404
    assert app.state.slack is None


async def _until(found: Any, seconds: float = 30.0) -> None:
    """Wait for a listener's work after its ack (Bolt runs it in the background)."""
    deadline = time.monotonic() + seconds
    while not found():
        assert time.monotonic() < deadline, "timed out waiting for the fake to be called"
        await asyncio.sleep(0.01)
