"""`clientloop scheduler`'s own GET /metrics: a small aiohttp server on the process's loop.

`serve` answers /metrics through its FastAPI app; the scheduler process has no web app, so
it serves its registry here (CLIENTLOOP_SCHEDULER_METRICS_PORT, 0 turns it off). A port
already taken (a second scheduler on the same host) costs a WARNING, never the scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.metrics import Metrics

log = logging.getLogger("clientloop")


async def serve_metrics(
    metrics: Metrics, host: str, port: int
) -> Callable[[], Awaitable[None]] | None:
    """Start answering GET /metrics on host:port; returns what stops it (None: not served)."""
    if port == 0:
        return None

    async def scrape(_request: web.Request) -> web.Response:
        await metrics.outbox.read()
        headers = {"Content-Type": CONTENT_TYPE_LATEST}
        return web.Response(body=metrics.exposition(), headers=headers)

    app = web.Application()
    app.router.add_get("/metrics", scrape)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        log.warning("scheduler metrics not served on %s:%d: %s", host, port, exc)
        await runner.cleanup()
        return None
    log.info("scheduler metrics on http://%s:%d/metrics", host, port)
    return runner.cleanup
