"""Teams as a real tenant sends it: Action.Submit fallbacks, redeliveries, template text in
cards, the signing-key fetch beside the event loop, and export words (issue 12, items 4, 8)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.app import create_app
from bot.settings import Settings
from bot.teams_wiring import TeamsParts
from tests.card_schema import problems
from tests.e2e.teams_client import TeamsRequests
from tests.e2e.teams_client import mention as mention_activity
from tests.e2e.teams_client import message as message_activity
from tests.e2e.teams_world import (
    PEOPLE,
    ROOM,
    Teams,
    actions_of,
    row_counts,
    set_up_project,
)
from tests.e2e.test_teams_auth import CLIENT_ID, SIGNING_KEY, KeyServer, activity, token
from workflow.domain.changes import ChangeRequest

MANIFEST = Path(__file__).resolve().parents[2] / "appPackage" / "manifest.json"
TEMPLATE = "{{DATE(2027-01-01T00:00:00Z)}}"
ZERO_WIDTH = "\u200b"
KEYS_DELAY = 1.5  # seconds the slow key server takes to answer
TICK = 0.01


def txt(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def dm(who: str) -> str:
    return f"a:1personal-{PEOPLE[who]}"


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    return await set_up_project(teams_world)


async def change(project: Teams) -> None:
    await project.mention("pm", "change")
    await project.submit("pm", project.last_card(ROOM), {
        "title": "Dark mode", "schedule_days": "3", "cost": "1200", "reason": "Asked"})  # fmt: skip


def fallback_of(card: dict[str, Any], verb: str) -> dict[str, Any]:
    """What an older client sends for a button: its Action.Submit fallback's data."""
    action = next(a for a in actions_of(card) if a["verb"] == verb)
    assert action["fallback"]["type"] == "Action.Submit"
    return dict(action["fallback"]["data"])


async def submit_by_fallback(project: Teams, who: str, value: dict[str, Any]) -> None:
    """A message activity whose `value` is the pressed button's data, as Teams sends it."""
    activity = message_activity(project.chat(who), "")
    activity.pop("text")
    activity["value"] = value
    response = await project.requests.send(activity)
    assert response.status_code < 300, response.text
    await project.settle()


async def decisions(project: Teams) -> int:
    async with project.app.state.runtime.uow() as uow:
        return len((await uow.repo(ChangeRequest).find())[0].decisions)


async def test_an_action_submit_fallback_of_approve_records_the_decision(project: Teams) -> None:
    await change(project)
    card = project.last_card_with(dm("carol"), "Dark mode")

    await submit_by_fallback(project, "carol", fallback_of(card, "approve"))

    assert await decisions(project) == 1
    said = project.connector.posts(dm("carol"))[-1].body.get("text", "")
    assert "your decision on CR-1 is recorded" in said
    updated = project.connector.puts(dm("carol"))[-1].body
    assert "approve" not in [a["verb"] for a in actions_of(updated)]


async def test_a_strangers_action_submit_fallback_is_refused_and_writes_nothing(
    project: Teams,
) -> None:
    await change(project)
    value = fallback_of(project.last_card_with(dm("carol"), "Dark mode"), "approve")
    before = await row_counts(project.app)

    await submit_by_fallback(project, "mo", value)

    assert "not waiting on you" in project.last_text(dm("mo"))
    assert await row_counts(project.app) == before


async def test_a_fallback_reject_carries_its_reason_and_a_fallback_form_is_submitted(
    project: Teams,
) -> None:
    await change(project)
    value = fallback_of(project.last_card_with(dm("sam"), "Dark mode"), "reject")
    await submit_by_fallback(project, "sam", value | {value["input"]: "Over budget"})
    assert "Over budget" in txt(project.connector.puts(ROOM)[-1].body)

    welcome = project.last_card_with(dm("alice"), "Welcome to WEB")
    await submit_by_fallback(project, "alice", fallback_of(welcome, "start_request"))
    form = project.last_card(dm("alice"))
    await submit_by_fallback(project, "alice", fallback_of(form, "submit_form") | {"text": "FAQ"})
    assert "went to the PMs of WEB" in txt(project.connector.posts(dm("alice"))[-1].body)


