"""Rotating Slack tokens: refreshed at SLACK_API_URL before sending, once per workspace, saved."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from slack_sdk.oauth.installation_store import Installation

from handlers.slack.clients import WorkspaceClients, token_rotator
from handlers.slack.installation_store import EncryptedInstallationStore, installation_store
from handlers.slack.notifier import SlackNotifier
from tests.e2e.conftest import SECRET_KEY
from tests.e2e.fake_slack import FakeSlack
from workflow.domain.people import Platform
from workflow.domain.views import View, ViewKind
from workflow.persistence.db import make_engine, upgrade_async
from workflow.ports import Address

CLIENT_ID = "1111.2222"
OLD_TOKEN, OLD_REFRESH = "xoxe.xoxb-old", "xoxe-1-old"


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[EncryptedInstallationStore]:
    await upgrade_async(db_url)
    engine = make_engine(db_url)
    yield installation_store(CLIENT_ID, engine, SECRET_KEY)
    await engine.dispose()


async def install(store: EncryptedInstallationStore, fake: FakeSlack, expires_in: int) -> None:
    fake.refresh_tokens.add(OLD_REFRESH)
    await store.async_save(
        Installation(
            app_id="A0001",
            enterprise_id=None,
            team_id=fake.team_id,
            bot_token=OLD_TOKEN,
            bot_refresh_token=OLD_REFRESH,
            bot_token_expires_at=int(time.time()) + expires_in,
            bot_id="BBOT0001",
            bot_user_id="UBOT0001",
            bot_scopes="commands,chat:write",
            user_id="UINSTALLER",
        )
    )


def clients(store: EncryptedInstallationStore, fake: FakeSlack) -> WorkspaceClients:
    rotator = token_rotator(fake.api_url, CLIENT_ID, "oauth-client-secret")
    return WorkspaceClients(fake.api_url, store=store, rotator=rotator)


async def test_a_token_expiring_within_two_hours_is_refreshed_once_and_saved(
    store: EncryptedInstallationStore, fake_slack: FakeSlack
) -> None:
    await install(store, fake_slack, expires_in=600)
    workspace = clients(store, fake_slack)

    handed_out = await asyncio.gather(*(workspace(fake_slack.team_id) for _ in range(5)))

    refreshes = fake_slack.calls_of("oauth.v2.access")
    assert len(refreshes) == 1
    assert refreshes[0].params["grant_type"] == "refresh_token"
    assert refreshes[0].params["refresh_token"] == OLD_REFRESH
    assert refreshes[0].token == f"basic:{CLIENT_ID}"
    new_token = handed_out[0].token
    assert new_token is not None and new_token.startswith("xoxe.xoxb-rotated-")
    assert {client.token for client in handed_out} == {new_token}
    bot = await store.async_find_bot(enterprise_id=None, team_id=fake_slack.team_id)
    found = await store.async_find_installation(enterprise_id=None, team_id=fake_slack.team_id)
    assert bot is not None and found is not None
    assert bot.bot_token == found.bot_token == new_token
    assert bot.bot_refresh_token == found.bot_refresh_token != OLD_REFRESH
    assert (bot.bot_token_expires_at or 0) > time.time() + 40000


async def test_the_sender_posts_with_the_refreshed_token_and_refreshes_no_more(
    store: EncryptedInstallationStore, fake_slack: FakeSlack
) -> None:
    await install(store, fake_slack, expires_in=60)
    notifier = SlackNotifier(clients(store, fake_slack))
    address = Address(Platform.SLACK, fake_slack.team_id, "C1")

    for n in range(3):
        receipt = await notifier.send(View(ViewKind.INFO, f"Hello {n}"), address)
        assert receipt.ok, receipt

    assert len(fake_slack.calls_of("oauth.v2.access")) == 1
    tokens = {call.token for call in fake_slack.calls_of("chat.postMessage")}
    assert len(tokens) == 1 and tokens != {OLD_TOKEN}


async def test_a_token_far_from_expiry_is_used_as_it_is(
    store: EncryptedInstallationStore, fake_slack: FakeSlack
) -> None:
    await install(store, fake_slack, expires_in=10 * 3600)

    client = await clients(store, fake_slack)(fake_slack.team_id)

    assert client.token == OLD_TOKEN
    assert fake_slack.calls_of("oauth.v2.access") == []


async def test_a_refresh_token_already_spent_elsewhere_falls_back_to_the_stored_token(
    store: EncryptedInstallationStore, fake_slack: FakeSlack
) -> None:
    await install(store, fake_slack, expires_in=600)
    fake_slack.refresh_tokens.clear()  # another replica exchanged it first

    client = await clients(store, fake_slack)(fake_slack.team_id)

    assert client.token == OLD_TOKEN  # still valid for ten minutes; the next call retries
    assert len(fake_slack.calls_of("oauth.v2.access")) == 1
