"""Where a live stage keeps its data: a SQLite file in the work folder, or a fresh PostgreSQL
database on the local server (trust auth), dropped after."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

# PostgreSQL for the second clientloop run: a fresh database on the local server (trust auth).
POSTGRES_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
POSTGRES_DB = "clientloop_bench"
POSTGRES_URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{POSTGRES_DB}"


@dataclass(frozen=True)
class Database:
    """Where one `clientloop serve` run keeps its data; `slug` names its logs and reply ids."""

    label: str  # as the table shows the target, e.g. "clientloop (SQLite)"
    slug: str
    url: str


def sqlite_database(work: Path) -> Database:
    return Database(
        "clientloop (SQLite)", "sqlite", f"sqlite+aiosqlite:///{work / 'clientloop.db'}"
    )


async def postgres_database() -> Database | str:
    """A fresh `clientloop_bench` database, or why there is none (the run is then skipped)."""
    try:
        await _admin(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)",
                     f"CREATE DATABASE {POSTGRES_DB}")  # fmt: skip
    except (OSError, SQLAlchemyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"clientloop (PostgreSQL) skipped: 127.0.0.1:5432 did not serve ({first[:120]})"
    return Database("clientloop (PostgreSQL)", "postgres", POSTGRES_URL)


async def drop_postgres_database() -> None:
    with contextlib.suppress(OSError, SQLAlchemyError):
        await _admin(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")


async def _admin(*statements: str) -> None:
    engine = create_async_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT",
                                 connect_args={"timeout": 5})  # fmt: skip
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()


async def outbox_counts(url: str) -> dict[tuple[str, str], int]:
    """The outbox rows of a clientloop database by (op, state): what was sent, replaced by a
    newer version of the same card, or is still queued."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows: Any = await connection.exec_driver_sql(
                "SELECT op, state, count(*) FROM outbox GROUP BY op, state"
            )
            return {(str(row[0]), str(row[1])): int(row[2]) for row in rows}
    finally:
        await engine.dispose()


async def outbox_drained(url: str, seconds: float) -> bool:
    """Wait until nothing is pending in the outbox (at most `seconds`)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        counts = await outbox_counts(url)
        if not any(n for (_, state), n in counts.items() if state == "pending"):
            return True
        await asyncio.sleep(0.25)
    return False
