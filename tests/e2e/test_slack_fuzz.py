"""A seeded fuzz of Slack: thousands of signed requests anyone could send, never a 5xx, never
the generic apology, never a traceback, and nothing written by what had to be refused.

Hypothesis draws batches of requests (see slack_fuzzing) against one project with a change
request waiting; each answer is checked as it comes, and the log as a whole at the end.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.settings import Settings
from handlers.slack.app import SORRY
from tests.e2e.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_checks import row_counts, tracebacks
from tests.e2e.slack_client import JSON, SlackRequests
from tests.e2e.slack_fuzzing import (
    STRANGER,
    Click,
    Event,
    Loop,
    Raw,
    Request,
    Shortcut,
    Submit,
    must_write_nothing,
    requests,
)
from tests.e2e.slack_world import ALICE, CUSTOMER_TEAM, Slack, change_request, set_up_project
from workflow.delivery.limits import RateLimiter
from workflow.persistence.db import upgrade_async

PER_EXAMPLE = 10
EXAMPLES = 205  # 2,050 requests


@asynccontextmanager
async def project_world(url: str) -> AsyncIterator[Slack]:
    """The WEB project in C0001, with a change request waiting on its customers and sponsor."""
    await upgrade_async(url)
    async with AsyncExitStack() as stack:
        fake = FakeSlack()
        await fake.start()
        stack.push_async_callback(fake.stop)
        settings = Settings(
            _env_file=None,
            database_url=url,
            slack_signing_secret=SIGNING_SECRET,
            slack_bot_token=BOT_TOKEN,
            slack_api_url=fake.api_url,
        )
        app = create_app(settings, run_scheduler=False)
        await stack.enter_async_context(app.router.lifespan_context(app))
        app.state.runtime.sender.limiter = RateLimiter(limits={})
        transport = httpx.ASGITransport(app=app)
        http = httpx.AsyncClient(transport=transport, base_url="http://clientloop.test")
        await stack.enter_async_context(http)
        slack = SlackRequests(http, SIGNING_SECRET, response_url=fake.response_url())
        world = await set_up_project(Slack(slack, fake, app))
        fake.add_user(STRANGER, real_name="Mallory")
        await change_request(world)
        yield world


@dataclass
class Driver:
    """Sends fuzzed requests through a Slack world and checks each answer."""

    world: Slack
    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    async def send(self, request: Request) -> None:
        quiet = must_write_nothing(request)
        before = await row_counts(self.world.app) if quiet else {}
        said = len(self.world.fake.calls)
        running = asyncio.all_tasks()
        response = await self._post(request)
        await _finished(running)  # Bolt runs events and acknowledged work after answering
        self.sent += 1
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (request, response.status_code, response.text)
        if isinstance(request, Raw):
            assert response.status_code in (400, 404), (request, response.status_code)
        told = response.text + "".join(str(c.params) for c in self.world.fake.calls[said:])
        assert SORRY not in told, request
        if quiet:
            assert await row_counts(self.world.app) == before, request

    async def _post(self, request: Request) -> httpx.Response:
        slack = self.world.requests
        if isinstance(request, Loop):
            return await slack.command(request.text, user=request.who, channel=request.channel)
        if isinstance(request, Click):
            return await slack.click(
                request.action_id,
                request.value,
                user=request.who,
                channel=request.channel,
                user_team=_team(request.who),
            )
        if isinstance(request, Submit):
            return await slack.submit(
                request.callback_id,
                request.state,
                private_metadata=request.metadata,
                user=request.who,
                user_team=_team(request.who),
                view_id=request.view_id,
            )
        if isinstance(request, Event):
            return await self._event(request)
        if isinstance(request, Shortcut):
            return await slack.shortcut(
                request.callback_id, request.text, user=request.who, user_team=_team(request.who)
            )
        if request.as_payload:
            return await slack.form({"payload": json.dumps(request.body)})
        return await slack.post(json.dumps(request.body).encode(), JSON)

    async def _event(self, request: Event) -> httpx.Response:
        slack, who = self.world.requests, request.who
        if request.kind == "home":
            event = {"type": "app_home_opened", "user": who, "tab": "home", "channel": "D1"}
            return await slack.event(event, event_id=request.event_id)
        extra: dict[str, Any] = {"bot_id": "BBOT0001"} if request.kind == "bot" else {}
        if request.kind not in ("dm", "bot"):
            extra["subtype"] = request.kind
        return await slack.direct_message(
            request.text, user=who, user_team=_team(who), event_id=request.event_id, **extra
        )


def _team(user: str) -> str | None:
    return CUSTOMER_TEAM if user == ALICE else None


async def _finished(before: set[asyncio.Task[Any]]) -> None:
    """Wait for every task started since `before` (Bolt's listeners, follow-ups, deliveries)
    to end; but the fake Slack's own connections, which live while the client keeps them."""
    while started := {
        task
        for task in asyncio.all_tasks() - before - {asyncio.current_task()}
        if not task.get_coro().__qualname__.startswith("RequestHandler.")
    }:
        await asyncio.wait(started)


def test_no_fuzzed_request_gets_a_5xx_an_apology_a_traceback_or_writes_when_refused(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    with asyncio.Runner() as runner:
        entered = project_world(sqlite_url)
        driver = Driver(runner.run(entered.__aenter__()))
        started = time.monotonic()
        try:

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(st.lists(requests, min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
            def answers(batch: list[Request]) -> None:
                for request in batch:
                    runner.run(driver.send(request))

            answers()
        finally:
            runner.run(entered.__aexit__(None, None, None))
    elapsed = time.monotonic() - started
    print(f"slack fuzz: {driver.sent} requests in {elapsed:.1f} s, statuses {driver.statuses}")
    assert driver.sent >= 2000
    assert tracebacks(caplog) == []
    unanswered = [r.getMessage() for r in caplog.records if "didn't call ack()" in r.getMessage()]
    assert not unanswered, unanswered  # Bolt's "didn't call ack()": Slack was answered 404
