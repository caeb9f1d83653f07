"""Time and peak memory of writing 1,000 SQLite rows through workflow.db's engine."""

import asyncio
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from workflow.db import make_engine

ROWS = 1_000
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


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        tracemalloc.start()
        started = time.perf_counter()
        asyncio.run(write_rows(url, ROWS))
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"sqlite: {ROWS} rows, one transaction each, in {elapsed:.2f} s")
    print(f"sqlite: {ROWS / elapsed:,.0f} rows/s, {elapsed / ROWS * 1e3:.2f} ms/row")
    print(f"sqlite: peak traced memory {peak / 1024:,.0f} KiB")


if __name__ == "__main__":
    main()
