"""Taking over the sending from another process without breaking the limits it was keeping."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from workflow.delivery.limits import RateLimiter
from workflow.delivery.queue import OutboxQueue

log = logging.getLogger(__name__)


async def handover(queue: OutboxQueue, limiter: RateLimiter, now: datetime) -> datetime | None:
    """Charge `limiter` with what was sent in each workspace limit's window (and what is
    claimed, maybe sent); return when the last lease on a claimed, unsent row runs out.

    The process that sent before may have died mid-batch: its rows come back when their
    lease ends, and its messages of the last minute still count against the workspace.
    """
    spent: dict[tuple[str, str], int] = {}
    for platform, limits in limiter.limits.items():
        since = now - timedelta(seconds=limits.per_workspace.seconds)
        sent = await queue.recent_sends(platform, since, now)
        spent |= {(platform.value, workspace): count for workspace, count in sent.items()}
    limiter.start_turn(now, spent)
    log.info("sending from this process; limits charged with %s", spent or "nothing")
    return await queue.leased_until(now)
