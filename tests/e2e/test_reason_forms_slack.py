"""Slack: a Reject button opens its reason modal only for an approver who may decide now."""

from __future__ import annotations

import pytest

from tests.e2e.slack_world import ALICE, CUSTOMER_TEAM, MO, Slack, change_request

STAN = "USTAN"  # in the workspace, in no project


@pytest.mark.parametrize("who", [MO, STAN], ids=["member", "stranger"])
async def test_reject_opens_the_reason_modal_for_the_approver_and_nobody_else(
    project: Slack, who: str
) -> None:
    project.fake.add_user(STAN, real_name="Stan")
    await change_request(project)
    modals = len(project.fake.calls_of("views.open"))
    await project.press(who, "C0001", "reject", "Dark mode")
    assert "This change request is not waiting on you" in project.last_private()
    assert len(project.fake.calls_of("views.open")) == modals, "no modal for them"
    await project.press(ALICE, ALICE, "reject", "Dark mode", user_team=CUSTOMER_TEAM)
    assert len(project.fake.calls_of("views.open")) == modals + 1
    assert project.modal()["callback_id"] == "cl_form:text"
