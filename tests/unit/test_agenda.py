"""The scheduler works only due projects, and a project's next-due moment is never late."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.jobs import Ticker
from tests.fakes import FakeUnitOfWork, FixedClock
from tests.unit.conftest import PM, World, ref, setup_project
from workflow.domain.agenda import checkin_followup_at, next_due, next_weekly_at
from workflow.domain.chases import DigestRun
from workflow.domain.checkins import CheckIn
from workflow.domain.commands import Command, Reply
from workflow.domain.projects import CustomerKind, Participant, Project, Role
from workflow.domain.schedule import Cadence
from workflow.flows.change_requests.messages import CreateChangeRequest
from workflow.flows.closing.messages import CloseProject
from workflow.flows.projects.messages import ChangePeople, SetCheckInSchedule
from workflow.messagebus import MessageBus

MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the unit tests' T0
MONDAY_10 = MONDAY_9 + timedelta(hours=1)  # the default check-in time, customers in UTC


class CountingBus(MessageBus):
    """The real bus, counting the projects the scheduler works."""

    def __init__(self, bus: MessageBus) -> None:
        super().__init__(bus.uow_factory, bus.command_handlers, bus.event_handlers,
                         bus.every_event, bus.before_commit)  # fmt: skip
        self.worked: list[int] = []

    async def handle(self, command: Command) -> Reply:
        if type(command).__name__ == "RunSchedule":
            self.worked.append(command.project_id)  # type: ignore[attr-defined]
        return await super().handle(command)


def ticker(world: World) -> tuple[Ticker, CountingBus, FixedClock]:
    bus, clock = CountingBus(world.bus), FixedClock(world.now)
    return Ticker(bus, lambda: FakeUnitOfWork(world.store), clock), bus, clock


def planned(world: World) -> datetime | None:
    return world.store.due[world.project_id]


async def due_ids(world: World, now: datetime) -> list[int]:
    async with FakeUnitOfWork(world.store) as uow:
        return [project_id for _, project_id in await uow.agenda.due(now, 100)]


async def test_a_new_project_is_due_at_once_and_then_planned_for_its_first_checkin(
    world: World,
) -> None:
    await setup_project(world)
    assert await due_ids(world, world.now) == [world.project_id]
    tick, bus, _ = ticker(world)
    assert await tick.tick() == 1
    assert bus.worked == [world.project_id]
    assert planned(world) == MONDAY_10


async def test_an_idle_project_is_not_worked_until_its_next_moment(world: World) -> None:
    await setup_project(world)
    tick, bus, clock = ticker(world)
    await tick.tick()
    for minutes in range(10, 60, 10):
        clock.at = MONDAY_9 + timedelta(minutes=minutes)
        assert await tick.tick() == 0
    assert len(bus.worked) == 1
    clock.at = MONDAY_10
    await tick.tick()
    assert len(world.store.items["CheckIn"]) == 2
    # The scheduler's own check-ins wake nothing: the next moment is tomorrow's reminder.
    assert planned(world) == MONDAY_10 + timedelta(days=1)
    clock.at += timedelta(minutes=30)
    assert await tick.tick() == 0


async def test_a_customer_added_after_this_weeks_slot_gets_their_first_checkin_next_week(
    world: World,
) -> None:
    await setup_project(world)
    tick, _, clock = ticker(world)
    clock.at = world.now = MONDAY_10
    await tick.tick()
    world.now = clock.at = MONDAY_10 + timedelta(hours=2)
    dave = ref("UDAVE", name="Dave")
    await world.do(
        ChangePeople, PM, project_id=world.project_id,
        add=((dave, Role.CUSTOMER, CustomerKind.INTERNAL),),
    )  # fmt: skip
    assert planned(world) == world.now
    await tick.tick()
    dave_id = await world.person_id(dave)
    assert [ci for ci in world.store.items["CheckIn"] if ci.person_id == dave_id] == []
    # Monday 10:00 passed before Dave joined: his first check-in is next Monday's.
    assert planned(world) == MONDAY_10 + timedelta(days=1)  # the others' reminders first
    clock.at = MONDAY_10 + timedelta(days=7)
    await tick.tick()
    sent = [ci.sent_at for ci in world.store.items["CheckIn"] if ci.person_id == dave_id]
    assert sent == [MONDAY_10 + timedelta(days=7)]


async def test_a_change_request_brings_the_project_forward_and_is_chased_in_time(
    world: World,
) -> None:
    await setup_project(world)
    tick, _, clock = ticker(world)
    clock.at = world.now = MONDAY_10
    await tick.tick()
    world.now = clock.at = MONDAY_10 + timedelta(hours=3)
    await world.do(CreateChangeRequest, PM, project_id=world.project_id, title="Dark mode")
    assert planned(world) == world.now
    await tick.tick()
    assert world.store.items["chases"]
    # Reminders (Tuesday) come before the decision's first chase (Wednesday), both planned.
    assert planned(world) == MONDAY_10 + timedelta(days=1)


async def test_a_new_checkin_day_brings_the_project_forward(world: World) -> None:
    await setup_project(world)
    tick, _, clock = ticker(world)
    await tick.tick()
    clock.at = world.tick(minutes=5)
    await world.do(SetCheckInSchedule, PM, project_id=world.project_id, day=0, time=time(9, 30))
    assert planned(world) == world.now
    await tick.tick()  # the clock has not moved: this works out the new schedule
    assert planned(world) == MONDAY_9 + timedelta(minutes=30)


async def test_a_closed_project_is_never_due_again(world: World) -> None:
    await setup_project(world)
    await world.do(CloseProject, PM, project_id=world.project_id)
    tick, bus, clock = ticker(world)
    await tick.tick()
    assert planned(world) is None
    clock.at += timedelta(days=14)
    assert await tick.tick() == 0
    assert len(bus.worked) == 1


LONG_AGO = datetime(2027, 1, 1, tzinfo=UTC)
SYDNEY, NEW_YORK, BERLIN = (
    ZoneInfo("Australia/Sydney"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/Berlin"),
)


def test_the_next_weekly_moment_is_local_across_daylight_saving_changes() -> None:
    friday = datetime(2027, 3, 12, 12, 0, tzinfo=UTC)  # New York moves to EDT on Sunday 14th
    weekly = next_weekly_at(friday, 0, time(9, 0), NEW_YORK, [date(2027, 3, 8)], since=LONG_AGO)
    assert weekly == datetime(2027, 3, 15, 13, 0, tzinfo=UTC)
    friday = datetime(2027, 4, 2, 12, 0, tzinfo=UTC)  # Sydney leaves AEDT on Sunday 4 April
    weekly = next_weekly_at(friday, 0, time(9, 0), SYDNEY, [date(2027, 3, 29)], since=LONG_AGO)
    assert weekly == datetime(2027, 4, 4, 23, 0, tzinfo=UTC)


def test_a_weekly_moment_missed_while_out_of_hours_comes_at_the_next_working_hour() -> None:
    sunday_noon = datetime(2027, 3, 7, 12, 0, tzinfo=UTC)  # Saturday's check-in, not yet sent
    weekly = next_weekly_at(sunday_noon, 5, time(10, 0), BERLIN, [], since=LONG_AGO)
    assert weekly == datetime(2027, 3, 8, 7, 0, tzinfo=UTC)
    back = next_weekly_at(
        sunday_noon, 0, time(9, 0), BERLIN, [], since=LONG_AGO, away_until=date(2027, 3, 10)
    )
    assert back == datetime(2027, 3, 10, 7, 0, tzinfo=UTC)  # Wednesday 08:00, when back


def world_project(customers: dict[int, ZoneInfo]) -> Project:
    project = Project(1, "WEB", "Web", "C1", datetime(2027, 1, 1, tzinfo=UTC), 0, time(9, 0))
    project.participants = [Participant(99, Role.PM)] + [
        Participant(p, Role.CUSTOMER, CustomerKind.INTERNAL) for p in customers
    ]
    project.id = 1
    return project


def test_the_next_due_moment_is_the_earliest_across_zones() -> None:
    zones: dict[int, ZoneInfo] = {1: BERLIN, 2: NEW_YORK, 3: SYDNEY, 99: BERLIN}
    project = world_project({1: BERLIN, 2: NEW_YORK, 3: SYDNEY})
    saturday = datetime(2027, 4, 3, 12, 0, tzinfo=UTC)
    done = [CheckIn(1, p, date(2027, 3, 29), saturday) for p in (1, 2, 3)]
    for checkin in done:
        checkin.state = checkin.state.ANSWERED
    runs = [DigestRun(1, date(2027, 3, 29), saturday, person_id=99)]
    due = next_due(saturday, project, zones.__getitem__, done, [], runs, Cadence())
    assert due == datetime(2027, 4, 4, 23, 0, tzinfo=UTC)  # Monday 09:00 in Sydney, now AEST
    unanswered = CheckIn(1, 2, date(2027, 3, 29), datetime(2027, 3, 29, 13, 0, tzinfo=UTC))
    monday = datetime(2027, 3, 29, 14, 0, tzinfo=UTC)
    checkins = [done[0], unanswered, done[2]]
    reminder = next_due(monday, project, zones.__getitem__, checkins, [], runs, Cadence())
    assert reminder == datetime(2027, 3, 30, 13, 0, tzinfo=UTC)


def test_a_checkin_reminder_overdue_at_night_is_planned_for_the_next_working_hour() -> None:
    sent = datetime(2027, 3, 25, 9, 0, tzinfo=UTC)  # Thursday 10:00 in Berlin
    checkin = CheckIn(1, 1, date(2027, 3, 22), sent)
    night = datetime(2027, 3, 26, 20, 0, tzinfo=UTC)  # the scheduler is back Friday 21:00
    # Not Friday 10:00 (past: due at every tick all night), but Monday 08:00 (summer time).
    assert checkin_followup_at(night, checkin, Cadence(), BERLIN) == datetime(
        2027, 3, 29, 6, 0, tzinfo=UTC
    )
