"""The audit chain, idempotent inbound events, retries on conflict, refusals that write nothing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.fakes import FakeUnitOfWork
from tests.unit.conftest import ALICE, PM, World
from workflow import audit
from workflow.audit import verify_trail
from workflow.domain import commands as c
from workflow.domain.errors import Conflict, Refused
from workflow.domain.events import Event
from workflow.flows import COMMAND_HANDLERS, EVENT_HANDLERS
from workflow.flows.feedback import SendFeedback
from workflow.flows.requests import SendRequest
from workflow.messagebus import MessageBus


async def verify(world: World) -> list[str]:
    async with FakeUnitOfWork(world.store) as uow:
        return await verify_trail(uow)


async def test_every_state_change_is_in_a_chain_that_verifies(world: World, project: int) -> None:
    await world.do(SendRequest, ALICE, project_id=project, text="More reports")
    actions = [e.action for e in world.store.audit]
    assert actions == ["ProjectCreated", "RequestReceived"]
    assert [e.seq for e in world.store.audit] == [1, 2]
    assert world.store.audit[1].prev_hash == world.store.audit[0].hash
    assert all(
        e.at.utcoffset() is not None and e.at.utcoffset().total_seconds() == 0
        for e in world.store.audit
    )
    assert await verify(world) == []


async def test_an_edited_entry_is_found(world: World, project: int) -> None:
    await world.do(SendRequest, ALICE, project_id=project, text="More reports")
    world.store.audit[0].comment = "forged"
    assert await verify(world) == ["entry 1 was changed after it was written"]


async def test_an_inserted_entry_is_found(world: World, project: int) -> None:
    await world.do(SendRequest, ALICE, project_id=project, text="More reports")
    fake = dataclasses.replace(world.store.audit[1], seq=2, comment="slipped in").seal()
    world.store.audit.insert(1, fake)
    problems = await verify(world)
    assert any("missing" in p or "does not follow" in p for p in problems)


@pytest.mark.parametrize("index", [0, -1])
async def test_a_deleted_entry_is_found_first_or_last(
    world: World, project: int, index: int
) -> None:
    await world.do(SendRequest, ALICE, project_id=project, text="More reports")
    await world.do(SendFeedback, ALICE, project_id=project, text="Thanks")
    del world.store.audit[index]
    assert await verify(world) != []


async def test_the_same_inbound_event_twice_has_one_effect(world: World, project: int) -> None:
    first = await world.do(SendRequest, ALICE, project_id=project, text="x", event_id="slack:E1")
    second = await world.do(SendRequest, ALICE, project_id=project, text="x", event_id="slack:E1")
    assert not first.duplicate and second.duplicate
    assert len(world.store.items["CustomerRequest"]) == 1


async def test_a_refused_command_writes_nothing_at_all(world: World, project: int) -> None:
    before = (world.store.commits, len(world.store.audit), len(world.store.outbox))
    with pytest.raises(Refused):
        await world.do(SendRequest, PM, project_id=project, text="x", event_id="slack:E2")
    assert (world.store.commits, len(world.store.audit), len(world.store.outbox)) == before
    assert "slack:E2" not in world.store.inbound


async def test_a_conflict_is_retried_and_then_succeeds(world: World, project: int) -> None:
    calls = 0

    async def flaky(cmd: SendFeedback, uow: object) -> c.Reply:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise Conflict("someone else wrote first")
        return c.Reply("ok")

    handlers = dict(COMMAND_HANDLERS) | {SendFeedback: flaky}
    bus = MessageBus(
        lambda: FakeUnitOfWork(world.store), handlers, EVENT_HANDLERS, every_event=[audit.record]
    )
    reply = await bus.handle(SendFeedback(actor=ALICE, at=world.now, project_id=project, text="x"))
    assert (reply.text, calls) == ("ok", 3)


async def test_every_event_is_audited_and_every_command_has_a_handler() -> None:
    # Every command any flow defines (all are imported with workflow.flows) has a handler.
    assert set(COMMAND_HANDLERS) == set(c.Command.__subclasses__())
    kinds = Event.__subclasses__()
    assert len(kinds) > 30
    assert all(cls.subject_kind for cls in kinds)


def test_a_naive_time_is_refused_at_the_door() -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="timezone-aware"):
        SendFeedback(actor=ALICE, at=datetime(2026, 1, 1), project_id=1, text="x")


def test_the_core_never_reads_the_clock_itself() -> None:
    core = Path(__file__).parents[2] / "workflow"
    offenders = [
        f"{path.relative_to(core)}:{n}"
        for path in core.rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if any(s in line for s in ("datetime.now(", "utcnow(", "date.today(", "time.time("))
    ]
    assert offenders == []
