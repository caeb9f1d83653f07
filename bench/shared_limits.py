"""Shared rate limits: in-memory RateLimiter vs token buckets in PostgreSQL rows vs lock polls."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from workflow.delivery.limits import Limit, PlatformLimits, RateLimiter, TokenBucket
from workflow.domain.people import Platform
from workflow.ports import Address

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
URL = os.environ.get("DATABASE_URL", DEFAULT_URL).replace("postgresql://", "postgresql+asyncpg://")
OUT = Path(__file__).resolve().parent / "shared_limits.json"
TABLE = "bench_rate_buckets"
WIDE = Limit(1e9, 1e9)  # large enough that nothing ever waits
MEMORY_CALLS = 20_000
CONVERSATIONS = 500  # DMs of one fan-out, per process
PG_SECONDS = 3.0
RUNS = ((1, True), (2, True), (4, True), (4, False))  # (processes, one shared workspace row)
POLLS = 2_000
LOCK_KEY = 0x5E4D_11A1
STANDBYS = (1, 3, 10)
# What the platforms allow: Slack about 300/min per workspace, Teams 50/s per tenant.
DEMAND = {"slack_workspace": 300 / 60, "teams_tenant": 50.0}

SELECT = text(
    f"SELECT key, rate, burst, tokens, updated, paused_until, booked_until FROM {TABLE} "
    "WHERE key = ANY(CAST(:keys AS text[])) ORDER BY key FOR UPDATE"
)
UPDATE = text(
    f"UPDATE {TABLE} AS b SET tokens = v.tokens, updated = v.updated, booked_until = v.booked "
    "FROM unnest(CAST(:keys AS text[]), CAST(:tokens AS float8[]), CAST(:updated AS float8[]), "
    "CAST(:booked AS float8[])) AS v(key, tokens, updated, booked) WHERE b.key = v.key"
)
SEED = text(
    f"INSERT INTO {TABLE} (key, rate, burst, tokens, updated) "
    "SELECT k, :rate, :burst, :burst, :now FROM unnest(CAST(:keys AS text[])) AS k "
    "ON CONFLICT DO NOTHING"
)
TRY_LOCK = text("SELECT pg_try_advisory_lock(:key)")


def summary(samples: list[float], scale: float) -> dict[str, float]:
    """p50 and p99 of `samples`, multiplied by `scale` (to µs or ms)."""
    p99 = statistics.quantiles(samples, n=100)[98]
    return {"p50": statistics.median(samples) * scale, "p99": p99 * scale}


def memory_reserve() -> dict[str, float]:
    """µs per `RateLimiter.reserve`, each call a new DM conversation in one workspace."""
    limiter = RateLimiter({Platform.SLACK: PlatformLimits(WIDE, WIDE)})
    t0 = datetime.now(UTC)
    samples: list[float] = []
    for i in range(MEMORY_CALLS):
        addresses, at = [Address(Platform.SLACK, "T1", f"D{i}")], t0 + timedelta(microseconds=i)
        start = time.perf_counter_ns()
        slot = limiter.reserve(addresses, at)
        samples.append(time.perf_counter_ns() - start)
        if slot is not None:
            raise RuntimeError("the in-memory limiter waited; the limits are too small")
    return summary(samples, 1e-3)


async def pg_reserve(connection: AsyncConnection, keys: list[str], now: float) -> bool:
    """One send's charge: lock the rows in key order, TokenBucket arithmetic, update, commit."""
    async with connection.begin():
        rows = (await connection.execute(SELECT, {"keys": keys})).all()
        # columns 3.. are the bucket's state in TokenBucket's field order
        buckets = {row.key: TokenBucket(Limit(row.rate, row.burst), *row[3:]) for row in rows}
        waits = {key: bucket.wait(now) for key, bucket in buckets.items()}
        room = not any(waits.values())
        for key, bucket in buckets.items():
            if room:
                bucket.take(now)
            elif waits[key] > 0:
                bucket.book(now, waits[key])
        await connection.execute(UPDATE, update_params(buckets))
    return room


def update_params(buckets: dict[str, TokenBucket]) -> dict[str, list[Any]]:
    state = [(b.tokens, b.updated, b.booked_until) for b in buckets.values()]
    tokens, updated, booked = (list(column) for column in zip(*state, strict=True))
    return {"keys": list(buckets), "tokens": tokens, "updated": updated, "booked": booked}


def conversation_keys(process: int, workspace: str) -> list[str]:
    return [f"{workspace}/p{process}-D{i:04d}" for i in range(CONVERSATIONS)]


def workspace_key(process: int, shared: bool) -> str:
    return "slack/T1" if shared else f"slack/T{process + 1}"


def pg_worker(process: int, shared: bool, barrier: Barrier, results: Queue[list[float]]) -> None:
    results.put(asyncio.run(pg_samples(process, shared, barrier)))


async def pg_samples(process: int, shared: bool, barrier: Barrier) -> list[float]:
    """Seconds per reserve over PG_SECONDS, after all processes are connected and warm."""
    workspace = workspace_key(process, shared)
    conversations = conversation_keys(process, workspace)
    engine = create_async_engine(URL)
    samples: list[float] = []
    try:
        async with engine.connect() as connection:
            for conversation in conversations[:50]:  # warm: prepared statements, caches
                await pg_reserve(connection, [workspace, conversation], time.time())
            await asyncio.to_thread(barrier.wait)
            end = time.time() + PG_SECONDS
            while (now := time.time()) < end:
                start = time.perf_counter()
                conversation = conversations[len(samples) % CONVERSATIONS]
                await pg_reserve(connection, [workspace, conversation], now)
                samples.append(time.perf_counter() - start)
    finally:
        await engine.dispose()
    return samples


