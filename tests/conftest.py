"""Shared fixtures: database URLs for SQLite and, when configured, PostgreSQL."""

import asyncio
import os
import threading
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from bot.settings import normalise_database_url

NO_POSTGRES = (
    "TEST_DATABASE_URL is not set: PostgreSQL tests need "
    "e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


async def aiosqlite_threads_finished() -> None:
    """Let aiosqlite worker threads report back while the test's event loop still runs.

    aiosqlite stops a connection that failed to open without awaiting its thread; if the
    loop closes first, the thread's late reply becomes an unhandled-thread warning. Tests
    that open an unreachable SQLite file call this before they end.
    """
    for thread in threading.enumerate():
        if "_connection_worker_thread" in thread.name:
            await asyncio.to_thread(thread.join, 2)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file per test."""
    return f"sqlite+aiosqlite:///{tmp_path}/t.db"


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A PostgreSQL URL whose login role sees only its own, new, empty schema.

    Each test gets a role and a schema of the same name, with the role's search_path set to
    it, so everything (Alembic's version table included) lands there and is dropped after.
    """
    admin = create_async_engine(_test_database_url(), isolation_level="AUTOCOMMIT")
    name = f"clientloop_test_{uuid.uuid4().hex[:12]}"
    try:
        async with admin.connect() as connection:
            await _create_role_and_schema(connection, name)
        yield (
            make_url(_test_database_url())
            .set(username=name, password=None)
            .render_as_string(hide_password=False)
        )
        async with admin.connect() as connection:
            await _drop_role_and_schema(connection, name)
    finally:
        await admin.dispose()


def _test_database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    if os.environ.get("CLIENTLOOP_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{NO_POSTGRES} (and CLIENTLOOP_REQUIRE_POSTGRES=1 requires them)")
    pytest.skip(NO_POSTGRES)


async def _create_role_and_schema(connection: AsyncConnection, name: str) -> None:
    await connection.exec_driver_sql(f'CREATE ROLE "{name}" LOGIN')
    await connection.exec_driver_sql(f'CREATE SCHEMA "{name}" AUTHORIZATION "{name}"')
    await connection.exec_driver_sql(f'ALTER ROLE "{name}" SET search_path = "{name}"')


async def _drop_role_and_schema(connection: AsyncConnection, name: str) -> None:
    await connection.exec_driver_sql(
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{name}'"
    )
    await connection.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
    await connection.exec_driver_sql(f'DROP ROLE "{name}"')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes it runs once on SQLite and once on PostgreSQL."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url
