"""Through Teams activities: `@clientloop invite <at>Alice</at> Budget review` fills the invite
card (the mention entity names Alice), and `checkin now` skips a customer who is away."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.teams_client import mention as mention_activity
from tests.e2e.teams_world import PEOPLE, ROOM, Teams, inputs_of, set_up_project

Json = dict[str, Any]
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    return await set_up_project(teams_world)


def dm(who: str) -> str:
    return f"a:1personal-{PEOPLE[who]}"


def person(who: str, *, aad_in_id: bool = False) -> Json:
    """A mention entity for `who`: Teams names them by their 29: id and AAD object id, or
    (as a bot may) by the AAD object id alone."""
    if aad_in_id:
        return {"id": PEOPLE[who], "name": who.title()}
    return {"id": f"29:{PEOPLE[who]}", "name": who.title(), "aadObjectId": PEOPLE[who]}


async def mention_with(world: Teams, who: str, text: str, people: dict[str, Json]) -> None:
    """`@clientloop <text>` by `who` in the channel, where each `<at>Name</at>` in `text`
    is one of `people` (a mention entity of its own)."""
    activity = mention_activity(world.room(who), text)
    for tag, mentioned in people.items():
        activity["entities"].append({"type": "mention", "text": tag, "mentioned": mentioned})
    response = await world.requests.send(activity)
    assert response.status_code < 300, response.text
    await world.settle()


def inputs(card: Json) -> dict[str, Json]:
    return {i["id"]: i for i in inputs_of(card)}


@pytest.mark.parametrize("aad_in_id", [False, True])
async def test_invite_with_a_mention_fills_the_card_with_the_customer_and_topic(
    project: Teams, aad_in_id: bool
) -> None:
    alice = person("alice", aad_in_id=aad_in_id)
    await mention_with(
        project, "pm", "invite <at>Alice</at> Budget review", {"<at>Alice</at>": alice}
    )
    form = project.last_card(ROOM)
    fields = inputs(form)
    assert fields["invitee"].get("value") == PEOPLE["alice"], fields["invitee"]
    assert {"title": "Alice", "value": PEOPLE["alice"]} in fields["invitee"]["choices"]
    assert fields["what"].get("value") == "Budget review"
    answer = await project.submit("pm", form, {})  # as it opened
    assert "is invited" in json.dumps(answer)
    assert "Budget review" in json.dumps(project.last_card(dm("alice")))


async def test_people_with_mentions_fills_the_card_with_them(project: Teams) -> None:
    tags = {"<at>Mo</at>": person("mo"), "<at>Carol</at>": person("carol")}
    await mention_with(project, "pm", "people <at>Mo</at> <at>Carol</at> sponsor", tags)
    fields = inputs(project.last_card(ROOM))
    assert fields["users"].get("value") == f"{PEOPLE['mo']},{PEOPLE['carol']}"
    assert fields["role"].get("value") == "sponsor"


async def test_a_request_names_the_people_mentioned_in_it(project: Teams) -> None:
    tags = {"<at>Mo</at>": person("mo")}
    await mention_with(project, "carol", "request Logo in SVG from <at>Mo</at> please", tags)
    assert "Logo in SVG from @Mo please" in json.dumps(project.last_card(dm("pm")))


async def test_checkin_now_skips_a_customer_who_is_away_and_says_until_when(
    project: Teams,
) -> None:
    back = datetime.now(UTC).date() + timedelta(days=30)
    await project.say("carol", f"away until {back.isoformat()}")
    await project.mention("pm", "checkin now")
    answer = project.last_text(ROOM)
    assert f"skipped 1: Carol away until {back.day} {MONTHS[back.month - 1]}" in answer, answer
    assert "Weekly check-in" in json.dumps(project.last_card(dm("alice")))
    carol = [c for c in project.connector.calls if c.conversation_id == dm("carol")]
    assert not any("Weekly check-in" in json.dumps(c.body) for c in carol)
