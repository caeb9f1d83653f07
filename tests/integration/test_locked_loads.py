"""A decision that waited for another writer's row lock sees what that writer committed.

On PostgreSQL a `SELECT … FOR UPDATE` that waited re-reads only the locked row; rows it
joined come from the snapshot taken before the wait. A change request loaded with its
versions joined, under the lock, missed an edit committed meanwhile, and a decision on the
old version went through. The lock is now taken first and the aggregate read after it.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.bootstrap import bootstrap
from tests.integration.statement_helpers import ALICE, AT, PM, website
from workflow.domain.changes import Verdict
from workflow.domain.errors import Refused
from workflow.flows.change_requests.messages import (
    CreateChangeRequest,
    DecideChange,
    EditChangeRequest,
)
from workflow.flows.change_requests.use_cases import edit_change
from workflow.persistence.db import upgrade_async
from workflow.persistence.tables import change_request_decisions
from workflow.persistence.unit_of_work import SqlUnitOfWork


async def waiting_for_a_lock(url: str) -> None:
    """Until some backend of this database waits for a lock (polled, no deadline of ours
    but the test's own timeout)."""
    watcher = create_async_engine(url)
    try:
        while True:
            async with watcher.connect() as connection:
                found = await connection.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"))  # fmt: skip
            if found:
                return
            await asyncio.sleep(0.02)
    finally:
        await watcher.dispose()


async def test_a_decision_waiting_on_an_edit_sees_the_new_version_and_is_refused(
    postgres_url: str,
) -> None:
    await upgrade_async(postgres_url)
    runtime = bootstrap(postgres_url, deliver_after_commit=False)
    try:
        project_id = await website(runtime)
        made = await runtime.bus.handle(
            CreateChangeRequest(actor=PM, at=AT, project_id=project_id, title="Dark mode",
                                cost=Decimal(1))
        )  # fmt: skip
        assert made.subject_id is not None
        decide = DecideChange(
            actor=ALICE, at=AT, event_id="slack:action:race", change_id=made.subject_id,
            version=1, verdict=Verdict.APPROVE,
        )  # fmt: skip
        edit = EditChangeRequest(actor=PM, at=AT, change_id=made.subject_id,
                                 changes={"title": "Dark mode, everywhere"})  # fmt: skip
        async with SqlUnitOfWork(runtime.sessions) as uow:
            await edit_change(edit, uow)  # holds the change request's row lock from here
            await uow.flush()
            deciding = asyncio.create_task(runtime.bus.handle(decide))
            await asyncio.wait_for(waiting_for_a_lock(postgres_url), 20)
            await uow.commit()
        with pytest.raises(Refused):
            await asyncio.wait_for(deciding, 20)
        async with runtime.sessions() as session:
            decisions = (await session.execute(select(change_request_decisions))).all()
        assert decisions == []
    finally:
        await runtime.close()
