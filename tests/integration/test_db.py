"""workflow.persistence.db: SQLite pragmas and write queuing, aware UTC timestamps, migrations."""

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import StatementError

from workflow.persistence.db import make_engine, make_sessionmaker, schema_problem, upgrade
from workflow.persistence.orm import UTCDateTime

test_metadata = MetaData()
stamps = Table(
    "stamps",
    test_metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
)


async def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(
    sqlite_url: str,
) -> None:
    engine = make_engine(sqlite_url)
    async with engine.connect() as connection:
        journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        foreign_keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
        busy = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    await engine.dispose()

    assert (journal, foreign_keys, busy) == ("wal", 1, 5000)


async def test_a_second_sqlite_writer_waits_for_the_first(sqlite_url: str) -> None:
    first, second = make_engine(sqlite_url), make_engine(sqlite_url)
    async with first.begin() as connection:
        await connection.run_sync(test_metadata.create_all)

    async def write_later() -> None:
        async with second.begin() as other:
            await other.execute(insert(stamps).values(at=datetime.now(UTC)))

    async with first.begin() as connection:
        await connection.execute(insert(stamps).values(at=datetime.now(UTC)))
        waiting = asyncio.create_task(write_later())
        await asyncio.sleep(0.3)
        assert not waiting.done()
    await asyncio.wait_for(waiting, timeout=5)

    async with first.connect() as connection:
        assert (await connection.execute(select(stamps.c.id))).all() == [(1,), (2,)]
    await first.dispose()
    await second.dispose()


async def test_utc_datetime_round_trips_as_aware_utc(db_url: str) -> None:
    engine = make_engine(db_url)
    paris_summer = datetime(2026, 7, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    async with engine.begin() as connection:
        await connection.run_sync(test_metadata.create_all)
        await connection.execute(insert(stamps).values(at=paris_summer))
        loaded = (await connection.execute(select(stamps.c.at))).scalar_one()
    await engine.dispose()

    assert loaded == paris_summer
    assert loaded.tzinfo is not None
    assert loaded.utcoffset() == timedelta(0)
    assert loaded.hour == 12


async def test_utc_datetime_refuses_naive_datetimes(db_url: str) -> None:
    engine = make_engine(db_url)
    async with engine.begin() as connection:
        await connection.run_sync(test_metadata.create_all)
    with pytest.raises(StatementError) as refused:
        async with engine.begin() as connection:
            await connection.execute(insert(stamps).values(at=datetime(2026, 7, 1, 12, 0)))
    await engine.dispose()

    assert isinstance(refused.value.orig, ValueError)
    assert "naive datetime" in str(refused.value.orig)


async def test_upgrade_works_inside_a_running_event_loop(db_url: str) -> None:
    engine = make_engine(db_url)
    assert await schema_problem(engine) is not None

    upgrade(db_url)

    assert await schema_problem(engine) is None
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT 1"))).scalar() == 1
    await engine.dispose()


async def test_sessions_keep_objects_readable_after_commit(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)

    assert make_sessionmaker(engine).kw["expire_on_commit"] is False
    await engine.dispose()
