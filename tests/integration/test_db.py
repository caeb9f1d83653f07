"""workflow.persistence.db: SQLite pragmas and write queuing, aware UTC timestamps, migrations."""

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import OperationalError, StatementError

from workflow.persistence.db import (
    make_engine,
    make_read_engine,
    make_sessionmaker,
    schema_problem,
    upgrade,
)
from workflow.persistence.orm import UTCDateTime
from workflow.persistence.unit_of_work import SqlUnitOfWork

test_metadata = MetaData()
stamps = Table(
    "stamps",
    test_metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
)


async def test_sqlite_connections_use_wal_foreign_keys_and_never_sleep_in_sqlite(
    sqlite_url: str,
) -> None:
    engine = make_engine(sqlite_url)
    async with engine.connect() as connection:
        journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        foreign_keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
        busy = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    await engine.dispose()

    # A lock is waited for with asyncio sleeps (sqlite_inline), never by SQLite's own
    # handler, which would stop the event loop.
    assert (journal, foreign_keys, busy) == ("wal", 1, 0)


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
    await asyncio.wait_for(waiting, timeout=30)  # a safety net; it waits for the write

    async with first.connect() as connection:
        assert (await connection.execute(select(stamps.c.id))).all() == [(1,), (2,)]
    await first.dispose()
    await second.dispose()


async def test_a_sqlite_read_goes_ahead_while_a_writer_holds_the_write_lock(
    sqlite_url: str,
) -> None:
    writer = make_engine(sqlite_url)
    reader = make_read_engine(writer)
    async with writer.begin() as connection:
        await connection.run_sync(test_metadata.create_all)
        await connection.execute(insert(stamps).values(at=datetime.now(UTC)))
    try:
        async with writer.begin() as holding:  # BEGIN IMMEDIATE: the write lock is held
            await holding.execute(insert(stamps).values(at=datetime.now(UTC)))
            # A reader that took the lock would wait out the busy timeout and then fail
            # with "database is locked"; this one reads the last committed state at once.
            async with reader.connect() as connection:
                rows = (await connection.execute(select(stamps.c.id))).all()
        assert rows == [(1,)]
    finally:
        await reader.dispose()
        await writer.dispose()


async def test_a_sqlite_read_connection_cannot_write(sqlite_url: str) -> None:
    writer = make_engine(sqlite_url)
    reader = make_read_engine(writer)
    async with writer.begin() as connection:
        await connection.run_sync(test_metadata.create_all)
    try:
        with pytest.raises(OperationalError, match="readonly"):
            async with reader.begin() as connection:
                await connection.execute(insert(stamps).values(at=datetime.now(UTC)))
    finally:
        await reader.dispose()
        await writer.dispose()


async def test_a_burst_of_sqlite_writers_queues_for_the_one_write_connection(
    sqlite_url: str,
) -> None:
    writer = make_engine(sqlite_url)
    async with writer.begin() as connection:
        await connection.run_sync(test_metadata.create_all)

    async def write() -> None:
        async with writer.begin() as connection:
            await connection.execute(insert(stamps).values(at=datetime.now(UTC)))

    try:
        # Far more writers than the pool has connections: they queue, none fails.
        await asyncio.gather(*(write() for _ in range(48)))
        async with writer.connect() as connection:
            count = len((await connection.execute(select(stamps.c.id))).all())
        assert count == 48
    finally:
        await writer.dispose()


async def test_sqlite_writers_take_their_turns_in_arrival_order(sqlite_url: str) -> None:
    """A writer that finishes and at once writes again queues behind those already waiting;
    the pool alone let it go first, so under a steady load some waited for seconds."""
    sessions = make_sessionmaker(make_engine(sqlite_url))
    order: list[str] = []
    holding, release = asyncio.Event(), asyncio.Event()

    async def writer(name: str) -> None:
        async with SqlUnitOfWork(sessions) as uow:
            await uow.session.execute(text("SELECT 1"))
            order.append(name)
            if name == "first":
                holding.set()
                await release.wait()
        if name == "first":  # finished, and straight back for another turn
            async with SqlUnitOfWork(sessions):
                order.append("first again")

    first = asyncio.create_task(writer("first"))
    await holding.wait()
    waiting = [asyncio.create_task(writer(f"w{n}")) for n in range(4)]
    for _ in range(20):  # let every waiter reach the queue
        await asyncio.sleep(0)
    release.set()
    await asyncio.gather(first, *waiting)
    assert order == ["first", "w0", "w1", "w2", "w3", "first again"]


async def test_a_postgresql_reader_is_the_writer_itself(db_url: str) -> None:
    writer = make_engine(db_url)
    try:
        reader = make_read_engine(writer)
        assert (reader is writer) == (writer.dialect.name != "sqlite")
        if reader is not writer:
            await reader.dispose()
    finally:
        await writer.dispose()


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


async def test_a_newer_release_schema_keeps_the_replicas_of_the_release_before_ready(
    db_url: str,
) -> None:
    """A rolling upgrade migrates first; replicas still on this release go on serving."""
    engine = make_engine(db_url)
    upgrade(db_url)
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    assert await schema_problem(engine) is None

    async with engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '0011'"))
    problem = await schema_problem(engine)
    await engine.dispose()

    assert problem is not None and "schema is at 0011" in problem
