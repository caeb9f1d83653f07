"""People of other organisations, through Teams activities: a guest of the PM's tenant gets
the welcome in their personal chat; a shared-channel member of tenant T2 acts as (T2, AAD id);
whoever has no personal chat gets the card in the project's channel with an @mention, and the
PM hears of it, in Teams words, only when the channel fails too."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tests.e2e.teams_client import (
    TENANT,
    bot_removed,
    card_action,
    installation_update,
    personal,
)
from tests.e2e.teams_world import PEOPLE, ROOM, Teams, actions_of
from workflow.domain.changes import ChangeRequest
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind, Project, Role
from workflow.flows.projects.messages import ChangePeople

Json = dict[str, Any]
OTHER_TENANT = "5b2e0c1d-0000-4000-8000-00000000te02"
BOB = "aad-bob-of-t2"
BOUNCE = "could not be delivered"


def dm(aad: str) -> str:
    return f"a:1personal-{aad}"


def txt(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


async def set_up(world: Teams, *, installed: tuple[str, ...], customers: Json) -> None:
    """WEB in the channel with these customers; only `installed` have a personal chat."""
    await world.install(*installed)
    await world.mention("pm", "new")
    answer = await world.submit("pm", world.last_card(ROOM), {
        "name": "Website", "key": "WEB", "sponsor": PEOPLE["sam"],
        "checkin_day": "2", "checkin_time": "09:30", **customers})  # fmt: skip
    assert "Project WEB is set up" in txt(answer), answer


async def add_customer(world: Teams, who: PersonRef) -> None:
    """A PM adds an external customer (here through the core: the people picker names only
    people of the PM's tenant)."""
    runtime = world.app.state.runtime
    async with runtime.uow() as uow:
        [project] = await uow.repo(Project).find(key="WEB")
    pm = PersonRef(Identity(Platform.TEAMS, TENANT, PEOPLE["pm"]), "Pm")
    await runtime.bus.handle(ChangePeople(
        actor=pm, at=datetime.now(UTC), project_id=project.id,
        add=((who, Role.CUSTOMER, CustomerKind.EXTERNAL),)))  # fmt: skip
    await world.settle()


def mentions_in(world: Teams, conversation: str) -> list[Json]:
    """The posts to `conversation` that @mention someone, with their card."""
    return [c.body for c in world.connector.posts(conversation) if c.body.get("entities")]


async def test_a_guest_of_the_pms_tenant_gets_the_welcome_in_their_personal_chat(
    teams_world: Teams,
) -> None:
    guest = "aad-gwen-guest"  # a guest account: an object of the PM's tenant, homed elsewhere
    chat = personal(teams_world.connector.service_url, guest, user_name="Gwen (Partner Ltd)")
    await teams_world.requests.send(installation_update(chat))
    await set_up(teams_world, installed=("pm", "sam"), customers={"customers_external": guest})
    assert "Welcome to WEB" in txt(teams_world.last_card(dm(guest)))
    assert not mentions_in(teams_world, ROOM)
    assert BOUNCE not in txt([c.body for c in teams_world.connector.posts(dm(PEOPLE["pm"]))])


async def test_one_with_no_personal_chat_is_mentioned_in_the_channel_and_the_pm_hears_nothing(
    teams_world: Teams,
) -> None:
    await set_up(teams_world, installed=("pm", "sam"), customers={
        "customers_internal": PEOPLE["carol"]})  # fmt: skip
    [post] = [p for p in mentions_in(teams_world, ROOM) if "Welcome to WEB" in txt(p)]
    [entity] = post["entities"]
    assert entity["type"] == "mention" and entity["mentioned"]["id"] == PEOPLE["carol"]
    assert entity["text"] in post["text"] and entity["text"].startswith("<at>")
    assert "Welcome to WEB" in txt(cards_in_post(post))
    assert BOUNCE not in txt([c.body for c in teams_world.connector.posts(dm(PEOPLE["pm"]))])


async def test_a_shared_channel_member_of_another_tenant_is_reached_in_the_channel_and_decides(
    teams_world: Teams,
) -> None:
    await set_up(teams_world, installed=("pm", "alice", "sam"), customers={
        "customers_external": PEOPLE["alice"]})  # fmt: skip
    bob = PersonRef(Identity(Platform.TEAMS, OTHER_TENANT, BOB), "Bob", "UTC")
    await add_customer(teams_world, bob)
    welcome = [p for p in mentions_in(teams_world, ROOM) if "Welcome to WEB" in txt(p)]
    assert [p["entities"][0]["mentioned"]["id"] for p in welcome] == [BOB]

    await teams_world.mention("pm", "change")
    await teams_world.submit("pm", teams_world.last_card(ROOM), {
        "title": "Dark mode", "schedule_days": "3", "cost": "1200", "reason": "Asked"})  # fmt: skip
    [asked] = [p for p in mentions_in(teams_world, ROOM) if "Dark mode" in txt(p)]
    approve = next(a for a in actions_of(cards_in_post(asked)) if a["verb"] == "approve")
    press = card_action(teams_world.room("pm").as_user(BOB, "Bob"), "approve", approve["data"])
    press["from"]["tenantId"] = OTHER_TENANT  # Teams Connect: the member's own tenant
    answer = await teams_world.requests.send(press)
    await teams_world.settle()

    assert answer.json()["type"] == "application/vnd.microsoft.card.adaptive", answer.text
    async with teams_world.app.state.runtime.uow() as uow:
        [change] = await uow.repo(ChangeRequest).find()
        [decision] = change.decisions
        person = await uow.people.get(decision.approver_id)
    assert person is not None and person.identity == bob.identity


async def test_when_the_channel_fails_too_the_pm_is_told_in_teams_words(
    teams_world: Teams,
) -> None:
    await set_up(teams_world, installed=("pm", "alice", "sam"), customers={
        "customers_external": PEOPLE["alice"]})  # fmt: skip
    removed = await teams_world.requests.send(bot_removed(teams_world.room()))  # left the channel
    assert removed.status_code < 300, removed.text
    await add_customer(teams_world, PersonRef(Identity(Platform.TEAMS, OTHER_TENANT, BOB), "Bob"))

    told = txt([c.body for c in teams_world.connector.posts(dm(PEOPLE["pm"]))])
    assert BOUNCE in told and "Bob" in told
    assert "@clientloop people" in told and "/loop" not in told


def cards_in_post(body: Json) -> Json:
    [card] = [
        a["content"]
        for a in body.get("attachments", [])
        if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
    ]
    return card
