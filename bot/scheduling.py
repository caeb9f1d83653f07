"""The scheduler for the composition root: inside `serve`, or as `clientloop scheduler`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.bootstrap import Runtime, bootstrap, delivery_options
from bot.failures import safe_url
from bot.settings import Settings
from bot.slack_wiring import build_notifiers, build_slack, default_parts
from bot.startup_checks import start_checks
from scheduler import runner
from scheduler.jobs import Ticker
from workflow.persistence.db import make_engine

log = logging.getLogger("clientloop.scheduler")


def ticker_for(runtime: Runtime, settings: Settings) -> Ticker:
    return Ticker(runtime.bus, runtime.uow, runtime.clock, runtime.sender, settings.cadence)


def start_ticking(runtime: Runtime, settings: Settings) -> AsyncIOScheduler:
    every = settings.clientloop_scheduler_tick_seconds
    database = f"{safe_url(settings.database_url)} (DATABASE_URL)"
    return runner.start(ticker_for(runtime, settings), every, database)


def stop_ticking(scheduler: AsyncIOScheduler) -> None:
    runner.stop(scheduler)


async def run_scheduler_process(settings: Settings) -> None:
    """`clientloop scheduler`: tick and deliver until SIGTERM or SIGINT, serving nothing."""
    engine = make_engine(settings.database_url)
    slack = build_slack(settings, engine)
    notifiers = build_notifiers(slack.clients if slack else None, default_parts(settings).notifier)
    runtime = bootstrap(
        settings.database_url,
        engine=engine,
        notifiers=notifiers,
        delivery=delivery_options(settings),
        secret_keys=settings.secret_keys,
    )
    checks = start_checks(settings, runtime.read_engine, slack)
    ticking = start_ticking(runtime, settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopping.set)
    log.info("clientloop scheduler running (no HTTP server in this process)")
    try:
        await stopping.wait()
    finally:
        await checks.stop()
        stop_ticking(ticking)
        await runtime.close()
