"""The process's clocks: the real one, and the sandbox's, which can be moved forward."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from workflow.ports import Clock


class SystemClock:
    """The real clock; the core only ever gets time as an argument from here."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class AdjustableClock:
    """Real time plus an offset that only grows: the sandbox's fast-forward (never backwards).

    Every reading is at least the one before, even if the wall clock steps back, so
    nothing scheduled sees time undo itself.
    """

    def __init__(self, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._offset = timedelta(0)
        self._last: datetime | None = None
        self._lock = threading.Lock()  # read by the event loop and, maybe, worker threads

    @property
    def offset(self) -> timedelta:
        """How far ahead of the real clock this one is."""
        return self._offset

    def now(self) -> datetime:
        with self._lock:
            return self._read()

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` (not negative); returns the new now."""
        if delta < timedelta(0):
            raise ValueError(f"the clock only moves forward: cannot advance by {delta}")
        with self._lock:
            self._offset += delta
            return self._read()

    def jump_to(self, at: datetime) -> datetime:
        """Move forward to `at` (timezone-aware, not before now); returns the new now."""
        if at.tzinfo is None:
            raise ValueError(f"needs a timezone-aware time, got {at.isoformat()}")
        with self._lock:
            current = self._read()
            if at < current:
                raise ValueError(
                    f"the clock only moves forward: {at.isoformat()} is before "
                    f"{current.isoformat()}"
                )
            self._offset += at - current
            return self._read()

    def _read(self) -> datetime:
        reading = self._base.now() + self._offset
        if self._last is not None and reading < self._last:
            reading = self._last
        self._last = reading
        return reading
