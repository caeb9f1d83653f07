"""At most so many messages in any window, counted as the platform counts them: on arrival.

A token bucket paces what leaves; the platform counts what arrives, and a message on its
way for a while (a busy event loop, a slow network) arrives later than it left. So each
limited key keeps the moments its sends *ended* (an answer comes after the arrival) and
the sends still on their way, and a new send goes only when, counting those, the window
that ends at its arrival cannot hold more than the cap. Whatever the trip takes.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

FLIGHT_SECONDS = 60.0  # a send not reported ended by then counts as ended then
FLIGHT_WAIT = 0.05  # blocked by sends on their way: look again this soon


@dataclass
class Window:
    cap: int
    seconds: float
    ended: list[float] = field(default_factory=list)  # sorted
    flying: list[float] = field(default_factory=list)  # when each send on its way left

    def wait(self, now: float, count: int) -> float:
        """Seconds until `count` more may go (0: now); more than the cap at once (a card
        with more copies than that) waits for an empty window, as a bucket waits to be full."""
        self._forget(now)
        over = len(self.ended) + len(self.flying) + min(count, self.cap) - self.cap
        if over <= 0:
            return 0.0
        if over > len(self.ended):  # only an answer still on its way can free room
            return FLIGHT_WAIT
        return self.ended[over - 1] + self.seconds - now

    def start(self, now: float, count: int) -> None:
        self.flying.extend([now] * count)

    def end(self, at: float) -> None:
        if self.flying:
            self.flying.pop(0)
        bisect.insort(self.ended, at)

    @property
    def idle(self) -> bool:
        return not self.ended and not self.flying

    def _forget(self, now: float) -> None:
        while self.flying and self.flying[0] + FLIGHT_SECONDS <= now:
            bisect.insort(self.ended, self.flying.pop(0) + FLIGHT_SECONDS)
        del self.ended[: bisect.bisect_right(self.ended, now - self.seconds)]


@dataclass
class Windows:
    """A window per limited key (conversation or workspace), made when first used."""

    open: dict[tuple[str, ...], Window] = field(default_factory=dict)

    def wait(self, key: tuple[str, ...], now: float, count: int) -> float:
        window = self.open.get(key)
        if window is None:
            return 0.0  # nothing sent lately: even more than the cap may go at once
        wait = window.wait(now, count)
        if window.idle:
            del self.open[key]  # a conversation not written to lately keeps nothing
        return wait

    def start(self, key: tuple[str, ...], cap: int, seconds: float, now: float, count: int) -> None:
        self.open.setdefault(key, Window(cap, seconds)).start(now, count)

    def end(self, key: tuple[str, ...], at: float) -> None:
        if (window := self.open.get(key)) is not None:
            window.end(at)

    def seed(self, key: tuple[str, ...], cap: int, seconds: float, ended: Sequence[float]) -> None:
        """What another process sent lately (a hand-over): counted as ended then."""
        window = self.open.setdefault(key, Window(cap, seconds))
        for at in ended:
            bisect.insort(window.ended, at)
