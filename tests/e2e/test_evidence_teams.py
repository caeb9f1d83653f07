"""The PMs' Evidence button on a decided change request's card, pressed in Teams."""

from __future__ import annotations

import json

import pytest

from tests.e2e.teams_world import PEOPLE, Teams, actions_of

ROOM = "19:web@thread.tacv2"


def dm(who: str) -> str:
    return f"a:1personal-{PEOPLE[who]}"


@pytest.fixture
async def decided(teams_world: Teams) -> Teams:
    """WEB with Alice external, Carol internal and Sam sponsor; CR-1 approved by all three."""
    world = teams_world
    await world.install("pm", "alice", "carol", "sam", "mo")
    await world.mention("pm", "new")
    await world.submit("pm", world.last_card(ROOM), {
        "name": "Website", "key": "WEB", "customers_internal": PEOPLE["carol"],
        "customers_external": PEOPLE["alice"], "sponsor": PEOPLE["sam"],
        "members": PEOPLE["mo"], "checkin_day": "2", "checkin_time": "09:30"})  # fmt: skip
    await world.mention("pm", "change")
    await world.submit("pm", world.last_card(ROOM), {
        "title": "Dark mode", "schedule_days": "3", "cost": "1200", "reason": "Asked"})  # fmt: skip
    for who in ("alice", "carol", "sam"):
        await world.press(who, dm(who), "approve", contains="Dark mode")
    return world


async def test_the_pm_presses_evidence_on_the_channel_card_and_reads_every_approval(
    decided: Teams,
) -> None:
    card = decided.connector.puts(ROOM)[-1].body["attachments"][0]["content"]
    (evidence,) = [a for a in actions_of(card) if a["verb"] == "evidence"]
    answer = await decided.invoke("pm", "evidence", evidence["data"], in_room=True)
    text = json.dumps(answer, ensure_ascii=False)
    assert "Evidence for CR-" in text and "Every hash matches the audit trail" in text, text
    assert text.count("approved version 1") == 3


async def test_a_member_pressing_evidence_is_refused_and_shown_nothing(decided: Teams) -> None:
    card = decided.connector.puts(ROOM)[-1].body["attachments"][0]["content"]
    (evidence,) = [a for a in actions_of(card) if a["verb"] == "evidence"]
    answer = await decided.invoke("mo", "evidence", evidence["data"], in_room=True)
    text = json.dumps(answer, ensure_ascii=False)
    assert "Evidence for CR-" not in text
    assert "PM" in text, text
