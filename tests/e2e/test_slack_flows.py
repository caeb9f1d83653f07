"""Every flow of PRODUCT.md, driven only through Slack payloads against the real app."""

from __future__ import annotations

import pytest

from handlers.slack import listeners
from tests.e2e.slack_world import ALICE, CAROL, CUSTOMER_TEAM, MO, PM, SAM, Slack, change_request


async def test_project_setup_posts_the_card_and_welcomes_customers_and_sponsor(
    project: Slack,
) -> None:
    card = project.posts("C0001")
    assert card and "WEB · Website" in project.text_of(card[0])
    assert "Wednesdays at 09:30" in project.text_of(card[0])
    for user in (ALICE, CAROL, SAM):
        assert any("Welcome to WEB" in project.text_of(c) for c in project.posts(user)), user
    assert not project.posts(MO)
    assert "Project WEB is set up" in project.last_private()


async def test_a_customer_request_is_accepted_and_the_customer_hears_it(project: Slack) -> None:
    # Alice is external (Slack Connect): no slash command for her, the welcome's button instead.
    await project.press(ALICE, ALICE, "start_request", "Welcome", user_team=CUSTOMER_TEAM)
    await project.fill(ALICE, {"text": "Could we get an FAQ page?"}, user_team=CUSTOMER_TEAM)
    assert "went to the PMs of WEB" in project.last_private()
    await project.press(PM, PM, "accept", "FAQ page")
    told = project.posts(ALICE)[-1]
    assert "was accepted" in project.text_of(told)
    update = project.fake.last("chat.update")
    assert "Accepted" in update.params["text"] and "cl.accept" not in str(update.params["blocks"])


async def test_a_charter_sign_off_is_approved_by_customers_and_sponsor(project: Slack) -> None:
    await project.loop(PM, "signoff charter")
    assert project.modal()["callback_id"] == "cl_form:signoff"
    await project.fill(PM, {"title": "Charter", "link": "https://docs.example/c", "version": "3"})
    for user in (ALICE, CAROL, SAM):
        await project.press(
            user, user, "approve", "Charter", user_team=CUSTOMER_TEAM if user == ALICE else None
        )
    assert "approved" in project.text_of(project.posts(PM)[-1])
    assert "Approved" in project.fake.last("chat.update").params["text"]


async def test_a_change_is_approved_by_sponsor_and_external_customer_and_every_copy_updates(
    project: Slack,
) -> None:
    await project.loop(PM, "checkin")  # PM opens settings: require any one customer
    await project.fill(PM, {"rule": "any"})
    await change_request(project)
    copies = {
        c.params["channel"]
        for c in project.fake.calls_of("chat.postMessage")
        if "Dark mode" in project.text_of(c)
    }
    assert copies == {"C0001", ALICE, CAROL, SAM}
    await project.press(ALICE, ALICE, "approve", "Dark mode", user_team=CUSTOMER_TEAM)
    await project.press(SAM, SAM, "approve", "Dark mode")
    updates = [c for c in project.fake.calls_of("chat.update") if "Dark mode" in c.params["text"]]
    final = {c.params["channel"] for c in updates if "Approved" in c.params["text"]}
    assert final == {"C0001", "D" + ALICE[1:], "D" + CAROL[1:], "D" + SAM[1:]}
    assert all(
        "cl.approve" not in str(c.params["blocks"])
        for c in updates
        if "Approved" in c.params["text"]
    )


async def test_a_reject_without_a_reason_is_refused_at_the_modal(project: Slack) -> None:
    await change_request(project)
    await project.press(CAROL, CAROL, "reject", "Dark mode")
    assert project.modal()["callback_id"] == "cl_form:text"
    response = await project.fill(CAROL, {"text": "   "})
    assert response.json()["response_action"] == "errors"
    assert "reason" in response.json()["errors"]["text"]
    response = await project.fill(CAROL, {"text": "Not in this phase"})
    assert response.status_code == 200 and response.text in ("", "null")
    assert "Rejected by Carol: Not in this phase" in project.fake.last("chat.update").params["text"]


async def test_an_edit_voids_earlier_approvals_and_asks_again(project: Slack) -> None:
    await change_request(project)
    await project.press(SAM, SAM, "approve", "Dark mode")
    before = len(project.posts(SAM))
    await project.press(PM, "C0001", "approve", "Dark mode")  # a PM is no approver
    assert "not waiting on you" in project.last_private()
    await project.requests.click("cl.edit", "change_request:1:", user=PM)  # edit from a link
    await project.settle()
    await project.fill(PM, {"schedule_days": "8"})
    asked_again = project.posts(SAM)[before:]
    assert asked_again and "version 2" in project.text_of(asked_again[-1])
    assert "schedule impact (days)" in project.text_of(asked_again[-1])
    _, value, _ = project.button(SAM, "approve", "version 1")
    await project.requests.click("cl.approve", value, user=SAM, channel=SAM)
    await project.settle()
    assert "now at version 2" in project.last_private()


async def test_a_status_report_is_acknowledged_by_one_and_disputed_by_another(
    project: Slack,
) -> None:
    await project.loop(PM, "report")
    await project.fill(PM, {"period": "Week 48", "rag": "amber", "summary": "On track"})
    assert any("Week 48" in project.text_of(c) for c in project.posts("C0001"))
    await project.press(CAROL, CAROL, "acknowledge", "Week 48")
    await project.press(ALICE, ALICE, "dispute", "Week 48", user_team=CUSTOMER_TEAM)
    await project.fill(ALICE, {"text": "Hosting is not our risk"}, user_team=CUSTOMER_TEAM)
    assert "Disputed" in project.fake.last("chat.update").params["text"]
    assert "Hosting is not our risk" in project.text_of(project.posts(PM)[-1])


