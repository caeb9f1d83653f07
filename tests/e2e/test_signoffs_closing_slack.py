"""Sign-off remarks and reasons reach the PM and the card; closing takes the Evaluate button
off every evaluation card; the closing summary speaks in words. All through Slack payloads."""

from __future__ import annotations

from tests.e2e.fake_slack import Call
from tests.e2e.slack_world import ALICE, CAROL, CUSTOMER_TEAM, PM, SAM, Slack

REMARKS, REASON = "Fine, mind the logo", "Milestones too tight <!channel>"


def dm_channel(user: str) -> str:
    """The DM conversation Slack gives a message posted to a user id."""
    return "D" + user[1:]


def updates_in(project: Slack, conversation: str, contains: str) -> list[Call]:
    return [
        c
        for c in project.fake.calls_of("chat.update")
        if c.params["channel"] == conversation and contains in project.text_of(c)
    ]


async def ask_for_the_charter(project: Slack) -> None:
    await project.loop(PM, "signoff charter")
    await project.fill(PM, {"title": "Charter 2027", "version": "3"})


async def answer_with_text(project: Slack, user: str, verb: str, text: str) -> None:
    team = CUSTOMER_TEAM if user == ALICE else None
    await project.press(user, user, verb, "Charter 2027", user_team=team)
    assert project.modal()["callback_id"] == "cl_form:text"
    await project.fill(user, {"text": text}, user_team=team)


async def test_remarks_and_a_reject_reason_reach_the_pm_and_every_card(project: Slack) -> None:
    await ask_for_the_charter(project)
    await answer_with_text(project, ALICE, "approve_with_remarks", REMARKS)
    await answer_with_text(project, SAM, "reject", REASON)
    told = project.text_of(project.posts(PM)[-1])
    assert "Charter 2027" in told and "rejected by Sam" in told
    assert "Alice" in told and f"Approved with remarks: {REMARKS}" in told
    assert "Sam" in told and "Rejected: Milestones too tight &lt;!channel&gt;" in told
    assert "<!channel>" not in told and "No answer from" in told and "Carol" in told
    for user in (ALICE, CAROL, SAM):
        card = updates_in(project, dm_channel(user), "Charter 2027")[-1]
        shown = project.text_of(card)
        assert REMARKS in shown and "Milestones too tight &lt;!channel&gt;" in shown, user
        assert "Rejected by Sam" in shown and "cl.approve" not in shown, user


async def test_an_approval_with_remarks_is_quoted_when_the_sign_off_completes(
    project: Slack,
) -> None:
    await ask_for_the_charter(project)
    await answer_with_text(project, CAROL, "approve_with_remarks", REMARKS)
    card = updates_in(project, dm_channel(SAM), "Charter 2027")[-1]
    assert f"Approved with remarks: {REMARKS}" in project.text_of(card)
    assert "cl.approve" in project.text_of(card)  # Sam has not answered yet
    await project.press(ALICE, ALICE, "approve", "Charter 2027", user_team=CUSTOMER_TEAM)
    await project.press(SAM, SAM, "approve", "Charter 2027")
    told = project.text_of(project.posts(PM)[-1])
    assert "Charter 2027': approved" in told and f"Approved with remarks: {REMARKS}" in told
    assert "Carol" in told and "No answer from" not in told


async def close_with_one_customer_unanswered(project: Slack) -> None:
    await project.loop(PM, "close")
    await project.fill(PM, {"deliverables": "Website\nCMS", "anonymous": False})
    await project.press(CAROL, CAROL, "evaluate", "Final evaluation")
    await project.fill(CAROL, {
        "verdict_0": "accept_with_remarks", "remarks_0": "Logo too small",
        "verdict_1": "accept", "process_rating": "4"})  # fmt: skip


async def test_close_now_takes_the_evaluate_button_off_every_evaluation_card(
    project: Slack,
) -> None:
    await close_with_one_customer_unanswered(project)
    carol = updates_in(project, dm_channel(CAROL), "Final evaluation")
    assert carol and "cl.evaluate" not in project.text_of(carol[-1])  # answered: no button
    await project.loop(PM, "close now")
    for user in (ALICE, CAROL):
        card = updates_in(project, dm_channel(user), "Final evaluation")[-1]
        shown = project.text_of(card)
        assert "WEB is closed" in shown and "cl.evaluate" not in shown, user
    await project.requests.click("cl.evaluate", "project:1:", user=ALICE, user_team=CUSTOMER_TEAM)
    await project.settle()
    assert "closed" in project.last_private()


async def test_the_closing_summary_speaks_in_words_not_stored_values(project: Slack) -> None:
    await close_with_one_customer_unanswered(project)
    await project.loop(PM, "close now")
    summary = project.text_of(project.posts("C0001")[-1])
    assert "WEB is closed" in summary and "1 of 2" in summary
    assert "1 accepted with remarks" in summary and "1 accepted" in summary
    assert "accept_with_remarks" not in summary and "before every customer" in summary
