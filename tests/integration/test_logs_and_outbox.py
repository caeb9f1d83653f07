"""The audit chain, the inbound event log and the outbox on a real database."""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workflow.delivery.queue import Sent
from workflow.domain.audit import GENESIS, AuditEntry, ChainHead, verify
from workflow.domain.people import Platform
from workflow.domain.views import Op, Outgoing, Recipient, View, ViewKind, view_from_dict
from workflow.persistence.db import make_engine, make_sessionmaker
from workflow.persistence.outbox_rows import CardCopyRecord
from workflow.persistence.outbox_store import OutboxStore
from workflow.persistence.unit_of_work import SqlUnitOfWork

Sessions = async_sessionmaker[AsyncSession]
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def entry(seq: int, prev: str, comment: str = "") -> AuditEntry:
    at = T0 + timedelta(seconds=seq, microseconds=123)
    return AuditEntry(seq, at, "slack:T1:UPM Pam", "ChangeDecided", "change_request", 7, 3, 1,
                      "a" * 64, comment, '{"verdict":"approve"}', prev).seal()  # fmt: skip


def message(n: int, to: Recipient | None = None, op: Op = Op.POST) -> Outgoing:
    view = View(ViewKind.INFO, f"Message {n}", "<b>&", fields=(("Cost", "1,200"),))
    return Outgoing(to or Recipient(person_id=n), view, f"change_request:{n}", op, 3)


async def put(sessions: Sessions, *messages: Outgoing, at: datetime = T0) -> None:
    async with SqlUnitOfWork(sessions) as uow:
        for item in messages:
            await uow.outbox.put(item, at)
        await uow.commit()


async def test_the_inbound_log_knows_an_event_id_the_second_time(sessions: Sessions) -> None:
    async with SqlUnitOfWork(sessions) as uow:
        first = await uow.inbound.first_time("slack:Ev1", T0)
        again = await uow.inbound.first_time("slack:Ev1", T0)
        await uow.commit()
    async with SqlUnitOfWork(sessions) as uow:
        later = await uow.inbound.first_time("slack:Ev1", T0)
        other = await uow.inbound.first_time("teams:Ev1", T0)

    assert (first, again, later, other) == (True, False, False, True)


async def test_the_audit_log_stores_a_chain_and_moves_its_head(sessions: Sessions) -> None:
    first = entry(1, GENESIS, "first")
    second = entry(2, first.hash, "second")
    async with SqlUnitOfWork(sessions) as uow:
        empty_head = await uow.audit.head(lock=True)
        await uow.audit.store(first)
        await uow.audit.store(second)
        await uow.commit()

    async with SqlUnitOfWork(sessions) as uow:
        head = await uow.audit.head()
        entries = list(await uow.audit.entries())

    assert empty_head is None
    assert head == ChainHead(2, second.hash)
    assert entries == [first, second]
    assert all(e.at.tzinfo == UTC for e in entries)
    assert verify(entries, head) == []


def copy_of(
    platform: Platform | str, workspace: str, conversation: str, message_id: str, person: int | None
) -> dict[str, object]:
    """The card_copies columns of a posted copy of change request 1, as the sender reports it."""
    return {
        "card_key": "change_request:1",
        "platform": platform,
        "workspace_id": workspace,
        "conversation_id": conversation,
        "message_id": message_id,
        "person_id": person,
    }


async def test_an_outbox_row_is_claimed_sent_and_its_copies_remembered(
    sessions: Sessions,
) -> None:
    store = OutboxStore(sessions)
    await put(sessions, message(1), message(2, Recipient(project_id=3)))
    await put(sessions, message(3, None, Op.UPDATE), at=T0 + timedelta(minutes=5))

    claimed = await store.claim(T0, 10, 60)
    nothing_more = await store.claim(T0 + timedelta(seconds=30), 10, 60)
    slack = copy_of(Platform.SLACK, "T1", "D1", "1700.1", 1)
    await store.record_sent([Sent(claimed[0].id, "1700.1", "D1", slack)], T0)
    again = copy_of("slack", "T1", "D1", "1700.1", 1)  # reported twice
    await store.record_sent([Sent(claimed[0].id, "1700.1", "D1", again)], T0)
    teams = copy_of(Platform.TEAMS, "tenant", "19:c", "m2", None)
    await store.record_sent([Sent(claimed[0].id, "1700.1", "D1", teams)], T0)

    first = claimed[0]
    assert [(r.recipient_person_id, r.recipient_project_id, r.op) for r in claimed] == [
        (1, None, "post"),
        (None, 3, "post"),
    ]
    assert (first.card_key, first.project_id, first.attempts) == ("change_request:1", 3, 0)
    assert view_from_dict(first.view) == message(1).view
    assert nothing_more == []  # the update is not due yet, the others are leased
    assert (await store.copies_of(["change_request:1"]))["change_request:1"] == [
        CardCopyRecord("change_request:1", Platform.SLACK, "T1", "D1", "1700.1", 1),
        CardCopyRecord("change_request:1", Platform.TEAMS, "tenant", "19:c", "m2", None),
    ]
    assert await store.pending_count() == 2


async def test_a_failed_row_is_retried_later_and_an_undeliverable_one_never(
    sessions: Sessions,
) -> None:
    store = OutboxStore(sessions)
    await put(sessions, message(1), message(2))
    first, second = await store.claim(T0, 10, 60)

    await store.mark_retry(first.id, T0, "rate limited", T0 + timedelta(minutes=2))
    await store.mark_undeliverable(second.id, T0, "channel_not_found")
    too_early = await store.claim(T0 + timedelta(minutes=1), 10, 60)
    retried = await store.claim(T0 + timedelta(minutes=2), 10, 60)

    assert too_early == []
    assert [(r.id, r.attempts) for r in retried] == [(first.id, 1)]
    assert await store.pending_count() == 1


async def test_an_expired_lease_lets_another_sender_take_the_row(sessions: Sessions) -> None:
    store = OutboxStore(sessions)
    await put(sessions, message(1))

    taken = await store.claim(T0, 10, 60)
    while_leased = await store.claim(T0 + timedelta(seconds=59), 10, 60)
    after_lease = await store.claim(T0 + timedelta(seconds=61), 10, 60)

    assert [r.id for r in taken] == [r.id for r in after_lease]
    assert while_leased == []


async def test_concurrent_claimers_never_get_the_same_row(db_url: str, sessions: Sessions) -> None:
    await put(sessions, *(message(n) for n in range(1, 61)))
    engines = [make_engine(db_url) for _ in range(4)]
    stores = [OutboxStore(make_sessionmaker(engine)) for engine in engines]

    async def claim_all(store: OutboxStore) -> list[int]:
        ids: list[int] = []
        while rows := await store.claim(T0, 3, 60):
            ids += [r.id for r in rows]
            await asyncio.sleep(0)
        return ids

    try:
        results = await asyncio.gather(*(claim_all(s) for s in stores))
    finally:
        for engine in engines:
            await engine.dispose()

    claimed = [row_id for ids in results for row_id in ids]
    assert len(claimed) == len(set(claimed)) == 60
