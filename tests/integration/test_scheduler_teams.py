"""`clientloop scheduler` delivers Teams messages itself: a split deployment (serve
--no-scheduler plus a scheduler process) sends a pending Teams row on the next tick."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from bot.bootstrap import bootstrap
from tests.e2e.fake_connector import FakeConnector
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.flows.projects.messages import CreateProject
from workflow.persistence.db import upgrade_async
from workflow.persistence.tables_delivery import outbox
from workflow.persistence.tables_teams import teams_conversations

TENANT, ROOM, CHAT = "tenant-1", "19:web@thread.tacv2", "a:1personal-aad-alice"
BOT, ALICE = "28:bot", "aad-alice"


def person(aad: str, name: str) -> PersonRef:
    return PersonRef(Identity(Platform.TEAMS, TENANT, aad), name, "UTC")


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.stop()


async def pending_teams_rows(url: str, service_url: str) -> int:
    """A Teams project whose card and welcome wait in the outbox (nobody sent them), and
    the conversation references a serve replica stored when the bot was installed."""
    runtime = bootstrap(url, deliver_after_commit=False)
    now = datetime.now(UTC)
    try:
        await runtime.bus.handle(CreateProject(
            actor=person("aad-pam", "Pam"), at=now, platform=Platform.TEAMS,
            workspace_id=TENANT, channel_id=ROOM, name="Website", key="WEB",
            customers=((person(ALICE, "Alice"), CustomerKind.INTERNAL),)))  # fmt: skip
        async with runtime.engine.begin() as connection:
            for conversation, kind, aad in ((ROOM, "channel", None), (CHAT, "personal", ALICE)):
                await connection.execute(insert(teams_conversations).values(
                    tenant_id=TENANT, conversation_id=conversation, conversation_type=kind,
                    service_url=service_url, bot_id=BOT, aad_object_id=aad, installed=True,
                    updated_at=now))  # fmt: skip
            return len((await connection.execute(select(outbox.c.id))).all())
    finally:
        await runtime.close()


async def delivered(connector: FakeConnector, seconds: float) -> None:
    """Wait for the card in the channel and the welcome in Alice's personal chat."""
    for _ in range(int(seconds / 0.1)):
        if connector.posts(CHAT) and connector.posts(ROOM):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"nothing reached Teams in {seconds} s")


async def test_the_scheduler_process_delivers_a_pending_teams_row_on_its_next_tick(
    sqlite_url: str, connector: FakeConnector
) -> None:
    await upgrade_async(sqlite_url)
    assert await pending_teams_rows(sqlite_url, connector.service_url) >= 2
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CLIENTLOOP_"))}
    env = {k: v for k, v in env.items() if k not in ("CLIENT_ID", "CLIENT_SECRET", "TENANT_ID")}
    env |= {"DATABASE_URL": sqlite_url, "CLIENTLOOP_SCHEDULER_TICK_SECONDS": "1",
            "CLIENTLOOP_TEAMS_ALLOW_UNAUTHENTICATED": "true"}  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "scheduler", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        await delivered(connector, seconds=30)  # without Teams here, the rows wait 300 s
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, output.decode()
    assert "Traceback" not in output.decode()
    welcome = connector.posts(CHAT)[0].body
    assert welcome["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert connector.posts(CHAT)[0].authorization is None  # unauthenticated local mode
