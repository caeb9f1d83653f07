"""Teams: ids in card data are checked against the conversation the invoke came from.

The Bot Framework vouches for who sent an invoke and from which conversation, never for
the item named in its data: from another project's channel the item is refused, and a
card refresh shows a card only in its project's channel or to someone taking part.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.teams_client import Chat, card_action, channel, mention, personal
from tests.e2e.teams_world import PEOPLE, Teams, actions_of, inputs_of
from workflow.domain.changes import ChangeRequest

WEB, APP = "19:web@thread.tacv2", "19:app@thread.tacv2"
CR = {"item": "change_request:1", "version": 1}


async def send(world: Teams, chat: Chat, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    response = await world.requests.send(card_action(chat, verb, data))
    assert response.status_code == 200, response.text
    await world.settle()
    answer: dict[str, Any] = response.json()
    return answer


async def new_project(world: Teams, chat: Chat, key: str, carol_too: bool = True) -> None:
    """`new` typed in `chat`, and its form card submitted from the same channel."""
    assert (await world.requests.send(mention(chat, "new"))).status_code < 300
    form = world.last_card(chat.conversation_id)
    data = {**actions_of(form)[-1]["data"], **{i["id"]: i["value"] for i in inputs_of(form)
            if "value" in i}, "name": key.title(), "key": key,
            "customers_internal": PEOPLE["carol"] if carol_too else "",
            "checkin_day": "2", "checkin_time": "09:30"}  # fmt: skip
    assert f"Project {key} is set up" in json.dumps(await send(world, chat, "submit_form", data))


@pytest.fixture
async def two(teams_world: Teams) -> Teams:
    """WEB (with a change request Carol may decide) and APP, each in its own channel."""
    world = teams_world
    await world.install("pm", "carol")
    pm = "aad-pam", "Pm", "Europe/Paris"
    await new_project(world, channel(world.connector.service_url, "web").as_user(*pm), "WEB")
    await new_project(world, channel(world.connector.service_url, "app").as_user(*pm), "APP")
    await world.mention("pm", "change")
    await world.submit("pm", world.last_card(WEB), {"title": "Dark mode", "reason": "Asked"})
    return world


async def decisions(world: Teams) -> int:
    async with world.app.state.runtime.uow() as uow:
        return sum(len(c.decisions) for c in await uow.repo(ChangeRequest).find())


async def test_a_press_naming_another_projects_item_is_refused_in_a_channel(two: Teams) -> None:
    in_app = channel(two.connector.service_url, "app").as_user(PEOPLE["carol"], "Carol")
    answer = await send(two, in_app, "approve", {**CR, "verb": "approve"})
    assert answer["value"] == "That item belongs to another project."
    assert await decisions(two) == 0
    in_web = channel(two.connector.service_url, "web").as_user(PEOPLE["carol"], "Carol")
    await send(two, in_web, "approve", {**CR, "verb": "approve"})
    assert await decisions(two) == 1


async def test_a_refresh_shows_a_card_only_where_it_belongs(two: Teams) -> None:
    refresh = {"item": CR["item"], "verb": "refresh"}
    stranger = personal(two.connector.service_url, "aad-stan", user_name="Stan")
    answer = await send(two, stranger, "refresh", refresh)
    assert answer["value"] == "You are not part of WEB, so its cards are not shown to you."
    in_app = channel(two.connector.service_url, "app").as_user(PEOPLE["carol"], "Carol")
    answer = await send(two, in_app, "refresh", refresh)
    assert answer["value"] == "That item belongs to another project."
    mine = personal(two.connector.service_url, PEOPLE["carol"], user_name="Carol")
    assert "Dark mode" in json.dumps(await send(two, mine, "refresh", refresh))
