"""The ASGI app: health and readiness endpoints; the runtime (bus, sender) built in the lifespan."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import bootstrap
from bot.settings import Settings, platform_lines
from workflow.db import schema_problem

log = logging.getLogger("clientloop")


def create_app(
    settings: Settings, *, engine: AsyncEngine | None = None, run_scheduler: bool = True
) -> FastAPI:
    """Build the app; a given engine is borrowed (not disposed), otherwise one is made."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = bootstrap(settings.database_url, engine=engine)
        app.state.runtime, app.state.engine = runtime, runtime.engine
        for line in platform_lines(settings):
            log.info(line)
        try:
            yield
        finally:
            await runtime.close(dispose=engine is None)

    app = FastAPI(title="clientloop", lifespan=lifespan)
    app.state.settings = settings
    app.state.run_scheduler = run_scheduler
    _add_health_routes(app)
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
