"""A chase steps only inside the working hours of whom it reaches, and plans no past moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from workflow.domain.chases import Chase, DigestRun, digest_weeks
from workflow.domain.schedule import Cadence, in_window

CADENCE = Cadence()
ZONES = st.sampled_from(
    [ZoneInfo(z) for z in ("Europe/London", "America/New_York", "Asia/Tokyo",
                           "America/Los_Angeles", "Australia/Sydney", "UTC")]
)  # fmt: skip
ASKED = datetime(2027, 3, 22, 9, 0, tzinfo=UTC)  # Europe's last week of winter time
later = st.integers(0, 30 * 24 * 60).map(lambda minutes: ASKED + timedelta(minutes=minutes))


def reminded_enough() -> Chase:
    chase = Chase("change", 1, 5, 1, 1, ASKED)
    chase.reminders, chase.last_reminded_at = CADENCE.max_reminders, ASKED
    return chase


@given(now=later, zone=ZONES, reminders=st.integers(0, CADENCE.max_reminders))
def test_a_chases_next_step_is_never_before_now_and_always_in_working_hours(
    now: datetime, zone: ZoneInfo, reminders: int
) -> None:
    chase = Chase("change", 1, 5, 1, 1, ASKED, reminders=reminders, last_reminded_at=ASKED)
    step = chase.next_step_at(now, CADENCE, zone, {7: zone, 8: ZoneInfo("Asia/Kolkata")})
    assert step is not None and step >= now
    assert in_window(step, zone) or in_window(step, ZoneInfo("Asia/Kolkata"))


@given(now=later, zone=ZONES)
def test_a_reminder_is_never_recorded_outside_the_persons_working_hours(
    now: datetime, zone: ZoneInfo
) -> None:
    chase = Chase("change", 1, 5, 1, 1, ASKED)
    if chase.remind(now, CADENCE, zone):
        assert in_window(now, zone) and chase.last_reminded_at == now
    else:
        assert chase.reminders == 0


@given(now=later, zones=st.lists(ZONES, min_size=1, max_size=4))
def test_an_escalation_reaches_each_recipient_once_and_only_in_their_own_hours(
    now: datetime, zones: list[ZoneInfo]
) -> None:
    chase, recipients = reminded_enough(), dict(enumerate(zones, start=10))
    told = chase.escalate(now, CADENCE, zones[0], recipients)
    assert all(in_window(now, recipients[p]) for p in told)
    assert chase.escalated_to == told
    again = chase.escalate(now, CADENCE, zones[0], recipients)
    assert again == []


def test_the_escalation_waits_for_a_recipient_whose_day_has_not_begun() -> None:
    berlin, los_angeles = ZoneInfo("Europe/Berlin"), ZoneInfo("America/Los_Angeles")
    chase, recipients = reminded_enough(), {1: berlin, 2: los_angeles}
    due = datetime(2027, 3, 24, 9, 0, tzinfo=UTC)  # two working days on: 10:00 in Berlin
    assert chase.escalate(due, CADENCE, berlin, recipients) == [1]
    assert chase.next_step_at(due, CADENCE, berlin, recipients) == datetime(
        2027, 3, 24, 15, 0, tzinfo=UTC
    )  # 08:00 in Los Angeles
    assert chase.escalate(due + timedelta(hours=6), CADENCE, berlin, recipients) == [2]
    assert chase.escalated_at == due and chase.escalated_to == [1, 2]
    assert chase.next_step_at(due + timedelta(hours=6), CADENCE, berlin, recipients) is None


def test_an_escalation_recorded_before_recipients_were_counts_as_told_to_everyone() -> None:
    chase = reminded_enough()
    chase.escalated_at = ASKED
    assert chase.next_step_at(ASKED, CADENCE, ZoneInfo("UTC"), {1: ZoneInfo("UTC")}) is None
    assert (
        chase.escalate(ASKED + timedelta(days=5), CADENCE, ZoneInfo("UTC"), {1: ZoneInfo("UTC")})
        == []
    )


def test_a_digest_run_of_every_pm_counts_for_each_and_one_of_a_pm_for_that_pm_alone() -> None:
    runs = [DigestRun(1, date(2027, 3, 1), ASKED), DigestRun(1, date(2027, 3, 8), ASKED, None, 7)]
    assert digest_weeks(runs, 7) == {date(2027, 3, 1), date(2027, 3, 8)}
    assert digest_weeks(runs, 8) == {date(2027, 3, 1)}
