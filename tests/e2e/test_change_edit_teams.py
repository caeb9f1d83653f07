"""A PM edits a change request from Teams: the card's Edit, or `@clientloop change edit CR-1`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.teams_world import PEOPLE, ROOM, Teams, actions_of, inputs_of, set_up_project


def txt(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def dm(who: str) -> str:
    return f"a:1personal-{PEOPLE[who]}"


def values_of(form: dict[str, Any]) -> dict[str, str]:
    return {i["id"]: str(i.get("value", "")) for i in inputs_of(form)}


def verbs(card: dict[str, Any]) -> set[str]:
    return {a.get("verb", "") for a in actions_of(card)}


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    world = await set_up_project(teams_world)
    await world.mention("pm", "change")
    await world.submit("pm", world.last_card(ROOM), {
        "title": "Dark mode", "description": "Add a dark theme", "schedule_days": "3",
        "cost": "1200", "reason": "Asked"})  # fmt: skip
    return world


async def test_the_pm_edits_from_the_channel_card_and_approvers_are_asked_again(
    project: Teams,
) -> None:
    await project.press("carol", dm("carol"), "approve", contains="Dark mode")
    card = project.last_card_with(ROOM, "Dark mode")
    assert "edit" in verbs(card)
    for who in ("alice", "carol", "sam"):
        assert "edit" not in verbs(project.last_card_with(dm(who), "Dark mode")), who
    edit = next(a for a in actions_of(card) if a["verb"] == "edit")
    form = (await project.invoke("pm", "edit", edit["data"], in_room=True))["value"]
    values = values_of(form)
    assert (values["title"], values["description"], values["cost"], values["reason"]) == (
        "Dark mode",
        "Add a dark theme",
        "1200",
        "Asked",
    )
    assert values["schedule_days"] == "3"
    await project.submit("pm", form, {"cost": "1500"})
    for who in ("alice", "carol", "sam"):
        asked = project.last_card_with(dm(who), "version 2")
        assert "cost" in txt(asked) and "approve" in verbs(asked), who
    room = txt(project.connector.puts(ROOM)[-1].body)
    assert "version 2" in room and "1,500" in room
    assert "Carol" in room.split("Waiting on", 1)[1]  # her approval no longer counts


async def test_change_edit_cr_1_in_the_channel_and_in_a_personal_chat(project: Teams) -> None:
    await project.mention("pm", "change edit CR-1")
    form = project.last_card(ROOM)
    assert values_of(form)["title"] == "Dark mode" and values_of(form)["cost"] == "1200"
    await project.say("pm", "change edit 1")
    form = project.last_card(dm("pm"))
    assert values_of(form)["title"] == "Dark mode"
    await project.submit("pm", form, {"title": "Dark mode, phase 1"}, in_room=False)
    assert "Dark mode, phase 1 (version 2)" in txt(project.connector.puts(ROOM)[-1].body)
    assert "version 2" in txt(project.last_card_with(dm("sam"), "phase 1"))


async def test_a_customer_pressing_edit_is_refused_and_no_form_opens(project: Teams) -> None:
    card = project.last_card_with(ROOM, "Dark mode")
    edit = next(a for a in actions_of(card) if a["verb"] == "edit")
    answer = await project.invoke("carol", "edit", edit["data"], in_room=True)
    assert answer["type"] == "application/vnd.microsoft.activity.message"
    assert "only a PM" in answer["value"]
    forms_before = len([c for c in project.connector.calls if "submit_form" in txt(c.body)])
    await project.mention("alice", "change edit CR-1")
    assert "only a PM" in project.last_text(ROOM)
    assert len([c for c in project.connector.calls if "submit_form" in txt(c.body)]) == forms_before


async def test_unknown_and_decided_change_requests_are_refused_in_words(project: Teams) -> None:
    await project.mention("pm", "change edit CR-42")
    assert "There is no change request CR-42 in this project" in project.last_text(ROOM)
    for who in ("alice", "carol", "sam"):
        await project.press(who, dm(who), "approve", contains="Dark mode")
    assert "edit" not in verbs(project.connector.puts(ROOM)[-1].body)
    await project.mention("pm", "change edit CR-1")
    assert "CR-1 is approved, so it can't be edited any more" in project.last_text(ROOM)


async def test_a_pm_of_two_projects_edits_from_a_personal_chat_but_not_in_the_other_room(
    project: Teams,
) -> None:
    app = "19:app@thread.tacv2"
    await project.install(room="app")
    await project.mention("pm", "new", room="app")
    answer = await project.submit("pm", project.last_card(app), {
        "name": "App", "key": "APP", "customers_internal": PEOPLE["carol"],
        "checkin_day": "2", "checkin_time": "09:30"}, room="app")  # fmt: skip
    assert "Project APP is set up" in txt(answer), answer
    await project.mention("pm", "change edit CR-1", room="app")
    assert "There is no change request CR-1 in this project" in project.last_text(app)
    await project.say("pm", "change edit CR-1")  # two projects: the change request says which
    form = project.last_card(dm("pm"))
    assert values_of(form)["title"] == "Dark mode"
    await project.submit("pm", form, {"cost": "1100"}, in_room=False)
    assert "version 2" in txt(project.connector.puts(ROOM)[-1].body)
