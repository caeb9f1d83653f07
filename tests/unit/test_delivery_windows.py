"""Limits as windows of arrivals: never more than the cap arrives in any window, across a
hand-over too, however long each message takes on its way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from workflow.delivery.limits import Limit, PlatformLimits, RateLimiter
from workflow.domain.people import Platform
from workflow.ports import Address

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
WINDOW = 60.0
# Conversations never hold a send back here: only the workspace's window is under test.
ROOMY = Limit(1000.0, 1000.0)

# (seconds since the previous attempt, conversation, seconds the post takes to arrive):
# times only move forward; a trip may be long (a busy machine), the answer comes 10 ms later.
attempts = st.lists(
    st.tuples(
        st.floats(0.0, 8.0, allow_nan=False),
        st.integers(0, 5),
        st.floats(0.0, 3.0, allow_nan=False),
    ),
    max_size=200,
)
windows = st.tuples(st.integers(2, 60), st.integers(1, 60))  # (count, burst)
ANSWER = 0.01


def limiter(count: int, burst: int, per_conversation: Limit = ROOMY) -> RateLimiter:
    workspace = Limit.window(count, WINDOW, burst)
    return RateLimiter({Platform.SLACK: PlatformLimits(per_conversation, workspace)})


def dm(conversation: int) -> Address:
    return Address(Platform.SLACK, "T1", f"U{conversation}", conversation)


@dataclass
class Sent:
    arrived: float
    ended: float
    address: Address


def run(limits: RateLimiter, start: float, steps: Sequence[tuple[float, int, float]]) -> list[Sent]:
    """Try each attempt at its time, telling the limiter of each answer as it comes."""
    sent: list[Sent] = []
    now = start
    for gap, conversation, trip in steps:
        now += gap
        for done in sorted((s for s in sent if now - gap < s.ended <= now), key=ended):
            limits.settle(done.address, at(done.ended))
        if limits.reserve([dm(conversation)], at(now)) is None:
            sent.append(Sent(now + trip, now + trip + ANSWER, dm(conversation)))
    return sent


def ended(sent: Sent) -> float:
    return sent.ended


def most_in_window(times: Sequence[float], seconds: float = WINDOW) -> int:
    """The most times in any closed window `seconds` long."""
    ordered, best, first = sorted(times), 0, 0
    for last, at in enumerate(ordered):
        while ordered[first] < at - seconds:
            first += 1
        best = max(best, last - first + 1)
    return best


@given(windows, attempts)
def test_no_minute_ever_sees_more_arrive_than_the_windows_count(
    shape: tuple[int, int], steps: list[tuple[float, int, float]]
) -> None:
    count, burst = shape

    sent = run(limiter(count, burst), 0.0, steps)

    assert most_in_window([s.arrived for s in sent]) <= count


@given(windows, attempts, st.floats(0.0, 90.0, allow_nan=False), attempts)
def test_a_process_taking_over_keeps_the_window_with_what_the_last_one_sent(
    shape: tuple[int, int],
    before: list[tuple[float, int, float]],
    pause: float,
    after: list[tuple[float, int, float]],
) -> None:
    count, burst = shape
    first, second = limiter(count, burst), limiter(count, burst)
    handed_at = sum(gap for gap, _, _ in before) + pause
    # The first dies at the hand-over: what had not arrived by then never does; what had
    # arrived but not been recorded counts as sent at the hand-over (the outbox's view).
    arrived = [s for s in run(first, 0.0, before) if s.arrived <= handed_at]
    recorded = [at(min(s.ended, handed_at)) for s in arrived]
    recent = [t for t in recorded if t >= at(handed_at - WINDOW)]

    second.start_turn(at(handed_at), {("slack", "T1"): recent})
    sent_second = run(second, handed_at, after)

    assert most_in_window([s.arrived for s in arrived + sent_second]) <= count


def test_a_window_refills_the_rest_of_its_count_over_the_window() -> None:
    workspace = Limit.window(300, WINDOW, 20)

    assert (workspace.burst, workspace.seconds, workspace.cap) == (20, 60.0, 300)
    assert workspace.burst + workspace.rate * WINDOW == 300


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def one_a_second() -> RateLimiter:
    """One message in any second per conversation, a workspace that never binds."""
    return RateLimiter({Platform.SLACK: PlatformLimits(Limit.per_second(1.0, 1.0), ROOMY)})


def test_a_settled_send_spaces_the_next_one_from_when_the_send_ended() -> None:
    limits, channel = one_a_second(), dm(1)
    assert limits.reserve([channel], at(0)) is None

    limits.settle(channel, at(0.4))  # the post took 0.4 s on its way

    assert limits.reserve([channel], at(1.0)) is not None
    assert limits.reserve([channel], at(1.4)) is None


def test_a_send_on_its_way_holds_its_conversation_until_it_is_answered() -> None:
    limits, channel = one_a_second(), dm(1)
    assert limits.reserve([channel], at(0)) is None

    assert limits.reserve([channel], at(5.0)) is not None  # no answer yet: it may arrive now
    limits.settle(channel, at(5.0))
    assert limits.reserve([channel], at(6.0)) is None


def test_settling_one_conversation_leaves_the_others_alone() -> None:
    limits = one_a_second()
    assert limits.reserve([dm(1)], at(0)) is None
    assert limits.reserve([dm(2)], at(0)) is None

    limits.settle(dm(1), at(0.4))
    limits.settle(dm(2), at(0.0))

    assert limits.reserve([dm(2)], at(1.0)) is None
    assert limits.reserve([dm(1)], at(1.0)) is not None


def test_an_update_with_more_copies_than_the_cap_goes_once_the_window_is_empty() -> None:
    """A card with more copies in one workspace than the window's cap, as a bucket lets
    more than its burst go once it is full: waiting for room would never end."""
    limits = limiter(count=3, burst=2)
    copies = [dm(n) for n in range(5)]
    assert limits.reserve(copies[:1], at(0)) is None
    limits.settle(copies[0], at(0.1))

    assert limits.reserve(copies, at(30)) is not None  # the first send is still in the window
    assert limits.reserve(copies, at(61)) is None
