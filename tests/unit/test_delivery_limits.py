"""Token buckets and backoff on a fake clock: bursts, steady rates, 429 pauses, jitter bounds."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from workflow.delivery.limits import (
    DEFAULT_LIMITS,
    MAX_BACKOFF_SECONDS,
    Limit,
    RateLimiter,
    TokenBucket,
    backoff,
)
from workflow.domain.people import Platform
from workflow.ports import Address

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CHANNEL = Address(Platform.SLACK, "T1", "C1")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_bucket_allows_a_burst_then_one_token_per_interval() -> None:
    bucket = TokenBucket.full(Limit(rate=1.0, burst=3.0), 0.0)
    for _ in range(3):
        assert bucket.wait(0.0) == 0.0
        bucket.take(0.0)
    assert bucket.wait(0.0) == pytest.approx(1.0)
    assert bucket.wait(0.5) == pytest.approx(0.5)
    assert bucket.wait(1.0) == 0.0


def test_a_bucket_never_holds_more_than_its_burst() -> None:
    bucket = TokenBucket.full(Limit(rate=1.0, burst=3.0), 0.0)
    bucket.refill(1000.0)
    assert bucket.tokens == 3.0


def test_slack_sends_three_to_a_channel_at_once_then_one_a_second() -> None:
    limiter = RateLimiter()
    assert [limiter.reserve([CHANNEL], T0) for _ in range(3)] == [None, None, None]
    for _ in range(3):
        limiter.settle(CHANNEL, T0)  # each answered at once
    assert limiter.reserve([CHANNEL], T0) == at(1)
    assert limiter.reserve([CHANNEL], at(1)) is None
    assert limiter.reserve([CHANNEL], at(1.5)) is not None


def test_messages_held_back_get_slots_one_interval_apart() -> None:
    limiter = RateLimiter()
    for _ in range(3):
        limiter.reserve([CHANNEL], T0)
    slots = [limiter.reserve([CHANNEL], T0) for _ in range(3)]
    assert slots == [at(1), at(2), at(3)]


def test_one_busy_channel_does_not_hold_back_another() -> None:
    limiter = RateLimiter()
    for _ in range(4):
        limiter.reserve([CHANNEL], T0)
    assert limiter.reserve([Address(Platform.SLACK, "T1", "C2")], T0) is None


def test_the_workspace_budget_counts_every_channel_of_the_workspace() -> None:
    limiter = RateLimiter()
    dms = [Address(Platform.SLACK, "T1", f"U{n}", n) for n in range(25)]
    answers = [limiter.reserve([dm], T0) for dm in dms]
    assert answers[:20] == [None] * 20  # the workspace burst
    assert answers[20] == at(60 / 280)  # then the rest of 300 a minute, over the minute
    assert limiter.reserve([Address(Platform.SLACK, "T2", "U1", 1)], T0) is None


def test_a_refused_reservation_charges_no_bucket() -> None:
    limiter = RateLimiter({Platform.SLACK: DEFAULT_LIMITS[Platform.SLACK]})
    for _ in range(3):
        limiter.reserve([CHANNEL], T0)
    limiter.reserve([CHANNEL], T0)  # held back
    workspace = limiter.buckets[("slack", "T1")]
    assert workspace.tokens == pytest.approx(17.0)


def test_an_update_of_several_copies_takes_a_token_in_each_conversation() -> None:
    limiter = RateLimiter()
    copies = [CHANNEL, Address(Platform.SLACK, "T1", "D1", 1)]
    assert limiter.reserve(copies, T0) is None
    assert limiter.buckets[("slack", "T1", "C1")].tokens == pytest.approx(2.0)
    assert limiter.buckets[("slack", "T1")].tokens == pytest.approx(18.0)


def test_a_slack_429_pauses_the_conversation_and_the_workspace_until_retry_after() -> None:
    limiter = RateLimiter()
    limiter.pause(CHANNEL, at(30))
    other = Address(Platform.SLACK, "T1", "C2")
    assert limiter.reserve([CHANNEL], at(10)) == at(30)
    later = limiter.reserve([other], at(10))
    assert later is not None and later >= at(30)
    assert limiter.reserve([other], at(30.5)) is None
    assert limiter.reserve([Address(Platform.SLACK, "T2", "C1")], at(10)) is None


def test_a_teams_429_pauses_only_that_conversation() -> None:
    limiter = RateLimiter()
    chat = Address(Platform.TEAMS, "tenant", "a:1")
    limiter.pause(chat, at(5))
    assert limiter.reserve([chat], T0) == at(5)
    assert limiter.reserve([Address(Platform.TEAMS, "tenant", "a:2")], T0) is None


def test_teams_allows_seven_a_second_per_conversation() -> None:
    limiter = RateLimiter()
    chat = Address(Platform.TEAMS, "tenant", "a:1")
    assert [limiter.reserve([chat], T0) for _ in range(8)][-2:] == [None, at(1 / 7)]


def test_a_platform_without_limits_is_never_held_back() -> None:
    limiter = RateLimiter(limits={})
    assert all(limiter.reserve([CHANNEL], T0) is None for _ in range(100))


@pytest.mark.parametrize("attempts", range(15))
def test_backoff_doubles_with_jitter_between_half_and_one_and_a_half_capped_at_an_hour(
    attempts: int,
) -> None:
    rng = random.Random(attempts)
    base = min(5.0 * 2**attempts, MAX_BACKOFF_SECONDS)
    for _ in range(50):
        wait = backoff(attempts, rng).total_seconds()
        assert 0.5 * base <= wait <= min(1.5 * base, MAX_BACKOFF_SECONDS)


def test_backoff_is_reproducible_with_a_seeded_random_source() -> None:
    first = [backoff(n, random.Random(7)) for n in range(5)]
    assert first == [backoff(n, random.Random(7)) for n in range(5)]
    assert backoff(0, random.Random(7)) != backoff(0, random.Random(8))


def test_a_slack_429_on_a_busy_conversation_holds_back_only_that_conversation() -> None:
    limiter = RateLimiter()
    for _ in range(3):  # the channel's burst, all at once: it is busy
        assert limiter.reserve([CHANNEL], T0) is None
    limiter.pause(CHANNEL, at(30), T0)
    assert limiter.reserve([CHANNEL], at(10)) == at(30)
    assert limiter.reserve([Address(Platform.SLACK, "T1", "D7", 7)], at(10)) is None
