"""The scheduler keeps people's hours: nothing for a week before someone was there, a missed
slot caught up once, and every reminder, escalation and digest in its recipient's own hours."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.jobs import Ticker
from tests.fakes import FakeUnitOfWork, FixedClock, Store
from tests.unit.conftest import World, ref
from workflow.domain.checkins import occurrence_at
from workflow.domain.commands import PersonRef
from workflow.domain.people import Platform
from workflow.domain.projects import CustomerKind, Role
from workflow.domain.schedule import allowed_at
from workflow.flows import make_bus
from workflow.flows.change_requests.messages import CreateChangeRequest
from workflow.flows.projects.messages import ChangePeople, CreateProject

LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")
BERLIN, LOS_ANGELES = ZoneInfo("Europe/Berlin"), ZoneInfo("America/Los_Angeles")
ZONES = ("Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney",
         "Asia/Kolkata", "America/Los_Angeles", "Pacific/Auckland", "UTC")  # fmt: skip
# Weeks around the daylight-saving changes of 2027: the US on 14 March and 7 November,
# Europe on 28 March and 31 October, Sydney and Auckland on 4 April.
DST_WEEKS = (date(2027, 3, 8), date(2027, 3, 22), date(2027, 3, 29), date(2027, 10, 25),
             date(2027, 11, 1))  # fmt: skip
PM_REF = ref("UPM", name="Pam", tz="Europe/Berlin")
HALF_HOUR = timedelta(minutes=30)


def world() -> World:
    store = Store()
    return World(store, make_bus(lambda: FakeUnitOfWork(store)))


def ticker(w: World, at: datetime) -> tuple[Ticker, FixedClock]:
    clock = FixedClock(at)
    return Ticker(w.bus, lambda: FakeUnitOfWork(w.store), clock), clock


async def create(
    w: World,
    customers: tuple[tuple[PersonRef, CustomerKind], ...],
    day: int,
    at: time,
    pm: PersonRef = PM_REF,
    sponsor: PersonRef | None = None,
) -> int:
    reply = await w.do(
        CreateProject, pm, platform=Platform.SLACK, workspace_id="T1", channel_id="C1",
        name="Website", key="WEB", customers=customers, sponsor=sponsor,
        checkin_day=day, checkin_time=at,
    )  # fmt: skip
    assert reply.subject_id is not None
    w.project_id = reply.subject_id
    return reply.subject_id


def planned(w: World) -> datetime | None:
    return w.store.due[w.project_id]


async def follow_the_agenda(w: World, tick: Ticker, clock: FixedClock, until: datetime) -> None:
    """A perfect scheduler: tick now, then exactly at each moment the agenda plans, which
    must always lie ahead (a past moment would make the project due at every tick)."""
    while True:
        await tick.tick()
        due = planned(w)
        assert due is None or due > clock.at, (clock.at, due)
        if due is None or due > until:
            return
        clock.at = due


async def tick_every(tick: Ticker, clock: FixedClock, until: datetime, step: timedelta) -> None:
    while clock.at < until:
        await tick.tick()
        clock.at += step


def checkins_of(w: World, person_id: int) -> list[datetime]:
    return sorted(ci.sent_at for ci in w.store.items["CheckIn"] if ci.person_id == person_id)


def sent(w: World, title: str) -> list[tuple[datetime, int]]:
    """(when, to whom) of each message to a person whose title starts with `title`."""
    return [
        (at, m.to.person_id)
        for m, at in w.store.outbox
        if m.to and m.to.person_id and m.view.title.startswith(title)
    ]


def next_real_slot(after: datetime, day: int, at: time, zone: ZoneInfo) -> datetime:
    """The first weekly moment at or after `after`, moved into working hours: the oracle."""
    start = after.astimezone(zone).date() - timedelta(days=7)
    days = (start + timedelta(days=n) for n in range(22))
    slots = (
        allowed_at(occurrence_at(d - timedelta(days=d.weekday()), day, at, zone), zone)
        for d in days
        if d.weekday() == day
    )
    return next(s for s in slots if s >= after)


moments = st.builds(
    lambda week, minutes: datetime.combine(week, time(0), tzinfo=UTC) + timedelta(minutes=minutes),
    st.sampled_from(DST_WEEKS),
    st.integers(0, 7 * 24 * 60 - 1),
)
slots = st.tuples(st.integers(0, 6), st.integers(0, 47).map(lambda n: time(n // 2, n % 2 * 30)))


# -- A check-in is due at the project's day and each customer's local time, since they joined


async def test_a_project_created_on_wednesday_asks_its_tokyo_customer_first_on_friday() -> None:
    w = world()
    w.now = wednesday_7 = datetime(2027, 3, 3, 7, 0, tzinfo=UTC)
    tokyo = ref("UTKO", name="TKO", tz="Asia/Tokyo")
    await create(w, ((tokyo, CustomerKind.INTERNAL),), day=4, at=time(10, 0))
    tick, clock = ticker(w, wednesday_7)
    await tick.tick()
    assert sent(w, "Weekly check-in") == []  # nothing for the week before the project
    await follow_the_agenda(w, tick, clock, wednesday_7 + timedelta(days=7))
    friday_10_tokyo = datetime(2027, 3, 5, 1, 0, tzinfo=UTC)
    assert checkins_of(w, await w.person_id(tokyo)) == [friday_10_tokyo]


async def test_a_new_york_customer_of_a_friday_project_is_not_asked_on_thursday() -> None:
    w = world()
    w.now = wednesday = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)
    new_york = ref("UNYC", name="NYC", tz="America/New_York")
    await create(w, ((new_york, CustomerKind.INTERNAL),), day=4, at=time(10, 0))
    tick, clock = ticker(w, wednesday)
    await tick_every(tick, clock, datetime(2027, 3, 12, 14, 0, tzinfo=UTC), HALF_HOUR)
    assert checkins_of(w, await w.person_id(new_york)) == []  # all of Thursday, and Friday 9:00
    await tick_every(tick, clock, datetime(2027, 3, 12, 16, 0, tzinfo=UTC), HALF_HOUR)
    friday_10_new_york = datetime(2027, 3, 12, 15, 0, tzinfo=UTC)  # EST until Sunday 14th
    assert checkins_of(w, await w.person_id(new_york)) == [friday_10_new_york]


@settings(max_examples=120, deadline=None)
@given(created=moments, zone=st.sampled_from(ZONES), slot=slots)
def test_a_project_created_at_any_moment_sends_its_first_checkin_at_the_next_real_slot(
    created: datetime, zone: str, slot: tuple[int, time]
) -> None:
    day, at = slot

    async def first_checkin() -> datetime | None:
        w = world()
        w.now = created
        customer = ref("UC", name="Cy", tz=zone)
        await create(w, ((customer, CustomerKind.INTERNAL),), day, at)
        tick, clock = ticker(w, created)
        await follow_the_agenda(w, tick, clock, created + timedelta(days=8))
        return next(iter(checkins_of(w, await w.person_id(customer))), None)

    expected = next_real_slot(created, day, at, ZoneInfo(zone))
    assert asyncio.run(first_checkin()) == expected


@settings(max_examples=80, deadline=None)
@given(added=moments, zone=st.sampled_from(ZONES), slot=slots)
def test_a_customer_added_at_any_moment_gets_their_first_checkin_at_the_next_real_slot(
    added: datetime, zone: str, slot: tuple[int, time]
) -> None:
    day, at = slot
    newcomer = ref("UNEW", name="Nia", tz=zone)

    async def first_checkin() -> datetime | None:
        w = world()
        w.now = added - timedelta(days=30)
        await create(w, ((ref("UOLD", name="Olaf", tz=zone), CustomerKind.INTERNAL),), day, at)
        w.now = added
        await w.do(
            ChangePeople, PM_REF, project_id=w.project_id,
            add=((newcomer, Role.CUSTOMER, CustomerKind.INTERNAL),),
        )  # fmt: skip
        tick, clock = ticker(w, added)
        await follow_the_agenda(w, tick, clock, added + timedelta(days=8))
        return next(iter(checkins_of(w, await w.person_id(newcomer))), None)

    expected = next_real_slot(added, day, at, ZoneInfo(zone))
    assert asyncio.run(first_checkin()) == expected


async def test_a_slot_missed_while_the_scheduler_was_down_two_hours_is_caught_up_once() -> None:
    w = world()
    w.now = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    london = ref("ULON", name="Lon", tz="Europe/London")
    await create(w, ((london, CustomerKind.INTERNAL),), day=0, at=time(9, 0))
    monday_9_bst = datetime(2027, 3, 29, 8, 0, tzinfo=UTC)  # the first Monday of summer time
    tick, clock = ticker(w, monday_9_bst - timedelta(days=7, hours=1))
    await tick_every(tick, clock, monday_9_bst - timedelta(hours=1), HALF_HOUR)
    clock.at = monday_9_bst + timedelta(hours=1)  # down from 08:00 to 10:00 London
    await tick_every(tick, clock, monday_9_bst + timedelta(days=6), HALF_HOUR)
    person = await w.person_id(london)
    weeks = [ci.week for ci in w.store.items["CheckIn"] if ci.person_id == person]
    assert checkins_of(w, person)[-1] == monday_9_bst + timedelta(hours=1)
    assert weeks.count(date(2027, 3, 29)) == 1
    assert [at.astimezone(LONDON).time() for at, _ in sent(w, "Weekly check-in")] == [
        time(9, 0),  # the week before, on time (GMT)
        time(10, 0),  # caught up when the scheduler came back
    ]


# -- Reminders and escalations wait for each recipient's working hours


async def chased_change(
    w: World, customer: PersonRef, asked: datetime, sponsor: PersonRef | None = None
) -> None:
    """A project (check-ins on Sundays: out of the way) and a change request asked `asked`."""
    w.now = asked - timedelta(days=1)
    await create(w, ((customer, CustomerKind.INTERNAL),), 6, time(7, 0), sponsor=sponsor)
    w.now = asked
    await w.do(CreateChangeRequest, PM_REF, project_id=w.project_id, title="Dark mode")


async def test_a_reminder_due_while_the_bot_was_down_waits_for_the_persons_morning() -> None:
    w = world()
    london = ref("ULON", name="Lon", tz="Europe/London")
    wednesday_8 = datetime(2027, 3, 24, 8, 0, tzinfo=UTC)  # London is on GMT until Sunday
    await chased_change(w, london, wednesday_8)
    tick, clock = ticker(w, wednesday_8)
    await tick.tick()
    clock.at = datetime(2027, 3, 26, 20, 0, tzinfo=UTC)  # Friday 20:00: back after 2 days
    await tick.tick()
    assert sent(w, "Reminder: CR-") == []
    assert planned(w) == datetime(2027, 3, 29, 6, 0, tzinfo=UTC)  # the PM's Monday, not now
    await tick_every(tick, clock, datetime(2027, 3, 30, tzinfo=UTC), HALF_HOUR)
    assert [at for at, _ in sent(w, "Reminder: CR-")] == [datetime(2027, 3, 29, 7, 0, tzinfo=UTC)]


async def test_an_escalation_due_at_night_waits_for_each_recipients_working_hour() -> None:
    w = world()
    london, sponsor = ref("ULON", name="Lon", tz="Europe/London"), ref("USP", tz="Asia/Tokyo")
    monday_9 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    await chased_change(w, london, monday_9, sponsor=sponsor)
    tick, clock = ticker(w, monday_9)
    await tick_every(tick, clock, datetime(2027, 1, 12, 18, 0, tzinfo=UTC), HALF_HOUR)
    assert len(sent(w, "Reminder: CR-")) == 3  # the escalation is due on Thursday 14th
    clock.at = datetime(2027, 1, 22, 20, 0, tzinfo=UTC)  # down ten days, back Friday 20:00
    await tick.tick()
    assert sent(w, "Still waiting") == []
    assert planned(w) == datetime(2027, 1, 24, 23, 0, tzinfo=UTC)  # Monday 08:00 in Tokyo
    await tick_every(tick, clock, datetime(2027, 1, 26, tzinfo=UTC), HALF_HOUR)
    sponsor_id, pm = await w.person_id(sponsor), await w.person_id(PM_REF)
    assert sent(w, "Still waiting") == [
        (datetime(2027, 1, 24, 23, 0, tzinfo=UTC), sponsor_id),  # Monday 08:00 in Tokyo
        (datetime(2027, 1, 25, 7, 0, tzinfo=UTC), pm),  # Monday 08:00 in Berlin
    ]


async def test_an_escalation_reaches_a_sponsor_eight_hours_from_the_pm_in_her_own_hours() -> None:
    w = world()
    customer = ref("UCUS", name="Cus", tz="Europe/Berlin")
    sponsor = ref("USPO", name="Sia", tz="America/Los_Angeles")
    monday_8_berlin = datetime(2027, 3, 15, 7, 0, tzinfo=UTC)  # LA on PDT, Berlin on CET
    await chased_change(w, customer, monday_8_berlin, sponsor=sponsor)
    tick, clock = ticker(w, monday_8_berlin)
    await tick_every(tick, clock, monday_8_berlin + timedelta(days=14), HALF_HOUR)
    pm, sia = await w.person_id(PM_REF), await w.person_id(sponsor)
    escalations = sent(w, "Still waiting on Cus")
    assert [to for _, to in escalations] == [pm, sia]  # each once
    (to_pm, _), (to_sia, _) = escalations
    assert to_pm == datetime(2027, 3, 25, 7, 0, tzinfo=UTC)  # due Thursday 08:00 in Berlin
    assert to_sia.astimezone(LOS_ANGELES) == datetime(2027, 3, 25, 8, 0, tzinfo=LOS_ANGELES)
    assert to_sia - to_pm == timedelta(hours=8)


# -- Each PM's digest at the check-in time in their own zone, since they became a PM


async def test_each_pm_gets_the_digest_at_the_checkin_time_in_their_own_zone() -> None:
    w = world()
    w.now = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)  # a Wednesday
    await create(w, ((ref("UCUS", tz="Europe/Berlin"), CustomerKind.INTERNAL),), 0, time(9, 0))
    w.now = datetime(2027, 3, 9, 12, 0, tzinfo=UTC)  # Tuesday: a second PM, in New York
    nora = ref("UNORA", name="Nora", tz="America/New_York")
    await w.do(ChangePeople, PM_REF, project_id=w.project_id, add=((nora, Role.PM, None),))
    tick, clock = ticker(w, w.now)
    await tick_every(tick, clock, datetime(2027, 3, 23, tzinfo=UTC), HALF_HOUR)
    pam, nora_id = await w.person_id(PM_REF), await w.person_id(nora)
    digests = sent(w, "Digest · WEB")
    to_pam = [at.astimezone(BERLIN) for at, to in digests if to == pam]
    to_nora = [at.astimezone(NEW_YORK) for at, to in digests if to == nora_id]
    assert [(d.date(), d.time()) for d in to_pam] == [
        (date(2027, 3, 9), time(13, 0)),  # 8 March's, missed (no scheduler ran): caught up
        (date(2027, 3, 15), time(9, 0)),
        (date(2027, 3, 22), time(9, 0)),
    ]
    assert [(d.date(), d.time()) for d in to_nora] == [  # none for a week before she came
        (date(2027, 3, 15), time(9, 0)),
        (date(2027, 3, 22), time(9, 0)),
    ]
