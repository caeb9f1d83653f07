"""`python -m bench.reads [N ...]`: pending, the Home and the digest on a seeded SQLite database.

Seeds N projects (10% open) with bulk INSERTs straight into the migrated tables: a
change request, a check-in, a status report, a notice and a customer request per
project, open in open projects and decided in closed ones; N / 10 people, each in 40
projects (4 of them open) as PM, sponsor and customer. Then times the real read-side
queries in-process, each in its own unit of work, and prints the best of a few runs.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from workflow import queries
from workflow.domain.change_versions import Verdict
from workflow.domain.changes import CRState
from workflow.domain.checkins import CheckInState
from workflow.domain.inbox import NoticeState, RequestState
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import ApprovalOrder, ApprovalRule, CustomerKind, ProjectState, Role
from workflow.domain.reports import Rag, ReportState
from workflow.persistence import tables as t
from workflow.persistence import tables_items as ti
from workflow.persistence.db import make_engine, make_sessionmaker, upgrade_async
from workflow.persistence.unit_of_work import SqlUnitOfWork

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
WEEK = date(2026, 11, 30)
RUNS = 7
CHUNK = 5_000
Row = dict[str, Any]


def people_count(projects: int) -> int:
    return max(10, projects // 10)


def identity(person: int) -> Identity:
    return Identity(Platform.SLACK, "T1", f"U{person}")


def roles(i: int, people: int) -> list[tuple[int, Role, CustomerKind | None]]:
    """Project i's PM, sponsor and two customers (people ids start at 1)."""
    return [
        (i % people + 1, Role.PM, None),
        ((i + 1) % people + 1, Role.SPONSOR, None),
        ((i + 2) % people + 1, Role.CUSTOMER, CustomerKind.EXTERNAL),
        ((i + 3) % people + 1, Role.CUSTOMER, CustomerKind.INTERNAL),
    ]


def project_rows(n: int) -> Iterator[tuple[Table, Row]]:
    people = people_count(n)
    for p in range(1, people + 1):
        yield (
            t.people,
            {
                "id": p,
                "platform": Platform.SLACK,
                "org_id": "T1",
                "user_id": f"U{p - 1}",
                "display_name": f"Person {p}",
                "timezone": "Europe/Berlin",
            },
        )
    for i in range(n):
        pid, is_open = i + 1, i < n // 10
        lifecycle = ProjectState.ACTIVE if is_open else ProjectState.CLOSED
        yield (
            t.projects,
            {
                "id": pid,
                "workspace_id": 1,
                "key": f"P{i}",
                "name": f"Project {i}",
                "channel_id": f"C{i}",
                "created_at": NOW - timedelta(days=90),
                "checkin_day": 0,
                "checkin_time": NOW.time(),
                "approval_rule": ApprovalRule.ALL,
                "quorum": None,
                "approval_order": ApprovalOrder.PARALLEL,
                "row_version": 1,
                "state": lifecycle,
            },
        )
        for person, role, kind in roles(i, people):
            yield (
                t.participants,
                {
                    "project_id": pid,
                    "person_id": person,
                    "role": role,
                    "customer_kind": kind,
                    "away_until": None,
                },
            )
        yield from item_rows(pid, is_open, roles(i, people))


