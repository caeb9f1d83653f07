"""The cost of an idle scheduler tick on SQLite with 1k, 10k and 100k projects.

`python -m bench.tick [SIZES...]` seeds each size with bulk INSERTs (a PM and two
customers per project, nothing due: it is Sunday, the check-ins are on Monday) and times
a tick of the real Ticker over the real bus. Projects are seeded already planned for their
next check-in, as a tick leaves them; on a schema without `next_due_at` (before the
agenda) the same seed measures the tick that worked every open project.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from scheduler.jobs import Ticker
from workflow.flows import make_bus
from workflow.persistence.db import make_engine, make_sessionmaker, upgrade_async
from workflow.persistence.tables import participants, people, projects, workspaces
from workflow.persistence.unit_of_work import SqlUnitOfWork

SIZES = (1_000, 10_000, 100_000)
SUNDAY_NOON = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)  # nothing is sent at weekends
CREATED = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
NEXT_CHECKIN = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # Monday 10:00 UTC
TIMEOUT = 120.0
CHUNK = 10_000


@dataclass(frozen=True)
class Clock:
    at: datetime

    def now(self) -> datetime:
        return self.at


def _chunks(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]


def _rows(size: int) -> dict[Any, list[dict[str, Any]]]:
    person = {"platform": "slack", "org_id": "T1", "display_name": "", "timezone": "UTC"}
    planned = {"next_due_at": NEXT_CHECKIN} if "next_due_at" in projects.c else {}
    project_rows = [
        {"id": n, "workspace_id": 1, "key": f"P{n}", "name": f"Project {n}",
         "channel_id": f"C{n}", "created_at": CREATED, "checkin_day": 0,
         "checkin_time": clock_time(10, 0), "approval_rule": "all", "quorum": None,
         "approval_order": "parallel", "state": "active", "row_version": 1, **planned}
        for n in range(1, size + 1)
    ]  # fmt: skip
    people_rows = [{"id": 1, "user_id": "UPM", **person}] + [
        {"id": n, "user_id": f"U{n}", **person} for n in range(2, 2 * size + 2)
    ]
    roles = [
        row
        for n in range(1, size + 1)
        for row in (
            {"project_id": n, "person_id": 1, "role": "pm", "customer_kind": None},
            {"project_id": n, "person_id": 2 * n, "role": "customer", "customer_kind": "internal"},
            {"project_id": n, "person_id": 2 * n + 1, "role": "customer",
             "customer_kind": "internal"},
        )
    ]  # fmt: skip
    return {people: people_rows, projects: project_rows, participants: roles}


async def seed(url: str, size: int) -> float:
    await upgrade_async(url)
    engine = make_engine(url)
    started = time.perf_counter()
    try:
        async with engine.begin() as connection:
            await connection.execute(
                insert(workspaces).values(id=1, platform="slack", external_id="T1", name="W")
            )
            for table, rows in _rows(size).items():
                for chunk in _chunks(rows):
                    await connection.execute(insert(table), chunk)
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def idle_tick(url: str) -> tuple[float | None, int]:
    """Seconds one tick takes (None: not within TIMEOUT) and the projects it looked at."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    uow = lambda: SqlUnitOfWork(sessions)  # noqa: E731
    ticker = Ticker(make_bus(uow), uow, Clock(SUNDAY_NOON))
    try:
        async with asyncio.timeout(TIMEOUT):
            await ticker.tick()  # warm: mappers, statement caches, SQLite's page cache
        started = time.perf_counter()
        async with asyncio.timeout(TIMEOUT):
            looked = await ticker.tick()
        return time.perf_counter() - started, looked
    except TimeoutError:
        return None, -1
    finally:
        await engine.dispose()


async def main(sizes: tuple[int, ...]) -> None:
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'tick.db'}"
            seeded = await seed(url, size)
            seconds, looked = await idle_tick(url)
        took = f"{seconds * 1e3:,.0f} ms" if seconds is not None else f"over {TIMEOUT:.0f} s"
        print(
            f"{size:>7,} projects (seeded in {seeded:.1f} s): idle tick {took}, "
            f"{looked if looked >= 0 else '?'} projects looked at",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main(tuple(int(a) for a in sys.argv[1:]) or SIZES))
