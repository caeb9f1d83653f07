"""APScheduler wiring: one short interval job that ticks; schedules live in our own tables."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.jobs import Ticker

log = logging.getLogger(__name__)
JOB_ID = "clientloop-tick"


def start(ticker: Ticker, every_seconds: float) -> AsyncIOScheduler:
    """Start ticking in the running event loop, first tick now.

    No job store is shared between processes: each process ticks on its own, and the
    row lock each project's work takes keeps that work single across replicas.
    """
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        ticker.tick,
        "interval",
        seconds=every_seconds,
        id=JOB_ID,
        misfire_grace_time=None,
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    log.info("scheduler ticking every %s s", every_seconds)
    return scheduler


def stop(scheduler: AsyncIOScheduler) -> None:
    scheduler.shutdown(wait=False)
