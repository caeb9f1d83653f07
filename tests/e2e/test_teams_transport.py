"""POST /api/messages without authentication (local testing), conversation references, and
proactive sends through each conversation's own stored serviceUrl."""

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from microsoft_teams.api import ActivityBase
from microsoft_teams.apps import ActivityContext, App

from bot.app import create_app
from bot.bootstrap import Runtime
from bot.settings import Settings
from bot.teams_wiring import TeamsParts, teams_notifier
from handlers.teams.conversations import Conversations
from tests.e2e.fake_connector import FakeConnector
from tests.e2e.teams_client import (
    TENANT,
    TeamsRequests,
    bot_added,
    channel,
    installation_update,
    message,
    personal,
)
from workflow.domain.people import Platform
from workflow.domain.views import View, ViewKind
from workflow.persistence.db import upgrade_async
from workflow.ports import Address, Notifier

CHECKIN = View(ViewKind.CHECKIN, "Weekly check-in: WEB", "How are we doing?")


def tiny_card(view: View, viewer: int | None) -> dict[str, Any]:
    body = [{"type": "TextBlock", "text": view.title}, {"type": "TextBlock", "text": str(viewer)}]
    return {"type": "AdaptiveCard", "version": "1.5", "body": body}


def bookkeeping(app: App, runtime: Runtime) -> None:
    """Only conversation bookkeeping: install, uninstall and first contact."""
    conversations = Conversations(runtime.engine)

    async def observe(ctx: ActivityContext[ActivityBase]) -> None:
        await conversations.observe(ctx.activity)
        await ctx.next()

    app.use(observe)


@pytest.fixture
async def e2e_database_url(db_url: str) -> str:
    """Conversations (an upsert per dialect) on SQLite and, when configured, PostgreSQL."""
    await upgrade_async(db_url)
    return db_url


@pytest.fixture
def teams_parts() -> TeamsParts:
    return TeamsParts(listeners=bookkeeping, notifier=teams_notifier(tiny_card))


@pytest.fixture
async def other_connector() -> AsyncIterator[FakeConnector]:
    """A second Bot Connector region, with its own serviceUrl."""
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.stop()


def notifier(app: FastAPI) -> Notifier:
    found: Notifier = app.state.runtime.notifiers[Platform.TEAMS]
    return found


def conversations(app: FastAPI) -> Conversations:
    return Conversations(app.state.engine)


def alice_dm(aad: str = "aad-alice") -> Address:
    return Address(Platform.TEAMS, TENANT, aad, person_id=7)


