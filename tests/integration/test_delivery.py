"""The in-process sender on a real database: posts, card copies updated in place, retries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.bootstrap import DeliveryOptions, Runtime, bootstrap
from tests.fakes import FakeNotifier, FixedClock
from workflow.domain.change_versions import Verdict
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.domain.views import Outgoing, Recipient, View, ViewKind
from workflow.flows.change_requests.messages import CreateChangeRequest, DecideChange
from workflow.flows.projects.messages import CreateProject
from workflow.persistence.db import upgrade_async
from workflow.persistence.outbox_store import OutboxStore
from workflow.persistence.tables_delivery import outbox
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
        db_url,
        notifiers={Platform.SLACK: notifier},
        clock=clock,
        deliver_after_commit=False,
        delivery=DeliveryOptions(limits={}),  # pacing has tests of its own
    )
    yield rt, notifier, clock
    await rt.close()


async def setup(rt: Runtime) -> int:
    reply = await rt.bus.handle(
        CreateProject(
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


async def test_every_copy_of_a_card_is_updated_in_place_and_loses_its_decision_buttons(
    runtime: tuple[Runtime, FakeNotifier, FixedClock],
) -> None:
    rt, notifier, _ = runtime
    project = await setup(rt)
    cr = await rt.bus.handle(CreateChangeRequest(actor=PM, at=T0, project_id=project, title="Blog"))
    await rt.sender.deliver_pending()
    copies = {d.message_id for d in notifier.sent if d.view.kind.value == "change_request"}
    assert len(copies) == 3  # channel, Alice, Sam
    for who in (ALICE, SAM):
        await rt.bus.handle(
            DecideChange(
                actor=who, at=T0, change_id=cr.subject_id or 0, version=1, verdict=Verdict.APPROVE
            )
        )
    await rt.sender.deliver_pending()
    last_round = notifier.updated[-3:]
    assert {d.message_id for d in last_round} == copies
    # No decision is left to take: the only button is the PMs' Evidence, live for them only.
    assert all(d.view.status == "Approved" for d in last_round)
    assert all([b.verb for b in d.view.buttons] == ["evidence"] for d in last_round)
    assert all(b.only_for for d in last_round for b in d.view.buttons)
    assert {d.address.conversation_id for d in last_round} == {"C1", "D-UALICE", "D-USAM"}


async def pending_card_updates(rt: Runtime) -> tuple[list[str], list[int]]:
    """A change request's card posted to its three copies, then two decisions on it whose
    updates of that card (one or more each) wait in the outbox; returns the copies' ids and
    the updates' rows."""
    project = await setup(rt)
    cr = await rt.bus.handle(CreateChangeRequest(actor=PM, at=T0, project_id=project, title="Blog"))
    await rt.sender.deliver_pending()
    for who in (ALICE, SAM):
        await rt.bus.handle(
            DecideChange(
                actor=who, at=T0, change_id=cr.subject_id or 0, version=1, verdict=Verdict.APPROVE
            )
        )
    async with rt.sessions() as session:
        copies = [m for m in (await session.scalars(select(outbox.c.platform_message_id))) if m]
        updates = list(
            await session.scalars(
                select(outbox.c.id).where(outbox.c.op == "update").order_by(outbox.c.id)
            )
        )
    assert len(updates) >= 2
    return copies, updates


async def states(rt: Runtime, ids: list[int]) -> list[str]:
    async with rt.sessions() as session:
        query = select(outbox.c.state).where(outbox.c.id.in_(ids)).order_by(outbox.c.id)
        return list(await session.scalars(query))


async def test_pending_updates_of_one_card_go_out_once_as_its_newest_version(
    runtime: tuple[Runtime, FakeNotifier, FixedClock],
) -> None:
    rt, notifier, _ = runtime
    _, updates = await pending_card_updates(rt)
    await rt.sender.deliver_pending()
    # Each of the three copies was updated once, to the card after both decisions.
    assert len(notifier.updated) == 3
    assert len({d.message_id for d in notifier.updated}) == 3
    assert all(d.view.status == "Approved" for d in notifier.updated)
    assert await states(rt, updates) == ["superseded"] * (len(updates) - 1) + ["sent"]
    assert await rt.sender.deliver_pending() == 0


async def test_an_older_update_put_back_never_lands_after_a_newer_one(
    runtime: tuple[Runtime, FakeNotifier, FixedClock],
) -> None:
    rt, notifier, clock = runtime
    _, updates = await pending_card_updates(rt)
    store = OutboxStore(rt.sessions)
    # A rate limit put the older update back for later; the newer one is due now.
    await store.record_sent([], T0, put_back=[(updates[0], T0 + timedelta(minutes=5))])
    await rt.sender.deliver_pending()
    assert len(notifier.updated) == 3
    assert all(d.view.status == "Approved" for d in notifier.updated)
    clock.at = T0 + timedelta(minutes=10)
    assert await rt.sender.deliver_pending() == 0
    assert len(notifier.updated) == 3
    assert await states(rt, updates) == ["superseded"] * (len(updates) - 1) + ["sent"]


