"""Fixtures for tests on a real database: a migrated schema and sessions on it."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workflow.persistence.db import make_engine, make_sessionmaker, upgrade_async


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a freshly migrated database (SQLite, then PostgreSQL when configured)."""
    await upgrade_async(db_url)
    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    await engine.dispose()
