"""The ASGI app: health, readiness and Slack routes; the runtime is built in the lifespan."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import bootstrap, delivery_options
from bot.scheduling import start_ticking, stop_ticking
from bot.settings import Settings, platform_lines
from bot.slack_http import add_slack_routes
from bot.slack_wiring import (
    SlackParts,
    build_notifiers,
    build_slack,
    default_parts,
    register_listeners,
)
from workflow.db import make_engine, schema_problem

log = logging.getLogger("clientloop")


def create_app(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    run_scheduler: bool = True,
    slack_parts: SlackParts | None = None,
) -> FastAPI:
    """Build the app; a given engine is borrowed (not disposed), otherwise one is made."""
    parts = slack_parts or default_parts(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_engine = engine or make_engine(settings.database_url)
        slack = build_slack(settings, own_engine)
        notifiers = build_notifiers(slack.clients if slack else None, parts.notifier)
        runtime = bootstrap(
            settings.database_url,
            engine=own_engine,
            notifiers=notifiers,
            delivery=delivery_options(settings),
        )
        app.state.runtime, app.state.engine, app.state.slack = runtime, own_engine, slack
        register_listeners(slack, runtime, parts)
        for line in platform_lines(settings):
            log.info(line)
        if slack is not None:
            slack.start()
        ticking = start_ticking(runtime, settings) if run_scheduler else None
        try:
            yield
        finally:
            if ticking is not None:
                stop_ticking(ticking)
            if slack is not None:
                await slack.stop()
            await runtime.close(dispose=engine is None)

    app = FastAPI(title="clientloop", lifespan=lifespan)
    app.state.settings = settings
    app.state.run_scheduler = run_scheduler
    _add_health_routes(app)
    if settings.slack_single_workspace or settings.slack_oauth:
        add_slack_routes(app, oauth=settings.slack_oauth)
    return app


def _add_health_routes(app: FastAPI) -> None:
    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        problem = await schema_problem(app.state.engine)
        if problem is None:
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "not ready", "reason": problem}, status_code=503)
