"""The app in sandbox mode: the sandbox is mounted, Slack points back at this process, one clock.

The real `sandbox` package is another piece of work: here a fake `sandbox.app` stands in,
recording what the bot hands it.
"""

import hashlib
import hmac
import json
import logging
import sys
import time
import types
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bot.app import create_app
from bot.clock import AdjustableClock, SystemClock
from bot.settings import Settings
from workflow.persistence.db import upgrade_async

PORT = 3123


@dataclass
class FakeSandbox:
    """A `sandbox.app` module that records each mount_sandbox call and serves GET /sandbox."""

    mounted: list[dict[str, Any]] = field(default_factory=list)

    def mount_sandbox(self, app: FastAPI, **given: Any) -> None:
        self.mounted.append(given)

        @app.get("/sandbox")
        async def page() -> dict[str, str]:
            return {"sandbox": "here"}

    def module(self) -> types.ModuleType:
        module = types.ModuleType("sandbox.app")
        module.mount_sandbox = self.mount_sandbox  # type: ignore[attr-defined]
        return module

    @property
    def given(self) -> dict[str, Any]:
        assert len(self.mounted) == 1, self.mounted
        return self.mounted[0]


@pytest.fixture(autouse=True)
def no_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def fake_sandbox(monkeypatch: pytest.MonkeyPatch) -> FakeSandbox:
    fake = FakeSandbox()
    monkeypatch.setitem(sys.modules, "sandbox.app", fake.module())
    return fake


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def app_for(sqlite_url: str, **values: Any) -> FastAPI:
    await upgrade_async(sqlite_url)
    settings = Settings(_env_file=None, database_url=sqlite_url, port=PORT, **values)
    return create_app(settings, run_scheduler=False)


def signed(secret: str, body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
        "Content-Type": "application/json",
    }


async def test_without_credentials_the_sandbox_is_mounted_with_what_it_needs(
    sqlite_url: str, fake_sandbox: FakeSandbox
) -> None:
    app = await app_for(sqlite_url)

    async with running(app) as client:
        page = await client.get("/sandbox")
        slack = app.state.slack

    given = fake_sandbox.given
    assert page.json() == {"sandbox": "here"}
    assert given["bot_events_url"] == f"http://127.0.0.1:{PORT}/slack/events"
    assert given["signing_secret"] == slack.signing_secret
    assert len(given["signing_secret"]) >= 32
    assert isinstance(given["clock"], AdjustableClock)
    assert slack.app.client.base_url == f"http://127.0.0.1:{PORT}/sandbox/api/"
    assert slack.app.client.token == "xoxb-sandbox"
    assert app.state.sandbox.page_url == f"http://127.0.0.1:{PORT}/sandbox"


async def test_slack_events_are_checked_against_the_secret_handed_to_the_sandbox(
    sqlite_url: str, fake_sandbox: FakeSandbox
) -> None:
    app = await app_for(sqlite_url)
    body = json.dumps({"type": "url_verification", "challenge": "c-42"}).encode()

    async with running(app) as client:
        secret = fake_sandbox.given["signing_secret"]
        good = await client.post("/slack/events", content=body, headers=signed(secret, body))
        forged = await client.post("/slack/events", content=body, headers=signed("nope", body))

    assert good.status_code == 200
    assert "c-42" in good.text
    assert forged.status_code == 401


async def test_the_sandbox_clock_drives_the_dispatcher_sender_and_scheduler(
    sqlite_url: str, fake_sandbox: FakeSandbox
) -> None:
    app = await app_for(sqlite_url)

    async with running(app):
        runtime, ticker = app.state.runtime, app.state.ticker
        clock: AdjustableClock = fake_sandbox.given["clock"]
        tick_now: Callable[[], Awaitable[object]] = fake_sandbox.given["tick_now"]
        before = runtime.clock.now()
        clock.advance(timedelta(days=7))
        looked = await tick_now()

        assert runtime.clock is clock
        assert runtime.sender.clock is clock
        assert ticker.clock is clock
        assert runtime.clock.now() >= before + timedelta(days=7)
        assert looked == 0  # no project yet: nothing due, but the tick ran


async def test_without_the_sandbox_package_the_app_starts_with_one_warning(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "sandbox.app", None)  # importing it fails
    caplog.set_level(logging.WARNING, logger="clientloop")

    app = await app_for(sqlite_url)
    async with running(app) as client:
        health = await client.get("/healthz")
        events = await client.post("/slack/events", content=b"{}")
        clock, slack = app.state.runtime.clock, app.state.slack

    warnings = [r for r in caplog.records if "sandbox" in r.getMessage()]
    assert len(warnings) == 1, caplog.text
    assert warnings[0].levelno == logging.WARNING
    assert health.status_code == 200
    assert events.status_code == 404  # Slack off, as before sandbox mode
    assert slack is None
    assert isinstance(clock, SystemClock)


async def test_clientloop_sandbox_0_keeps_the_old_behaviour(
    sqlite_url: str, fake_sandbox: FakeSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="clientloop")
    app = await app_for(sqlite_url, clientloop_sandbox=False)

    async with running(app) as client:
        events = await client.post("/slack/events", content=b"{}")
        page = await client.get("/sandbox")
        clock, slack = app.state.runtime.clock, app.state.slack

    assert fake_sandbox.mounted == []
    assert "sandbox" not in caplog.text
    assert (events.status_code, page.status_code) == (404, 404)
    assert slack is None
    assert isinstance(clock, SystemClock)


async def test_with_slack_credentials_there_is_no_sandbox_unless_asked(
    sqlite_url: str, fake_sandbox: FakeSandbox
) -> None:
    nowhere = "http://127.0.0.1:9/api/"  # the start's auth.test must not reach Slack
    credentials = {
        "slack_signing_secret": "s3cret",
        "slack_bot_token": "xoxb-real",
        "slack_api_url": nowhere,
    }
    plain = await app_for(sqlite_url, **credentials)
    async with running(plain):
        assert plain.state.slack.app.client.base_url == nowhere
        assert isinstance(plain.state.runtime.clock, SystemClock)
    assert fake_sandbox.mounted == []

    asked = await app_for(sqlite_url, **credentials, clientloop_sandbox=True)
    async with running(asked):
        assert asked.state.slack.app.client.token == "xoxb-sandbox"
        assert asked.state.slack.signing_secret == fake_sandbox.given["signing_secret"]
        assert asked.state.runtime.clock is fake_sandbox.given["clock"]
