"""The flows of PRODUCT.md driven only through Teams activities and adaptiveCard/action invokes."""

from __future__ import annotations

import json

import pytest

from tests.e2e.teams_world import PEOPLE, Teams, actions_of, inputs_of
from workflow.domain.changes import ChangeRequest

ROOM = "19:web@thread.tacv2"


def txt(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def dm(who: str) -> str:
    return f"a:1personal-{PEOPLE[who]}"


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    """WEB in the channel: Alice external, Carol internal, Sam sponsor, Mo member."""
    world = teams_world
    await world.install("pm", "alice", "carol", "sam", "mo")
    await world.mention("pm", "new")
    form = world.last_card(ROOM)
    assert {i["id"] for i in inputs_of(form)} >= {"name", "key", "customers_external"}
    answer = await world.submit("pm", form, {
        "name": "Website", "key": "WEB", "customers_internal": PEOPLE["carol"],
        "customers_external": PEOPLE["alice"], "sponsor": PEOPLE["sam"],
        "members": PEOPLE["mo"], "checkin_day": "2", "checkin_time": "09:30"})  # fmt: skip
    assert "Project WEB is set up" in txt(answer), answer
    return world


async def test_setup_posts_the_project_card_in_the_channel_and_welcomes_by_dm(
    project: Teams,
) -> None:
    assert "WEB · Website" in txt(project.last_card(ROOM))
    for who in ("alice", "carol", "sam"):
        assert "Welcome to WEB" in txt(project.last_card(dm(who))), who


async def change(project: Teams) -> None:
    await project.mention("pm", "change")
    await project.submit("pm", project.last_card(ROOM), {
        "title": "Dark mode", "schedule_days": "3", "cost": "1200", "reason": "Asked"})  # fmt: skip


async def test_a_change_is_approved_and_every_copy_is_updated_through_the_connector(
    project: Teams,
) -> None:
    await change(project)
    for who in ("alice", "carol", "sam"):
        assert "Dark mode" in txt(project.last_card(dm(who)))
    puts_before = len(project.connector.puts())
    answer = await project.press("alice", dm("alice"), "approve", contains="Dark mode")
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    await project.press("carol", dm("carol"), "approve", contains="Dark mode")
    await project.press("sam", dm("sam"), "approve", contains="Dark mode")
    updated = {
        c.conversation_id
        for c in project.connector.puts()[puts_before:]
        if "Approved" in txt(c.body)
    }
    assert updated == {ROOM, dm("alice"), dm("carol"), dm("sam")}
    final = project.connector.puts(ROOM)[-1].body
    left = actions_of(final.get("attachments", [{}])[0].get("content", {}))
    assert all(a["verb"] in ("refresh", "evidence") for a in left)  # the PMs' Evidence stays


async def test_a_reject_without_a_reason_is_refused_and_a_member_click_changes_nothing(
    project: Teams,
) -> None:
    await change(project)
    puts = len(project.connector.puts())
    answer = await project.press("carol", dm("carol"), "reject", contains="Dark mode")
    assert answer["type"] == "application/vnd.microsoft.activity.message"
    assert "reason" in answer["value"].lower()
    card = project.last_card_with(dm("carol"), "Dark mode")
    action = next(a for a in actions_of(card) if a["verb"] == "approve")
    answer = await project.invoke("mo", "approve", action["data"])
    assert "not waiting on you" in answer["value"]
    assert len(project.connector.puts()) == puts


async def test_an_invoke_delivered_three_times_has_one_effect(project: Teams) -> None:
    await change(project)
    card = project.last_card_with(dm("sam"), "Dark mode")
    data = next(a for a in actions_of(card) if a["verb"] == "approve")["data"]
    puts = len(project.connector.puts())
    answers = [
        await project.invoke("sam", "approve", data, activity_id="f:same-invoke") for _ in range(3)
    ]
    assert all(a["type"] == "application/vnd.microsoft.card.adaptive" for a in answers)
    assert len(project.connector.puts()) - puts == 4  # one update of each copy, once
    async with project.app.state.runtime.uow() as uow:
        decisions = (await uow.repo(ChangeRequest).find())[0].decisions
    assert len(decisions) == 1


async def test_a_checkin_reaches_each_customer_through_their_own_conversation(
    project: Teams,
) -> None:
    await project.mention("pm", "checkin now")
    for who in ("alice", "carol"):
        assert "Weekly check-in" in txt(project.last_card(dm(who)))
    answer = await project.press("carol", dm("carol"), "answer", contains="Weekly check-in")
    form = answer["value"]
    answer = await project.submit("carol", form, {"rating": "4", "text": "Good"}, in_room=False)
    assert "Thank you for your check-in" in txt(answer)
    assert "You rated this week 4/5" in txt(project.connector.puts(dm("carol"))[-1].body)


async def test_help_in_a_personal_chat_and_an_unknown_word(project: Teams) -> None:
    await project.say("carol", "frobnicate")
    said = project.last_text(dm("carol"))
    assert "I don't know 'frobnicate'" in said


async def test_a_customer_request_is_accepted_and_the_customer_hears_it(project: Teams) -> None:
    welcome = project.last_card_with(dm("alice"), "Welcome to WEB")
    start = next(a for a in actions_of(welcome) if a["verb"] == "start_request")
    form = (await project.invoke("alice", "start_request", start["data"]))["value"]
    answer = await project.submit(
        "alice", form, {"text": "Could we get an FAQ page?"}, in_room=False
    )
    assert "went to the PMs of WEB" in txt(answer)
    await project.press("pm", dm("pm"), "accept", contains="FAQ page")
    assert "was accepted" in txt(project.last_card(dm("alice")))


async def test_a_charter_sign_off_is_approved_by_customers_and_sponsor(project: Teams) -> None:
    await project.mention("pm", "signoff charter")
    await project.submit("pm", project.last_card(ROOM), {"title": "Charter", "version": "3"})
    for who in ("alice", "carol", "sam"):
        await project.press(who, dm(who), "approve", contains="Charter")
    assert "approved" in txt(project.last_card(dm("pm")))


async def test_an_edit_voids_earlier_approvals_and_asks_again(project: Teams) -> None:
    await change(project)
    await project.press("sam", dm("sam"), "approve", contains="Dark mode")
    card = project.last_card_with(ROOM, "Dark mode")
    data = next(a for a in actions_of(card) if a["verb"] == "approve")["data"]
    form = (await project.invoke("pm", "edit", data, in_room=True))["value"]
    await project.submit("pm", form, {"schedule_days": "8"})
    asked = project.last_card_with(dm("sam"), "version 2")
    assert "schedule impact (days)" in txt(asked)
    old = {**data, "version": 1}
    answer = await project.invoke("sam", "approve", old)
    assert "now at version 2" in answer["value"]


async def test_a_report_is_acknowledged_by_one_and_disputed_by_another(project: Teams) -> None:
    await project.mention("pm", "report")
    await project.submit("pm", project.last_card(ROOM), {
        "period": "Week 48", "rag": "amber", "summary": "On track"})  # fmt: skip
    await project.press("carol", dm("carol"), "acknowledge", contains="Week 48")
    await project.press("alice", dm("alice"), "dispute", "Hosting is not our risk", "Week 48")
    assert "Disputed" in txt(project.connector.puts(ROOM)[-1].body)
    assert "Hosting is not our risk" in txt(project.last_card(dm("pm")))


async def test_an_environment_change_in_a_checkin_becomes_a_change_request_draft(
    project: Teams,
) -> None:
    await project.mention("pm", "checkin now")
    form = await project.press("carol", dm("carol"), "answer", contains="Weekly check-in")
    await project.submit("carol", form["value"], {
        "rating": "3", "changed": "true", "change_what": "Budget freeze",
        "change_affects": "Phase 2"}, in_room=False)  # fmt: skip
    draft = await project.press("pm", dm("pm"), "draft", contains="Budget freeze")
    assert "Budget freeze" in txt(draft["value"])
    await project.submit("pm", draft["value"], {}, in_room=False)
    assert "Budget freeze" in txt(project.last_card(dm("alice")))


async def test_an_invitation_is_answered_yes(project: Teams) -> None:
    await project.mention("pm", "invite")
    await project.submit("pm", project.last_card(ROOM), {
        "invitee": PEOPLE["alice"], "what": "Sprint review", "date": "2027-01-05"})  # fmt: skip
    await project.press("alice", dm("alice"), "yes", contains="Sprint review")
    assert "answered your invitation: accepted" in txt(project.last_card(dm("pm")))


async def test_close_with_a_final_evaluation_posts_the_summary(project: Teams) -> None:
    await project.mention("pm", "close")
    await project.submit("pm", project.last_card(ROOM), {"deliverables": "Website\nCMS"})
    for who in ("alice", "carol"):
        form = await project.press(who, dm(who), "evaluate", contains="Final evaluation")
        await project.submit(who, form["value"], {
            "verdict_0": "accept", "verdict_1": "accept", "process_rating": "5"},
            in_room=False)  # fmt: skip
    assert "WEB is closed" in txt(project.last_card(ROOM))


async def test_pending_digest_and_export_answer_in_the_conversation(project: Teams) -> None:
    await change(project)
    await project.mention("pm", "pending")
    assert "Dark mode" in txt(project.last_card(ROOM))
    await project.mention("pm", "digest")
    assert "Digest · WEB" in txt(project.last_card(ROOM))
    await project.mention("pm", "export")
    assert "web-audit.csv" in project.last_text(ROOM)
