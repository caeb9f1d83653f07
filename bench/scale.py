"""Reads at scale, in-process through the real code: SQLite databases with 1k, 10k and 100k
projects (bulk INSERTs straight into the tables), then `/loop pending`, the App Home, the
digest and an idle scheduler tick, each under a per-call timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, create_engine

from scheduler.jobs import Ticker
from workflow import queries
from workflow.domain.checkins import week_of
from workflow.domain.people import Identity, Platform
from workflow.flows import make_bus
from workflow.persistence import tables as t
from workflow.persistence import tables_items as ti
from workflow.persistence.db import make_engine, make_sessionmaker, upgrade_async
from workflow.persistence.unit_of_work import SqlUnitOfWork

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday, an hour after the check-ins
ACTIVE_EVERY = 10  # one project in ten is active, with people; the rest are closed
Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class ReadFigure:
    projects: int
    read: str
    seconds: float | None  # None: timed out or skipped
    note: str = ""


class FixedClock:
    def now(self) -> datetime:
        return NOW


def rows(count: int) -> dict[Table, Rows]:
    """Every project: a PM, an internal customer, one change request, one check-in; an active
    one also an external customer and a sponsor, with its request and check-in still open."""
    made: dict[Table, Rows] = {k: [] for k in (t.people, t.projects, t.participants,
                                                 t.change_requests, t.change_request_versions,
                                                 ti.checkins)}  # fmt: skip
    week, created = week_of(NOW, ZoneInfo("UTC")), NOW - timedelta(hours=2)
    person = 0
    for p in range(1, count + 1):
        active = p % ACTIVE_EVERY == 1
        roles = [("pm", None), ("customer", "internal")]
        roles += [("customer", "external"), ("sponsor", None)] if active else []
        ids = []
        for role, kind in roles:
            person += 1
            ids.append(person)
            made[t.people].append({"id": person, "platform": "slack", "org_id": "T0001",
                "user_id": f"U{person:07d}", "display_name": f"Person {person}",
                "timezone": "UTC"})  # fmt: skip
            made[t.participants].append({"project_id": p, "person_id": person, "role": role,
                                         "customer_kind": kind, "away_until": None})  # fmt: skip
        made[t.projects].append({"id": p, "workspace_id": 1, "key": f"P{p}", "name": f"Project {p}",
            "channel_id": f"C{p:07d}", "created_at": created, "checkin_day": NOW.weekday(),
            "checkin_time": clock_time(9, 0), "approval_rule": "all", "quorum": None,
            "approval_order": "parallel", "state": "active" if active else "closed",
            "row_version": 1,
            # As a tick leaves them: every customer has this week's check-in, so the next
            # moment is next week's; a closed project is never due.
            "next_due_at": NOW + timedelta(days=6) if active else None})  # fmt: skip
        made[t.change_requests].append({"id": p, "project_id": p, "requested_by": ids[0],
            "created_at": created, "state": "pending" if active else "approved", "source": "",
            "row_version": 1})  # fmt: skip
        made[t.change_request_versions].append({"change_request_id": p, "number": 1,
            "title": f"Change {p}", "description": "d", "scope": "", "schedule_days": 1,
            "cost": Decimal("100.00"), "reason": "r", "author_id": ids[0], "created_at": created,
            "due_at": None})  # fmt: skip
        for customer in ids[1:3]:  # every customer has this week's check-in: nothing is due
            made[ti.checkins].append({"project_id": p, "person_id": customer, "week": week,
                "sent_at": NOW - timedelta(hours=1), "state": "sent" if active else "answered",
                "rating": None if active else 4, "text": "", "environment_changed": False,
                "reminded_at": None, "answered_at": None if active else NOW,
                "row_version": 1})  # fmt: skip
    return made


async def seed(path: Path, count: int, make: Callable[[int], dict[Table, Rows]] = rows) -> float:
    """Migrate, then bulk-insert `make(count)`; returns the seconds it took."""
    started = time.perf_counter()
    await upgrade_async(f"sqlite+aiosqlite:///{path}")
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        workspace = {"id": 1, "platform": "slack", "external_id": "T0001", "name": "Bench"}
        connection.execute(t.workspaces.insert(), [workspace])
        for table, table_rows in make(count).items():
            for start in range(0, len(table_rows), 20_000):
                connection.execute(table.insert(), table_rows[start : start + 20_000])
    engine.dispose()
    return time.perf_counter() - started


def wide_rows(changes: int, customers: int = 10) -> dict[Table, Rows]:
    """One active project as the live bench seeds it: a PM (person 1), external customers
    (2 to 1 + `customers`), a sponsor, and `changes` pending change requests, a minute apart,
    none decided yet, so each waits on every customer."""
    tables = (t.people, t.projects, t.participants, t.change_requests, t.change_request_versions)
    made: dict[Table, Rows] = {k: [] for k in tables}
    roles = [("pm", None)] + [("customer", "external")] * customers + [("sponsor", None)]
    for person, (role, kind) in enumerate(roles, start=1):
        made[t.people].append({"id": person, "platform": "slack", "org_id": "T0001",
            "user_id": f"U{person:07d}", "display_name": f"Person {person}",
            "timezone": "UTC"})  # fmt: skip
        made[t.participants].append({"project_id": 1, "person_id": person, "role": role,
                                     "customer_kind": kind, "away_until": None})  # fmt: skip
    made[t.projects].append({"id": 1, "workspace_id": 1, "key": "BEN", "name": "Bench",
        "channel_id": "C0000001", "created_at": NOW - timedelta(days=30), "checkin_day": 2,
        "checkin_time": clock_time(9, 30), "approval_rule": "all", "quorum": None,
        "approval_order": "parallel", "state": "active", "row_version": 1,
        "next_due_at": NOW + timedelta(days=6)})  # fmt: skip
    for c in range(1, changes + 1):
        created = NOW - timedelta(days=2, minutes=changes - c)
        made[t.change_requests].append({"id": c, "project_id": 1, "requested_by": 1,
            "created_at": created, "state": "pending", "source": "", "row_version": 1})  # fmt: skip
        made[t.change_request_versions].append({"change_request_id": c, "number": 1,
            "title": f"Change {c}", "description": "d", "scope": "", "schedule_days": 1,
            "cost": Decimal("100.00"), "reason": "r", "author_id": 1, "created_at": created,
            "due_at": None})  # fmt: skip
    return made


async def seed_wide(path: Path, changes: int) -> float:
    """`seed`, of one project with `changes` open change requests (`wide_rows`)."""
    return await seed(path, changes, wide_rows)


async def timed(call: Callable[[], Awaitable[object]], limit: float) -> float | None:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(call(), limit)
    except TimeoutError:
        return None
    return time.perf_counter() - started


REPEAT = 5  # a read's figure: the median of this many calls after a first, cold one


async def steady(call: Callable[[], Awaitable[object]], limit: float) -> float | None:
    """The median of REPEAT calls after one that warms the caches (the first call at a
    size reads a freshly written file); None when the first already timed out."""
    if await timed(call, limit) is None:
        return None
    runs = [await timed(call, limit) for _ in range(REPEAT)]
    done = sorted(r for r in runs if r is not None)
    return done[len(done) // 2] if len(done) == len(runs) else None


READS = ("pending (PM)", "App Home (PM)", "digest", "idle scheduler tick")


async def measure(
    path: Path, count: int, limit: float, skip: set[str], *, warm_up: bool = False
) -> list[ReadFigure]:
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    sessions = make_sessionmaker(engine)

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions)

    pm = Identity(Platform.SLACK, "T0001", "U0000001")  # the PM of project 1, an active one

    async def pending() -> object:
        async with uow() as u:
            return await queries.pending_view(u, pm, 1, NOW)

    async def home() -> object:
        async with uow() as u:
            return await queries.home(u, pm)

    async def digest() -> object:
        async with uow() as u:
            return await queries.digest_view(u, pm, 1, NOW)

    ticker = Ticker(make_bus(uow), uow, FixedClock())
    calls = dict(zip(READS, (pending, home, digest, ticker.tick), strict=True))
    figures = []
    try:
        if warm_up:  # the first call pays for imports, mapper set-up and the first connection
            for call in (pending, home, digest):
                await timed(call, limit)
        for name, call in calls.items():
            if name in skip:
                figures.append(ReadFigure(count, name, None, "skipped: slow at the smaller size"))
                continue
            seconds = await steady(call, limit)
            figures.append(
                ReadFigure(count, name, seconds, "" if seconds else f"timeout {limit:.0f} s")
            )
    finally:
        await engine.dispose()
    return figures


async def run_reads(work: Path, sizes: tuple[int, ...], limit: float, slow: float,
                    budget: float) -> tuple[list[ReadFigure], dict[int, float]]:  # fmt: skip
    """Each size in turn; a read slower than `slow` seconds (or timed out) is skipped at the
    next size, and nothing more starts once `budget` seconds have gone."""
    started, figures, seeded = time.perf_counter(), [], {}
    skip: set[str] = set()
    for count in sizes:
        if time.perf_counter() - started > budget:
            figures += [ReadFigure(count, r, None, "skipped: stage budget spent") for r in READS]
            continue
        db = work / f"scale-{count}.db"
        seeded[count] = await seed(db, count)
        found = await measure(db, count, limit, skip, warm_up=not figures)
        skip |= {f.read for f in found if f.seconds is None or f.seconds > slow}
        figures += found
        db.unlink()
    return figures, seeded
