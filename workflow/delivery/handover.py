"""Taking over the sending from another process without breaking the limits it was keeping."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from workflow.delivery.limits import RateLimiter
from workflow.delivery.queue import OutboxQueue

log = logging.getLogger(__name__)


async def handover(queue: OutboxQueue, limiter: RateLimiter, now: datetime) -> list[datetime]:
    """Give `limiter` the sends of each workspace limit's last window (and the claimed rows,
    maybe sent); return when the pending rows not due now come due.

    The process that sent before may have died mid-batch: its claimed rows come back when
    their lease ends, rows its limits put back come due later, and its sends of the last
    minute still count in the workspace's window.
    """
    sent: dict[tuple[str, str], list[datetime]] = {}
    for platform, limits in limiter.limits.items():
        since = now - timedelta(seconds=limits.per_workspace.seconds)
        found = await queue.recent_sends(platform, since, now)
        sent |= {(platform.value, workspace): times for workspace, times in found.items()}
    limiter.start_turn(now, sent)
    counts = {key: len(times) for key, times in sent.items()}
    log.info("sending from this process; sent in the last window: %s", counts or "nothing")
    return await queue.due_times(now)
