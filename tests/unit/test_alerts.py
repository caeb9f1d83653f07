"""What makes an alert to the PMs due, at its boundaries; and that none reaches a PM at night."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.fakes import FakeUnitOfWork
from tests.unit.conftest import PM, World, setup_project
from workflow.domain.alerts import (
    AlertKind,
    next_decision_alert_at,
    rating_drop,
    rating_weeks,
    silent_customers,
    waiting_decisions,
)
from workflow.domain.chases import Chase
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.commands import RunSchedule
from workflow.flows.change_requests.messages import CreateChangeRequest
from workflow.flows.projects.forms import parse_settings, settings_form
from workflow.presentation.forms import Who

NOW = datetime(2026, 12, 16, 12, 0, tzinfo=UTC)  # a Wednesday
WEEKS = [date(2026, 11, 9) + timedelta(weeks=n) for n in range(5)]  # the last is last week
A, M, S = CheckInState.ANSWERED, CheckInState.MISSED, CheckInState.SENT


def checkin(person: int, week: date, state: CheckInState, rating: int | None = None) -> CheckIn:
    return CheckIn(1, person, week, datetime.combine(week, datetime.min.time(), UTC), state, rating)


def test_last_week_is_the_full_utc_week_before_now_and_the_four_before_it_the_baseline() -> None:
    assert rating_weeks(NOW) == (WEEKS[4], tuple(WEEKS[:4]))
    assert rating_weeks(datetime(2026, 12, 13, 23, 59, tzinfo=UTC))[0] == WEEKS[3]


def test_one_missed_checkin_is_not_silence_two_in_a_row_are() -> None:
    one = [checkin(7, WEEKS[3], A, 4), checkin(7, WEEKS[4], M)]
    assert silent_customers(one, [7]) == []
    two = [checkin(7, WEEKS[3], M), checkin(7, WEEKS[4], M), checkin(7, WEEKS[4] + timedelta(7), S)]
    (found,) = silent_customers(two, [7])
    assert (found.kind, found.subject, found.period) == (AlertKind.SILENT, "person:7", "2026-11-30")


def test_a_longer_silence_keeps_its_key_and_an_answer_starts_a_new_one() -> None:
    three = [checkin(7, w, M) for w in WEEKS[2:]]
    assert [f.period for f in silent_customers(three, [7])] == ["2026-11-23"]
    broken = [checkin(7, WEEKS[0], M), checkin(7, WEEKS[1], M), checkin(7, WEEKS[2], A, 3)]
    assert silent_customers(broken, [7]) == []
    assert silent_customers(three, [8]) == []  # only the project's customers count


def test_a_rating_drop_of_one_and_a_half_alerts_and_one_of_one_point_four_does_not() -> None:
    baseline = [checkin(7, WEEKS[0], A, 5), checkin(8, WEEKS[3], A, 4)]  # 4.5
    (found,) = rating_drop([*baseline, checkin(7, WEEKS[4], A, 3)], 1, NOW)
    assert (found.period, found.figures) == ("2026-12-07", (3.0, 4.5, 1.0))
    baseline_44 = [checkin(7, w, A, r) for w, r in zip(WEEKS[:4], (5, 4, 4, 5), strict=True)]
    baseline_44.append(checkin(8, WEEKS[1], A, 4))  # 22 / 5 = 4.4
    assert rating_drop([*baseline_44, checkin(7, WEEKS[4], A, 3)], 1, NOW) == []


def test_no_rating_drop_without_answers_on_both_sides_or_from_older_weeks() -> None:
    assert rating_drop([checkin(7, WEEKS[4], A, 1)], 1, NOW) == []
    older = checkin(7, WEEKS[0] - timedelta(weeks=1), A, 5)
    assert rating_drop([older, checkin(7, WEEKS[4], A, 1)], 1, NOW) == []


def test_a_decision_alerts_once_it_has_waited_the_threshold_from_its_first_ask() -> None:
    asked = NOW - timedelta(days=5)
    chases = [
        Chase("change", 3, 7, 2, 1, asked),
        Chase("change", 3, 8, 2, 1, asked + timedelta(hours=1)),
    ]
    assert waiting_decisions(chases, 5, NOW - timedelta(minutes=1)) == []
    (found,) = waiting_decisions(chases, 5, NOW)
    assert (found.subject, found.period, found.people) == ("change:3", "v2", (7, 8))
    assert next_decision_alert_at(chases, 5, set()) == NOW
    assert next_decision_alert_at(chases, 5, {found.key}) is None


async def test_an_alert_due_at_the_weekend_waits_for_the_pms_monday_morning(world: World) -> None:
    await setup_project(world)
    await world.do(CreateChangeRequest, PM, project_id=world.project_id, title="Dark mode")

    async def tick(at: datetime) -> list[str]:
        async with FakeUnitOfWork(world.store) as uow:
            await uow.agenda.wake(world.project_id, at)
            await uow.commit()
        await world.do(RunSchedule, None, project_id=world.project_id, at=at)
        pm = await world.person_id(PM)
        return [m.view.title for m in world.sent_to(pm) if "has waited" in m.view.title]

    await tick(world.now)
    saturday = world.now + timedelta(days=5)  # the default threshold: 5 days
    assert await tick(saturday) == []
    monday_8 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert world.store.due[world.project_id] == monday_8
    assert len(await tick(monday_8)) == 1
    assert len(await tick(monday_8 + timedelta(hours=3))) == 1


def test_the_settings_form_sets_the_decision_alert_threshold() -> None:
    form = settings_form({"project_id": 4}, 0, "10:00", "all", None, "parallel", 7)
    assert next(f.initial for f in form.fields if f.name == "alert_days") == "7"
    values: dict[str, object] = {"checkin_day": "0", "checkin_time": "10:00", "rule": "all",
                                 "order": "parallel", "alert_days": "9"}  # fmt: skip
    command = parse_settings(values, {"project_id": 4}, Who(PM, NOW), {})
    assert command.alert_days == 9  # type: ignore[attr-defined]
