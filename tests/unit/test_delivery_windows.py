"""The workspace limit as a window: never more than `count` in any minute, across a hand-over."""

from __future__ import annotations

from collections.abc import Sequence
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

# (seconds since the previous attempt, conversation): times only move forward.
attempts = st.lists(
    st.tuples(st.floats(0.0, 8.0, allow_nan=False), st.integers(0, 5)), max_size=250
)
windows = st.tuples(st.integers(2, 60), st.integers(1, 60))  # (count, burst)


def limiter(count: int, burst: int, per_conversation: Limit = ROOMY) -> RateLimiter:
    workspace = Limit.window(count, WINDOW, burst)
    return RateLimiter({Platform.SLACK: PlatformLimits(per_conversation, workspace)})


def dm(conversation: int) -> Address:
    return Address(Platform.SLACK, "T1", f"U{conversation}", conversation)


def run(limits: RateLimiter, start: float, steps: Sequence[tuple[float, int]]) -> list[float]:
    """Try each attempt at its time; the times (seconds since T0) of those accepted."""
    accepted, now = [], start
    for gap, conversation in steps:
        now += gap
        if limits.reserve([dm(conversation)], T0 + timedelta(seconds=now)) is None:
            accepted.append(now)
    return accepted


def most_in_window(times: Sequence[float], seconds: float = WINDOW) -> int:
    """The most times in any closed window `seconds` long."""
    ordered, best, first = sorted(times), 0, 0
    for last, at in enumerate(ordered):
        while ordered[first] < at - seconds:
            first += 1
        best = max(best, last - first + 1)
    return best


@given(windows, attempts)
def test_no_minute_ever_holds_more_than_the_windows_count(
    shape: tuple[int, int], steps: list[tuple[float, int]]
) -> None:
    count, burst = shape

    accepted = run(limiter(count, burst), 0.0, steps)

    assert most_in_window(accepted) <= count


@given(windows, attempts, st.floats(0.0, 90.0, allow_nan=False), attempts)
def test_a_process_taking_over_keeps_the_window_with_what_the_last_one_sent(
    shape: tuple[int, int],
    before: list[tuple[float, int]],
    pause: float,
    after: list[tuple[float, int]],
) -> None:
    count, burst = shape
    first, second = limiter(count, burst), limiter(count, burst)
    sent_first = run(first, 0.0, before)
    handed_at = sum(gap for gap, _ in before) + pause
    looked_back = second.limits[Platform.SLACK].per_workspace.seconds  # the window and a trip
    lately = [T0 + timedelta(seconds=s) for s in sent_first if s >= handed_at - looked_back]

    second.start_turn(T0 + timedelta(seconds=handed_at), {("slack", "T1"): lately})
    sent_second = run(second, handed_at, after)

    assert most_in_window(sent_first + sent_second) <= count


def test_a_window_refills_over_the_window_and_one_trip() -> None:
    workspace = Limit.window(300, WINDOW, 20)

    assert (workspace.burst, workspace.seconds) == (20, 61.0)
    assert workspace.burst + workspace.rate * WINDOW < 300


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def one_a_second() -> RateLimiter:
    """One message a second per conversation, a workspace that never binds."""
    return RateLimiter({Platform.SLACK: PlatformLimits(Limit(1.0, 1.0), ROOMY)})


def test_a_settled_send_spaces_the_next_one_from_when_the_send_ended() -> None:
    limits, channel = one_a_second(), dm(1)
    assert limits.reserve([channel], at(0)) is None

    limits.settle(channel, at(0.4))  # the post took 0.4 s on its way

    assert limits.reserve([channel], at(1.0)) is not None
    assert limits.reserve([channel], at(1.4)) is None


def test_without_a_settle_the_next_token_counts_from_the_reserve() -> None:
    limits, channel = one_a_second(), dm(1)
    assert limits.reserve([channel], at(0)) is None

    assert limits.reserve([channel], at(1.0)) is None


def test_settling_one_conversation_leaves_the_others_alone() -> None:
    limits = one_a_second()
    assert limits.reserve([dm(1)], at(0)) is None
    assert limits.reserve([dm(2)], at(0)) is None

    limits.settle(dm(1), at(0.4))

    assert limits.reserve([dm(2)], at(1.0)) is None
    assert limits.reserve([dm(1)], at(1.0)) is not None
