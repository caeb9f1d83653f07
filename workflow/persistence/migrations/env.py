"""Alembic environment: runs migrations on our own async engine (SQLite or PostgreSQL)."""

import asyncio

from alembic import context
from sqlalchemy import Connection

from workflow.persistence.db import make_engine
from workflow.persistence.orm import metadata

config = context.config


def _database_url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(
            "no database URL: call workflow.persistence.db.upgrade(url) or set sqlalchemy.url"
        )
    return str(url)


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    is_sqlite = (connection.dialect.name if connection else str(url)).startswith("sqlite")
    context.configure(
        connection=connection,
        url=url,
        target_metadata=metadata,
        render_as_batch=is_sqlite,
        compare_type=True,
        literal_binds=connection is None,
    )


def _run_sync(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = make_engine(_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            # SQLite DDL runs inside our BEGIN IMMEDIATE transaction, which Alembic leaves open.
            await connection.commit()
    finally:
        await engine.dispose()


def _run_offline() -> None:
    _configure(url=_database_url())
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
else:
    asyncio.run(_run_online())
