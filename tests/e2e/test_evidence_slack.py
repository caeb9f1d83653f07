"""A PM presses Evidence on a decided change request in Slack and is answered privately."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.slack_world import ALICE, CAROL, CUSTOMER_TEAM, MO, PM, SAM, Slack, change_request

CHANNEL = "C0001"
STRANGER = "USTRANGER"


def evidence_button(world: Slack, channel: str) -> str:
    """The value of the Evidence button on the newest copy of the card in `channel`."""
    for call in reversed(
        world.fake.calls_of("chat.update") + world.fake.calls_of("chat.postMessage")
    ):
        if call.params.get("channel") != channel:
            continue
        blocks: Any = call.params.get("blocks")
        for block in json.loads(blocks) if isinstance(blocks, str) else blocks or []:
            for element in block.get("elements", []) if block.get("type") == "actions" else []:
                if element["action_id"] == "cl.evidence":
                    return str(element["value"])
    raise AssertionError(f"no Evidence button in {channel}")


def said_in_full(world: Slack) -> str:
    """The last private answer as its blocks hold it (the fallback `text` stops at 3,000)."""
    private = ("response_url", "chat.postEphemeral")
    call = [c for c in world.fake.calls if c.method in private][-1]
    blocks: Any = call.params.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks or []
    return "\n".join(b["text"]["text"] for b in blocks if b.get("type") == "section")


async def decided(project: Slack) -> None:
    await change_request(project)
    await project.press(ALICE, ALICE, "approve", "Dark mode", user_team=CUSTOMER_TEAM)
    await project.press(CAROL, CAROL, "approve", "Dark mode")
    await project.press(SAM, SAM, "approve", "Dark mode")


async def press_evidence(project: Slack, user: str, **kw: Any) -> None:
    value = evidence_button(project, CHANNEL)
    response = await project.requests.click("cl.evidence", value, user=user, channel=CHANNEL, **kw)
    assert response.status_code == 200, response.text
    await project.settle()


async def test_the_pms_evidence_button_on_the_decided_card_answers_privately(
    project: Slack,
) -> None:
    await change_request(project)
    await project.press(ALICE, ALICE, "approve", "Dark mode", user_team=CUSTOMER_TEAM)
    with pytest.raises(AssertionError, match="no Evidence button"):
        evidence_button(project, CHANNEL)  # still open: nothing to give evidence of
    await project.press(CAROL, CAROL, "approve", "Dark mode")
    await project.press(SAM, SAM, "approve", "Dark mode")
    in_channel = len(project.posts(CHANNEL))

    await press_evidence(project, PM)

    said = said_in_full(project)
    assert project.last_private().startswith("Evidence for CR-1")
    assert said.startswith("Evidence for CR-1 · Dark mode (WEB · Website)"), said
    assert "Audit chain: verified" in said and "Every hash matches the audit trail." in said
    assert "Alice (external customer) approved version 1" in said
    assert "workspace TCUST, user UALICE" in said and "(America/New_York)" in said
    assert "Sam (sponsor) approved version 1" in said
    assert said.count("ChangeDecided") == 3
    assert len(project.posts(CHANNEL)) == in_channel  # nothing was said in the channel


async def test_the_pm_finds_evidence_on_the_outcome_message_too(project: Slack) -> None:
    await decided(project)
    await project.press(PM, PM, "evidence", "Dark mode")
    assert "Evidence for CR-1" in project.last_private()


async def test_a_member_or_a_stranger_pressing_evidence_is_refused_privately(
    project: Slack,
) -> None:
    await decided(project)

    await press_evidence(project, MO)
    assert "only a PM can see the evidence of decisions" in project.last_private()
    await press_evidence(project, ALICE, user_team=CUSTOMER_TEAM)
    assert "only a PM can see the evidence of decisions" in project.last_private()
    await press_evidence(project, STRANGER)
    said = project.last_private()
    assert "You are not part of project WEB" in said and "Evidence for" not in said
    assert not any("Evidence for" in text for text in project.said_privately())
