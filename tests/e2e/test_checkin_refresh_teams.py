"""In Teams, a check-in asked for again (the Universal Actions refresh its customer's client
sends) is answered with the check-in as it is now: with the change request it carries, its
decision buttons while the request waits, and without them once the request has settled."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.teams_client import card_action
from tests.e2e.teams_world import PEOPLE, ROOM, Teams, actions_of, set_up_project
from tests.fakes import FixedClock
from workflow.flows.change_requests.messages import ExpireOverdue

Json = dict[str, Any]
DECISIONS = {"approve", "reject", "ask"}
ADAPTIVE = "application/vnd.microsoft.card.adaptive"


def dm(who: str) -> str:
    return f"a:1personal-{PEOPLE[who]}"


def txt(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def verbs(card: Json) -> set[str]:
    return {a["verb"] for a in actions_of(card)}


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    return await set_up_project(teams_world)


async def change_request(project: Teams, **values: str) -> None:
    await project.mention("pm", "change")
    await project.submit("pm", project.last_card(ROOM), {
        "title": "Dark mode", "cost": "1200", "reason": "Asked", **values})  # fmt: skip


async def a_checkin_carrying_the_change(project: Teams) -> Json:
    await project.mention("pm", "checkin now")
    checkin = project.last_card_with(dm("alice"), "Weekly check-in")
    assert "Dark mode" in txt(checkin) and verbs(checkin) >= DECISIONS
    assert checkin["refresh"]["action"]["data"]["item"].startswith("checkin:")
    return checkin


async def refreshed_by_alice(project: Teams, sent: Json) -> Json:
    """What POST /api/messages answers to the automatic refresh Alice's client sends."""
    invoke = card_action(project.chat("alice"), "refresh", sent["refresh"]["action"]["data"])
    invoke["value"]["trigger"] = "automatic"
    response = await project.requests.send(invoke)
    assert response.status_code == 200, response.text
    answer: Json = response.json()
    assert answer["type"] == ADAPTIVE, answer
    card: Json = answer["value"]
    assert "Weekly check-in" in txt(card) and "answer" in verbs(card)
    return card


async def test_a_refreshed_checkin_still_offers_the_decisions_on_a_pending_change(
    project: Teams,
) -> None:
    await change_request(project)
    card = await refreshed_by_alice(project, await a_checkin_carrying_the_change(project))
    assert "Dark mode" in txt(card)
    assert verbs(card) >= DECISIONS, verbs(card)


async def test_a_refreshed_checkin_shows_a_change_approved_by_others_without_decisions(
    project: Teams,
) -> None:
    await project.mention("pm", "checkin")
    await project.submit("pm", project.last_card(ROOM), {"rule": "any"})
    await change_request(project)
    sent = await a_checkin_carrying_the_change(project)
    await project.press("carol", dm("carol"), "approve", contains="Dark mode")
    await project.press("sam", dm("sam"), "approve", contains="Dark mode")
    card = await refreshed_by_alice(project, sent)
    assert "Dark mode" in txt(card) and "Approved" in txt(card)
    assert not verbs(card) & DECISIONS, verbs(card)


async def test_a_refreshed_checkin_shows_an_expired_change_without_decisions(
    project: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = date.today() + timedelta(days=2)
    await change_request(project, due=due.isoformat())
    sent = await a_checkin_carrying_the_change(project)
    later = datetime.combine(due + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    runtime = project.app.state.runtime
    await runtime.bus.handle(ExpireOverdue(actor=None, at=later))
    monkeypatch.setattr(runtime.sender, "clock", FixedClock(later + timedelta(minutes=1)))
    await project.settle()
    card = await refreshed_by_alice(project, sent)
    assert "Dark mode" in txt(card) and "Expired" in txt(card)
    assert not verbs(card) & DECISIONS, verbs(card)
