"""Prometheus metrics of one process: requests, refusals, deliveries, scheduler lag, the outbox.

Each process keeps its own registry (no multiprocess mode): `clientloop serve` serves it
at GET /metrics; every replica is scraped on its own (README, "Metrics").
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import event, func, select
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workflow.domain.people import Platform
from workflow.persistence.errors import is_conflict, is_unavailable
from workflow.persistence.outbox_claim import PENDING
from workflow.persistence.tables_delivery import outbox
from workflow.ports import Clock, Receipt
from workflow.telemetry import REFUSAL_KINDS

log = logging.getLogger("clientloop.metrics")

# Slack wants every request acknowledged within 3 s: buckets around it.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
# A tick comes every CLIENTLOOP_SCHEDULER_TICK_SECONDS (30 by default): lag below that is
# the tick's own pace, above it a backlog.
LAG_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 21600.0)
SEND_FAILURES = ("rate_limited", "permanent", "transient")
DATABASE_ERRORS = ("conflict", "unavailable", "other")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # any path no route serves: one series, however many are probed
OUTBOX_READ_SECONDS = 2.0


class Metrics:
    """The process's registry and what the core (`workflow.telemetry.Telemetry`), the HTTP
    middleware and the database engines report into it."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        # In the text format each counter's and histogram's `_created` is a gauge family of
        # its own, doubling what is scraped for a value rate() does not use (process-wide).
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = registry = registry or CollectorRegistry()
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
        self.requests = Counter(
            "clientloop_http_requests_total",
            "HTTP requests answered, by route template, method and status class (2xx...).",
            ["route", "method", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "clientloop_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route template.",
            ["route", "method"],
            buckets=REQUEST_BUCKETS,
            registry=registry,
        )
        self.refusals = Counter(
            "clientloop_refusals_total",
            "Requests of people that changed nothing, by kind (what the core refused).",
            ["kind"],
            registry=registry,
        )
        self.sends = Counter(
            "clientloop_sends_total",
            "Posts and updates of outbox messages a chat platform took, by platform.",
            ["platform"],
            registry=registry,
        )
        self.send_failures = Counter(
            "clientloop_send_failures_total",
            "Posts and updates a chat platform did not take, by platform and reason "
            "(rate_limited: HTTP 429 / Retry-After; permanent: never retried; transient).",
            ["platform", "reason"],
            registry=registry,
        )
        self.lag = Histogram(
            "clientloop_scheduler_lag_seconds",
            "How long after a project fell due the scheduler worked it.",
            buckets=LAG_BUCKETS,
            registry=registry,
        )
        self.database_errors = Counter(
            "clientloop_database_errors_total",
            "Errors the database driver raised, by kind (conflict: another transaction got "
            "there first; unavailable: the server cannot be used; other).",
            ["kind"],
            registry=registry,
        )
        self.sending = Gauge(
            "clientloop_sending_processes",
            "1 while this process holds the sender's turn; summed over a deployment: 1.",
            registry=registry,
        )
        self.outbox = OutboxGauges()
        registry.register(self.outbox)
        self._start_at_zero()

    def _start_at_zero(self) -> None:
        """Every series of a known label set exists from the start, at 0, so a rate over
        it is right from the first event (a counter born at 1 hides that first event)."""
        for kind in REFUSAL_KINDS:
            self.refusals.labels(kind)
        for platform in Platform:
            self.sends.labels(platform.value)
            for reason in SEND_FAILURES:
                self.send_failures.labels(platform.value, reason)
        for kind in DATABASE_ERRORS:
            self.database_errors.labels(kind)

    # workflow.telemetry.Telemetry

    def refused(self, kind: str) -> None:
        self.refusals.labels(kind).inc()

    def delivered(self, platform: Platform, receipt: Receipt) -> None:
        if receipt.ok:
            self.sends.labels(platform.value).inc()
        else:
            self.send_failures.labels(platform.value, send_failure(receipt)).inc()

    def late(self, seconds: float) -> None:
        self.lag.observe(max(seconds, 0.0))

    # HTTP and the database

    def request(self, scope: Scope, status: int, seconds: float) -> None:
        route = _route_of(scope)
        method = scope.get("method", "")
        method = method if method in METHODS else "other"
        self.requests.labels(route, method, f"{status // 100}xx").inc()
        self.latency.labels(route, method).observe(seconds)

    def watch_database(self, engine: AsyncEngine) -> Callable[[], Awaitable[None]]:
        """Count the driver's errors on `engine`; returns what stops counting them (an
        engine lent to the runtime outlives it)."""
        target = engine.sync_engine
        event.listen(target, "handle_error", self._database_error)

        async def stop() -> None:
            event.remove(target, "handle_error", self._database_error)

        return stop

    def _database_error(self, context: ExceptionContext) -> None:
        self.database_errors.labels(database_error_kind(context)).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def _route_of(scope: Scope) -> str:
    """The route template that served the request; a path answered before routing (the
    Teams guard's 400s) keeps its name when a route has it, any other is UNMATCHED."""
    route = getattr(scope.get("route"), "path", None)
    if isinstance(route, str):
        return route
    known = {getattr(r, "path", None) for r in getattr(scope.get("app"), "routes", ())}
    path = scope.get("path")
    return path if isinstance(path, str) and path in known else UNMATCHED


def send_failure(receipt: Receipt) -> str:
    """Why a platform did not take a message, as a label: the sender holds back on any
    Retry-After as on a 429 (both notifiers set it for their platform's 429)."""
    if receipt.retry_after is not None:
        return "rate_limited"
    return "permanent" if receipt.permanent else "transient"


def database_error_kind(context: ExceptionContext) -> str:
    """The core's names for a driver error (workflow.persistence.errors decides)."""
    error = context.sqlalchemy_exception
    if isinstance(error, DBAPIError):
        if is_conflict(error):
            return "conflict"
        return "unavailable" if is_unavailable(error) else "other"
    # asyncpg raises a refused connection unwrapped (ConnectionRefusedError, an OSError).
    return "unavailable" if isinstance(context.original_exception, OSError) else "other"


class OutboxGauges(Collector):
    """Outbox depth and the age of its oldest pending row, read from the database on scrape.

    `read` runs before each exposition (one indexed aggregate over the pending rows, on the
    read engine, bounded by a timeout); `collect` gives what it read. When the read fails
    or times out, the two gauges are left out of that scrape (alert on their absence).
    """

    def __init__(self, timeout: float = OUTBOX_READ_SECONDS) -> None:
        self.timeout = timeout
        self._source: tuple[AsyncEngine, Clock] | None = None
        self._last: tuple[int, float] | None = None

    def read_from(self, engine: AsyncEngine, clock: Clock) -> None:
        self._source = (engine, clock)

    async def read(self) -> None:
        self._last = None
        if self._source is None:
            return
        engine, clock = self._source
        query = select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.state == PENDING)
        try:
            async with asyncio.timeout(self.timeout), engine.connect() as connection:
                depth, oldest = (await connection.execute(query)).one()
        except Exception as exc:  # a scrape must answer: the gauges are left out instead
            log.warning("outbox metrics not read: %s", type(exc).__name__)
            return
        age = (clock.now() - oldest).total_seconds() if oldest is not None else 0.0
        self._last = (int(depth), max(age, 0.0))

    def describe(self) -> Iterable[Metric]:
        return self._families(0, 0.0)

    def collect(self) -> Iterable[Metric]:
        return self._families(*self._last) if self._last is not None else ()

    def _families(self, depth: int, age: float) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "clientloop_outbox_pending_messages",
            "Outbox messages not yet delivered (due now or held back for later).",
            value=depth,
        )
        yield GaugeMetricFamily(
            "clientloop_outbox_oldest_pending_age_seconds",
            "How long the oldest undelivered outbox message has waited (0 when none).",
            value=age,
        )


class RequestMetrics:
    """Pure ASGI middleware: counts and times every HTTP request by its route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500  # an exception that escapes is a 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.request(scope, status, time.perf_counter() - started)


def add_metrics(app: FastAPI, metrics: Metrics) -> None:
    """GET /metrics, and the middleware that counts requests."""
    app.add_middleware(RequestMetrics, metrics=metrics)

    @app.get("/metrics", include_in_schema=False)
    async def scrape() -> Response:
        await metrics.outbox.read()
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
