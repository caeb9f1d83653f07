"""Sign-off remarks and reasons reach the PM and the card; closing takes the Evaluate button
off every evaluation card; the closing summary speaks in words. All through Teams activities."""

from __future__ import annotations

import json

import pytest

from tests.e2e.teams_world import PEOPLE, ROOM, Teams, actions_of, cards_in, set_up_project

REMARKS, REASON = "Fine, mind the logo", "Milestones too tight"


def dm(who: str) -> str:
    return f"a:1personal-{PEOPLE[who]}"


def txt(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def updated_cards(project: Teams, who: str, contains: str) -> list[dict[str, object]]:
    """The cards in the connector's updates (PUT) of that person's chat that mention `contains`."""
    found = [card for c in project.connector.puts(dm(who)) for card in cards_in(c)]
    return [card for card in found if contains in txt(card)]


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    return await set_up_project(teams_world)


async def test_remarks_and_a_reject_reason_reach_the_pm_and_every_card(project: Teams) -> None:
    await project.mention("pm", "signoff charter")
    await project.submit("pm", project.last_card(ROOM), {"title": "Charter 2027", "version": "3"})
    await project.press("alice", dm("alice"), "approve_with_remarks", REMARKS, "Charter 2027")
    await project.press("sam", dm("sam"), "reject", REASON, "Charter 2027")
    told = txt(project.last_card(dm("pm")))
    assert "rejected by Sam" in told and "No answer from" in told
    assert f"Approved with remarks: {REMARKS}" in told and f"Rejected: {REASON}" in told
    for who in ("alice", "carol", "sam"):
        card = updated_cards(project, who, "Charter 2027")[-1]
        assert REMARKS in txt(card) and REASON in txt(card), who
        assert not [a for a in actions_of(card) if a["verb"] != "refresh"], who


async def test_close_now_takes_the_evaluate_button_off_every_evaluation_card(
    project: Teams,
) -> None:
    await project.mention("pm", "close")
    await project.submit("pm", project.last_card(ROOM), {"deliverables": "Website\nCMS"})
    form = await project.press("carol", dm("carol"), "evaluate", contains="Final evaluation")
    await project.submit("carol", form["value"], {
        "verdict_0": "accept_with_remarks", "remarks_0": "Logo too small",
        "verdict_1": "accept", "process_rating": "4"}, in_room=False)  # fmt: skip
    await project.mention("pm", "close now")
    for who in ("alice", "carol"):
        card = updated_cards(project, who, "Final evaluation")[-1]
        assert "WEB is closed" in txt(card), who
        assert not [a for a in actions_of(card) if a["verb"] == "evaluate"], who
        assert "refresh" not in card, who
    summary = txt(project.last_card(ROOM))
    assert "1 accepted with remarks" in summary and "accept_with_remarks" not in summary
