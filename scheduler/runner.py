"""APScheduler wiring: one short interval job that ticks; schedules live in our own tables."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import SQLAlchemyError

from scheduler.jobs import Ticker
from workflow.domain.errors import Unavailable

log = logging.getLogger(__name__)
JOB_ID = "clientloop-tick"
# What a database outage raises on its way out of a tick: the driver's connect errors come
# unwrapped (ConnectionRefusedError, TimeoutError), statements' wrapped by SQLAlchemy.
OUTAGE = (Unavailable, SQLAlchemyError, OSError)


@dataclass
class GuardedTick:
    """The tick as the job runs it: an outage is one WARNING line per tick, not a traceback.

    APScheduler logs a job's exception with its traceback, every tick for as long as the
    database is down; the next tick tries again anyway, so one line says all there is.
    """

    ticker: Ticker
    every_seconds: float
    database: str = "the database"
    failed: int = 0

    async def tick(self) -> None:
        try:
            await self.ticker.tick()
        except OUTAGE as exc:
            self.failed += 1
            log.debug("the tick's failure in full", exc_info=True)
            log.warning(
                "scheduler tick failed, next try in %s s: cannot use %s: %s",
                self.every_seconds, self.database, _first_line(exc),
            )  # fmt: skip
            return
        except asyncio.CancelledError:
            # stop() cancels a tick under way; the next process's ticks redo what it left.
            log.info("scheduler stopped during a tick; the rest is done at the next tick")
            return
        if self.failed:
            log.info("scheduler tick ran again after %d failed tick(s)", self.failed)
            self.failed = 0


def start(ticker: Ticker, every_seconds: float, database: str = "the database") -> AsyncIOScheduler:
    """Start ticking in the running event loop, first tick now.

    No job store is shared between processes: each process ticks on its own, and the
    row lock each project's work takes keeps that work single across replicas.
    `database` names the database in the outage warning (without its password).
    """
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        GuardedTick(ticker, every_seconds, database).tick,
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


def _first_line(exc: BaseException) -> str:
    # SQLAlchemy's text adds the SQL and a link on later lines; the driver's message leads.
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
