"""A simulated six weeks of scheduling in four time zones, across daylight-saving changes."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from scheduler.jobs import Ticker
from tests.fakes import FakeUnitOfWork, FixedClock, Store
from tests.unit.conftest import PM, SPONSOR, World, ref
from workflow.domain.checkins import CheckInState
from workflow.domain.projects import CustomerKind
from workflow.domain.schedule import add_working_days, allowed_at, checkin_due, in_window
from workflow.domain.views import Outgoing, ViewKind
from workflow.flows import make_bus
from workflow.flows.change_requests.messages import CreateChangeRequest
from workflow.flows.checkins.messages import AnswerCheckIn
from workflow.flows.projects.messages import CreateProject, SetAway

ZONES = {
    "UBER": "Europe/Berlin",
    "UNYC": "America/New_York",
    "UKOL": "Asia/Kolkata",
    "USYD": "Australia/Sydney",
}
START = datetime(2027, 2, 28, 12, 0, tzinfo=UTC)  # before Monday 1 March everywhere
FIRST_WEEK = date(2027, 3, 1)  # US DST starts 14 Mar, EU 28 Mar, Sydney's ends 4 Apr
END = datetime(2027, 4, 12, 0, 0, tzinfo=UTC)
STEP = timedelta(minutes=30)
WEEKS = 6


def test_quiet_hours_and_working_days_are_local() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    friday_evening = datetime(2027, 3, 26, 18, 30, tzinfo=UTC)  # 19:30 in Berlin
    assert not in_window(friday_evening, berlin)
    assert allowed_at(friday_evening, berlin) == datetime(2027, 3, 29, 6, 0, tzinfo=UTC)
    assert add_working_days(friday_evening, 2, berlin).astimezone(berlin).weekday() == 1
    sydney, since = ZoneInfo("Australia/Sydney"), START
    sunday_7am_sydney = datetime(2027, 3, 6, 20, 0, tzinfo=UTC)  # a Sunday check-in's time...
    assert checkin_due(sunday_7am_sydney, 6, time(7, 0), sydney, since) != date(2027, 3, 1)
    monday_8am = datetime(2027, 3, 7, 21, 0, tzinfo=UTC)  # the Sunday check-in waits for Monday
    assert checkin_due(monday_8am, 6, time(7, 0), sydney, since) == date(2027, 3, 1)


Simulation = tuple[World, list[tuple[datetime, Outgoing]]]


@pytest.fixture(scope="module")
def simulated() -> Simulation:
    """Six weeks, ticking every 30 minutes, run once for all the tests of this module."""
    store = Store()
    return asyncio.run(simulate(World(store, make_bus(lambda: FakeUnitOfWork(store)))))


async def simulate(world: World) -> Simulation:
    world.now = START
    customers = tuple(
        (
            ref(u, tz=z, name=u),
            CustomerKind.EXTERNAL if u in ("UNYC", "USYD") else CustomerKind.INTERNAL,
        )
        for u, z in ZONES.items()
    )
    pm = ref(PM.identity.user_id, tz="Europe/Berlin", name="Pam")
    await world.do(
        CreateProject,
        pm,
        platform="slack",
        workspace_id="T1",
        channel_id="C1",  # type: ignore[arg-type]
        name="Web",
        key="WEB",
        customers=customers,
        sponsor=ref(SPONSOR.identity.user_id, tz="Europe/Berlin", name="Sam"),
        checkin_day=0,
        checkin_time=time(9, 0),
    )
    project = world.store.items["projects"][0].id
    await world.do(
        CreateChangeRequest,
        pm,
        project_id=project,
        title="Dark mode",
        at=datetime(2027, 3, 1, 9, 0, tzinfo=UTC),
    )
    clock = FixedClock(START)
    ticker = Ticker(world.bus, lambda: FakeUnitOfWork(world.store), clock)
    away_from = datetime(2027, 3, 10, tzinfo=UTC)
    while clock.at < END:
        if clock.at == away_from:  # Kolkata is away in the week of 15 March
            await world.do(
                SetAway,
                ref("UKOL", tz=ZONES["UKOL"]),
                project_id=project,
                until=date(2027, 3, 22),
                at=clock.at,
            )
        await ticker.tick()
        await _berlin_answers(world, clock.at)
        clock.at += STEP
    return world, [(at, m) for m, at in world.store.outbox]


async def _berlin_answers(world: World, now: datetime) -> None:
    berlin = next(p.id for p in world.store.items["people"] if p.identity.user_id == "UBER")
    for checkin in world.store.items["CheckIn"]:
        if checkin.person_id == berlin and checkin.state is CheckInState.SENT:
            await world.do(AnswerCheckIn, ref("UBER"), checkin_id=checkin.id, rating=4, at=now)


def person_ids(world: World) -> dict[str, int]:
    return {p.identity.user_id: p.id for p in world.store.items["people"]}


async def test_each_customer_gets_one_checkin_a_week_at_nine_local_time(
    simulated: Simulation,
) -> None:
    world, _ = simulated
    ids = person_ids(world)
    for user, zone in ZONES.items():
        sent = sorted(
            ci.sent_at for ci in world.store.items["CheckIn"]
            if ci.person_id == ids[user] and FIRST_WEEK <= ci.week < date(2027, 4, 12)
        )  # fmt: skip
        expected = WEEKS - 1 if user == "UKOL" else WEEKS  # away in the week of 15 March
        assert len(sent) == expected, user
        local = [s.astimezone(ZoneInfo(zone)) for s in sent]
        assert all((t.weekday(), t.time()) == (0, time(9, 0)) for t in local), (user, local)
        weeks = Counter(t.date() for t in local)
        assert set(weeks.values()) == {1}


async def test_unanswered_checkins_get_one_reminder_then_count_as_missed(
    simulated: Simulation,
) -> None:
    world, _ = simulated
    ids = person_ids(world)
    by_person = defaultdict(list)
    for ci in world.store.items["CheckIn"]:
        by_person[ci.person_id].append(ci)
    assert all(ci.state is CheckInState.ANSWERED for ci in by_person[ids["UBER"]])
    for user in ("UNYC", "USYD", "UKOL"):
        for ci in by_person[ids[user]]:
            if ci.sent_at < END - timedelta(days=3):
                assert ci.state is CheckInState.MISSED, user
                assert ci.reminded_at == ci.sent_at + timedelta(hours=24)


async def test_nothing_scheduled_reaches_anyone_outside_their_working_hours(
    simulated: Simulation,
) -> None:
    world, outbox = simulated
    zone_of = {p.id: p.zone for p in world.store.items["people"]}
    scheduled = [
        (at, m)
        for at, m in outbox
        if m.to
        and m.to.person_id
        and (m.view.title.startswith(("Reminder", "Weekly", "Still waiting", "Digest")))
    ]
    assert len(scheduled) > 40
    for at, message in scheduled:
        assert in_window(at, zone_of[message.to.person_id]), (at, message.view.title)  # type: ignore[union-attr]


async def test_an_open_decision_is_reminded_three_times_then_escalated_once(
    simulated: Simulation,
) -> None:
    world, outbox = simulated
    ids = person_ids(world)
    sponsor = ids[SPONSOR.identity.user_id]
    reminders = [
        at
        for at, m in outbox
        if m.to and m.to.person_id == sponsor and m.view.title.startswith("Reminder: CR-")
    ]
    assert len(reminders) == 3
    gaps = [b - a for a, b in pairwise(reminders)]
    assert all(timedelta(days=2) <= g <= timedelta(days=4) for g in gaps)
    escalations = [(at, m) for at, m in outbox if m.view.title.startswith("Still waiting on Sam")]
    assert {m.to.person_id for _, m in escalations if m.to} == {sponsor, ids["UPM"]}
    assert len(escalations) == 2  # one to the sponsor, one to the PM
    assert all(at > reminders[-1] for at, _ in escalations)


async def test_the_pm_gets_the_digest_once_a_week(
    simulated: Simulation,
) -> None:
    _, outbox = simulated
    digests = [
        at
        for at, m in outbox
        if m.view.kind is ViewKind.INFO and m.view.title.startswith("Digest · WEB")
    ]
    assert len(digests) == WEEKS
    berlin = ZoneInfo("Europe/Berlin")
    assert all(d.astimezone(berlin).time() == time(9, 0) for d in digests)
