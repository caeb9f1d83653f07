"""Teams: after a check-in was missed, a PM's `pending` and `digest` say who missed which
week; a customer's pending does not."""

from __future__ import annotations

import json

import pytest

from tests.e2e.missed_checkins import miss_open_checkins, week_words
from tests.e2e.teams_world import PEOPLE, ROOM, Teams, set_up_project

MISSED = "Missed check-ins (last 4 weeks)"


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    return await set_up_project(teams_world)


def shown(card: dict[str, object]) -> str:
    return json.dumps(card, ensure_ascii=False)


async def alices_missed_week(project: Teams) -> str:
    await project.mention("pm", "checkin now")
    missed = await miss_open_checkins(project.app.state.runtime)
    async with project.app.state.runtime.uow() as uow:
        [alice] = await uow.people.find(display_name="Alice")
    return week_words(missed[alice.id])


async def test_pending_names_who_missed_which_week_to_the_pm_and_the_sponsor(
    project: Teams,
) -> None:
    week = await alices_missed_week(project)
    for who in ("pm", "sam"):
        await project.mention(who, "pending")
        card = shown(project.last_card(ROOM))
        assert MISSED in card and f"Alice — {week}" in card, card


async def test_a_customers_pending_names_no_missed_checkins(project: Teams) -> None:
    await alices_missed_week(project)
    await project.say("carol", "pending")
    card = shown(project.last_card(f"a:1personal-{PEOPLE['carol']}"))
    assert "Pending" in card and MISSED not in card and "Alice" not in card


async def test_the_digest_names_who_missed_which_week(project: Teams) -> None:
    week = await alices_missed_week(project)
    await project.mention("pm", "digest")
    card = shown(project.last_card(ROOM))
    assert "Digest · WEB" in card and MISSED in card and f"Alice — {week}" in card, card
