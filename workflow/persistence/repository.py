"""SQL implementations of the ports a unit of work hands to the use cases."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar, cast
from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, CursorResult, bindparam, insert, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import RelationshipProperty

from workflow.domain.audit import UNKEYED, AuditEntry, AuditKeys, ChainHead
from workflow.persistence.dialects import insert_for
from workflow.persistence.errors import database_errors
from workflow.persistence.orm import GET_OPTIONS
from workflow.persistence.tables_delivery import audit_entries, audit_head, inbound_events
from workflow.ports import After, AnyOf, AtMost, Includes

T = TypeVar("T")
HEAD_ID = 1
# FOR NO KEY UPDATE: serialises writers of the row, yet lets others insert rows that refer to it.
ROW_LOCK = {"key_share": True}


class SqlRepository(Generic[T]):
    """Aggregates of one mapped class; their child lists load with them."""

    def __init__(self, session: AsyncSession, cls: type[T]) -> None:
        self.session, self.cls = session, cls
        self.order = sa_inspect(cls).primary_key
        self.table = sa_inspect(cls).local_table  # the row a lock takes, not its joined children

    async def add(self, item: T) -> None:
        self.session.add(item)
        self._hold([item])

    async def get(self, item_id: int, *, lock: bool = False) -> T | None:
        """`lock` takes the row lock (PostgreSQL) and re-reads the row once it holds it.

        An aggregate whose children load joined is locked first and read after: a
        `SELECT … FOR UPDATE` that waited for another writer re-reads only the locked row,
        and the rows it joined come from before the wait (a version an edit committed
        meanwhile would be missing). SQLite's one writer never waits inside a statement.
        """
        options = GET_OPTIONS.get(self.cls, ())
        locking = {**ROW_LOCK, "of": self.table} if lock else None
        with database_errors():
            if lock and options and self.session.get_bind().dialect.name != "sqlite":
                key = self.order[0]
                taken = select(key).where(key == item_id).with_for_update(key_share=True)
                if (await self.session.execute(taken)).first() is None:
                    return None
                locking = None  # held: the read below is a fresh snapshot (READ COMMITTED)
            found = await self.session.get(
                self.cls, item_id, options=options, with_for_update=locking,
                populate_existing=lock,
            )  # fmt: skip
        return self._hold([found])[0] if found is not None else None

    async def get_many(self, item_ids: Iterable[int]) -> list[T]:
        wanted = set(item_ids)
        if not wanted:
            return []
        id_column = self.order[0]
        query = select(self.cls).where(id_column.in_(sorted(wanted))).order_by(*self.order)
        with database_errors():
            return self._hold(list((await self.session.scalars(query)).all()))

    async def find(self, **where: object) -> list[T]:
        """Filters on the root's attributes (a composite compares all its columns); see
        `Repository` for `AnyOf`, `After` and `Includes`."""
        query = select(self.cls).where(*conditions(self.cls, where)).order_by(*self.order)
        with database_errors():
            return self._hold(list((await self.session.scalars(query)).all()))

    def _hold(self, items: list[T]) -> list[T]:
        """Keep what this transaction loaded until it ends. The session's identity map holds
        clean objects weakly: without this, an aggregate a use case loaded is collected once
        flushed, and its event handlers load it (and its children) again."""
        held: list[object] = self.session.info.setdefault("held", [])
        held.extend(items)
        return items


def conditions(cls: type, where: dict[str, object]) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a `find` on mapped class `cls`."""
    found: list[ColumnElement[bool]] = []
    for name, value in where.items():
        attribute = getattr(cls, name)
        if isinstance(value, AnyOf):
            found.append(attribute.in_(sorted(value, key=str)))
        elif isinstance(value, After):
            found.append(attribute > value.value)
        elif isinstance(value, AtMost):
            found.append(attribute <= value.value)
        elif isinstance(value, Includes):
            found.append(_includes(cls, name, value))
        else:
            found.append(attribute == value)
    return found


def _includes(cls: type, name: str, where: Includes) -> ColumnElement[bool]:
    """`parent key IN (SELECT child's foreign key WHERE ...)`: indexed on the child's side."""
    relation: RelationshipProperty[Any] = sa_inspect(cls).relationships[name]
    ((parent_key, child_key),) = relation.local_remote_pairs or ()
    children = select(child_key).where(*conditions(relation.mapper.class_, dict(where)))
    return cast(ColumnElement[bool], parent_key.in_(children))


