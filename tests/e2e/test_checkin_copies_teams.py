"""In Teams, a check-in's nested change request is a copy of it: when the request settles
(another person approves it, or it expires), the check-in activity is updated in place (a
PUT of the same activity id), shows no decision buttons, and its refresh still names only
the customer it asks."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from tests.e2e.teams_world import PEOPLE, ROOM, Teams, actions_of, cards_in, set_up_project
from tests.fakes import FixedClock
from workflow.flows.change_requests.messages import ExpireOverdue
from workflow.persistence.tables_delivery import card_copies

Json = dict[str, Any]
DECISIONS = {"approve", "reject", "ask"}


def dm(who: str) -> str:
    return f"a:1personal-{PEOPLE[who]}"


def txt(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    return await set_up_project(teams_world)


async def change_request(project: Teams, **values: str) -> None:
    await project.mention("pm", "change")
    await project.submit("pm", project.last_card(ROOM), {
        "title": "Dark mode", "cost": "1200", "reason": "Asked", **values})  # fmt: skip


async def checkin_copy(app: FastAPI, conversation: str) -> str:
    """The activity id of the check-in in that conversation, as delivery stored its copy."""
    query = select(card_copies.c.message_id).where(
        card_copies.c.card_key.like("checkin:%"), card_copies.c.conversation_id == conversation
    )
    async with app.state.engine.connect() as connection:
        [activity_id] = (await connection.execute(query)).scalars().all()
    return str(activity_id)


async def a_checkin_carrying_the_change(project: Teams) -> tuple[str, Json]:
    await project.mention("pm", "checkin now")
    checkin = project.last_card_with(dm("alice"), "Weekly check-in")
    assert "Dark mode" in txt(checkin)
    assert {a["verb"] for a in actions_of(checkin)} >= DECISIONS
    return await checkin_copy(project.app, dm("alice")), checkin


def updated_in_place(project: Teams, activity_id: str) -> Json:
    """The card of the last PUT of the check-in activity."""
    puts = [c for c in project.connector.puts(dm("alice")) if c.activity_id == activity_id]
    assert puts, "the check-in activity was not updated"
    [card] = cards_in(puts[-1])
    return card


def without_decisions(card: Json, sent: Json, status: str) -> None:
    """No decision buttons; the refresh names the customer alone (the one who may still
    answer), where the card as sent also named the change's other approvers."""
    assert "Dark mode" in txt(card) and status in txt(card)
    verbs = {a["verb"] for a in actions_of(card)}
    assert not verbs & DECISIONS and "answer" in verbs, verbs
    alice = f"29:{PEOPLE['alice']}"
    assert alice in sent["refresh"]["userIds"] and card["refresh"]["userIds"] == [alice]


async def test_a_change_approved_by_others_leaves_the_checkin_without_its_buttons(
    project: Teams,
) -> None:
    await project.mention("pm", "checkin")
    await project.submit("pm", project.last_card(ROOM), {"rule": "any"})
    await change_request(project)
    activity_id, sent = await a_checkin_carrying_the_change(project)
    await project.press("carol", dm("carol"), "approve", contains="Dark mode")
    await project.press("sam", dm("sam"), "approve", contains="Dark mode")
    without_decisions(updated_in_place(project, activity_id), sent, "Approved")
    posts = [c for c in project.connector.calls if c.method == "POST"]
    checkins = [c for c in posts if c.conversation_id == dm("alice") and "Weekly" in txt(c.body)]
    assert len(checkins) == 1, "updated, not posted again"


async def test_an_expired_change_leaves_the_checkin_without_its_buttons(
    project: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = date.today() + timedelta(days=2)
    await change_request(project, due=due.isoformat())
    activity_id, sent = await a_checkin_carrying_the_change(project)
    later = datetime.combine(due + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    runtime = project.app.state.runtime
    await runtime.bus.handle(ExpireOverdue(actor=None, at=later))
    monkeypatch.setattr(runtime.sender, "clock", FixedClock(later + timedelta(minutes=1)))
    await project.settle()
    without_decisions(updated_in_place(project, activity_id), sent, "Expired")
