"""Check-ins: one per customer and week, answers, notices, and local time across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tests.unit.conftest import ALICE, CAROL, MEMBER, PM, World
from workflow.domain import commands as c
from workflow.domain.checkins import CheckInState, due_week, occurrence_at, week_of
from workflow.domain.errors import Refused
from workflow.domain.views import ViewKind
from workflow.flows.change_requests.messages import CreateChangeRequest
from workflow.flows.checkins.messages import AnswerCheckIn, SendCheckIns
from workflow.flows.projects.messages import SetAway


async def send(world: World) -> c.Reply:
    return await world.do(SendCheckIns, PM, project_id=world.project_id)


def checkin_of(world: World, person_id: int) -> int:
    return next(ci.id for ci in world.store.items["CheckIn"] if ci.person_id == person_id)


async def test_one_checkin_per_customer_and_week(world: World, project: int) -> None:
    assert "sent: 2" in (await send(world)).text
    assert "sent: 0" in (await send(world)).text
    assert len(world.store.items["CheckIn"]) == 2
    world.tick(days=7)
    await send(world)
    assert len(world.store.items["CheckIn"]) == 4


async def test_a_customer_away_gets_no_checkin(world: World, project: int) -> None:
    await world.do(SetAway, ALICE, until=date(2027, 1, 4))
    await send(world)
    alice = await world.person_id(ALICE)
    assert all(ci.person_id != alice for ci in world.store.items["CheckIn"])


async def test_the_checkin_lists_every_decision_waiting_on_the_customer(
    world: World, project: int
) -> None:
    await world.do(CreateChangeRequest, PM, project_id=project, title="Blog")
    await send(world)
    alice = await world.person_id(ALICE)
    card = next(m for m in world.sent_to(alice) if m.view.kind is ViewKind.CHECKIN)
    assert [v.kind for v in card.view.items] == [ViewKind.CHANGE_REQUEST]
    assert {"answer", "start_request", "start_notice", "start_feedback"} <= {
        b.verb for b in card.view.buttons
    }


async def test_an_answer_with_an_environment_change_becomes_a_notice_for_the_pms(
    world: World, project: int
) -> None:
    await send(world)
    alice = await world.person_id(ALICE)
    await world.do(
        AnswerCheckIn,
        ALICE,
        checkin_id=checkin_of(world, alice),
        rating=4,
        text="Good pace",
        environment_changed=True,
        change_what="New CFO freezes budgets",
        change_affects="Phase 2",
    )
    checkin = world.item("checkins", checkin_of(world, alice))
    assert (checkin.state, checkin.rating) == (CheckInState.ANSWERED, 4)
    notice = world.store.items["Notice"][0]
    assert notice.checkin_id == checkin.id and notice.what == "New CFO freezes budgets"
    pm_card = world.sent_to(await world.person_id(PM))[-1]
    assert pm_card.view.kind is ViewKind.NOTICE
    assert pm_card.view.buttons[0].verb == "draft"


async def test_only_the_customer_answers_and_the_rating_is_one_to_five(
    world: World, project: int
) -> None:
    await send(world)
    alice = await world.person_id(ALICE)
    with pytest.raises(Refused, match="someone else"):
        await world.do(AnswerCheckIn, CAROL, checkin_id=checkin_of(world, alice), rating=3)
    with pytest.raises(Refused, match="1 \\(poor\\) to 5"):
        await world.do(AnswerCheckIn, ALICE, checkin_id=checkin_of(world, alice), rating=6)


async def test_only_pms_send_checkins_now(world: World, project: int) -> None:
    with pytest.raises(Refused, match="only a PM can send check-ins now"):
        await world.do(SendCheckIns, MEMBER, project_id=project)


BERLIN, SYDNEY = ZoneInfo("Europe/Berlin"), ZoneInfo("Australia/Sydney")


def test_the_local_time_holds_across_daylight_saving() -> None:
    before = occurrence_at(date(2026, 3, 23), 0, time(9, 0), BERLIN)
    after = occurrence_at(date(2026, 3, 30), 0, time(9, 0), BERLIN)
    assert (before.hour, after.hour) == (8, 7)  # CET then CEST
    assert after.astimezone(BERLIN).time() == time(9, 0)


def test_a_time_skipped_by_the_clock_change_moves_past_the_gap() -> None:
    sunday = occurrence_at(date(2026, 3, 23), 6, time(2, 30), BERLIN)  # 29 March 02:30
    assert sunday.astimezone(BERLIN).time() == time(3, 30)


def test_a_week_is_counted_in_the_customers_own_zone() -> None:
    monday_morning_sydney = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)  # Mon 09:00 in Sydney
    assert week_of(monday_morning_sydney, SYDNEY) == date(2026, 11, 30)
    assert week_of(monday_morning_sydney, BERLIN) == date(2026, 11, 23)
    assert due_week(monday_morning_sydney, 0, time(9, 0), SYDNEY) == date(2026, 11, 30)
    assert due_week(monday_morning_sydney, 0, time(9, 1), SYDNEY) is None
