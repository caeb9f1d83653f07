"""Teams: a Reject press without its reason tells whoever may not decide why, at once.

Teams shows the reason box inside the card (an Action.ShowCard), so the press that reaches
the bot without text is where the core answers: the approver is asked for the reason,
anyone else reads why they may not decide, and nothing changes.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.teams_client import card_action, channel
from tests.e2e.teams_world import PEOPLE, Teams, actions_of

ROOM = "19:web@thread.tacv2"
MESSAGE = "application/vnd.microsoft.activity.message"


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    """WEB in the channel: Alice external, Carol internal, Sam sponsor, Mo member."""
    world = teams_world
    await world.install("pm", "alice", "carol", "sam", "mo")
    await world.mention("pm", "new")
    answer = await world.submit("pm", world.last_card(ROOM), {
        "name": "Website", "key": "WEB", "customers_internal": PEOPLE["carol"],
        "customers_external": PEOPLE["alice"], "sponsor": PEOPLE["sam"],
        "members": PEOPLE["mo"], "checkin_day": "2", "checkin_time": "09:30"})  # fmt: skip
    assert "Project WEB is set up" in json.dumps(answer), answer
    await world.mention("pm", "change")
    await world.submit("pm", world.last_card(ROOM), {"title": "Dark mode", "reason": "Asked"})
    return world


async def reject_in_the_room(project: Teams, aad_id: str) -> dict[str, object]:
    """The channel card's Reject, sent without its reason by `aad_id`."""
    card = project.last_card_with(ROOM, "Dark mode")
    data = next(a for a in actions_of(card) if a["verb"] == "reject")["data"]
    chat = channel(project.connector.service_url).as_user(aad_id, "Someone", "Europe/Paris")
    response = await project.requests.send(card_action(chat, "reject", data))
    assert response.status_code == 200, response.text
    await project.settle()
    answer: dict[str, object] = response.json()
    return answer


@pytest.mark.parametrize("aad_id", [PEOPLE["mo"], "aad-stan"], ids=["member", "stranger"])
async def test_reject_asks_the_approver_for_a_reason_and_tells_anyone_else_why_not(
    project: Teams, aad_id: str
) -> None:
    puts = len(project.connector.puts())
    answer = await reject_in_the_room(project, aad_id)
    assert answer["type"] == MESSAGE
    assert "This change request is not waiting on you" in str(answer["value"])
    assert "reason" not in str(answer["value"]).lower()
    assert len(project.connector.puts()) == puts
    approver = await reject_in_the_room(project, PEOPLE["carol"])
    assert approver["value"] == "Please type the reason in the card first."
