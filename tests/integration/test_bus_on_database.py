"""The real bus on a real database: a change approved end to end, and a tamper-evident trail."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from workflow.audit import verify_trail
from workflow.domain.change_versions import Verdict
from workflow.domain.changes import ChangeRequest, CRState
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.flows import make_bus
from workflow.flows.change_requests.messages import CreateChangeRequest, DecideChange
from workflow.flows.projects.messages import CreateProject
from workflow.messagebus import MessageBus
from workflow.persistence.db import make_engine, make_sessionmaker, upgrade_async
from workflow.persistence.unit_of_work import SqlUnitOfWork

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PM = PersonRef(Identity(Platform.SLACK, "T1", "UPM"), "Pam")
ALICE = PersonRef(Identity(Platform.SLACK, "TCUST", "UALICE"), "Alice", "Europe/Berlin")
SAM = PersonRef(Identity(Platform.SLACK, "T1", "USAM"), "Sam")


@dataclass
class World:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    bus: MessageBus

    async def sql(self, statement: str) -> list[tuple[object, ...]]:
        async with self.engine.begin() as connection:
            result = await connection.execute(text(statement))
            return [tuple(row) for row in result] if result.returns_rows else []

    async def problems(self) -> list[str]:
        async with SqlUnitOfWork(self.sessions) as uow:
            return await verify_trail(uow)


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[World]:
    await upgrade_async(db_url)
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    yield World(engine, sessions, make_bus(lambda: SqlUnitOfWork(sessions)))
    await engine.dispose()


async def approved_change(world: World) -> ChangeRequest:
    """Create a project and a change request, and have both approvers approve it."""
    created = await world.bus.handle(
        CreateProject(actor=PM, at=T0, platform=Platform.SLACK, workspace_id="T1",
                        channel_id="C1", name="Website", key="WEB",
                        customers=((ALICE, CustomerKind.EXTERNAL),), sponsor=SAM)
    )  # fmt: skip
    assert created.subject_id is not None
    due = datetime(2027, 1, 31, 18, 0, tzinfo=timezone(timedelta(hours=1)))
    requested = await world.bus.handle(
        CreateChangeRequest(actor=PM, at=T0, project_id=created.subject_id, title="Dark mode",
                              cost=Decimal("1200"), schedule_days=3, due_at=due)
    )  # fmt: skip
    assert requested.subject_id is not None
    for minutes, approver in enumerate([ALICE, SAM], start=1):
        await world.bus.handle(
            DecideChange(actor=approver, at=T0 + timedelta(minutes=minutes),
                           change_id=requested.subject_id, version=1, verdict=Verdict.APPROVE,
                           event_id=f"slack:click-{minutes}")
        )  # fmt: skip
    async with SqlUnitOfWork(world.sessions) as uow:
        change = await uow.repo(ChangeRequest).get(requested.subject_id)
    assert change is not None
    return change


async def test_a_change_request_is_approved_by_both_and_everything_is_recorded(
    world: World,
) -> None:
    change = await approved_change(world)

    outbox = await world.sql(
        "SELECT op, recipient_person_id, recipient_project_id, card_key FROM outbox ORDER BY id"
    )
    trail = await world.sql("SELECT action, shown_hash FROM audit_entries ORDER BY seq")
    people = dict(await world.sql("SELECT user_id, id FROM people"))

    assert change.state is CRState.APPROVED
    assert sorted(d.approver_id for d in change.decisions) == [people["UALICE"], people["USAM"]]
    assert [action for action, _ in trail] == [
        "ProjectCreated", "ChangeRequested", "ApprovalAsked",
        "ChangeDecided", "ChangeDecided", "ChangeSettled",
    ]  # fmt: skip
    shown = {hash_ for action, hash_ in trail if action in ("ChangeRequested", "ChangeDecided")}
    assert shown == {change.current.shown_hash()}  # what was asked is what was approved
    key = f"change_request:{change.id}"
    asked = {person for op, person, _, card in outbox if op == "post" and card == key and person}
    assert asked == {people["UALICE"], people["USAM"]}
    assert ("post", None, change.project_id, key) in outbox
    assert ("update", None, None, key) in outbox
    assert await world.problems() == []


async def test_a_repeated_click_is_handled_once(world: World) -> None:
    change = await approved_change(world)
    before = await world.sql("SELECT count(*) FROM audit_entries")

    reply = await world.bus.handle(
        DecideChange(actor=SAM, at=T0 + timedelta(minutes=9), change_id=change.id or 0,
                       version=1, verdict=Verdict.APPROVE, event_id="slack:click-2")
    )  # fmt: skip

    assert reply.duplicate
    assert await world.sql("SELECT count(*) FROM audit_entries") == before


async def test_an_edited_or_deleted_audit_entry_is_reported(world: World) -> None:
    await approved_change(world)

    await world.sql("UPDATE audit_entries SET comment = 'looks fine' WHERE seq = 4")
    edited = await world.problems()
    await world.sql("DELETE FROM audit_entries WHERE seq = 3")
    deleted = await world.problems()

    assert edited == ["entry 4 was changed after it was written"]
    assert "entry 3 is missing (next is 4)" in deleted
    assert "entry 4 does not follow the entry before it" in deleted


async def test_a_deleted_last_audit_entry_is_reported(world: World) -> None:
    await approved_change(world)

    await world.sql("DELETE FROM audit_entries WHERE seq = (SELECT max(seq) FROM audit_entries)")

    assert await world.problems() == ["the chain ends at entry 5, but 6 entries were written"]


async def test_the_audit_verify_command_exits_1_naming_the_forged_entry(sqlite_url: str) -> None:
    import asyncio
    import os
    import sys

    await upgrade_async(sqlite_url)
    engine = make_engine(sqlite_url)
    sessions = make_sessionmaker(engine)
    world = World(engine, sessions, make_bus(lambda: SqlUnitOfWork(sessions)))
    await approved_change(world)
    await engine.dispose()

    async def verify() -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "audit", "verify",
            env={**os.environ, "DATABASE_URL": sqlite_url}, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await process.communicate()
        return process.returncode or 0, out.decode()

    code, out = await verify()
    assert (code, out.strip()) == (0, "audit trail verified: 6 entries, chain intact")
    await world.sql("UPDATE audit_entries SET comment = 'forged' WHERE seq = 2")
    code, out = await verify()
    assert code == 1
    assert "entry 2 was changed after it was written" in out
