"""The scheduler for the composition root: inside `serve`, or as `clientloop scheduler`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import Runtime, bootstrap, delivery_options
from bot.failures import safe_url
from bot.metrics_server import serve_metrics
from bot.presence import Presence
from bot.settings import Settings
from bot.slack_wiring import build_notifiers, build_slack, default_parts
from bot.startup_checks import start_checks
from bot.teams_wiring import TeamsSide, build_teams, default_teams_parts, teams_config
from scheduler import runner
from scheduler.jobs import Ticker
from workflow.domain.people import Platform
from workflow.persistence.db import make_engine

log = logging.getLogger("clientloop.scheduler")


def ticker_for(runtime: Runtime, settings: Settings) -> Ticker:
    made = (runtime.bus, runtime.uow, runtime.clock, runtime.sender, settings.cadence)
    return Ticker(*made, telemetry=runtime.metrics)


def start_ticking(
    runtime: Runtime, settings: Settings, ticker: Ticker | None = None
) -> AsyncIOScheduler:
    """Tick every CLIENTLOOP_SCHEDULER_TICK_SECONDS with `ticker` (or one made for `runtime`)."""
    every = settings.clientloop_scheduler_tick_seconds
    database = f"{safe_url(settings.database_url)} (DATABASE_URL)"
    return runner.start(ticker or ticker_for(runtime, settings), every, database)


def stop_ticking(scheduler: AsyncIOScheduler) -> None:
    runner.stop(scheduler)


def teams_for_sending(settings: Settings, engine: AsyncEngine) -> TeamsSide | None:
    """Teams for proactive sends only (no /api/messages here): the SDK's App for its bot
    tokens, the stored conversation references and an HTTP client; None when Teams is off."""
    if not settings.teams_enabled:
        return None
    from handlers.teams.app import build_teams_app

    return build_teams(settings, build_teams_app(teams_config(settings)), engine)


async def run_scheduler_process(settings: Settings) -> None:
    """`clientloop scheduler`: tick and deliver until SIGTERM or SIGINT, serving nothing."""
    engine = make_engine(settings.database_url)
    slack = build_slack(settings, engine)
    notifiers = build_notifiers(slack.clients if slack else None, default_parts(settings).notifier)
    teams = teams_for_sending(settings, engine)
    make_teams_notifier = default_teams_parts(settings).notifier
    if teams is not None and make_teams_notifier is not None:
        notifiers[Platform.TEAMS] = teams.notifier(make_teams_notifier)
    runtime = bootstrap(
        settings.database_url,
        engine=engine,
        notifiers=notifiers,
        delivery=delivery_options(settings),
        secret_keys=settings.secret_keys,
    )
    if teams is not None:
        runtime.closers.append(teams.client.aclose)
        teams.conversations.read_from(runtime.read_engine)
    checks = start_checks(settings, runtime.read_engine, slack)
    port = settings.clientloop_scheduler_metrics_port
    stop_metrics = await serve_metrics(runtime.metrics, settings.host, port)
    here = Presence(runtime, "scheduler", settings.clientloop_heartbeat_seconds)
    await here.start()
    ticking = start_ticking(runtime, settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopping.set)
    log.info("clientloop scheduler running (no web app; GET /metrics only, if its port is set)")
    try:
        await stopping.wait()
    finally:
        await here.stop()
        await checks.stop()
        stop_ticking(ticking)
        if stop_metrics is not None:
            await stop_metrics()
        await runtime.close()
