"""The audit trail: append-only entries, each hashing its content and the previous hash."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from workflow.domain.content import content_hash

GENESIS = "0" * 64


@dataclass
class AuditEntry:
    """One state change: who, when (UTC), what, on which exact version, and its chain hash."""

    seq: int
    at: datetime
    actor: str
    action: str
    subject_kind: str
    subject_id: int | None
    project_id: int | None
    version: int | None
    shown_hash: str
    comment: str
    details: str
    prev_hash: str
    hash: str = ""

    def content(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "subject_kind": self.subject_kind,
            "subject_id": self.subject_id,
            "project_id": self.project_id,
            "version": self.version,
            "shown_hash": self.shown_hash,
            "comment": self.comment,
            "details": self.details,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return content_hash(self.content())

    def seal(self) -> AuditEntry:
        self.hash = self.compute_hash()
        return self


@dataclass(frozen=True)
class ChainHead:
    """The last sequence number and hash, kept apart so a deleted tail is noticed."""

    seq: int
    hash: str


def verify(entries: Sequence[AuditEntry], head: ChainHead | None) -> list[str]:
    """Every problem found in the chain, as sentences; an empty list means it holds."""
    problems: list[str] = []
    prev, expected_seq = GENESIS, 1
    for entry in sorted(entries, key=lambda e: e.seq):
        if entry.seq != expected_seq:
            problems.append(f"entry {expected_seq} is missing (next is {entry.seq})")
        if entry.prev_hash != prev:
            problems.append(f"entry {entry.seq} does not follow the entry before it")
        if entry.compute_hash() != entry.hash:
            problems.append(f"entry {entry.seq} was changed after it was written")
        prev, expected_seq = entry.hash, entry.seq + 1
    last = expected_seq - 1
    if head is None and entries:
        problems.append("the chain head is missing")
    elif head is not None and (head.seq != last or head.hash != prev):
        problems.append(f"the chain ends at entry {last}, but {head.seq} entries were written")
    return problems
