"""workflow.persistence.sqlite_inline: SQLite calls on the loop, and a lock waited for there."""

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

from workflow.persistence.db import make_engine, make_read_engine
from workflow.persistence.sqlite_inline import inline_creator


async def test_sqlite_engines_start_no_thread_per_connection_only_the_one_commit_thread(
    sqlite_url: str, tmp_path: Path
) -> None:
    before = {t.ident for t in threading.enumerate()}
    writers = [make_engine(sqlite_url), make_engine(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")]
    reader = make_read_engine(writers[0])
    try:
        for writer in writers:
            async with writer.begin() as connection:
                await connection.execute(text("CREATE TABLE t (n INTEGER)"))
                await connection.execute(text("INSERT INTO t VALUES (1)"))
        async with reader.connect() as connection:
            assert (await connection.execute(text("SELECT n FROM t"))).scalar() == 1
        new = [t.name for t in threading.enumerate() if t.ident not in before]
        assert all(name.startswith("sqlite-commit") for name in new), new
        committers = [t for t in threading.enumerate() if t.name.startswith("sqlite-commit")]
        assert len(committers) == 1  # shared by every writer of the process
    finally:
        await reader.dispose()
        for writer in writers:
            await writer.dispose()


async def test_a_writer_waiting_for_another_process_lets_the_loop_run(tmp_path: Path) -> None:
    """The lock is held by a plain sqlite3 connection, as a separate scheduler process
    would; while our writer waits, other tasks keep running, and it goes on once freed."""
    path = tmp_path / "locked.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("CREATE TABLE t (n INTEGER)")
    other.execute("BEGIN IMMEDIATE")
    writer = make_engine(f"sqlite+aiosqlite:///{path}")
    ticked = asyncio.Event()

    async def ticker() -> None:
        for _ in range(20):
            await asyncio.sleep(0.005)
        ticked.set()

    async def write() -> None:
        async with writer.begin() as connection:
            await connection.execute(text("INSERT INTO t VALUES (2)"))

    beat = asyncio.create_task(ticker())
    try:
        waiting = asyncio.create_task(write())
        await ticked.wait()  # the loop is free: the ticker runs while the writer waits
        assert not waiting.done()
        other.execute("COMMIT")
        await asyncio.wait_for(waiting, timeout=10)
        assert other.execute("SELECT n FROM t").fetchall() == [(2,)]
    finally:
        beat.cancel()
        other.close()
        await writer.dispose()


async def test_a_lock_held_past_the_busy_time_fails_with_database_is_locked(
    tmp_path: Path,
) -> None:
    path = tmp_path / "held.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("CREATE TABLE t (n INTEGER)")
    other.execute("BEGIN IMMEDIATE")
    url = make_url(f"sqlite+aiosqlite:///{path}")
    engine = create_async_engine(url, async_creator=inline_creator(url, busy_seconds=0.05))
    try:
        async with engine.connect() as connection:
            with pytest.raises(OperationalError, match="locked"):
                await connection.execute(text("BEGIN IMMEDIATE"))
    finally:
        other.execute("ROLLBACK")
        other.close()
        await engine.dispose()


async def test_an_error_in_a_statement_reaches_the_caller_and_the_connection_goes_on(
    sqlite_url: str,
) -> None:
    engine = make_engine(sqlite_url)
    try:
        async with engine.connect() as connection:
            with pytest.raises(OperationalError, match="no such table"):
                await connection.execute(text("SELECT * FROM missing"))
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT 41 + 1"))).scalar() == 42
    finally:
        await engine.dispose()
