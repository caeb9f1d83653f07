"""The in-process sender on a real database: posts, card copies updated in place, retries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.bootstrap import Runtime, bootstrap
from tests.fakes import FakeNotifier, FixedClock
from workflow.db import upgrade_async
from workflow.domain import commands as c
from workflow.domain.changes import Verdict
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.ports import Receipt

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PM = PersonRef(Identity(Platform.SLACK, "T1", "UPM"), "Pam")
ALICE = PersonRef(Identity(Platform.SLACK, "TCUST", "UALICE"), "Alice", "Europe/Berlin")
SAM = PersonRef(Identity(Platform.SLACK, "T1", "USAM"), "Sam")


@pytest.fixture
async def runtime(db_url: str) -> AsyncIterator[tuple[Runtime, FakeNotifier, FixedClock]]:
    await upgrade_async(db_url)
    notifier, clock = FakeNotifier(), FixedClock(T0)
    rt = bootstrap(
        db_url, notifiers={Platform.SLACK: notifier}, clock=clock, deliver_after_commit=False
    )
    yield rt, notifier, clock
    await rt.close()


async def setup(rt: Runtime) -> int:
    reply = await rt.bus.handle(
        c.CreateProject(
            actor=PM,
            at=T0,
            platform=Platform.SLACK,
            workspace_id="T1",
            channel_id="C1",
            name="Website",
            key="WEB",
            customers=((ALICE, CustomerKind.EXTERNAL),),
            sponsor=SAM,
        )
    )
    assert reply.subject_id is not None
    return reply.subject_id


async def test_posts_go_to_the_channel_and_to_direct_messages(
    runtime: tuple[Runtime, FakeNotifier, FixedClock],
) -> None:
    rt, notifier, _ = runtime
    await setup(rt)
    assert await rt.sender.deliver_pending() == 3
    where = sorted((d.address.conversation_id, d.view.kind.value) for d in notifier.sent)
    assert where == [("C1", "project"), ("UALICE", "welcome"), ("USAM", "welcome")]
    assert {d.address.workspace_id for d in notifier.sent} == {"T1"}
    assert await rt.sender.deliver_pending() == 0


async def test_every_copy_of_a_card_is_updated_in_place_and_loses_its_buttons(
    runtime: tuple[Runtime, FakeNotifier, FixedClock],
) -> None:
    rt, notifier, _ = runtime
    project = await setup(rt)
    cr = await rt.bus.handle(
        c.CreateChangeRequest(actor=PM, at=T0, project_id=project, title="Blog")
    )
    await rt.sender.deliver_pending()
    copies = {d.message_id for d in notifier.sent if d.view.kind.value == "change_request"}
    assert len(copies) == 3  # channel, Alice, Sam
    for who in (ALICE, SAM):
        await rt.bus.handle(
            c.DecideChange(
                actor=who, at=T0, change_id=cr.subject_id or 0, version=1, verdict=Verdict.APPROVE
            )
        )
    await rt.sender.deliver_pending()
    last_round = notifier.updated[-3:]
    assert {d.message_id for d in last_round} == copies
    assert all(d.view.status == "Approved" and d.view.buttons == () for d in last_round)
    assert {d.address.conversation_id for d in last_round} == {"C1", "D-UALICE", "D-USAM"}


async def test_a_transient_failure_is_retried_later_and_a_permanent_one_is_not(
    runtime: tuple[Runtime, FakeNotifier, FixedClock],
) -> None:
    rt, notifier, clock = runtime
    notifier.fail_next(
        Receipt(error="ratelimited", retry_after=30),
        Receipt(error="channel_not_found", permanent=True),
    )
    await setup(rt)
    await rt.sender.deliver_pending()
    assert len(notifier.sent) == 1
    clock.at = T0 + timedelta(seconds=29)
    assert await rt.sender.deliver_pending() == 0
    clock.at = T0 + timedelta(seconds=31)
    assert await rt.sender.deliver_pending() == 1
    assert len(notifier.sent) == 2
    clock.at = T0 + timedelta(days=1)
    assert await rt.sender.deliver_pending() == 0
