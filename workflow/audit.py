"""The audit trail's writer (an event handler for every event) and its verifier."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC

from workflow.domain.audit import GENESIS, AuditEntry, verify
from workflow.domain.content import canonical_json
from workflow.domain.events import Event
from workflow.ports import UnitOfWork

COMMON = {f.name for f in fields(Event)}


async def record(event: Event, uow: UnitOfWork) -> None:
    """Append `event` to the chain; the head is locked so entries never interleave."""
    actor = "system"
    if event.actor_id is not None:
        person = await uow.people.get(event.actor_id)
        actor = f"{person.identity} {person.label}" if person else f"person:{event.actor_id}"
    details = {f.name: getattr(event, f.name) for f in fields(event) if f.name not in COMMON}
    head = await uow.audit.head(lock=True)
    entry = AuditEntry(
        seq=head.seq + 1 if head else 1,
        at=event.at.astimezone(UTC),
        actor=actor,
        action=type(event).__name__,
        subject_kind=event.subject_kind,
        subject_id=event.subject_id,
        project_id=event.project_id,
        version=event.version,
        shown_hash=event.shown_hash,
        comment=event.comment,
        details=canonical_json(details),
        prev_hash=head.hash if head else GENESIS,
    )
    await uow.audit.store(entry.seal())


async def verify_trail(uow: UnitOfWork) -> list[str]:
    """Problems in the stored chain, as sentences; empty when it verifies."""
    return verify(list(await uow.audit.entries()), await uow.audit.head())