def item_rows(
    pid: int, is_open: bool, cast: list[tuple[int, Role, CustomerKind | None]]
) -> Iterator[tuple[Table, Row]]:
    pm, sponsor, external, internal = (person for person, _, _ in cast)

    def pick(opened: object, decided: object) -> object:
        return opened if is_open else decided

    at = NOW - timedelta(days=3)
    yield (
        t.change_requests,
        {
            "id": pid,
            "project_id": pid,
            "requested_by": pm,
            "created_at": at,
            "source": "bench",
            "row_version": 1,
            "state": pick(CRState.PENDING, CRState.APPROVED),
        },
    )
    yield (
        t.change_request_versions,
        {
            "change_request_id": pid,
            "number": 1,
            "title": f"CR {pid}",
            "description": "",
            "scope": "",
            "schedule_days": 1,
            "cost": Decimal(100),
            "reason": "",
            "author_id": pm,
            "created_at": at,
            "due_at": None,
        },
    )
    if not is_open:
        for approver in (sponsor, external, internal):
            decision = {
                "change_request_id": pid,
                "version": 1,
                "approver_id": approver,
                "verdict": Verdict.APPROVE,
                "reason": "",
                "at": at,
                "shown_hash": "h" * 64,
            }
            yield t.change_request_decisions, decision
    yield (
        ti.checkins,
        {
            "id": pid,
            "project_id": pid,
            "person_id": external,
            "week": WEEK,
            "sent_at": at,
            "rating": None if is_open else 4,
            "text": "",
            "environment_changed": False,
            "reminded_at": None,
            "answered_at": None,
            "row_version": 1,
            "state": pick(CheckInState.SENT, CheckInState.ANSWERED),
        },
    )
    yield (
        ti.status_reports,
        {
            "id": pid,
            "project_id": pid,
            "period": "W48",
            "rag": Rag.GREEN,
            "summary": "",
            "risks": "",
            "next_steps": "",
            "posted_by": pm,
            "posted_at": at,
            "reviewer_ids": [external, internal],
            "row_version": 1,
            "state": pick(ReportState.OPEN, ReportState.ACKNOWLEDGED),
        },
    )
    yield (
        ti.notices,
        {
            "id": pid,
            "project_id": pid,
            "author_id": external,
            "what": "Outage",
            "affects": "",
            "created_at": at,
            "since": None,
            "change_request_id": None,
            "checkin_id": None,
            "row_version": 1,
            "state": pick(NoticeState.RECEIVED, NoticeState.NOTED),
        },
    )
    yield (
        ti.customer_requests,
        {
            "id": pid,
            "project_id": pid,
            "author_id": external,
            "text": "FAQ",
            "created_at": at,
            "handled_by": None,
            "handled_at": None,
            "reason": "",
            "change_request_id": None,
            "row_version": 1,
            "state": pick(RequestState.OPEN, RequestState.ACCEPTED),
        },
    )


async def seed(connection: AsyncConnection, n: int) -> None:
    workspace = {"id": 1, "platform": Platform.SLACK, "external_id": "T1", "name": "Bench"}
    await connection.execute(insert(t.workspaces), [workspace])
    batches: dict[Table, list[Row]] = {}
    for table, row in project_rows(n):
        batch = batches.setdefault(table, [])
        batch.append(row)
        if len(batch) >= CHUNK:
            await flush_batches(connection, batches)
    await flush_batches(connection, batches)


async def flush_batches(connection: AsyncConnection, batches: dict[Table, list[Row]]) -> None:
    # Parents before children: the tables were first met in that order.
    for table, rows in batches.items():
        if rows:
            await connection.execute(insert(table), rows)
            rows.clear()


async def timed(run: Callable[[], Awaitable[object]]) -> float:
    """The best wall time of RUNS runs, in milliseconds (after one warm-up): on a shared
    machine the best run is the one least disturbed by others."""
    await run()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await run()
        times.append((time.perf_counter() - started) * 1e3)
    return min(times)


async def measure(sessions: async_sessionmaker[AsyncSession], n: int) -> dict[str, float]:
    me = identity(0)  # PM of project 1, sponsor and customer of others

    async def in_uow(read: Callable[[SqlUnitOfWork], Awaitable[object]]) -> object:
        async with SqlUnitOfWork(sessions) as uow:
            return await read(uow)

    return {
        "pending (mine)": await timed(
            lambda: in_uow(lambda uow: queries.pending_view(uow, me, None, NOW))
        ),
        "pending (project, as PM)": await timed(
            lambda: in_uow(lambda uow: queries.pending_view(uow, me, 1, NOW))
        ),
        "home": await timed(lambda: in_uow(lambda uow: queries.home(uow, me))),
        "digest": await timed(lambda: in_uow(lambda uow: queries.digest_view(uow, me, 1, NOW))),
    }


async def run(n: int, path: Path) -> dict[str, float]:
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade_async(url)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        async with engine.begin() as connection:
            await seed(connection, n)
        async with engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
        print(f"{n:>7} projects seeded in {time.perf_counter() - started:.1f} s", flush=True)
        return await measure(make_sessionmaker(engine), n)
    finally:
        await engine.dispose()


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [1_000, 10_000]
    with tempfile.TemporaryDirectory() as folder:
        for number, n in enumerate(sizes):
            figures = asyncio.run(run(n, Path(folder) / f"reads-{number}-{n}.db"))
            for name, ms in figures.items():
                print(f"{n:>7} projects  {name:<26} {ms:9.1f} ms", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
