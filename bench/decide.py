"""What one stored decision costs in-process: ms and statements, on SQLite and PostgreSQL.

`python -m bench.decide` seeds a project (10 external customers and a sponsor, as the live
bench) with change requests through the real bus (`bot.bootstrap`, as
tests/integration/test_statement_counts.py), then times Approve decisions one after another
and, separately, 16 at a time. PostgreSQL comes from TEST_DATABASE_URL (a role and schema of
its own, dropped after), or is skipped. `--profile` prints a cProfile of the sequential run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.bootstrap import Runtime, bootstrap
from workflow.domain.change_versions import Verdict
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.flows.change_requests.messages import CreateChangeRequest, DecideChange
from workflow.flows.projects.messages import CreateProject
from workflow.persistence.db import upgrade_async

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CUSTOMERS = [f"UC{n:03d}" for n in range(10)]
CONCURRENCY = 16


def ref(user: str) -> PersonRef:
    return PersonRef(Identity(Platform.SLACK, "T1", user), user)


@dataclass(frozen=True)
class Figures:
    database: str
    decisions: int
    ms_each: float
    cpu_ms_each: float
    statements_each: float
    concurrent_per_s: float
    concurrent_p99_ms: float

    def line(self) -> str:
        return (
            f"{self.database:<10} {self.ms_each:6.2f} ms/decision "
            f"({self.cpu_ms_each:5.2f} ms CPU)  "
            f"{self.statements_each:5.1f} statements/decision  "
            f"{CONCURRENCY} at a time: {self.concurrent_per_s:6.0f}/s, "
            f"p99 {self.concurrent_p99_ms:5.0f} ms  ({self.decisions} decisions each way)"
        )


async def seed(runtime: Runtime, changes: int) -> list[int]:
    pm = ref("UPM")
    customers = tuple((ref(u), CustomerKind.EXTERNAL) for u in CUSTOMERS)
    made = await runtime.bus.handle(
        CreateProject(
            actor=pm, at=T0, platform=Platform.SLACK, workspace_id="T1", channel_id="C1",
            name="Bench", key="BEN", customers=customers, sponsor=ref("USPONSOR"),
        )
    )  # fmt: skip
    assert made.subject_id is not None
    ids = []
    for n in range(changes):
        reply = await runtime.bus.handle(
            CreateChangeRequest(
                actor=pm, at=T0 + timedelta(seconds=n), project_id=made.subject_id,
                title=f"Change {n}",
            )
        )  # fmt: skip
        assert reply.subject_id is not None
        ids.append(reply.subject_id)
    return ids


def click(change_id: int, customer: str, n: int) -> DecideChange:
    return DecideChange(
        actor=ref(customer), at=T0 + timedelta(hours=1, seconds=n),
        event_id=f"slack:action:{change_id}:{customer}", change_id=change_id, version=1,
        verdict=Verdict.APPROVE,
    )  # fmt: skip


async def measure(url: str, name: str, count: int, profile: bool) -> Figures:
    await upgrade_async(url)
    runtime = bootstrap(url, deliver_after_commit=False)
    try:
        # Two customers per change request: neither settles it (the common click).
        changes = await seed(runtime, count)
        sequential = [click(c, CUSTOMERS[0], n) for n, c in enumerate(changes)]
        concurrent = [click(c, CUSTOMERS[1], n) for n, c in enumerate(changes)]
        # Warm up: mappers, compiled-statement caches, pool connections.
        for command in sequential[:20]:
            await runtime.bus.handle(command)
        statements = 0

        def count_statement(*_: Any) -> None:
            nonlocal statements
            statements += 1

        timed = sequential[20:]
        event.listen(runtime.engine.sync_engine, "before_cursor_execute", count_statement)
        profiler = cProfile.Profile() if profile else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for command in timed:
            reply = await runtime.bus.handle(command)
            assert "recorded" in reply.text, reply.text
        if profiler:
            profiler.disable()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", count_statement)
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("SORT", "tottime"))
            stats.print_stats(int(os.environ.get("TOP", "45")))
            if os.environ.get("PROFILE_OUT"):
                stats.dump_stats(f"{os.environ['PROFILE_OUT']}.{name}")
            print(f"--- profile, {name} ---\n{out.getvalue()}", file=sys.stderr)
        rate, p99 = await concurrently(runtime, concurrent)
    finally:
        await runtime.close()
    n = len(timed)
    return Figures(name, n, elapsed / n * 1e3, cpu / n * 1e3, statements / n, rate, p99)


async def concurrently(runtime: Runtime, commands: list[DecideChange]) -> tuple[float, float]:
    queue = list(reversed(commands))
    latencies: list[float] = []

    async def worker() -> None:
        while queue:
            command = queue.pop()
            started = time.perf_counter()
            await runtime.bus.handle(command)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return len(commands) / elapsed, latencies[int(len(latencies) * 0.99)] * 1e3


@asynccontextmanager
async def postgres_schema(admin_url: str) -> AsyncIterator[str]:
    """A role and schema of our own in the test database, dropped after (as the tests do)."""
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"clientloop_bench_{uuid.uuid4().hex[:10]}"
    try:
        async with admin.connect() as c:
            await c.exec_driver_sql(f'CREATE ROLE "{name}" LOGIN')
            await c.exec_driver_sql(f'CREATE SCHEMA "{name}" AUTHORIZATION "{name}"')
            await c.exec_driver_sql(f'ALTER ROLE "{name}" SET search_path = "{name}"')
        try:
            yield make_url(admin_url).set(username=name, password=None).render_as_string(False)
        finally:
            async with admin.connect() as c:
                await c.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE usename = '{name}'"
                )
                await c.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
                await c.exec_driver_sql(f'DROP ROLE "{name}"')
    finally:
        await admin.dispose()


async def main(count: int, profile: bool, only: str | None) -> None:
    if only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="clientloop-decide-") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'decide.db'}"
            print((await measure(url, "SQLite", count, profile)).line(), flush=True)
    if only in (None, "postgres"):
        admin = os.environ.get("TEST_DATABASE_URL")
        if not admin:
            print("PostgreSQL skipped: TEST_DATABASE_URL is not set", flush=True)
            return
        async with postgres_schema(admin) as url:
            print((await measure(url, "PostgreSQL", count, profile)).line(), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    asyncio.run(main(args.decisions, args.profile, args.only))
