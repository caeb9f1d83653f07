"""The ASGI app: health, readiness, Slack and Teams routes; the runtime is built in the lifespan."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import bootstrap, delivery_options
from bot.metrics import Metrics, add_metrics
from bot.presence import Presence
from bot.request_ids import RequestIds
from bot.sandbox_mode import effective_settings, mount
from bot.scheduling import start_ticking, stop_ticking, ticker_for
from bot.settings import Settings, platform_lines
from bot.slack_http import add_slack_routes
from bot.slack_wiring import (
    SlackParts,
    build_notifiers,
    build_slack,
    default_parts,
    register_listeners,
)
from bot.startup_checks import start_checks
from bot.teams_guard import TeamsGuard
from bot.teams_wiring import (
    TeamsParts,
    TeamsSide,
    build_teams,
    default_teams_parts,
    host_teams,
    register_teams_listeners,
)
from scheduler.jobs import Ticker
from workflow.domain.people import Platform
from workflow.persistence.db import make_engine, schema_problem

log = logging.getLogger("clientloop")


def create_app(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    run_scheduler: bool = True,
    slack_parts: SlackParts | None = None,
    teams_parts: TeamsParts | None = None,
) -> FastAPI:
    """Build the app; a given engine is borrowed (not disposed), otherwise one is made.

    Slack's and Teams' listeners and notifiers are the real adapters unless a test plugs
    in others through `slack_parts` / `teams_parts`. In sandbox mode (bot.sandbox_mode)
    Slack is the sandbox this app serves, and the runtime's clock is the sandbox's.
    """
    settings, sandbox = effective_settings(settings)
    parts = slack_parts or default_parts(settings)
    teams_plug = teams_parts or default_teams_parts(settings)
    metrics = Metrics()  # this app's own registry, served at GET /metrics

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_engine = engine or make_engine(settings.database_url)
        slack = build_slack(settings, own_engine)
        teams = build_teams(settings, teams_app, own_engine)
        notifiers = build_notifiers(slack.clients if slack else None, parts.notifier)
        if teams is not None and teams_plug.notifier is not None:
            notifiers[Platform.TEAMS] = teams.notifier(teams_plug.notifier)
        runtime = bootstrap(
            settings.database_url,
            engine=own_engine,
            notifiers=notifiers,
            delivery=delivery_options(settings),
            zone=settings.clientloop_timezone,
            secret_keys=settings.secret_keys,
            metrics=metrics,
            clock=sandbox.clock if sandbox is not None else None,
        )
        # The sandbox runs a tick at once after moving the clock (see _tick_now).
        app.state.ticker = ticker_for(runtime, settings)
        app.state.runtime, app.state.engine, app.state.slack = runtime, own_engine, slack
        app.state.teams = teams
        if teams is not None:
            teams.conversations.read_from(runtime.read_engine)
        register_listeners(slack, runtime, parts)
        register_teams_listeners(teams, runtime, teams_plug)
        for line in platform_lines(settings):
            log.info(line)
        if sandbox is not None:
            log.info("Sandbox mode: Slack is the sandbox at %s", sandbox.page_url)
        # The sandbox's token needs no auth.test (nor could it answer before we listen).
        checked = slack if sandbox is None else None
        app.state.checks = checks = start_checks(settings, runtime.read_engine, checked)
        if slack is not None:
            slack.start()
        if teams is not None:
            await teams.start()
        role = "serve" if run_scheduler else "serve --no-scheduler"
        here = Presence(runtime, role, settings.clientloop_heartbeat_seconds)
        await here.start()
        ticking = start_ticking(runtime, settings, app.state.ticker) if run_scheduler else None
        try:
            yield
        finally:
            await here.stop()
            await checks.stop()
            if ticking is not None:
                stop_ticking(ticking)
            if slack is not None:
                await slack.stop()
            await _stop_teams(teams)
            await runtime.close(dispose=engine is None)

    # API docs are off unless asked for: public pages that load Swagger from a CDN.
    docs = settings.clientloop_api_docs
    app = FastAPI(
        title="clientloop",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    # Built now: the SDK's FastAPI adapter wraps this app's lifespan; the route comes at start.
    teams_app = host_teams(settings, app)
    if teams_app is not None:
        app.add_middleware(TeamsGuard)
    app.state.settings = settings
    app.state.run_scheduler = run_scheduler
    _add_health_routes(app)
    add_metrics(app, metrics)
    if settings.slack_single_workspace or settings.slack_oauth:
        add_slack_routes(app, oauth=settings.slack_oauth)
    if sandbox is not None:
        mount(app, sandbox, tick_now=lambda: _tick_now(app))
    app.add_middleware(RequestIds)  # added last, so outermost: every line of a request has it
    return app


async def _tick_now(app: FastAPI) -> int:
    ticker: Ticker = app.state.ticker
    return await ticker.tick()


async def _stop_teams(teams: TeamsSide | None) -> None:
    if teams is not None:
        await teams.stop()


def _add_health_routes(app: FastAPI) -> None:
    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        # The read engine: a probe never waits behind SQLite's one writer.
        problem = await schema_problem(app.state.runtime.read_engine)
        # A refused Slack token is said, not a 503: Teams still works, so keep the traffic.
        slack = {"slack": app.state.checks.slack} if app.state.checks.slack else {}
        if problem is None:
            return JSONResponse({"status": "ready", **slack})
        return JSONResponse({"status": "not ready", "reason": problem, **slack}, status_code=503)