async def test_an_update_claimed_elsewhere_is_not_superseded(
    runtime: tuple[Runtime, FakeNotifier, FixedClock],
) -> None:
    rt, _, _ = runtime
    _, updates = await pending_card_updates(rt)
    store = OutboxStore(rt.sessions)
    async with rt.sessions() as session, session.begin():  # another sender holds the oldest
        held = update(outbox).where(outbox.c.id == updates[0])
        await session.execute(held.values(lease_until=T0 + timedelta(seconds=60)))
    claimed = await store.claim(T0, 10, 60)
    # The newest is sent; the one held elsewhere is left to its holder.
    assert [r.id for r in claimed if r.op == "update"] == updates[-1:]
    assert (await states(rt, updates))[0] == "pending"


async def test_a_claim_sends_a_cards_newest_update_even_before_it_is_due(
    runtime: tuple[Runtime, FakeNotifier, FixedClock],
) -> None:
    rt, _, _ = runtime
    _, updates = await pending_card_updates(rt)
    store = OutboxStore(rt.sessions)
    # The newest update was put back (a rate limit); the older one is due now.
    await store.record_sent([], T0, put_back=[(updates[-1], T0 + timedelta(minutes=5))])
    claimed = await store.claim(T0, 1, 60)
    assert [r.id for r in claimed] == updates[-1:]
    assert await states(rt, updates) == ["superseded"] * (len(updates) - 1) + ["pending"]


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
    # One welcome went out, and the PM heard about the one that cannot be delivered.
    assert [d.view.title for d in notifier.sent][-1] == "A message could not be delivered"
    assert [d.address.conversation_id for d in notifier.sent][-1] == "UPM"
    assert len(notifier.sent) == 2
    clock.at = T0 + timedelta(seconds=29)
    assert await rt.sender.deliver_pending() == 0
    clock.at = T0 + timedelta(seconds=31)
    assert await rt.sender.deliver_pending() == 1
    assert len(notifier.sent) == 3
    clock.at = T0 + timedelta(days=1)
    assert await rt.sender.deliver_pending() == 0


async def test_a_row_given_up_twice_tells_the_pms_once(
    runtime: tuple[Runtime, FakeNotifier, FixedClock],
) -> None:
    rt, notifier, _ = runtime
    project = await setup(rt)
    store = OutboxStore(rt.sessions)
    claimed = await store.claim(T0, 1, 60)
    view = View(ViewKind.INFO, "bounce")
    notice = Outgoing(Recipient(person_id=1), view, "bounce:1", project_id=project)

    first = await store.mark_undeliverable(claimed[0].id, T0, "channel_not_found", [notice])
    again = await store.mark_undeliverable(claimed[0].id, T0, "channel_not_found", [notice])

    assert (first, again) == (True, False)
    await rt.sender.deliver_pending()  # the three welcome/project rows, less the one given up
    assert [d.view.title for d in notifier.sent].count("bounce") == 1


async def test_a_failing_notice_about_a_failure_tells_nobody(
    runtime: tuple[Runtime, FakeNotifier, FixedClock],
) -> None:
    rt, notifier, _ = runtime
    dead = Receipt(error="channel_not_found", permanent=True)
    ok = Receipt(message_id="1700.1")
    notifier.fail_next(dead, ok, ok, dead)  # the channel post, two welcomes, the PM's notice
    await setup(rt)

    await rt.sender.deliver_pending()

    async with rt.sessions() as session:
        rows = (await session.execute(select(outbox.c.card_key, outbox.c.state))).all()
    bounces = [state for key, state in rows if key and key.startswith("bounce:")]
    assert bounces == ["undeliverable"]  # one notice, which failed too, and no notice of it
    assert sorted(state for _, state in rows) == ["sent", "sent", "undeliverable", "undeliverable"]


class CountingQueue:
    """The real outbox store, counting the claims made through it."""

    def __init__(self, store: OutboxStore) -> None:
        self.store, self.claims = store, 0

    async def claim(self, now: datetime, limit: int, lease_seconds: float) -> list[Any]:
        self.claims += 1
        return await self.store.claim(now, limit, lease_seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


async def test_kicks_while_a_delivery_runs_fold_into_one_more_round(
    runtime: tuple[Runtime, FakeNotifier, FixedClock],
) -> None:
    rt, notifier, _ = runtime
    await setup(rt)
    counting = CountingQueue(OutboxStore(rt.sessions))
    rt.sender.queue = counting
    for _ in range(16):  # sixteen commits at once
        rt.sender.kick()
    await rt.sender.drain()
    assert len(notifier.sent) == 3
    # One claim took all three rows; the fifteen kicks after the first asked for one round.
    assert counting.claims <= 3
    assert await rt.sender.deliver_pending() == 0
