"""The audit trail's writer (run once per transaction, before it commits), its verifier,
its checkpoints, and the derivation of its keys from the deployment's secret key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC, datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from workflow.domain import checkpoints
from workflow.domain.audit import GENESIS, AuditEntry, AuditKeys, ChainHead, verify
from workflow.domain.checkpoints import Checkpoint
from workflow.domain.content import canonical_json
from workflow.domain.events import Event
from workflow.ports import UnitOfWork

COMMON = {f.name for f in fields(Event)}
DETAILS: dict[type, tuple[str, ...]] = {}
# HKDF context labels: one secret, a separate key per use, so a checkpoint signature can
# never pass for an entry seal (nor either for the Slack token encryption).
SEAL_LABEL = b"clientloop/audit/entry-seal/v1"
SIGN_LABEL = b"clientloop/audit/checkpoint-signature/v1"


def derive_keys(secrets: Sequence[str]) -> AuditKeys:
    """The audit keys of `secrets` (CLIENTLOOP_SECRET_KEY first, then retired ones that
    still verify what they sealed). No secret, no keys: nothing is made up in their place."""
    given = [secret.encode() for secret in secrets if secret]
    return AuditKeys(
        seal=tuple(_derive(secret, SEAL_LABEL) for secret in given),
        sign=tuple(_derive(secret, SIGN_LABEL) for secret in given),
    )


def _derive(secret: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret)


async def record(event: Event, uow: UnitOfWork) -> None:
    """Append one event to the chain (as `record_all` does for a transaction's events)."""
    await record_all([event], uow)


async def record_all(events: Sequence[Event], uow: UnitOfWork) -> None:
    """Append `events` to the chain, in order, with one write.

    The head is locked so entries never interleave; it is taken last, once everything else
    of the transaction is written, so concurrent writers wait on it as briefly as possible.
    """
    if not events:
        return
    actors: dict[int, str] = {}
    for actor_id in {e.actor_id for e in events if e.actor_id is not None}:
        person = await uow.people.get(actor_id)
        actors[actor_id] = f"{person.identity} {person.label}" if person else f"person:{actor_id}"
    keys = uow.audit.keys

    def seal(head: ChainHead | None) -> list[AuditEntry]:
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
            ).seal(keys)
            prev = entry.hash
            entries.append(entry)
        return entries

    await uow.audit.append(seal)


def _details(event: Event) -> tuple[str, ...]:
    """The fields an event adds to the common ones (computed once per event type)."""
    kind = type(event)
    if kind not in DETAILS:
        DETAILS[kind] = tuple(f.name for f in fields(event) if f.name not in COMMON)
    return DETAILS[kind]


async def verify_trail(uow: UnitOfWork, against: Sequence[Checkpoint] = ()) -> list[str]:
    """Problems in the stored chain, and between it and each checkpoint `against`, as
    sentences; empty when it verifies."""
    entries, keys = list(await uow.audit.entries()), uow.audit.keys
    problems = verify(entries, await uow.audit.head(), keys)
    for point in against:
        problems.extend(checkpoints.check(point, entries, keys))
    return problems


async def checkpoint(uow: UnitOfWork, at: datetime) -> Checkpoint:
    """A signed checkpoint of the chain's head as this transaction sees it (one read)."""
    return checkpoints.take(await uow.audit.head(), at, uow.audit.keys)