async def test_a_checkin_with_an_environment_change_becomes_a_drafted_change_request(
    project: Slack,
) -> None:
    await project.loop(PM, "checkin now")
    assert "Check-ins sent: 2" in project.last_private()
    await project.press(CAROL, CAROL, "answer", "Weekly check-in")
    assert project.modal()["callback_id"] == "cl_form:checkin"
    await project.fill(
        CAROL,
        {
            "rating": "4",
            "text": "Good pace",
            "changed": True,
            "change_what": "Budget freeze from January",
            "change_affects": "Phase 2",
        },
    )
    notice = project.posts(PM)[-1]
    assert "Budget freeze" in project.text_of(notice)
    await project.press(PM, PM, "draft", "Budget freeze")
    modal = project.modal()
    assert modal["callback_id"] == "cl_form:change"
    assert "Budget freeze" in json_of(modal)
    await project.fill(PM, {})
    assert any("Budget freeze" in project.text_of(c) for c in project.posts(ALICE))


def json_of(data: object) -> str:
    import json

    return json.dumps(data)


async def test_an_invitation_is_answered_with_another_time(project: Slack) -> None:
    await project.loop(PM, "invite")
    await project.fill(
        PM, {"invitee": ALICE, "what": "Sprint review", "date": "2027-01-05", "time": "14:00"}
    )
    await project.press(ALICE, ALICE, "propose", "Sprint review", user_team=CUSTOMER_TEAM)
    await project.fill(ALICE, {"text": "Thursday 10:00 New York time"}, user_team=CUSTOMER_TEAM)
    told = project.text_of(project.posts(PM)[-1])
    assert "answered your invitation: proposed" in told and "Thursday 10:00" in told


async def test_close_asks_for_the_final_evaluation_and_posts_the_summary(project: Slack) -> None:
    await project.loop(PM, "close")
    await project.fill(PM, {"deliverables": "Website\nCMS", "anonymous": False})
    for user, team in ((ALICE, CUSTOMER_TEAM), (CAROL, None)):
        await project.press(user, user, "evaluate", "Final evaluation", user_team=team)
        await project.fill(
            user,
            {
                "verdict_0": "accept",
                "verdict_1": "accept_with_remarks",
                "remarks_1": "Slow editor",
                "process_rating": "4",
            },
            user_team=team,
        )
    summary = project.text_of(project.posts("C0001")[-1])
    assert "WEB is closed" in summary and "4.0/5" in summary


async def test_pending_and_digest_come_from_the_core(project: Slack) -> None:
    await change_request(project)
    await project.loop(PM, "pending")
    assert "Dark mode" in project.last_private() or "waiting on" in str(project.fake.responses)
    await project.loop(PM, "digest")
    assert "Digest" in project.last_private()
    await project.loop(MO, "digest")
    assert "only a PM or the sponsor" in project.last_private()


async def test_export_sends_csv_files_through_slacks_upload_methods(project: Slack) -> None:
    await change_request(project)
    await project.loop(PM, "export")
    assert project.fake.calls_of("files.getUploadURLExternal")
    completed = project.fake.last("files.completeUploadExternal")
    assert "web-audit.csv" in str(completed.params)
    assert any(b"ProjectCreated" in body for body in project.fake.uploads.values())
    assert "direct message" in project.last_private()


async def test_the_message_shortcut_sends_a_message_as_a_request(project: Slack) -> None:
    response = await project.requests.shortcut("send_as_request", "Please add SSO", user=CAROL)
    assert response.status_code == 200
    await project.settle()
    modal = project.modal()
    assert modal["callback_id"] == "cl_form:request" and "Please add SSO" in json_of(modal)
    await project.fill(CAROL)
    assert "Please add SSO" in project.text_of(project.posts(PM)[-1])


async def test_the_app_home_shows_what_waits_on_the_person(project: Slack) -> None:
    await change_request(project)
    response = await project.requests.home_opened(SAM)
    assert response.status_code == 200
    home = await project.until("views.publish")
    assert home.params["user_id"] == SAM and "Dark mode" in json_of(home.params["view"])
    assert "cl.approve" in json_of(home.params["view"])
    await project.requests.home_opened(PM)
    pm_home = await project.until("views.publish", 2)
    assert "WEB" in json_of(pm_home.params["view"]) and "1 open" in json_of(pm_home.params["view"])


async def test_help_alone_or_for_an_unknown_word_is_tailored_to_the_caller(project: Slack) -> None:
    await project.loop(MO)
    member_help = project.last_private()
    assert "/loop pending" in member_help and "/loop change" not in member_help
    await project.loop(PM, "frobnicate")
    pm_help = project.last_private()
    assert pm_help.startswith("I don't know 'frobnicate'.") and "/loop change" in pm_help
    await project.loop("USTRANGER", "help", channel="C0009")
    assert "/loop new" in project.last_private()


async def test_a_commands_answer_rides_in_its_acknowledgement(project: Slack) -> None:
    before = len(project.fake.calls_of("response_url"))
    response = await project.loop(PM, "pending")
    body = response.json()
    assert body["response_type"] == "ephemeral" and "Pending" in body["text"]
    assert body["blocks"], "the card's blocks, as a response_url post would carry them"
    assert len(project.fake.calls_of("response_url")) == before, "no second request"


async def test_work_slower_than_the_ack_allows_is_acknowledged_then_answered(
    project: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No time at all for the work before the ack: Slack gets its ack at once, empty, and the
    # answer follows through response_url once the work is done.
    monkeypatch.setattr(listeners, "ANSWER_WITHIN", 0.0)
    response = await project.loop(PM, "help")
    assert response.content == b""
    assert "Here is what you can do here" in str(project.fake.last("response_url").params)
