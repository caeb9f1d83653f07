"""The statements a decision leaves out keep their guarantees: the audit head moves only from
where the chain is, and a project is still woken whenever work may be due sooner."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from sqlalchemy import select

from bot.bootstrap import Runtime, bootstrap
from tests.integration.statement_helpers import ALICE, AT, BOB, PM, recorded, website
from workflow.audit import verify_trail
from workflow.domain.changes import Verdict
from workflow.domain.commands import PersonRef
from workflow.flows.change_requests.messages import CreateChangeRequest, DecideChange
from workflow.persistence.db import upgrade_async
from workflow.persistence.tables import projects
from workflow.persistence.unit_of_work import SqlUnitOfWork


def decide(change_id: int, who: PersonRef, at_offset: int) -> DecideChange:
    return DecideChange(
        actor=who, at=AT + timedelta(minutes=at_offset), event_id=f"slack:action:{at_offset}",
        change_id=change_id, version=1, verdict=Verdict.APPROVE,
    )  # fmt: skip


async def test_two_processes_writing_one_chain_keep_it_whole(db_url: str) -> None:
    """Each process guesses the head it last wrote; the other moved it, so the guess fails
    and the head is read under its lock: the chain has no fork and no gap."""
    await upgrade_async(db_url)
    one = bootstrap(db_url, deliver_after_commit=False)
    two = bootstrap(db_url, deliver_after_commit=False)
    try:
        project_id = await website(one)
        for n, runtime in enumerate((two, one, two, one)):
            made = await runtime.bus.handle(
                CreateChangeRequest(actor=PM, at=AT, project_id=project_id, title=f"CR {n}")
            )
            assert made.subject_id is not None
        async with one.uow() as uow:
            assert await verify_trail(uow) == []
            entries = await uow.audit.entries()
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    finally:
        await one.close()
        await two.close()


async def test_a_decision_wakes_a_project_planned_for_later(db_url: str) -> None:
    await upgrade_async(db_url)
    runtime = bootstrap(db_url, deliver_after_commit=False)
    try:
        project_id = await website(runtime)
        made = await runtime.bus.handle(
            CreateChangeRequest(actor=PM, at=AT, project_id=project_id, title="Dark mode")
        )
        assert made.subject_id is not None
        later = AT + timedelta(days=3)
        async with runtime.uow() as uow:
            await uow.agenda.plan(project_id, later)
            await uow.commit()

        await runtime.bus.handle(decide(made.subject_id, ALICE, 5))
        assert await due_at(runtime, project_id) == AT + timedelta(minutes=5)

        # Already due by then: nothing to bring forward (and SQLite sends no UPDATE).
        with recorded(runtime.engine.sync_engine) as statements:
            await runtime.bus.handle(decide(made.subject_id, BOB, 9))
        assert await due_at(runtime, project_id) == AT + timedelta(minutes=5)
        woken = [s for s in statements if s.startswith("UPDATE projects")]
        assert len(woken) == (0 if db_url.startswith("sqlite") else 1)
    finally:
        await runtime.close()


async def due_at(runtime: Runtime, project_id: int) -> object:
    async with cast(SqlUnitOfWork, runtime.uow()) as uow:
        query = select(projects.c.next_due_at).where(projects.c.id == project_id)
        return (await uow.session.execute(query)).scalar_one()
