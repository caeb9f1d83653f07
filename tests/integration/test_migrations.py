"""The first migration builds exactly the schema the tables describe, and it can be undone."""

import asyncio
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

from workflow.persistence.db import alembic_config, make_engine, upgrade_async
from workflow.persistence.orm import metadata

EVERY_TABLE = {*metadata.tables, "alembic_version"}


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _schema(url: str) -> tuple[list[Any], set[str]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
            names = await connection.run_sync(_table_names)
    finally:
        await engine.dispose()
    return differences, names


async def _downgrade_to_base(url: str) -> None:
    # env.py runs its own event loop, so Alembic runs in a thread here.
    await asyncio.to_thread(command.downgrade, alembic_config(url), "base")


async def test_upgrade_to_head_builds_exactly_the_schema_of_the_tables(db_url: str) -> None:
    await upgrade_async(db_url)

    differences, names = await _schema(db_url)

    assert differences == []
    assert names == EVERY_TABLE


async def test_downgrade_to_base_removes_every_table_and_upgrade_builds_them_again(
    db_url: str,
) -> None:
    await upgrade_async(db_url)

    await _downgrade_to_base(db_url)
    _, left_after_downgrade = await _schema(db_url)
    await upgrade_async(db_url)
    differences, names = await _schema(db_url)

    assert left_after_downgrade <= {"alembic_version"}
    assert differences == []
    assert names == EVERY_TABLE
