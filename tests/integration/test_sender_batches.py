"""A claimed batch costs the database a few statements, however many rows it holds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.bootstrap import DeliveryOptions, Runtime, bootstrap
from tests.fakes import FakeNotifier, FixedClock
from tests.integration.statement_helpers import recorded
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.views import Op, Outgoing, Recipient, View, ViewKind, card_key
from workflow.flows.projects.messages import CreateProject
from workflow.persistence.db import upgrade_async
from workflow.persistence.tables_delivery import card_copies, outbox
from workflow.persistence.unit_of_work import SqlUnitOfWork

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
PM = PersonRef(Identity(Platform.SLACK, "T1", "UPM"), "Pam")
CARDS = 12


@pytest.fixture
async def runtime(db_url: str) -> AsyncIterator[tuple[Runtime, FakeNotifier]]:
    await upgrade_async(db_url)
    notifier = FakeNotifier()
    rt = bootstrap(
        db_url,
        notifiers={Platform.SLACK: notifier},
        clock=FixedClock(T0),
        deliver_after_commit=False,
        delivery=DeliveryOptions(limits={}),  # pacing has tests of its own
    )
    yield rt, notifier
    await rt.close()


async def project_in_c1(rt: Runtime) -> int:
    reply = await rt.bus.handle(
        CreateProject(
            actor=PM, at=T0, platform=Platform.SLACK, workspace_id="T1", channel_id="C1",
            name="Website", key="WEB",
        )
    )  # fmt: skip
    assert reply.subject_id is not None
    return reply.subject_id


async def queue(rt: Runtime, project: int, messages: list[Outgoing]) -> None:
    async with SqlUnitOfWork(rt.sessions) as uow:
        for message in messages:
            await uow.outbox.put(message, T0)
        await uow.commit()


def card(n: int, status: str, project: int, update: bool = False) -> Outgoing:
    view = View(ViewKind.INFO, f"Card {n}", status=status)
    if update:
        return Outgoing(None, view, card_key("note", n), Op.UPDATE, project)
    return Outgoing(Recipient(project_id=project), view, card_key("note", n), Op.POST, project)


async def test_a_batch_of_card_updates_reads_copies_once_and_marks_them_in_one_write(
    runtime: tuple[Runtime, FakeNotifier],
) -> None:
    rt, notifier = runtime
    project = await project_in_c1(rt)
    await queue(rt, project, [card(n, "open", project) for n in range(CARDS)])
    await rt.sender.deliver_pending()
    await queue(rt, project, [card(n, "closed", project, update=True) for n in range(CARDS)])

    with recorded(rt.engine.sync_engine, rt.read_engine.sync_engine) as statements:
        assert await rt.sender.deliver_pending() == CARDS

    assert sorted(d.view.title for d in notifier.updated) == sorted(
        f"Card {n}" for n in range(CARDS)
    )
    copy_reads = [s for s in statements if "FROM card_copies" in s]
    marks = [s for s in statements if s.lstrip().upper().startswith("UPDATE OUTBOX SET STATE")]
    assert len(copy_reads) == 1, statements
    assert 1 <= len(marks) <= 2, marks  # the marks of rows sent at the same moment share one
    async with rt.sessions() as session:
        sent = select(func.count()).select_from(outbox).where(outbox.c.state == "sent")
        assert await session.scalar(sent) == 2 * CARDS + 1  # the project card too


async def test_an_update_in_the_batch_that_posted_its_card_reaches_that_new_copy(
    runtime: tuple[Runtime, FakeNotifier],
) -> None:
    rt, notifier = runtime
    project = await project_in_c1(rt)
    await queue(rt, project, [card(1, "open", project), card(1, "closed", project, update=True)])

    await rt.sender.deliver_pending()

    (posted,) = [d for d in notifier.sent if d.view.title == "Card 1"]
    (updated,) = [d for d in notifier.updated if d.view.title == "Card 1"]
    assert updated.message_id == posted.message_id and updated.view.status == "closed"
    async with rt.sessions() as session:
        copies = select(func.count()).select_from(card_copies)
        assert await session.scalar(copies.where(card_copies.c.card_key == "note:1")) == 1
