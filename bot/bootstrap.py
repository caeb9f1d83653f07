"""The one place that wires the core: engine, unit of work, bus, sender and notifiers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import SystemClock
from bot.metrics import Metrics
from bot.settings import Settings
from workflow.audit import derive_keys
from workflow.delivery.limits import (
    DEFAULT_LIMITS,
    MAX_ATTEMPTS,
    Limit,
    PlatformLimits,
    RateLimiter,
)
from workflow.delivery.sender import LEASE_SECONDS, Sender
from workflow.dispatcher import Dispatcher
from workflow.domain.audit import UNKEYED, AuditKeys
from workflow.domain.people import Platform
from workflow.flows import make_bus
from workflow.messagebus import MessageBus
from workflow.persistence.db import make_engine, make_read_engine, make_sessionmaker
from workflow.persistence.outbox_store import OutboxStore
from workflow.persistence.unit_of_work import SqlUnitOfWork, sql_uow_factory
from workflow.persistence.views import read_uow_factory
from workflow.ports import Clock, Notifier, UnitOfWork


@dataclass(frozen=True)
class DeliveryOptions:
    """How the sender paces and retries; the defaults are the platforms' documented limits."""

    limits: Mapping[Platform, PlatformLimits] = field(default_factory=lambda: DEFAULT_LIMITS)
    lease_seconds: float = LEASE_SECONDS
    max_attempts: int = MAX_ATTEMPTS


def delivery_options(settings: Settings) -> DeliveryOptions:
    """The CLIENTLOOP_SLACK_* / CLIENTLOOP_TEAMS_* limits and the outbox settings."""
    s = settings
    slack = PlatformLimits(
        Limit.per_second(
            s.clientloop_slack_per_channel_per_second, s.clientloop_slack_channel_burst
        ),
        Limit.window(
            s.clientloop_slack_per_workspace_per_minute, 60, s.clientloop_slack_workspace_burst
        ),
        pause_workspace_on_429=True,
    )
    per_conversation = s.clientloop_teams_per_conversation_per_second
    per_tenant = s.clientloop_teams_per_tenant_per_second
    teams = PlatformLimits(
        Limit.per_second(per_conversation, max(per_conversation, 1.0)),
        Limit.per_second(per_tenant, max(per_tenant, 1.0)),
    )
    return DeliveryOptions(
        {Platform.SLACK: slack, Platform.TEAMS: teams},
        s.clientloop_outbox_lease_seconds,
        s.clientloop_delivery_max_attempts,
    )


@dataclass
class Runtime:
    """Everything a process needs to handle commands and deliver what they cause."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]  # never take SQLite's write lock
    bus: MessageBus
    sender: Sender
    clock: Clock
    dispatcher: Dispatcher  # the one door both chat adapters use
    notifiers: dict[Platform, Notifier] = field(default_factory=dict)
    # Run at close, once the sender has drained (e.g. the Slack clients' pooled connections).
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    audit_keys: AuditKeys = UNKEYED
    metrics: Metrics = field(default_factory=Metrics)  # this process's; GET /metrics serves it

    def uow(self) -> UnitOfWork:
        return SqlUnitOfWork(self.sessions, self.audit_keys)

    def read_uow(self) -> UnitOfWork:
        return read_uow_factory(self.read_sessions, self.audit_keys)()

    @property
    def read_engine(self) -> AsyncEngine:
        bind = self.read_sessions.kw["bind"]
        assert isinstance(bind, AsyncEngine)
        return bind

    async def close(self, *, dispose: bool = True) -> None:
        self.sender.stop()
        await self.sender.drain()
        for close in self.closers:
            await close()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()  # always ours, even when `engine` was lent
        if dispose:
            await self.engine.dispose()


def bootstrap(
    database_url: str,
    *,
    engine: AsyncEngine | None = None,
    notifiers: Mapping[Platform, Notifier] | None = None,
    clock: Clock | None = None,
    deliver_after_commit: bool = True,
    delivery: DeliveryOptions | None = None,
    zone: str = "UTC",
    secret_keys: Sequence[str] = (),
    metrics: Metrics | None = None,
) -> Runtime:
    """Build the runtime; the sender is kicked after every commit unless told otherwise.

    `zone` is the default time zone of people whose platform gives none (CLIENTLOOP_TIMEZONE).
    `secret_keys` (`Settings.secret_keys`: the current first) key the audit trail; without
    them it is sealed with plain sha256 and its checkpoints go unsigned (SECURITY.md).
    `metrics` (a fresh registry unless given) is told what the core, the sender, the
    scheduler and the database engines report.
    """
    engine = engine or make_engine(database_url)
    sessions = make_sessionmaker(engine)
    read_sessions = make_sessionmaker(make_read_engine(engine))
    clock = clock or SystemClock()
    chosen = dict(notifiers or {})

    audit_keys = derive_keys(secret_keys)
    uow_factory = sql_uow_factory(sessions, audit_keys)
    reads = read_uow_factory(read_sessions, audit_keys)
    options = delivery or DeliveryOptions()
    metrics = metrics or Metrics()
    sender = Sender(
        OutboxStore(sessions, read_sessions),
        reads,  # the sender only looks people and places up: never SQLite's one writer
        chosen,
        clock,
        limiter=RateLimiter(options.limits),
        lease_seconds=options.lease_seconds,
        max_attempts=options.max_attempts,
        wake_for_deferred=deliver_after_commit,
        telemetry=metrics,
    )
    after = sender.kick_after_commit if deliver_after_commit else None
    bus = make_bus(uow_factory, after_commit=after)
    dispatcher = Dispatcher(bus, uow_factory, clock, zone, reads=reads, telemetry=metrics)
    made = (engine, sessions, read_sessions, bus, sender, clock, dispatcher, chosen)
    runtime = Runtime(*made, audit_keys=audit_keys, metrics=metrics)
    for watched in {engine, runtime.read_engine}:  # one engine on PostgreSQL, two on SQLite
        runtime.closers.append(metrics.watch_database(watched))
    metrics.outbox.read_from(runtime.read_engine, clock)
    return runtime
