"""In Slack, a check-in's nested change request is a copy of it: when the request settles
(another person approves it, or it expires), the check-in message is updated in place
(chat.update of the same ts) and shows no decision buttons any more."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from tests.e2e.slack_world import ALICE, CAROL, CUSTOMER_TEAM, PM, SAM, Slack
from tests.fakes import FixedClock
from workflow.flows.change_requests.messages import ExpireOverdue
from workflow.persistence.db import upgrade_async
from workflow.persistence.tables_delivery import card_copies

ALICE_DM = "D" + ALICE[1:]
DECISIONS = ("cl.approve", "cl.reject", "cl.ask")


@pytest.fixture
async def e2e_database_url(db_url: str) -> str:
    """On SQLite and, when configured, PostgreSQL (where the check-ins are locked for real)."""
    await upgrade_async(db_url)
    return db_url


async def change_request(project: Slack, **values: str) -> None:
    await project.loop(PM, "change")
    await project.fill(PM, {"title": "Dark mode", "cost": "1200", "reason": "Asked", **values})


async def checkin_copy(app: FastAPI, conversation: str) -> str:
    """The ts of the check-in message in that conversation, as delivery stored its copy."""
    query = select(card_copies.c.message_id).where(
        card_copies.c.card_key.like("checkin:%"), card_copies.c.conversation_id == conversation
    )
    async with app.state.engine.connect() as connection:
        [ts] = (await connection.execute(query)).scalars().all()
    return str(ts)


async def a_checkin_carrying_the_change(project: Slack) -> str:
    await project.loop(PM, "checkin now")
    [checkin] = [c for c in project.posts(ALICE) if "Weekly check-in" in project.text_of(c)]
    assert "Dark mode" in project.text_of(checkin)
    assert all(verb in project.text_of(checkin) for verb in DECISIONS)
    return await checkin_copy(project.app, ALICE_DM)


def updated_in_place(project: Slack, ts: str) -> str:
    """The blocks of the last chat.update of the check-in message `ts`."""
    updates = [
        c
        for c in project.fake.calls_of("chat.update")
        if c.params.get("channel") == ALICE_DM and c.params.get("ts") == ts
    ]
    assert updates, "the check-in message was not updated"
    return str(updates[-1].params["blocks"])


async def test_a_change_approved_by_others_leaves_the_checkin_without_its_buttons(
    project: Slack,
) -> None:
    await project.loop(PM, "checkin")  # any one customer, plus the sponsor (Alice is external)
    await project.fill(PM, {"rule": "any"})
    await change_request(project)
    ts = await a_checkin_carrying_the_change(project)
    await project.press(CAROL, CAROL, "approve", "Dark mode")
    await project.press(SAM, SAM, "approve", "Dark mode")
    blocks = updated_in_place(project, ts)
    assert "Dark mode" in blocks and "Approved" in blocks
    assert not any(verb in blocks for verb in DECISIONS)
    assert "cl.answer" in blocks, "the check-in itself can still be answered"
    posts = [c for c in project.posts(ALICE) if "Weekly check-in" in project.text_of(c)]
    assert len(posts) == 1, "updated, not posted again"
    await project.press(ALICE, ALICE, "answer", "Weekly check-in", user_team=CUSTOMER_TEAM)
    assert project.modal()["callback_id"] == "cl_form:checkin"


async def test_an_expired_change_leaves_the_checkin_without_its_buttons(
    project: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = date.today() + timedelta(days=2)
    await change_request(project, due=due.isoformat())
    ts = await a_checkin_carrying_the_change(project)
    later = datetime.combine(due + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    runtime = project.app.state.runtime
    await runtime.bus.handle(ExpireOverdue(actor=None, at=later))
    monkeypatch.setattr(runtime.sender, "clock", FixedClock(later + timedelta(minutes=1)))
    await project.settle()
    blocks = updated_in_place(project, ts)
    assert "Dark mode" in blocks and "Expired" in blocks
    assert not any(verb in blocks for verb in DECISIONS)
