"""The last sender's sends, carried into the next one's limits until they leave every window."""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class Carried:
    """Send times per workspace key, the last sender's and this one's, for one window.

    A process that takes over the sending does not know the buckets the last one kept, but
    the outbox says when it sent. Until those sends are older than the window, every send
    checks the window as a whole: the last sender's sends plus this one's, never more than
    the limit allows in it. After that, this process's own buckets keep the limits alone.
    """

    times: dict[tuple[str, ...], list[float]] = field(default_factory=dict)
    until: float = 0.0  # when the oldest carried send has left every window

    @classmethod
    def of(cls, sent: Mapping[tuple[str, ...], Sequence[float]], window: float) -> Carried:
        times = {key: sorted(at) for key, at in sent.items() if at}
        last = max((at[-1] for at in times.values()), default=0.0)
        return cls(times, last + window)

    def wait(
        self, key: tuple[str, ...], now: float, count: int, window: float, cap: float
    ) -> float:
        """Seconds until `count` more fit in the window ending then (0: now)."""
        sent = self.times.get(key)
        if not sent:
            return 0.0
        del sent[: bisect.bisect_right(sent, now - window)]  # left the window
        over = len(sent) + count - math.floor(cap + 1e-9)
        if over <= 0:
            return 0.0
        return sent[min(over, len(sent)) - 1] + window - now

    def add(self, key: tuple[str, ...], now: float, count: int) -> None:
        if key in self.times:
            self.times[key].extend([now] * count)
