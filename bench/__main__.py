"""`make bench`: raw SQLite transactions, then the real bus on the same database, with ratios."""

import asyncio
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from bench.bus import run_flow
from workflow.persistence.db import make_engine

ROWS = 1_000
T = TypeVar("T")
bench_metadata = MetaData()
rows_table = Table(
    "bench_rows",
    bench_metadata,
    Column("id", Integer, primary_key=True),
    Column("body", String(200), nullable=False),
)


async def write_rows(url: str, count: int) -> None:
    """One transaction per row, as the bot writes: BEGIN IMMEDIATE, insert, commit (WAL)."""
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(bench_metadata.create_all)
        for number in range(count):
            async with engine.begin() as connection:
                await connection.execute(insert(rows_table).values(body=f"row {number}"))
    finally:
        await engine.dispose()


def timed(run: Callable[[str], Coroutine[Any, Any, T]], name: str) -> tuple[T, float]:
    """Run once untraced for the time (tracemalloc slows Python several-fold)."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = asyncio.run(run(f"sqlite+aiosqlite:///{Path(folder) / name}"))
        return result, time.perf_counter() - started


def peak_kib(run: Callable[[str], Coroutine[Any, Any, object]], name: str) -> float:
    """Run again under tracemalloc for the peak memory."""
    with tempfile.TemporaryDirectory() as folder:
        tracemalloc.start()
        asyncio.run(run(f"sqlite+aiosqlite:///{Path(folder) / name}"))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak / 1024


def main() -> None:
    def rows(url: str) -> Coroutine[Any, Any, None]:
        return write_rows(url, ROWS)

    _, elapsed = timed(rows, "rows.db")
    raw_ms = elapsed / ROWS * 1e3
    print(f"sqlite: {ROWS} rows, one transaction each, in {elapsed:.2f} s")
    print(f"sqlite: {ROWS / elapsed:,.0f} rows/s, {raw_ms:.2f} ms/row")
    print(f"sqlite: peak traced memory {peak_kib(rows, 'rows.db'):,.0f} KiB")
    figures, _ = timed(run_flow, "bus.db")
    for line in figures.lines("bus"):
        print(line)
    per = figures.seconds / figures.commands * 1e3
    print(f"bus: peak traced memory {peak_kib(run_flow, 'bus.db'):,.0f} KiB")
    print(f"bus: one command costs {per / raw_ms:.1f}x one raw insert transaction")


if __name__ == "__main__":
    main()