async def test_unauthenticated_mode_warns_at_start_and_accepts_unsigned_activities(
    teams_settings: dict[str, Any], fake_connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="clientloop.teams")
    app = create_app(Settings(_env_file=None, **teams_settings), run_scheduler=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await TeamsRequests(http).send(
                message(personal(fake_connector.service_url), "help")
            )

    assert response.status_code == 200
    warnings = [r for r in caplog.records if r.name == "clientloop.teams"]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "UNAUTHENTICATED" in warnings[0].getMessage()
    assert "/api/messages" in warnings[0].getMessage()


async def test_an_install_stores_the_reference_and_the_time_zone(
    teams: TeamsRequests, teams_app: FastAPI, fake_connector: FakeConnector
) -> None:
    chat = personal(fake_connector.service_url, "aad-alice", time_zone="America/New_York")

    response = await teams.send(installation_update(chat, "add"))

    assert response.status_code == 200
    stored = await conversations(teams_app).personal_conversation(TENANT, "aad-alice")
    assert stored is not None
    assert stored.conversation_id == chat.conversation_id
    assert stored.conversation_type == "personal"
    assert stored.service_url == fake_connector.service_url
    assert stored.bot_id.startswith("28:")
    assert stored.time_zone == "America/New_York"
    assert stored.installed


async def test_a_channel_install_stores_the_team_and_channel(
    teams: TeamsRequests, teams_app: FastAPI, fake_connector: FakeConnector
) -> None:
    chat = channel(fake_connector.service_url, "web")

    await teams.send(bot_added(chat))

    stored = await conversations(teams_app).conversation(TENANT, chat.conversation_id)
    assert stored is not None and stored.installed
    assert (stored.conversation_type, stored.team_id, stored.channel_id) == (
        "channel",
        chat.team_id,
        chat.channel_id,
    )
    assert stored.aad_object_id is None


async def test_first_contact_stores_the_conversation_and_keeps_a_known_time_zone(
    teams: TeamsRequests, teams_app: FastAPI, fake_connector: FakeConnector
) -> None:
    chat = personal(fake_connector.service_url, "aad-bob", time_zone="Asia/Tokyo")
    await teams.send(message(chat, "help"))
    await teams.send(message(chat.as_user("aad-bob", "Bob", time_zone=None), "pending"))

    stored = await conversations(teams_app).personal_conversation(TENANT, "aad-bob")
    assert stored is not None and stored.time_zone == "Asia/Tokyo"


async def test_proactive_sends_go_to_each_conversations_own_service_url(
    teams: TeamsRequests,
    teams_app: FastAPI,
    fake_connector: FakeConnector,
    other_connector: FakeConnector,
) -> None:
    alice = personal(fake_connector.service_url, "aad-alice")
    web = channel(other_connector.service_url, "web")
    await teams.send(installation_update(alice, "add"))
    await teams.send(bot_added(web))

    to_alice = await notifier(teams_app).send(CHECKIN, alice_dm())
    to_channel = await notifier(teams_app).send(
        CHECKIN, Address(Platform.TEAMS, TENANT, web.conversation_id)
    )

    assert to_alice.ok and to_channel.ok
    assert to_alice.conversation_id == alice.conversation_id
    assert to_channel.conversation_id == web.conversation_id
    assert [c.conversation_id for c in fake_connector.calls] == [alice.conversation_id]
    assert [c.conversation_id for c in other_connector.calls] == [web.conversation_id]
    sent = fake_connector.calls[0]
    assert sent.authorization is None  # unauthenticated mode: no bot token
    assert sent.body["type"] == "message"
    card = sent.body["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["body"][0]["text"] == CHECKIN.title
    assert to_alice.message_id == "act-1"


async def test_an_update_puts_the_activity_in_its_own_conversation(
    teams: TeamsRequests, teams_app: FastAPI, fake_connector: FakeConnector
) -> None:
    alice = personal(fake_connector.service_url, "aad-alice")
    await teams.send(installation_update(alice, "add"))
    sent = await notifier(teams_app).send(CHECKIN, alice_dm())
    assert sent.message_id is not None and sent.conversation_id is not None

    # The sender keeps the copy's conversation id, not the person's AAD id.
    copy = Address(Platform.TEAMS, TENANT, sent.conversation_id, person_id=7)
    updated = await notifier(teams_app).update(CHECKIN, copy, sent.message_id)

    assert updated.ok and updated.message_id == sent.message_id
    [put] = fake_connector.puts(alice.conversation_id)
    assert put.activity_id == sent.message_id
    assert put.path.endswith(f"/activities/{sent.message_id}")


async def test_an_uninstalled_conversation_gets_nothing(
    teams: TeamsRequests, teams_app: FastAPI, fake_connector: FakeConnector
) -> None:
    alice = personal(fake_connector.service_url, "aad-alice")
    await teams.send(installation_update(alice, "add"))
    await teams.send(installation_update(alice, "remove"))

    receipt = await notifier(teams_app).send(CHECKIN, alice_dm())
    updated = await notifier(teams_app).update(
        CHECKIN, Address(Platform.TEAMS, TENANT, alice.conversation_id, 7), "act-9"
    )

    assert receipt.permanent and "not installed" in (receipt.error or "")
    assert updated.permanent
    assert fake_connector.calls == []


async def test_a_person_never_met_in_teams_is_a_permanent_failure(
    teams_app: FastAPI, fake_connector: FakeConnector
) -> None:
    receipt = await notifier(teams_app).send(CHECKIN, alice_dm("aad-nobody"))

    assert receipt.permanent and fake_connector.calls == []


@pytest.mark.parametrize(
    ("status", "headers", "code", "permanent", "retry_after"),
    [
        (429, {"Retry-After": "7"}, "", False, 7.0),
        (429, {}, "", False, 1.0),
        (503, {"Retry-After": "3"}, "", False, 3.0),
        (502, {}, "", False, None),
        (412, {}, "PreconditionFailed", False, None),
        (403, {}, "MessageWritesBlocked", True, None),
        (404, {}, "ConversationNotFound", True, None),
    ],
)
async def test_connector_failures_say_whether_to_wait_retry_or_give_up(
    teams: TeamsRequests,
    teams_app: FastAPI,
    fake_connector: FakeConnector,
    status: int,
    headers: dict[str, str],
    code: str,
    permanent: bool,
    retry_after: float | None,
) -> None:
    await teams.send(installation_update(personal(fake_connector.service_url), "add"))
    fake_connector.fail(status, headers=headers, code=code)

    receipt = await notifier(teams_app).send(CHECKIN, alice_dm())

    assert not receipt.ok
    assert str(status) in (receipt.error or "") and code in (receipt.error or "")
    assert receipt.permanent is permanent
    assert receipt.retry_after == retry_after


async def test_a_body_over_one_megabyte_gets_413_and_one_that_is_not_json_400(
    teams: TeamsRequests,
) -> None:
    big = await teams.http.post(
        "/api/messages",
        content=b"{" + b" " * (1024 * 1024 + 1),
        headers={"Content-Type": "application/json"},
    )
    assert big.status_code == 413
    bad = await teams.http.post(
        "/api/messages", content=b"not json", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400
    listed = await teams.http.post("/api/messages", json=[1, 2])
    assert listed.status_code == 400
