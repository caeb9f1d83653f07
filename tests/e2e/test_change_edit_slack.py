"""A PM edits a change request from Slack: the Edit button or `/loop change edit CR-1`."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.slack_world import ALICE, CAROL, CUSTOMER_TEAM, PM, SAM, Slack, change_request

CHANNEL = "C0001"


def initial_values(modal: dict[str, Any]) -> dict[str, Any]:
    """What each input of a modal shows before anyone types (by field name)."""
    found: dict[str, Any] = {}
    for block in modal["blocks"]:
        if block.get("type") == "input":
            element = block["element"]
            found[block["block_id"]] = next(
                (element[k] for k in ("initial_value", "initial_date") if k in element), None
            )
    return found


def has_button(world: Slack, conversation: str, verb: str, contains: str) -> bool:
    try:
        world.button(conversation, verb, contains)
    except AssertionError:
        return False
    return True


def updates_of(world: Slack, channel: str) -> list[str]:
    return [
        json.dumps(c.params.get("blocks")) + str(c.params.get("text"))
        for c in world.fake.calls_of("chat.update")
        if c.params.get("channel") == channel
    ]


async def test_the_pm_edits_from_the_channel_card_and_approvers_are_asked_again(
    project: Slack,
) -> None:
    await change_request(project)
    await project.press(CAROL, CAROL, "approve", "Dark mode")
    assert has_button(project, CHANNEL, "edit", "Dark mode")
    assert not has_button(project, CAROL, "edit", "Dark mode")  # approvers' copies: no Edit
    asked_before = {who: len(project.posts(who)) for who in (ALICE, CAROL, SAM)}

    await project.press(PM, CHANNEL, "edit", "Dark mode")
    modal = project.modal()
    assert modal["callback_id"] == "cl_form:change"
    assert initial_values(modal) == {
        "title": "Dark mode",
        "description": "Add a dark theme",
        "scope": None,
        "schedule_days": "3",
        "cost": "1200",
        "reason": "Customer ask",
        "due": None,
    }
    response = await project.fill(PM, {"cost": "1500"})
    assert response.status_code == 200 and response.text in ("", "null"), response.text

    channel_card = updates_of(project, CHANNEL)[-1]
    assert "version 2" in channel_card and "1,500" in channel_card
    assert "Carol" in channel_card.split("Waiting on", 1)[1]  # her approval no longer counts
    for who in (ALICE, CAROL, SAM):
        again = project.posts(who)[asked_before[who] :]
        assert again and "version 2" in project.text_of(again[-1]), who
        assert "cost" in project.text_of(again[-1]), who
    _, old, _ = project.button(CAROL, "approve", "version 1")
    await project.requests.click("cl.approve", old, user=CAROL, channel=CAROL)
    await project.settle()
    assert "now at version 2" in project.last_private()


async def test_change_edit_cr_1_opens_the_same_filled_in_form(project: Slack) -> None:
    await change_request(project)
    for words in ("change edit CR-1", "change edit 1"):
        opened = len(project.fake.calls_of("views.open"))
        await project.loop(PM, words)
        assert len(project.fake.calls_of("views.open")) == opened + 1, words
        values = initial_values(project.modal())
        assert (values["title"], values["cost"], values["schedule_days"]) == (
            "Dark mode",
            "1200",
            "3",
        )
    await project.fill(PM, {"title": "Dark mode, phase 1"})
    assert "Dark mode, phase 1 (version 2)" in updates_of(project, CHANNEL)[-1]


async def test_a_customer_pressing_edit_is_refused_privately_and_no_form_opens(
    project: Slack,
) -> None:
    await change_request(project)
    opened = len(project.fake.calls_of("views.open"))
    await project.press(CAROL, CHANNEL, "edit", "Dark mode")
    assert "only a PM" in project.last_private()
    await project.press(ALICE, CHANNEL, "edit", "Dark mode", user_team=CUSTOMER_TEAM)
    assert "only a PM" in project.last_private()
    assert len(project.fake.calls_of("views.open")) == opened


async def test_an_unknown_a_decided_or_a_garbled_change_request_is_refused_in_words(
    project: Slack,
) -> None:
    await change_request(project)
    opened = len(project.fake.calls_of("views.open"))
    await project.loop(PM, "change edit CR-99")
    assert "There is no change request CR-99 in this project" in project.last_private()
    await project.loop(PM, "change edit")
    assert "Say which change request to edit, e.g. `change edit CR-2`" in project.last_private()
    await project.loop(PM, "cr edit the dark one")
    assert "'the dark one' names no change request" in project.last_private()
    for who in (ALICE, CAROL, SAM):
        await project.press(
            who, who, "approve", "Dark mode", user_team=CUSTOMER_TEAM if who == ALICE else None
        )
    assert "Approved" in updates_of(project, CHANNEL)[-1]
    assert "cl.edit" not in updates_of(project, CHANNEL)[-1]
    await project.loop(PM, "change edit CR-1")
    assert "CR-1 is approved, so it can't be edited any more" in project.last_private()
    assert len(project.fake.calls_of("views.open")) == opened


async def test_another_projects_change_request_is_refused_in_this_channel(
    project: Slack,
) -> None:
    await change_request(project)
    await project.loop(PM, "new", channel="C0002")
    await project.fill(PM, {"name": "App", "key": "APP", "customers_internal": [CAROL]})
    opened = len(project.fake.calls_of("views.open"))
    await project.loop(PM, "change edit CR-1", channel="C0002")
    assert "There is no change request CR-1 in this project" in project.last_private()
    await project.press(PM, CHANNEL, "edit", "Dark mode", channel="C0002")
    assert "belongs to another project" in project.last_private()
    assert len(project.fake.calls_of("views.open")) == opened


async def test_a_rejected_change_request_can_be_edited_from_the_pms_message(
    project: Slack,
) -> None:
    await change_request(project)
    await project.press(SAM, SAM, "reject", "Dark mode")
    await project.fill(SAM, {"text": "Too expensive"})
    told = project.posts(PM)[-1]
    assert "Rejected by Sam: Too expensive" in project.text_of(told)
    assert "cl.edit" in updates_of(project, CHANNEL)[-1]  # the channel card keeps Edit
    await project.press(PM, PM, "edit", "Too expensive")
    assert initial_values(project.modal())["cost"] == "1200"
    await project.fill(PM, {"cost": "900"})
    assert "Waiting on" in updates_of(project, CHANNEL)[-1]
    assert "version 2" in project.text_of(project.posts(SAM)[-1])


async def test_the_pm_can_edit_from_the_question_card_and_the_question_is_closed(
    project: Slack,
) -> None:
    await change_request(project)
    await project.press(CAROL, CAROL, "ask", "Dark mode")
    await project.fill(CAROL, {"text": "Which pages?"})
    assert "Which pages?" in project.text_of(project.posts(PM)[-1])
    await project.press(PM, PM, "edit", "Which pages?")
    await project.fill(PM, {"scope": "Every page but the blog"})
    channel_card = updates_of(project, CHANNEL)[-1]
    assert "version 2" in channel_card and "Every page but the blog" in channel_card
    assert "Waiting on" in channel_card and "Paused" not in channel_card


def last_home(world: Slack, user: str) -> dict[str, Any]:
    published = [c for c in world.fake.calls_of("views.publish") if c.params["user_id"] == user]
    assert published, f"no Home was published to {user}"
    view = published[-1].params["view"]
    return json.loads(view) if isinstance(view, str) else dict(view)


async def open_home(world: Slack, user: str) -> dict[str, Any]:
    before = len(world.fake.calls_of("views.publish"))
    await world.requests.home_opened(user)
    await world.until("views.publish", before + 1)
    await world.settle()
    return last_home(world, user)


def home_buttons(home: dict[str, Any], verb: str) -> list[dict[str, Any]]:
    return [
        e
        for block in home["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
        if e["action_id"] == f"cl.{verb}"
    ]


async def test_the_pms_home_lists_change_requests_still_editable_with_edit(
    project: Slack,
) -> None:
    await change_request(project)
    await change_request(project, "Search box")
    home = await open_home(project, PM)
    assert "Your change requests" in json.dumps(home)
    edits = home_buttons(home, "edit")
    assert [e["value"].split(":")[1] for e in edits] == ["2", "1"]  # newest first
    assert not home_buttons(await open_home(project, CAROL), "edit")  # an approver's Home

    response = await project.requests.click("cl.edit", edits[1]["value"], user=PM, home=True)
    assert response.status_code == 200
    await project.settle()
    assert initial_values(project.modal())["title"] == "Dark mode"

    for who in (ALICE, CAROL, SAM):
        await project.press(
            who, who, "approve", "Search box", user_team=CUSTOMER_TEAM if who == ALICE else None
        )
    edits = home_buttons(await open_home(project, PM), "edit")
    assert [e["value"].split(":")[1] for e in edits] == ["1"]  # approved: no longer listed


async def test_the_due_date_is_shown_as_set_and_kept_when_left_alone(project: Slack) -> None:
    await project.loop(PM, "change")
    await project.fill(PM, {"title": "Dark mode", "cost": "1200", "due": "2027-01-15"})
    await project.loop(PM, "change edit CR-1")
    assert initial_values(project.modal())["due"] == "2027-01-15"
    await project.fill(PM, {"cost": "1300"})
    card = updates_of(project, CHANNEL)[-1]
    assert "Changed in version 2: cost" in card and "due" not in card.split("Changed in", 1)[1]
    assert "2027-01-15 23:00 UTC" in card  # the end of the 15th where the PM lives, as set