async def test_an_activity_delivered_twice_gets_one_visible_reply(project: Teams) -> None:
    again = mention_activity(project.room("pm"), "checkin now")
    replies = len(project.connector.posts(ROOM))

    for _ in range(2):
        assert (await project.requests.send(again)).status_code < 300
        await project.settle()

    assert len(project.connector.posts(ROOM)) == replies + 1
    assert "already done" not in project.last_text(ROOM)


async def test_a_customers_template_expression_reaches_the_pm_as_typed_text(
    project: Teams,
) -> None:
    welcome = project.last_card_with(dm("alice"), "Welcome to WEB")
    start = next(a for a in actions_of(welcome) if a["verb"] == "start_request")
    form = (await project.invoke("alice", "start_request", start["data"]))["value"]

    await project.submit("alice", form, {"text": f"Launch on {TEMPLATE}"}, in_room=False)

    shown = txt(project.last_card_with(dm("pm"), "Launch on"))
    assert "{{DATE" not in shown
    assert f"Launch on {TEMPLATE}" in shown.replace(ZERO_WIDTH, "")


async def test_export_in_teams_never_says_download(project: Teams) -> None:
    await project.mention("pm", "help")
    helped = project.last_text(ROOM)
    await project.mention("pm", "export")
    exported = project.last_text(ROOM)
    commands = json.loads(MANIFEST.read_text())["bots"][0]["commandLists"]

    assert "export" in helped and "web-audit.csv" in exported
    for said in (helped, exported, json.dumps(commands)):
        assert "download" not in said.lower()


def test_the_card_check_allows_teams_typeahead_and_nothing_else() -> None:
    people = {"type": "Data.Query", "dataset": "graph.microsoft.com/users"}
    picker = {"type": "Input.ChoiceSet", "id": "who", "choices": [], "choices.data": people}
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [picker]}

    assert problems(card) == []
    assert problems({**card, "version": "1.6"})
    assert problems({**card, "body": [{**picker, "choices.data": {"type": "Data.Other"}}]})
    assert problems({**card, "body": [{"type": "TextBlock", "text": "x" * 30_000}]})
    typo = {"type": "Action.Submit", "titel": ""}
    fallback = {"type": "Action.Execute", "verb": "v", "fallback": typo}
    assert problems({**card, "actions": [fallback]})


class SlowKeyServer(KeyServer):
    """The key server, taking its time over the keys (on its own loop and thread)."""

    async def _keys(self, request: web.Request) -> web.Response:
        await asyncio.sleep(KEYS_DELAY)
        return await super()._keys(request)


async def test_fetching_the_signing_keys_leaves_the_event_loop_free(e2e_database_url: str) -> None:
    server = SlowKeyServer(SIGNING_KEY)
    server.start()
    settings = Settings(_env_file=None, database_url=e2e_database_url, client_id=CLIENT_ID,
                        client_secret="loopback-secret",
                        clientloop_teams_openid_metadata_url=server.metadata_url)  # fmt: skip
    app = create_app(settings, run_scheduler=False, teams_parts=TeamsParts())
    loop, gaps = asyncio.get_running_loop(), [0.0]

    async def tick() -> None:
        while True:
            before = loop.time()
            await asyncio.sleep(TICK)
            gaps.append(loop.time() - before)

    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as http:
                ticker = asyncio.create_task(tick())
                await asyncio.sleep(TICK * 3)  # ticking before the request comes in
                response = await TeamsRequests(http).send(activity(), token())
                await asyncio.sleep(TICK * 3)  # the ticker notes how late it woke
                ticker.cancel()
    finally:
        server.stop()

    assert response.status_code == 200
    assert max(gaps) < KEYS_DELAY / 3, f"the loop stood still for {max(gaps):.2f} s"
