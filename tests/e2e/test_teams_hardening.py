"""Issue 10 on Teams: refusals come back in words (never a 500) and write nothing, and a
project is bound where Teams says the action came from, never where a card's data says."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from fastapi import FastAPI

from tests.e2e.teams_client import TENANT, card_action, message, personal
from tests.e2e.teams_world import PEOPLE, ROOM, Teams, row_counts, set_up_project
from workflow.domain.people import Platform, Workspace
from workflow.domain.projects import Project

Json = dict[str, Any]
SLACK_CHANNEL = {"platform": "slack", "workspace_id": "TVICTIM", "channel_id": "CVICTIM"}
OTHER_TENANT = {
    "platform": "teams",
    "workspace_id": "0ther000-0000-4000-8000-00000000te02",
    "channel_id": "19:victim@thread.tacv2",
}
WEB_ROOM = {"platform": "teams", "workspace_id": TENANT, "channel_id": ROOM}
BIG = 12345678901234567890  # 20 digits: over the database's 64-bit integers


def txt(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def dm(who: str) -> str:
    return f"a:1personal-{PEOPLE[who]}"


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    return await set_up_project(teams_world)


async def projects(app: FastAPI) -> list[Project]:
    async with app.state.runtime.uow() as uow:
        found: list[Project] = await uow.projects.find()
        return found


async def workspaces(app: FastAPI) -> list[Workspace]:
    async with app.state.runtime.uow() as uow:
        found: list[Workspace] = await uow.workspaces.find()
        return found


async def web_id(app: FastAPI) -> int:
    [web] = [p for p in await projects(app) if p.key == "WEB"]
    assert web.id is not None
    return web.id


def change_data(project_id: object, title: str = "Sneaky") -> Json:
    """The data of a submitted change-request form card, naming `project_id`."""
    return {"verb": "submit_form", "form": "change", "ctx": {"project_id": project_id},
            "types": {}, "title": title, "schedule_days": "1", "cost": "1",
            "reason": "x"}  # fmt: skip


def new_project_data(ctx: Json, key: str = "EVIL") -> Json:
    """The data of the new-project form card's submit, with `ctx` as the client sent it back."""
    return {"verb": "submit_form", "form": "new_project", "ctx": ctx, "types": {},
            "name": "Hijack", "key": key, "checkin_day": "2", "checkin_time": "09:30"}  # fmt: skip


# Refusals in words, nothing written -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["away until 2027-13-45", "away until someday", "away until 0000-00-00", "away Mars/Base"],
)
async def test_a_bad_date_is_answered_in_words(project: Teams, text: str) -> None:
    await project.say("carol", text)

    assert "is not a date" in project.last_text(dm("carol"))


async def test_a_change_for_a_project_the_person_is_not_part_of_is_refused_and_writes_nothing(
    project: Teams,
) -> None:
    before = await row_counts(project.app)
    chat = personal(project.connector.service_url, "aad-mallory", user_name="Mallory")
    activity = card_action(chat, "submit_form", change_data(await web_id(project.app)))

    response = await project.requests.send(activity)

    assert response.status_code == 200, response.text
    assert "not part of" in txt(response.json())
    assert await row_counts(project.app) == before


async def test_a_member_sending_a_pm_form_is_refused_and_writes_nothing(project: Teams) -> None:
    before = await row_counts(project.app)

    answer = await project.invoke("mo", "submit_form", change_data(await web_id(project.app)))

    assert "PM" in txt(answer), answer
    assert await row_counts(project.app) == before


async def test_a_change_on_a_closed_project_is_refused_in_words_and_writes_nothing(
    project: Teams,
) -> None:
    await project.mention("pm", "close")
    await project.submit("pm", project.last_card(ROOM), {"deliverables": "Website"})
    for who in ("alice", "carol"):
        form = await project.press(who, dm(who), "evaluate", contains="Final evaluation")
        await project.submit(who, form["value"], {"verdict_0": "accept", "process_rating": "5"},
                             in_room=False)  # fmt: skip
    assert "WEB is closed" in txt(project.last_card(ROOM))
    before = await row_counts(project.app)

    answer = await project.invoke("pm", "submit_form", change_data(await web_id(project.app)))

    assert "closed" in txt(answer), answer
    assert await row_counts(project.app) == before


