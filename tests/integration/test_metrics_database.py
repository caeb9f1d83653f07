"""The database engines' errors are counted by the core's kinds: conflict, unavailable, other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from bot.bootstrap import bootstrap
from tests.fakes import FixedClock
from workflow.persistence.db import upgrade_async
from workflow.persistence.tables_delivery import outbox

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def test_a_unique_violation_counts_as_a_conflict_and_bad_sql_as_other(db_url: str) -> None:
    await upgrade_async(db_url)
    runtime = bootstrap(db_url, deliver_after_commit=False)
    insert = text("INSERT INTO inbound_events (key, received_at) VALUES ('k1', :at)")
    at = runtime.clock.now()
    try:
        async with runtime.engine.begin() as connection:
            await connection.execute(insert, {"at": at})
        with pytest.raises(DBAPIError):
            async with runtime.engine.begin() as connection:
                await connection.execute(insert, {"at": at})
        with pytest.raises(DBAPIError):
            async with runtime.read_engine.connect() as connection:
                await connection.execute(text("SELECT nothing FROM no_such_table"))
    finally:
        await runtime.close()
    sample = runtime.metrics.registry.get_sample_value
    assert sample("clientloop_database_errors_total", {"kind": "conflict"}) == 1
    assert sample("clientloop_database_errors_total", {"kind": "other"}) == 1
    assert sample("clientloop_database_errors_total", {"kind": "unavailable"}) == 0


async def test_the_outbox_gauges_read_depth_and_oldest_age_from_the_database(
    db_url: str,
) -> None:
    await upgrade_async(db_url)
    clock = FixedClock(T0)
    runtime = bootstrap(db_url, clock=clock, deliver_after_commit=False)
    sample = runtime.metrics.registry.get_sample_value
    try:
        await runtime.metrics.outbox.read()
        assert sample("clientloop_outbox_pending_messages") == 0
        assert sample("clientloop_outbox_oldest_pending_age_seconds") == 0
        async with runtime.engine.begin() as connection:
            for minutes, state in ((10, "pending"), (3, "pending"), (60, "sent")):
                at = T0 - timedelta(minutes=minutes)
                row = {"created_at": at, "available_at": at, "op": "post", "view": {}}
                await connection.execute(insert(outbox).values(**row, state=state))
        await runtime.metrics.outbox.read()
        assert sample("clientloop_outbox_pending_messages") == 2
        assert sample("clientloop_outbox_oldest_pending_age_seconds") == 600
        runtime.metrics.outbox.timeout = 0.0  # a read that cannot finish leaves them out
        await runtime.metrics.outbox.read()
        assert sample("clientloop_outbox_pending_messages") is None
    finally:
        await runtime.close()
