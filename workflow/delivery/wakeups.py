"""When rows a sender put back come due: one timer on the running loop, for the earliest."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Callable
from datetime import datetime

from workflow.ports import Clock


class Wakeups:
    """A heap of moments and one timer; without `enabled` it remembers nothing (the next
    commit or scheduler tick delivers instead)."""

    def __init__(self, clock: Clock, wake: Callable[[], None], *, enabled: bool) -> None:
        self.clock, self.wake, self.enabled = clock, wake, enabled
        self._due: list[datetime] = []
        self._timer: asyncio.TimerHandle | None = None

    def at(self, when: datetime) -> None:
        if self.enabled:
            heapq.heappush(self._due, when)

    def clear(self) -> None:
        self._due.clear()

    def arm(self, claimed_at: datetime) -> None:
        """Set the timer for the earliest moment after the last claim (`claimed_at`).

        A row due by then was seen by that claim; one that came due since (between that
        claim and now) wakes the sender at once rather than being forgotten.
        """
        while self._due and self._due[0] <= claimed_at:
            heapq.heappop(self._due)
        if not self._due:
            return
        self.stop()
        delay = max((self._due[0] - self.clock.now()).total_seconds(), 0.0)
        self._timer = asyncio.get_running_loop().call_later(delay, self.wake)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
