"""Words after `/loop invite|people|request|notice|feedback` fill the form (mentions as the
people), and `/loop checkin now` skips customers who are away and says until when."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from scheduler.jobs import Ticker
from tests.e2e.slack_world import ALICE, CAROL, CUSTOMER_TEAM, MO, PM, Slack
from tests.fakes import FixedClock
from workflow.domain.checkins import CheckIn
from workflow.domain.people import Identity, Platform

Json = dict[str, Any]
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


def elements(modal: Json) -> dict[str, Json]:
    """The modal's input elements by field name."""
    return {b["block_id"]: b["element"] for b in modal["blocks"] if b.get("type") == "input"}


async def test_invite_with_a_mention_opens_the_form_with_the_customer_and_topic_filled_in(
    project: Slack,
) -> None:
    await project.loop(PM, "invite <@UALICE|alice> Budget review")
    fields = elements(project.modal())
    assert project.modal()["callback_id"] == "cl_form:invite"
    assert fields["invitee"].get("initial_user") == ALICE
    assert fields["what"].get("initial_value") == "Budget review"
    await project.fill(PM)  # as it opened
    assert "Alice is invited" in project.last_private()
    card = project.posts(ALICE)[-1]
    assert "Budget review" in project.text_of(card)
    await project.press(ALICE, ALICE, "yes", "Budget review", user_team=CUSTOMER_TEAM)
    assert "Alice answered your invitation" in project.text_of(project.posts(PM)[-1])


async def test_people_with_mentions_opens_the_form_with_them_chosen(project: Slack) -> None:
    project.fake.add_user("UELI", real_name="Eli")
    await project.loop(PM, "people <@UELI|eli> <@UMO|mo>")
    fields = elements(project.modal())
    assert project.modal()["callback_id"] == "cl_form:people"
    assert fields["users"].get("initial_users") == ["UELI", MO]
    await project.fill(PM, {"role": "customer_internal"})
    assert any("Welcome to WEB" in project.text_of(c) for c in project.posts("UELI"))


async def test_people_remove_with_a_role_word_ticks_remove_and_chooses_the_role(
    project: Slack,
) -> None:
    await project.loop(PM, "people remove <@UMO> member")
    fields = elements(project.modal())
    assert fields["users"].get("initial_users") == [MO]
    assert fields["role"]["initial_option"]["value"] == "member"
    assert fields["remove"].get("initial_options"), fields["remove"]
    await project.fill(PM)
    async with project.app.state.runtime.uow() as uow:
        web = (await uow.projects.find())[0]
        mo = (await uow.people.find(identity=Identity(Platform.SLACK, "T0001", MO)))[0]
    assert not web.roles_of(mo.id), project.said_privately()


@pytest.mark.parametrize(
    ("word", "field"), [("request", "text"), ("notice", "what"), ("feedback", "text")]
)
async def test_text_after_the_word_is_sent_with_mentions_and_escapes_read_as_typed(
    project: Slack, word: str, field: str
) -> None:
    forms = len(project.fake.calls_of("views.open"))
    await project.loop(CAROL, f"{word} Need the logo in SVG from <@UMO|mo> &amp; Sam &lt;3")
    assert len(project.fake.calls_of("views.open")) == forms, "sent at once, no form"
    said = project.text_of(project.posts(PM)[-1])
    assert "Need the logo in SVG from @Mo &amp; Sam &lt;3" in said, said
    assert "UMO" not in said


async def test_checkin_now_skips_a_customer_who_is_away_and_says_until_when(
    project: Slack,
) -> None:
    today = datetime.now(UTC).date()
    back = today + timedelta(days=30)
    await project.loop(CAROL, f"away until {back.isoformat()}")
    asked_before = len(project.posts(CAROL))
    await project.loop(PM, "checkin now")
    answer = project.last_private()
    assert f"skipped 1: Carol away until {back.day} {MONTHS[back.month - 1]}" in answer, answer
    assert "Check-ins sent: 1" in answer
    assert len(project.posts(CAROL)) == asked_before
    assert "Weekly check-in" in project.text_of(project.posts(ALICE)[-1])
    weeks = await _scheduled_week_after(project, today)
    assert weeks == {"Alice": 2}, "the weekly check-in skips her too"


async def _scheduled_week_after(project: Slack, today: date) -> dict[str, int]:
    """The scheduler's run on a later week's check-in day (Wednesday), after 09:30 in New
    York; then how many check-ins each customer has had (the run's messages are due at its
    own, later, time: the check-ins themselves say who was asked)."""
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 + 7)
    at = datetime.combine(wednesday, datetime.min.time(), tzinfo=UTC) + timedelta(hours=20)
    runtime = project.app.state.runtime
    await Ticker(runtime.bus, runtime.uow, FixedClock(at)).tick()
    async with runtime.uow() as uow:
        asked = [c.person_id for c in await uow.repo(CheckIn).find()]
        names = {p.id: p.label for p in await uow.people.get_many(set(asked))}
    return dict(Counter(names[i] for i in asked))
