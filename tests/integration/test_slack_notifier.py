"""The Slack notifier against a loopback fake of the Slack Web API (no network, no mocks)."""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.notifier import SlackNotifier
from workflow.domain.change_versions import CRVersion
from workflow.domain.changes import ChangeRequest
from workflow.domain.people import Platform
from workflow.domain.views import View
from workflow.flows.change_requests.cards import change_card
from workflow.ports import Address

TOKEN = "xoxb-test-token"
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ALICE = 2
NAMES = {1: "Pam", ALICE: "Alice"}
# Channels the fake answers with a failure, as Slack would.
FAILURES: dict[str, tuple[int, dict[str, Any], dict[str, str]]] = {
    "C_RATE": (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"}),
    "C_GONE": (200, {"ok": False, "error": "channel_not_found"}, {}),
    "C_ARCHIVED": (200, {"ok": False, "error": "is_archived"}, {}),
    "C_ODD": (200, {"ok": False, "error": "msg_blocks_too_long"}, {}),
    "C_DOWN": (503, {"ok": False, "error": "service_unavailable"}, {}),
}


@dataclass
class FakeSlack:
    """Records every Web API call; answers like Slack (a DM to U… lands in channel D…)."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    ts: Any = field(default_factory=lambda: itertools.count(1))
    delay: float = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        body = await request.json()
        self.calls.append((method, body))
        await asyncio.sleep(self.delay)
        channel = str(body.get("channel", ""))
        if channel in FAILURES:
            status, answer, headers = FAILURES[channel]
            return web.json_response(answer, status=status, headers=headers)
        if method == "chat.update" and body.get("ts") == "404.000":
            return web.json_response({"ok": False, "error": "message_not_found"})
        if channel.startswith("U"):
            channel = "D" + channel[1:]
        ts = body.get("ts") or f"1700000000.{next(self.ts):06d}"
        return web.json_response({"ok": True, "channel": channel, "ts": ts})


@pytest.fixture
async def slack() -> AsyncIterator[tuple[FakeSlack, str]]:
    fake = FakeSlack()
    app = web.Application()
    app.router.add_post("/api/{method}", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield fake, f"http://127.0.0.1:{port}/api/"
    await runner.cleanup()


def notifier_for(base_url: str, timeout: int = 30) -> tuple[SlackNotifier, list[str]]:
    asked: list[str] = []

    async def client_for(workspace: str) -> AsyncWebClient:
        asked.append(workspace)
        return AsyncWebClient(token=TOKEN, base_url=base_url, timeout=timeout)

    return SlackNotifier(client_for), asked


def change_view() -> View:
    version = CRVersion(1, "Add <!channel> & more", "Why", "", 2, Decimal(0), "", 1, T0)
    return change_card(ChangeRequest(7, 1, T0, versions=[version], id=12), [ALICE], NAMES)


def channel(conversation: str) -> Address:
    return Address(Platform.SLACK, "T1", conversation)


async def test_a_channel_post_records_text_and_blocks_and_returns_the_ts(
    slack: tuple[FakeSlack, str],
) -> None:
    fake, url = slack
    notifier, asked = notifier_for(url)
    receipt = await notifier.send(change_view(), channel("C1"))
    assert receipt.ok and receipt.conversation_id == "C1"
    assert receipt.message_id == "1700000000.000001"
    assert asked == ["T1"]
    ((method, body),) = fake.calls
    assert method == "chat.postMessage" and body["channel"] == "C1"
    assert body["unfurl_links"] is False
    assert "&lt;!channel&gt; &amp; more" in body["text"] and "<!channel>" not in str(body)
    assert [b["type"] for b in body["blocks"]][-1] == "actions"


async def test_a_dm_to_a_user_id_returns_the_dm_channel_and_live_buttons_for_its_actor(
    slack: tuple[FakeSlack, str],
) -> None:
    fake, url = slack
    notifier, _ = notifier_for(url)
    receipt = await notifier.send(change_view(), Address(Platform.SLACK, "T1", "UALICE", ALICE))
    assert receipt.ok and receipt.conversation_id == "DALICE"
    other = await notifier.send(change_view(), Address(Platform.SLACK, "T1", "UBOB", 99))
    assert other.conversation_id == "DBOB"
    alice_blocks, bob_blocks = (body["blocks"] for _, body in fake.calls)
    assert any(b["type"] == "actions" for b in alice_blocks)
    assert not any(b["type"] == "actions" for b in bob_blocks)


async def test_an_update_edits_the_stored_copy_in_place(slack: tuple[FakeSlack, str]) -> None:
    fake, url = slack
    notifier, _ = notifier_for(url)
    address = Address(Platform.SLACK, "T1", "DALICE", ALICE)
    receipt = await notifier.update(change_view(), address, "1700000000.000042")
    assert receipt.ok and receipt.message_id == "1700000000.000042"
    ((method, body),) = fake.calls
    assert method == "chat.update" and body["channel"] == "DALICE"
    assert body["ts"] == "1700000000.000042" and body["blocks"]


async def test_a_rate_limited_post_says_when_to_retry(slack: tuple[FakeSlack, str]) -> None:
    _, url = slack
    notifier, _ = notifier_for(url)
    receipt = await notifier.send(change_view(), channel("C_RATE"))
    assert not receipt.ok and not receipt.permanent
    assert receipt.retry_after == 7.0


@pytest.mark.parametrize("conversation", ["C_GONE", "C_ARCHIVED"])
async def test_a_channel_that_is_gone_is_a_permanent_failure(
    slack: tuple[FakeSlack, str], conversation: str
) -> None:
    _, url = slack
    notifier, _ = notifier_for(url)
    receipt = await notifier.send(change_view(), channel(conversation))
    assert receipt.permanent and receipt.error in ("channel_not_found", "is_archived")


async def test_a_message_that_no_longer_exists_cannot_be_updated(
    slack: tuple[FakeSlack, str],
) -> None:
    _, url = slack
    notifier, _ = notifier_for(url)
    receipt = await notifier.update(change_view(), channel("C1"), "404.000")
    assert receipt.permanent and receipt.error == "message_not_found"


@pytest.mark.parametrize("conversation", ["C_ODD", "C_DOWN"])
async def test_other_errors_and_server_errors_are_retried_later(
    slack: tuple[FakeSlack, str], conversation: str
) -> None:
    _, url = slack
    notifier, _ = notifier_for(url)
    receipt = await notifier.send(change_view(), channel(conversation))
    assert not receipt.ok and not receipt.permanent and receipt.retry_after is None


async def test_a_refused_connection_is_transient() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    notifier, _ = notifier_for(f"http://127.0.0.1:{port}/api/")
    receipt = await notifier.send(change_view(), channel("C1"))
    assert not receipt.ok and not receipt.permanent
    assert receipt.error is not None and "connection failed" in receipt.error


async def test_a_timeout_is_transient(slack: tuple[FakeSlack, str]) -> None:
    fake, url = slack
    fake.delay = 1.5
    notifier, _ = notifier_for(url, timeout=1)
    receipt = await notifier.send(change_view(), channel("C1"))
    assert not receipt.ok and not receipt.permanent
    assert receipt.error is not None and "timed out" in receipt.error