@pytest.mark.parametrize(
    ("verb", "data", "said"),
    [
        pytest.param("submit_form", change_data(BIG), "the form lost its project_id",
                     id="submitted project id"),
        pytest.param("submit_form", change_data(-BIG, title=""), "needs a title",
                     id="form shown again, project id"),
        pytest.param("submit_form", {"form": "people", "ctx": {"project_id": 10**19}},
                     "Choose at least one person", id="people form project id"),
        pytest.param("approve", {"item": f"change_request:{BIG}", "version": 1},
                     "no longer points at anything", id="item id"),
        pytest.param("approve", {"item": "change_request:1", "version": BIG},
                     "not waiting on you", id="version"),
        pytest.param("refresh", {"item": f"change_request:{BIG}"}, "no longer exists",
                     id="refreshed item id"),
        pytest.param(f"answer_question:{BIG}", {"item": "change_request:1"},
                     "no longer points at anything", id="verb id"),
    ],
)  # fmt: skip
async def test_an_id_too_big_for_the_database_is_refused_in_words_and_writes_nothing(
    project: Teams, verb: str, data: Json, said: str
) -> None:
    await project.mention("pm", "change")
    await project.submit("pm", project.last_card(ROOM), {
        "title": "Dark mode", "schedule_days": "3", "cost": "1200", "reason": "Asked"})  # fmt: skip
    before = await row_counts(project.app)

    answer = await project.invoke("pm", verb, data, in_room=True)  # asserts a 200

    assert said in txt(answer), answer
    assert await row_counts(project.app) == before


@pytest.mark.parametrize("connector", ["refuses", "unreachable"])
async def test_a_reply_the_connector_does_not_take_is_one_log_line_not_a_500(
    teams_world: Teams, caplog: pytest.LogCaptureFixture, connector: str
) -> None:
    chat = teams_world.chat("carol")
    if connector == "refuses":
        teams_world.connector.fail(403, code="BotNotInConversationRoster")
    else:
        chat = replace(chat, service_url="http://127.0.0.1:9")  # nothing listens on port 9
    caplog.clear()

    response = await teams_world.requests.send(message(chat, "help"))

    assert response.status_code == 200, response.text
    said = [r.getMessage() for r in caplog.records if r.name == "clientloop.teams"]
    assert len(said) == 1 and "not delivered" in said[0], said
    assert not any(r.exc_info for r in caplog.records)


# Origin from the envelope --------------------------------------------------------------------


@pytest.mark.parametrize("forged", [SLACK_CHANNEL, OTHER_TENANT], ids=["slack", "other tenant"])
async def test_a_new_project_card_naming_another_channel_binds_the_project_where_it_was_sent(
    teams_world: Teams, forged: Json
) -> None:
    world = teams_world
    await world.install("pm")

    answer = await world.invoke("pm", "submit_form", new_project_data(forged), in_room=True)

    assert "Project EVIL is set up" in txt(answer)
    assert [p.channel_id for p in await projects(world.app)] == [ROOM]
    assert {(w.platform, w.external_id) for w in await workspaces(world.app)} == {
        (Platform.TEAMS, TENANT)
    }
    assert not world.connector.posts(forged["channel_id"])


async def test_from_a_personal_chat_a_forged_channel_gets_nothing_and_the_pm_sets_up_there(
    teams_world: Teams,
) -> None:
    """Mallory names the WEB channel from her own chat: the project she makes is bound to
    her chat, nothing reaches the channel, and the PM's `new` there works as before."""
    world = teams_world
    await world.install()
    chat = personal(world.connector.service_url, "aad-mallory", user_name="Mallory")

    response = await world.requests.send(
        card_action(chat, "submit_form", new_project_data(WEB_ROOM))
    )
    await world.settle()

    assert response.status_code == 200, response.text
    assert [p.channel_id for p in await projects(world.app)] == [chat.conversation_id]
    assert not world.connector.posts(ROOM)
    await set_up_project(world)
    bound = {p.key: p.channel_id for p in await projects(world.app)}
    assert bound == {"EVIL": chat.conversation_id, "WEB": ROOM}
    assert "WEB · Website" in txt(world.last_card(ROOM))
