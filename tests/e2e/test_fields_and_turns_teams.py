"""Issue #16 in Teams: each refusal of the settings and change cards comes back beside its own
input, saving settings says words, and "Waiting on" names only those whose decision can
still change the outcome."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.teams_world import PEOPLE, ROOM, Teams, actions_of, inputs_of, set_up_project

Json = dict[str, Any]
CHANGE = {"title": "Dark mode", "schedule_days": "3", "cost": "1200", "reason": "Asked"}


def dm(who: str) -> str:
    return f"a:1personal-{PEOPLE[who]}"


def txt(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def refused_on(card: Json, words: str) -> list[str]:
    """The inputs whose error message says `words`."""
    return [i["id"] for i in inputs_of(card) if words in i.get("errorMessage", "")]


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    return await set_up_project(teams_world)


async def submitted(project: Teams, word: str, values: Json) -> Json:
    await project.mention("pm", word)
    answer = await project.submit("pm", project.last_card(ROOM), values)
    card: Json = answer["value"]
    return card


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ({"rule": "quorum", "quorum": "4"}, "A quorum of 4 is more than the 2 customers of WEB"),
        ({"rule": "quorum", "quorum": ""}, "type how many customers must approve"),
    ],
)
async def test_a_quorum_that_cant_be_used_comes_back_beside_the_quorum_input(
    project: Teams, typed: Json, words: str
) -> None:
    card = await submitted(project, "checkin", typed)
    assert refused_on(card, words) == ["quorum"], txt(card)
    body = txt(card)  # the error block stands under the input, not above the form
    assert body.index('"id": "quorum"') < body.index(words, body.index('"id": "quorum"') + 1)
    assert words not in body[: body.index('"id": "checkin_day"')]


async def test_a_decide_by_day_that_has_passed_comes_back_beside_the_due_input(
    project: Teams,
) -> None:
    card = await submitted(project, "change", {**CHANGE, "due": "2020-01-31"})
    assert refused_on(card, "That day has passed") == ["due"], txt(card)
    assert "Dark mode (version 1)" not in txt([c.body for c in project.connector.calls])


async def test_saved_settings_are_confirmed_in_words(project: Teams) -> None:
    card = await submitted(
        project, "checkin", {"checkin_day": "4", "checkin_time": "10:00", "rule": "any"}
    )
    said = txt(card)
    assert "Settings of WEB saved: check-ins on Fridays at 10:00 (each customer's local time)" in (
        said
    )
    assert "change requests need any one customer, all asked at once" in said
    assert "day=" not in said and "quorum=" not in said and "rule=" not in said


async def test_under_any_one_customer_the_card_waits_only_on_the_sponsor_once_alice_approves(
    project: Teams,
) -> None:
    await submitted(project, "checkin", {"rule": "any"})
    await submitted(project, "change", CHANGE)
    await project.press("alice", dm("alice"), "approve", contains="Dark mode")
    room = txt(project.connector.puts(ROOM)[-1].body)
    waiting = room.split("Waiting on", 1)[1].split('"', 1)[0]
    assert "Sam" in waiting and "Carol" not in waiting, room
    carol = project.connector.puts(dm("carol"))[-1].body
    assert "approve" not in {a.get("verb") for a in actions_of(carol)}
    as_sent = next(c.body for c in project.connector.calls  # her first copy, with buttons
                   if c.conversation_id == dm("carol") and "Dark mode" in txt(c.body))  # fmt: skip
    approve = next(a for a in actions_of(as_sent) if a["verb"] == "approve")
    refused = await project.invoke("carol", "approve", approve["data"])
    assert "Enough customers have approved" in txt(refused)
    await project.press("sam", dm("sam"), "approve", contains="Dark mode")
    assert "Approved" in txt(project.connector.puts(ROOM)[-1].body)
