"""Micro-benchmarks: raw SQLite transactions, then the real bus on the same database."""

import asyncio
import tempfile
import time
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


def run_micro() -> dict[str, float]:
    """ms per raw insert transaction and per command through the bus (untraced, one run)."""

    def rows(url: str) -> Coroutine[Any, Any, None]:
        return write_rows(url, ROWS)

    _, elapsed = timed(rows, "rows.db")
    figures, _ = timed(run_flow, "bus.db")
    return {
        "raw_insert_ms": elapsed / ROWS * 1e3,
        "bus_command_ms": figures.seconds / figures.commands * 1e3,
    }
