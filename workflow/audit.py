"""The audit trail's writer (run once per transaction, before it commits) and its verifier."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC

from workflow.domain.audit import GENESIS, AuditEntry, verify
from workflow.domain.content import canonical_json
from workflow.domain.events import Event
from workflow.ports import UnitOfWork

COMMON = {f.name for f in fields(Event)}
DETAILS: dict[type, tuple[str, ...]] = {}


async def record(event: Event, uow: UnitOfWork) -> None:
    """Append one event to the chain (as `record_all` does for a transaction's events)."""
    await record_all([event], uow)


async def record_all(events: Sequence[Event], uow: UnitOfWork) -> None:
    """Append `events` to the chain, in order, with one write.

    The head is locked so entries never interleave; it is read last, once everything else
    of the transaction is written, so concurrent writers wait on it as briefly as possible.
    """
    if not events:
        return
    actors: dict[int, str] = {}
    for actor_id in {e.actor_id for e in events if e.actor_id is not None}:
        person = await uow.people.get(actor_id)
        actors[actor_id] = f"{person.identity} {person.label}" if person else f"person:{actor_id}"
    head = await uow.audit.head(lock=True)
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
    entries = []
    for event in events:
        seq += 1
        entry = AuditEntry(
            seq=seq,
            at=event.at.astimezone(UTC),
            actor=actors[event.actor_id] if event.actor_id is not None else "system",
            action=type(event).__name__,
            subject_kind=event.subject_kind,
            subject_id=event.subject_id,
            project_id=event.project_id,
            version=event.version,
            shown_hash=event.shown_hash,
            comment=event.comment,
            details=canonical_json({name: getattr(event, name) for name in _details(event)}),
            prev_hash=prev,
        ).seal()
        prev = entry.hash
        entries.append(entry)
    await uow.audit.store(*entries)


def _details(event: Event) -> tuple[str, ...]:
    """The fields an event adds to the common ones (computed once per event type)."""
    kind = type(event)
    if kind not in DETAILS:
        DETAILS[kind] = tuple(f.name for f in fields(event) if f.name not in COMMON)
    return DETAILS[kind]


async def verify_trail(uow: UnitOfWork) -> list[str]:
    """Problems in the stored chain, as sentences; empty when it verifies."""
    return verify(list(await uow.audit.entries()), await uow.audit.head())
