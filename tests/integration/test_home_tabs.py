"""App Home republishing by two replicas on one database: once per gap, bursts coalesced."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.home_tabs import HomeTabs
from tests.e2e.fake_slack import FakeSlack
from workflow.dispatcher import HomeData
from workflow.domain.people import Identity, Platform
from workflow.persistence.db import make_engine, upgrade_async
from workflow.presentation.answers import Origin

ALICE = Identity(Platform.SLACK, "TCUST", "UALICE")
GAP = timedelta(seconds=1)


class Now:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Shown:
    """The core's Home read: Alice is person 7; every read is counted."""

    def __init__(self) -> None:
        self.reads = 0

    async def home(self, origin: Origin) -> HomeData:
        self.reads += 1
        person = 7 if origin.identity == ALICE else None
        return HomeData("Alice", person, [], [], [(1, f"WEB read {self.reads}")])


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    yield slack
    await slack.stop()


@pytest.fixture
async def replicas(db_url: str, fake: FakeSlack) -> AsyncIterator[tuple[HomeTabs, HomeTabs]]:
    """Two processes' HomeTabs, each with its own engine on one migrated database."""
    await upgrade_async(db_url)
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)

    async def client_for(workspace_id: str) -> AsyncWebClient:
        return client

    engines = [make_engine(db_url), make_engine(db_url)]
    tabs = (HomeTabs(GAP), HomeTabs(GAP))
    for engine, tab in zip(engines, tabs, strict=True):
        tab.bind(engine, Shown(), Now())
        tab.client_for = client_for
    yield tabs
    for engine, tab in zip(engines, tabs, strict=True):
        await tab.close()
        await engine.dispose()


async def published(fake: FakeSlack, count: int, within: float = 5.0) -> int:
    """How many Homes were published once `count` were, or `within` seconds passed."""
    for _ in range(int(within / 0.02)):
        if len(fake.calls_of("views.publish")) >= count:
            break
        await asyncio.sleep(0.02)
    return len(fake.calls_of("views.publish"))


async def test_a_burst_of_deliveries_on_two_replicas_publishes_one_home_after_the_gap(
    replicas: tuple[HomeTabs, HomeTabs], fake: FakeSlack
) -> None:
    first, second = replicas
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    await first.show(client, "T0001", ALICE)  # Alice opens her Home
    assert await published(fake, 1) == 1
    for tab in (first, second, first, second):
        tab.delivered(7)
    await asyncio.sleep(0.2)
    assert len(fake.calls_of("views.publish")) == 1, "not again within the gap"
    assert await published(fake, 2) == 2
    await asyncio.sleep(GAP.total_seconds() * 2)
    assert len(fake.calls_of("views.publish")) == 2, "the burst came to one publish"
    second.delivered(7)  # the gap has passed: at once
    assert await published(fake, 3) == 3


async def test_a_delivery_to_someone_who_never_opened_their_home_publishes_nothing(
    replicas: tuple[HomeTabs, HomeTabs], fake: FakeSlack
) -> None:
    first, second = replicas
    first.delivered(8)
    second.delivered(8)
    assert await published(fake, 1, within=GAP.total_seconds() * 3) == 0
