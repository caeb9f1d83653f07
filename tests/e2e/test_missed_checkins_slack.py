"""Slack: after a check-in was missed, a PM's `/loop pending` and `/loop digest` say who
missed which week; a customer's pending does not."""

from __future__ import annotations

import json

from tests.e2e.fake_slack import Call
from tests.e2e.missed_checkins import miss_open_checkins, week_words
from tests.e2e.slack_world import ALICE, CAROL, PM, SAM, Slack

MISSED = "Missed check-ins (last 4 weeks)"


def shown(call: Call) -> str:
    blocks = call.params.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks or []
    return json.dumps(blocks, ensure_ascii=False)


def last_private_call(project: Slack) -> Call:
    private = ("ack", "response_url", "chat.postEphemeral")
    return [c for c in project.fake.calls if c.method in private][-1]


async def alices_missed_week(project: Slack) -> str:
    await project.loop(PM, "checkin now")
    missed = await miss_open_checkins(project.app.state.runtime)
    async with project.app.state.runtime.uow() as uow:
        [alice] = await uow.people.find(display_name="Alice")
    return week_words(missed[alice.id])


async def test_pending_names_who_missed_which_week_to_the_pm_and_the_sponsor(
    project: Slack,
) -> None:
    week = await alices_missed_week(project)
    for who in (PM, SAM):
        await project.loop(who, "pending")
        answer = shown(last_private_call(project))
        assert MISSED in answer and f"Alice — {week}" in answer, answer


async def test_a_customers_pending_names_no_missed_checkins(project: Slack) -> None:
    await alices_missed_week(project)
    await project.loop(CAROL, "pending")
    answer = shown(last_private_call(project))
    assert "Pending" in json.dumps(last_private_call(project).params) and MISSED not in answer
    assert "Alice" not in answer and ALICE not in answer


async def test_the_digest_names_who_missed_which_week(project: Slack) -> None:
    week = await alices_missed_week(project)
    await project.loop(PM, "digest")
    digest = next(
        c for c in reversed(project.fake.calls) if "Digest · WEB" in str(c.params.get("text"))
    )
    answer = shown(digest)
    assert MISSED in answer and f"Alice — {week}" in answer, answer