_HEAD = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == HEAD_ID)
_HEAD_LOCKED = _HEAD.with_for_update()
# The head each database's chain had when this process last wrote it: `append`'s guess.
_LAST_HEAD: WeakKeyDictionary[Engine | Connection, ChainHead] = WeakKeyDictionary()


class SqlAuditLog:
    """The hash chain: entries plus a one-row head (a deleted tail shows against the head,
    unless the head was rolled back too: see `workflow.domain.checkpoints`). `keys` seal
    new entries and check stored ones."""

    def __init__(self, session: AsyncSession, keys: AuditKeys = UNKEYED) -> None:
        self.session, self.keys = session, keys

    async def head(self, *, lock: bool = False) -> ChainHead | None:
        query = _HEAD_LOCKED if lock else _HEAD
        with database_errors():
            row = (await self.session.execute(query)).one_or_none()
        return ChainHead(row.seq, row.hash) if row else None

    async def store(self, *entries: AuditEntry) -> None:
        """Append `entries` (in chain order) and move the head to the last, in the caller's
        transaction: one INSERT for all of them, one UPDATE of the head."""
        if not entries:
            return
        if not await self._move_head(entries, None):
            # The first entry ever; a concurrent first writer fails on the unique seq.
            last = {"id": HEAD_ID, "seq": entries[-1].seq, "hash": entries[-1].hash}
            with database_errors():
                await self.session.execute(insert(audit_head).values(**last))
        await self._insert(entries)

    async def append(self, seal: Callable[[ChainHead | None], Sequence[AuditEntry]]) -> None:
        """Two statements when the head is the one this process last saw (the UPDATE moves
        it only from there, and holds its lock from then on); else the head is read under
        its lock first, as `store` expects."""
        bind = self.session.get_bind()
        guess = _LAST_HEAD.get(bind)
        entries = seal(guess) if guess is not None else ()
        if entries and await self._move_head(entries, guess):
            await self._insert(entries)
        else:
            entries = seal(await self.head(lock=True))
            await self.store(*entries)
        if entries:
            _LAST_HEAD[bind] = ChainHead(entries[-1].seq, entries[-1].hash)

    async def _move_head(self, entries: Sequence[AuditEntry], old: ChainHead | None) -> bool:
        """Move the head to the last of `entries`; only from `old`, when given. False when
        no row moved (no head yet, or another writer moved it from `old`: PostgreSQL's
        UPDATE waits for that writer and checks its WHERE again on what it committed)."""
        moved = update(audit_head).where(audit_head.c.id == HEAD_ID)
        if old is not None:
            moved = moved.where(audit_head.c.seq == old.seq, audit_head.c.hash == old.hash)
        last = entries[-1]
        with database_errors():
            result = await self.session.execute(moved.values(seq=last.seq, hash=last.hash))
        return cast(CursorResult[Any], result).rowcount == 1

    async def _insert(self, entries: Sequence[AuditEntry]) -> None:
        rows = [
            {**entry.content(), "hash": entry.hash, "scheme": entry.scheme} for entry in entries
        ]
        with database_errors():
            await self.session.execute(insert(audit_entries), rows)

    async def entries(self, project_id: int | None = None) -> Sequence[AuditEntry]:
        columns = [c for c in audit_entries.c if c.key != "id"]
        query = select(*columns).order_by(audit_entries.c.seq)
        if project_id is not None:
            query = query.where(audit_entries.c.project_id == project_id)
        with database_errors():
            rows = (await self.session.execute(query)).mappings().all()
        return [AuditEntry(**row) for row in rows]


class SqlInboundLog:
    """Ids of inbound events already handled, so a platform's retry changes nothing."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def first_time(self, key: str, at: datetime) -> bool:
        """One statement, no savepoint: the insert does nothing when the key is known."""
        statement = _FIRST_TIME[self.session.get_bind().dialect.name == "postgresql"]
        with database_errors():
            # Flush first: a failure of pending objects must not read as a duplicate.
            await self.session.flush()
            result = cast(
                CursorResult[Any],
                await self.session.execute(statement, {"key": key, "received_at": at}),
            )
        return result.rowcount == 1


# Built once (every command runs one): building it per call cost more than running it.
_FIRST_TIME = {
    dialect == "postgresql": insert_for(dialect, inbound_events)
    .values(key=bindparam("key"), received_at=bindparam("received_at"))
    .on_conflict_do_nothing(index_elements=[inbound_events.c.key])
    for dialect in ("postgresql", "sqlite")
}
