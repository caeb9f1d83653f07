"""Issue 12, item 1, through Teams activities: words typed in a personal chat are about the
person's project: their one project, the key typed after the word (`request WEB …`), or,
of several, the one they choose on a card whose buttons make the same words again."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.teams_world import PEOPLE, Teams, actions_of, set_up_project
from workflow.domain.inbox import CustomerRequest

Json = dict[str, Any]
APP_ROOM = "19:app@thread.tacv2"


def dm(who: str) -> str:
    return f"a:1personal-{PEOPLE[who]}"


def txt(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def said_in(world: Teams, conversation: str) -> str:
    """Everything the bot said in a conversation (texts and cards), as one text."""
    return txt([c.body for c in world.connector.calls if c.conversation_id == conversation])


async def requests_sent(world: Teams) -> list[tuple[str, str]]:
    """(project key, text) of every customer request, oldest first."""
    async with world.app.state.runtime.uow() as uow:
        found: list[CustomerRequest] = await uow.repo(CustomerRequest).find()
        keys = {p.id: p.key for p in await uow.projects.find()}
    return [(keys[r.project_id], r.text) for r in sorted(found, key=lambda r: r.id or 0)]


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    """WEB: Alice external, Carol internal, Sam sponsor, Mo member."""
    return await set_up_project(teams_world)


@pytest.fixture
async def two_projects(project: Teams) -> Teams:
    """WEB as above, and APP (the same PM) where Carol is a customer too."""
    await project.install(room="app")
    await project.mention("pm", "new", room="app")
    answer = await project.submit("pm", project.last_card(APP_ROOM), {
        "name": "Mobile app", "key": "APP", "customers_internal": PEOPLE["carol"],
        "checkin_day": "2", "checkin_time": "09:30"}, room="app")  # fmt: skip
    assert "Project APP is set up" in txt(answer), answer
    return project


def choice_of(world: Teams, who: str) -> Json:
    return world.last_card_with(dm(who), "Which project?")


def button(card: Json, label: str) -> Json:
    return next(a for a in actions_of(card) if a["title"].startswith(label))


async def test_a_customer_of_one_project_sends_a_request_typed_in_the_personal_chat(
    project: Teams,
) -> None:
    await project.say("alice", "request Please add single sign-on")
    assert "Your request went to the PMs of WEB" in project.last_text(dm("alice"))
    card = txt(project.last_card(dm("pm")))
    assert "Request from Alice · WEB" in card and "Please add single sign-on" in card
    await project.say("alice", "request WEB Logo in SVG")  # the key is not part of the request
    assert await requests_sent(project) == [
        ("WEB", "Please add single sign-on"),
        ("WEB", "Logo in SVG"),
    ]


async def test_notice_feedback_pending_away_and_help_work_in_a_one_project_chat(
    project: Teams,
) -> None:
    await project.say("carol", "notice WEB Our office moves on Monday")
    assert "Thank you: the PMs have your notice." in project.last_text(dm("carol"))
    notice = txt(project.last_card(dm("pm")))
    assert "Our office moves on Monday" in notice and "WEB Our office" not in notice
    await project.say("carol", "feedback Great demo this week")
    assert "Thank you for your feedback!" in project.last_text(dm("carol"))
    assert "Great demo this week" in txt(project.last_card(dm("pm")))
    await project.say("carol", "pending")
    assert "Pending" in txt(project.last_card(dm("carol")))
    back = datetime.now(UTC).date() + timedelta(days=30)
    await project.say("carol", f"away until {back.isoformat()}")
    assert f"Check-ins paused until {back.isoformat()}" in project.last_text(dm("carol"))
    await project.say("carol", "help")
    said = project.last_text(dm("carol"))
    assert "`request [text]`" in said and "`notice [text]`" in said
    assert "` request" not in said and "@clientloop request" not in said
    assert "This channel has no project" not in said_in(project, dm("carol"))


async def test_a_customer_of_two_projects_chooses_on_a_card_and_the_request_goes_there(
    two_projects: Teams,
) -> None:
    world = two_projects
    await world.say("carol", "request Add SSO")
    card = choice_of(world, "carol")
    assert "Add SSO" in txt(card)
    assert [a["title"] for a in actions_of(card)] == ["WEB — Website", "APP — Mobile app"]
    assert await requests_sent(world) == []
    web = button(card, "WEB")
    answer = await world.invoke("carol", web["verb"], web["data"])
    assert "Your request went to the PMs of WEB" in txt(answer)
    assert "Request from Carol · WEB" in txt(world.last_card(dm("pm")))
    app = button(card, "APP")  # a second press, even of the other project, sends nothing more
    await world.invoke("carol", app["verb"], app["data"])
    await world.invoke("carol", web["verb"], web["data"])
    assert await requests_sent(world) == [("WEB", "Add SSO")]


async def test_a_key_after_the_word_picks_the_project_at_once(two_projects: Teams) -> None:
    world = two_projects
    await world.say("carol", "request APP Add SSO")
    assert "Your request went to the PMs of APP" in world.last_text(dm("carol"))
    assert await requests_sent(world) == [("APP", "Add SSO")]
    await world.say("carol", "pending web")
    assert "Pending" in txt(world.last_card(dm("carol")))
    assert "Which project?" not in said_in(world, dm("carol"))


async def test_a_key_of_a_project_the_person_is_not_in_gets_a_sentence_naming_theirs(
    two_projects: Teams,
) -> None:
    world = two_projects
    await world.say("alice", "request APP Add SSO")
    said = world.last_text(dm("alice"))
    assert "APP is not one of your open projects. Yours: WEB (Website); write `request WEB" in said
    assert await requests_sent(world) == []


async def test_pending_and_help_of_a_person_in_two_projects(two_projects: Teams) -> None:
    world = two_projects
    await world.say("carol", "pending")
    assert "Which project?" in txt(world.last_card(dm("carol")))
    await world.say("carol", "help")
    said = world.last_text(dm("carol"))
    assert "in your projects WEB (Website), APP (Mobile app)" in said
    assert "`request [text]`" in said and "(`request WEB " in said


async def test_a_choice_pressed_by_someone_not_in_that_project_sends_nothing(
    two_projects: Teams,
) -> None:
    world = two_projects
    await world.say("carol", "request Add SSO")
    app = button(choice_of(world, "carol"), "APP")
    answer = await world.invoke("mo", app["verb"], app["data"])  # Mo is only in WEB
    assert "You are not part of APP" in txt(answer)
    answer = await world.invoke("carol", app["verb"], app["data"], in_room=True)
    assert "belongs to another project" in txt(answer)
    assert await requests_sent(world) == []