def pg_run(processes: int, shared: bool) -> dict[str, Any]:
    """`processes` OS processes charging their workspace row and their own DM rows."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=pg_worker, args=(p, shared, barrier, results))
        for p in range(processes)
    ]
    for worker in workers:
        worker.start()
    try:
        samples = [s for _ in workers for s in results.get(timeout=120)]
    finally:
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.terminate()
    return {
        "processes": processes,
        "shared_workspace_row": shared,
        **{f"{k}_ms": v for k, v in summary(samples, 1e3).items()},
        "reserves_per_s": len(samples) / PG_SECONDS,
    }


async def db(*statements: Any, **params: Any) -> None:
    engine = create_async_engine(URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(statement, params)
    finally:
        await engine.dispose()


async def create_table() -> None:
    await db(
        text(f"DROP TABLE IF EXISTS {TABLE}"),
        text(
            f"CREATE TABLE {TABLE} (key text PRIMARY KEY, rate float8 NOT NULL, burst float8 NOT "
            "NULL, tokens float8 NOT NULL, updated float8 NOT NULL, paused_until float8 NOT NULL "
            "DEFAULT 0, booked_until float8 NOT NULL DEFAULT 0)"
        ),
    )
    workspaces = [(p, workspace_key(p, shared)) for p in range(4) for shared in (True, False)]
    keys = {w for _, w in workspaces} | {k for p, w in workspaces for k in conversation_keys(p, w)}
    await db(SEED, keys=sorted(keys), rate=WIDE.rate, burst=WIDE.burst, now=time.time())


async def advisory_poll() -> dict[str, float]:
    """ms per standby `pg_try_advisory_lock` while another connection holds the lock."""
    engine = create_async_engine(URL, isolation_level="AUTOCOMMIT")
    samples: list[float] = []
    try:
        async with engine.connect() as holder, engine.connect() as standby:
            if not (await holder.execute(TRY_LOCK, {"key": LOCK_KEY})).scalar_one():
                raise RuntimeError("the advisory lock is held elsewhere")
            for _ in range(POLLS):
                start = time.perf_counter()
                got = (await standby.execute(TRY_LOCK, {"key": LOCK_KEY})).scalar_one()
                samples.append(time.perf_counter() - start)
                if got:
                    raise RuntimeError("the standby took a held lock")
            await holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
    finally:
        await engine.dispose()
    return summary(samples, 1e3)


def measure() -> dict[str, Any]:
    memory = memory_reserve()
    asyncio.run(create_table())
    try:
        pg = [pg_run(processes, shared) for processes, shared in RUNS]
    finally:
        asyncio.run(db(text(f"DROP TABLE IF EXISTS {TABLE}")))
    poll = asyncio.run(advisory_poll())
    for run in pg:
        run["p50_over_memory_p50"] = run["p50_ms"] * 1e3 / memory["p50"]
    return {
        "machine": f"{os.cpu_count()} cores",
        "memory_reserve_us": memory,
        "pg_reserve": pg,
        "advisory_poll_ms": poll,
        "standby_polls": {n: {"polls_per_s": n, "ms_per_s": n * poll["p50"]} for n in STANDBYS},
        "demand_per_s": DEMAND,
        "hot_row_4_procs_over_teams_tenant": pg[2]["reserves_per_s"] / DEMAND["teams_tenant"],
    }


def table(figures: dict[str, Any]) -> list[str]:
    memory, poll = figures["memory_reserve_us"], figures["advisory_poll_ms"]
    lines = [
        f"in-memory reserve, DM fan-out: p50 {memory['p50']:.2f} µs  p99 {memory['p99']:.2f} µs"
    ]
    for run in figures["pg_reserve"]:
        row = "1 shared workspace row" if run["shared_workspace_row"] else "own workspace rows"
        lines.append(
            f"PG row reserve, {run['processes']} proc, {row:22}  p50 {run['p50_ms']:6.2f} ms  "
            f"p99 {run['p99_ms']:6.2f} ms  {run['reserves_per_s']:5,.0f}/s  "
            f"{run['p50_over_memory_p50']:5,.0f}x in-memory"
        )
    lines.append(
        f"standby poll pg_try_advisory_lock on a held lock: p50 {poll['p50']:.3f} ms  "
        f"p99 {poll['p99']:.3f} ms"
    )
    costs = ", ".join(f"{n}: {c['ms_per_s']:.2f}" for n, c in figures["standby_polls"].items())
    lines.append(f"  N standbys polling each 1 s = N polls/s; ms of round trips per s: {costs}")
    demand = figures["demand_per_s"]
    lines.append(
        f"limits ask for: Slack {demand['slack_workspace']:.0f} sends/s per workspace, Teams "
        f"{demand['teams_tenant']:.0f} sends/s per tenant; hot row (4 proc) gives "
        f"{figures['hot_row_4_procs_over_teams_tenant']:.0f}x Teams' rate"
    )
    return lines


def main() -> None:
    figures = measure()
    print("\n".join(table(figures)), flush=True)
    OUT.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"wrote {OUT}", flush=True)


if __name__ == "__main__":
    main()
