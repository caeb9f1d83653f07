"""Issue #16 in Slack: each refusal of the settings and change modals sits under its own
field while the modal is open, saving settings says words, and "Waiting on" names only
those whose decision can still change the outcome."""

from __future__ import annotations

import json

import pytest

from tests.e2e.slack_world import ALICE, CAROL, CUSTOMER_TEAM, PM, SAM, Slack

CHANNEL = "C0001"
CHANGE = {"title": "Dark mode", "schedule_days": "3", "cost": "1200", "reason": "Customer ask"}


def card_updates(world: Slack, conversation: str) -> list[str]:
    return [
        json.dumps(c.params.get("blocks")) + str(c.params.get("text"))
        for c in world.fake.calls_of("chat.update")
        if c.params.get("channel") == conversation
    ]


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ({"rule": "quorum", "quorum": "4"}, "A quorum of 4 is more than the 2 customers of WEB"),
        ({"rule": "quorum", "quorum": ""}, "type how many customers must approve"),
    ],
)
async def test_a_quorum_that_cant_be_used_is_refused_under_the_quorum_field(
    project: Slack, typed: dict[str, str], words: str
) -> None:
    await project.loop(PM, "checkin")
    response = await project.fill(PM, typed)
    body = response.json()
    assert body["response_action"] == "errors" and list(body["errors"]) == ["quorum"]
    assert words in body["errors"]["quorum"]


async def test_a_decide_by_day_that_has_passed_is_refused_under_the_due_field(
    project: Slack,
) -> None:
    await project.loop(PM, "change")
    response = await project.fill(PM, {**CHANGE, "due": "2020-01-31"})
    body = response.json()
    assert body["response_action"] == "errors" and list(body["errors"]) == ["due"]
    assert "That day has passed" in body["errors"]["due"]
    assert not [c for c in project.posts(CHANNEL) if "Dark mode" in project.text_of(c)]


async def test_saved_settings_are_confirmed_in_words(project: Slack) -> None:
    await project.loop(PM, "checkin")
    response = await project.fill(PM, {"checkin_day": "4", "checkin_time": "10:00", "rule": "any"})
    assert response.status_code == 200 and response.text in ("", "null"), response.text
    said = project.last_private()
    assert said.startswith(
        "Settings of WEB saved: check-ins on Fridays at 10:00 (each customer's local time); "
        "change requests need any one customer, all asked at once;"
    ), said
    assert "day=" not in said and "quorum=" not in said and "rule=" not in said


async def test_under_any_one_customer_the_card_waits_only_on_the_sponsor_once_alice_approves(
    project: Slack,
) -> None:
    await project.loop(PM, "checkin")
    await project.fill(PM, {"rule": "any"})
    await project.loop(PM, "change")
    await project.fill(PM, CHANGE)
    await project.press(ALICE, ALICE, "approve", "Dark mode", user_team=CUSTOMER_TEAM)
    channel_card = card_updates(project, CHANNEL)[-1]
    waiting = channel_card.split("Waiting on", 1)[1].split('"', 1)[0]
    assert "Sam" in waiting and "Carol" not in waiting, channel_card
    assert "cl.approve" not in card_updates(project, "D" + CAROL[1:])[-1]  # her buttons go
    assert "cl.approve" in card_updates(project, "D" + SAM[1:])[-1]
    await project.requests.click("cl.approve", "change_request:1:1", user=CAROL, channel=CAROL)
    await project.settle()
    assert "Enough customers have approved" in project.last_private()
    await project.press(SAM, SAM, "approve", "Dark mode")
    assert "Approved" in card_updates(project, CHANNEL)[-1]
