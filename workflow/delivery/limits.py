"""Platform rate limits as token buckets on the injected clock, and jittered retry backoff."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from workflow.delivery.windows import Windows
from workflow.domain.people import Platform
from workflow.ports import Address

MAX_BACKOFF_SECONDS = 3600.0
BASE_BACKOFF_SECONDS = 5.0
MAX_ATTEMPTS = 12


@dataclass(frozen=True)
class Limit:
    """A token bucket's shape: `rate` messages per second on average, `burst` at once; and
    with `cap`, never more than `cap` arriving in any `seconds` (see windows.py)."""

    rate: float
    burst: float
    seconds: float = 1.0
    cap: int | None = None

    @classmethod
    def window(cls, count: float, seconds: float, burst: float) -> Limit:
        """At most `count` messages in any `seconds`-long window, at most `burst` at once.

        A bucket that starts full lets `burst + rate * T` through in any time T, so it
        refills only the rest of the window's count over the window.
        """
        burst = max(1.0, min(burst, count - 1))
        return cls(max(count - burst, 1.0) / seconds, burst, seconds, int(count))

    @classmethod
    def per_second(cls, rate: float, burst: float) -> Limit:
        """`rate` a second, `burst` at once, and never more than that burst in any second."""
        return cls(rate, burst, 1.0, max(int(burst), 1))


@dataclass(frozen=True)
class PlatformLimits:
    """One platform's limits: per conversation, and per installation (workspace or tenant).

    `pause_workspace_on_429`: Slack's 429 is per method and workspace, so a Retry-After
    holds back the whole workspace; Teams throttles per conversation.
    """

    per_conversation: Limit
    per_workspace: Limit
    pause_workspace_on_429: bool = False


DEFAULT_LIMITS: Mapping[Platform, PlatformLimits] = {
    # chat.postMessage: about 1 per second per channel (short bursts allowed), and a
    # few hundred per minute per workspace.
    Platform.SLACK: PlatformLimits(Limit.per_second(1.0, 3.0), Limit.window(300, 60, 20.0), True),
    # Bot Framework: 7 per second per conversation, 50 per second per tenant.
    Platform.TEAMS: PlatformLimits(Limit.per_second(7.0, 7.0), Limit.per_second(50.0, 50.0)),
}


@dataclass
class TokenBucket:
    """Refills at `limit.rate` tokens a second up to `limit.burst`; times are epoch seconds."""

    limit: Limit
    tokens: float
    updated: float
    paused_until: float = 0.0
    # The latest slot handed to a message put back: the next one waits one interval more,
    # so a queue of messages for one channel is spread out instead of retried all at once.
    booked_until: float = 0.0

    @classmethod
    def full(cls, limit: Limit, now: float) -> TokenBucket:
        return cls(limit, limit.burst, now)

    def refill(self, now: float) -> None:
        if now > self.updated:
            elapsed = now - self.updated
            self.tokens = min(self.limit.burst, self.tokens + elapsed * self.limit.rate)
            self.updated = now

    def wait(self, now: float, count: int = 1) -> float:
        """Seconds until `count` tokens may be taken (0 means now)."""
        self.refill(now)
        needed = min(float(count), self.limit.burst)  # more than a burst: wait for a full bucket
        short = max(needed - self.tokens, 0.0)
        return max(short / self.limit.rate, self.paused_until - now, 0.0)

    def take(self, now: float, count: int = 1) -> None:
        self.refill(now)
        self.tokens -= count

    def pause(self, until: float) -> None:
        self.paused_until = max(self.paused_until, until)

    def book(self, now: float, wait: float) -> float:
        """A slot for a message put back, at least `wait` from now; returns its time."""
        slot = max(now + wait, self.booked_until + 1.0 / self.limit.rate)
        self.booked_until = slot
        return slot


@dataclass
class RateLimiter:
    """The sender's limits, per platform, kept by the one process whose turn it is to send.

    Limits with a cap also count arrivals in their window (see windows.py). A process that
    takes the turn from another (`start_turn`) starts with every conversation's bucket
    empty and each workspace's window holding what the last sender sent in it, so the
    limits hold across the hand-over too.
    """

    limits: Mapping[Platform, PlatformLimits] = field(default_factory=lambda: DEFAULT_LIMITS)
    buckets: dict[tuple[str, ...], TokenBucket] = field(default_factory=dict)
    started: float | None = None  # when this process took the turn (None: buckets start full)
    windows: Windows = field(default_factory=Windows)

    def start_turn(self, at: datetime, sent: Mapping[tuple[str, str], Sequence[datetime]]) -> None:
        """Forget every bucket; `sent` is when each (platform, workspace) was lately sent to."""
        self.buckets.clear()
        self.started, self.windows = at.timestamp(), Windows()
        for (platform, workspace), times in sent.items():
            limit = self.limits[Platform(platform)].per_workspace
            if limit.cap is not None:
                ended = [t.timestamp() for t in times]
                self.windows.seed((platform, workspace), limit.cap, limit.seconds, ended)

    def settle(self, address: Address, at: datetime) -> None:
        """A send to `address` ended at `at` (it arrived by then): its windows count it so."""
        for key in (_conversation_key(address), _workspace_key(address)):
            self.windows.end(key, at.timestamp())

    def reserve(self, addresses: Iterable[Address], at: datetime) -> datetime | None:
        """Take a token for each address (and its workspace), or say when to try again.

        Either every bucket involved has room and all are charged, or none is charged and
        the answer is the time the busiest one allows.
        """
        now = at.timestamp()
        wanted = self._wanted(addresses, now)
        waits = {
            key: self._wait(key, bucket, count, now) for key, (bucket, count) in wanted.items()
        }
        if not any(waits.values()):
            for key, (bucket, count) in wanted.items():
                bucket.take(now, count)
                if (cap := bucket.limit.cap) is not None:
                    self.windows.start(key, cap, bucket.limit.seconds, now, count)
            return None
        slot = max(wanted[key][0].book(now, wait) for key, wait in waits.items() if wait > 0)
        return datetime.fromtimestamp(slot, at.tzinfo)

    def pause(self, address: Address, until: datetime, at: datetime | None = None) -> None:
        """A platform said 429 at `at`: hold this conversation until `until`, and on Slack
        its workspace too, unless the conversation was busy.

        Slack's 429 does not say which limit was hit. A conversation this process had not
        posted to lately (its bucket was full before this post) cannot be over its own
        limit, so the workspace's was; a busy one most likely hit its own, and holding back
        the whole workspace for it would delay every other conversation for nothing.
        """
        limits = self.limits.get(address.platform)
        if limits is None:
            return
        now, end = (at or until).timestamp(), until.timestamp()
        conversation = self._bucket(_conversation_key(address), limits.per_conversation, now)
        conversation.refill(now)
        was_idle = conversation.tokens >= conversation.limit.burst - 1.0
        conversation.pause(end)
        if limits.pause_workspace_on_429 and was_idle:
            self._bucket(_workspace_key(address), limits.per_workspace, now).pause(end)

    def _wanted(
        self, addresses: Iterable[Address], now: float
    ) -> dict[tuple[str, ...], tuple[TokenBucket, int]]:
        wanted: dict[tuple[str, ...], tuple[TokenBucket, int]] = {}
        for address in addresses:
            limits = self.limits.get(address.platform)
            if limits is None:
                continue
            for key, limit in (
                (_conversation_key(address), limits.per_conversation),
                (_workspace_key(address), limits.per_workspace),
            ):
                bucket, count = wanted.get(key, (self._bucket(key, limit, now), 0))
                wanted[key] = (bucket, count + 1)
        return wanted

    def _wait(self, key: tuple[str, ...], bucket: TokenBucket, count: int, now: float) -> float:
        wait, limit = bucket.wait(now, count), bucket.limit
        if limit.cap is None:
            return wait
        return max(wait, self.windows.wait(key, now, count))

    def _bucket(self, key: tuple[str, ...], limit: Limit, now: float) -> TokenBucket:
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = self._new_bucket(key, limit, now)
        return bucket

    def _new_bucket(self, key: tuple[str, ...], limit: Limit, now: float) -> TokenBucket:
        if self.started is None or len(key) == 2:
            return TokenBucket.full(limit, now)  # a workspace's window has the last sends
        # A conversation is empty when the turn begins: the last sender may just have used it.
        bucket = TokenBucket(limit, 0.0, min(self.started, now))
        bucket.refill(now)
        return bucket


def _conversation_key(address: Address) -> tuple[str, ...]:
    return (address.platform.value, address.workspace_id, address.conversation_id)


def _workspace_key(address: Address) -> tuple[str, ...]:
    return (address.platform.value, address.workspace_id)


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """The wait before retry number `attempts + 1`: 5 s doubling, jittered 0.5x-1.5x, max 1 h."""
    base = min(BASE_BACKOFF_SECONDS * 2 ** min(attempts, 20), MAX_BACKOFF_SECONDS)
    return timedelta(seconds=min(base * rng.uniform(0.5, 1.5), MAX_BACKOFF_SECONDS))
