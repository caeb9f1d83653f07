"""The audit trail: append-only entries, each sealing its content and the previous hash.

An entry is sealed one of two ways, named in its `scheme`:

- "hmac-v1": HMAC-SHA256 under a key derived from CLIENTLOOP_SECRET_KEY. Whoever can
  edit the database but does not hold the key cannot seal an entry of their own.
- "sha256": the plain hash of the content, as every entry was before the key came in and
  as entries still are where no secret key is configured. Anyone can recompute it, so it
  shows an edit only when the editor did not recompute the rest of the chain.

Neither catches a cut tail: that takes a checkpoint kept outside the database
(`workflow.domain.checkpoints`). SECURITY.md, "The audit trail", says why.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from workflow.domain.content import canonical_json, content_hash

GENESIS = "0" * 64
SHA256 = "sha256"
HMAC_V1 = "hmac-v1"
SCHEMES = (SHA256, HMAC_V1)


@dataclass(frozen=True)
class AuditKeys:
    """Keys derived from CLIENTLOOP_SECRET_KEY: `seal` for entries, `sign` for checkpoints.

    Each holds the current key first, then earlier ones that still verify what they
    sealed (after the secret key was rotated). Both are empty without a secret key.
    """

    seal: tuple[bytes, ...] = field(default=(), repr=False)
    sign: tuple[bytes, ...] = field(default=(), repr=False)

    @property
    def keyed(self) -> bool:
        return bool(self.seal)


UNKEYED = AuditKeys()


def mac(key: bytes, data: Mapping[str, object]) -> str:
    """HMAC-SHA256 of the canonical JSON of `data`, in hex."""
    return hmac.new(key, canonical_json(data).encode(), hashlib.sha256).hexdigest()


def same(mac_a: str, mac_b: str) -> bool:
    """Compare two MACs in constant time (a stored value may hold any text)."""
    return hmac.compare_digest(mac_a.encode(), mac_b.encode())


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
    scheme: str = SHA256

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
        """The "sha256" seal: anyone can compute it, so it proves nothing against a rewrite."""
        return content_hash(self.content())

    def keyed_hash(self, key: bytes) -> str:
        """The "hmac-v1" seal under `key`."""
        return mac(key, self.content())

    def seal(self, keys: AuditKeys = UNKEYED) -> AuditEntry:
        """Seal with the current key, or with plain sha256 where there is none."""
        if keys.seal:
            self.scheme, self.hash = HMAC_V1, self.keyed_hash(keys.seal[0])
        else:
            self.scheme, self.hash = SHA256, self.compute_hash()
        return self


@dataclass(frozen=True)
class ChainHead:
    """The last sequence number and hash, kept apart so a deleted tail is noticed."""

    seq: int
    hash: str


def verify(
    entries: Sequence[AuditEntry], head: ChainHead | None, keys: AuditKeys = UNKEYED
) -> list[str]:
    """Every problem found in the chain, as sentences; an empty list means it holds.

    Keyed entries are checked with `keys`; without them they are reported as unchecked.
    """
    problems: list[str] = []
    seals = _Seals(keys)
    prev, expected_seq = GENESIS, 1
    for entry in sorted(entries, key=lambda e: e.seq):
        if entry.seq != expected_seq:
            problems.append(f"entry {expected_seq} is missing (next is {entry.seq})")
        if entry.prev_hash != prev:
            problems.append(f"entry {entry.seq} does not follow the entry before it")
        problems.extend(seals.check(entry))
        prev, expected_seq = entry.hash, entry.seq + 1
    problems.extend(seals.summary())
    last = expected_seq - 1
    if head is None and entries:
        problems.append("the chain head is missing")
    elif head is not None and (head.seq != last or head.hash != prev):
        problems.append(f"the chain ends at entry {last}, but {head.seq} entries were written")
    return problems


class _Seals:
    """Checks each entry's seal in chain order. Once an entry is keyed, no later one may
    fall back to plain sha256 or to an older key: that is what a rewrite by someone
    without the current key looks like."""

    def __init__(self, keys: AuditKeys) -> None:
        self.keys = keys
        self.newest: int | None = None  # index in keys.seal of the last keyed entry's key
        self.unchecked: list[int] = []  # keyed entries, when there is no key to check them
        self.keyed = self.unmatched = 0  # keyed entries checked, and those no key matched

    def check(self, entry: AuditEntry) -> list[str]:
        if entry.scheme == SHA256:
            return self._plain(entry)
        if entry.scheme == HMAC_V1:
            return self._keyed(entry)
        return [f"entry {entry.seq} has an unknown seal {entry.scheme!r}"]

    def _plain(self, entry: AuditEntry) -> list[str]:
        found = []
        if entry.compute_hash() != entry.hash:
            found.append(f"entry {entry.seq} was changed after it was written")
        if self.newest is not None or self.unchecked:
            found.append(
                f"entry {entry.seq} is sealed without the key, after entries sealed with it: "
                "rewritten, or written while CLIENTLOOP_SECRET_KEY was unset"
            )
        return found

    def _keyed(self, entry: AuditEntry) -> list[str]:
        if not self.keys.seal:
            self.unchecked.append(entry.seq)
            return []
        self.keyed += 1
        index = next(
            (i for i, key in enumerate(self.keys.seal) if same(entry.keyed_hash(key), entry.hash)),
            None,
        )
        if index is None:
            self.unmatched += 1
            return [f"entry {entry.seq} was changed after it was written"]
        older = self.newest is not None and index > self.newest
        self.newest = index
        if older:
            return [f"entry {entry.seq} is sealed with an older key than the entry before it"]
        return []

    def summary(self) -> list[str]:
        if self.unchecked:
            return [
                f"{len(self.unchecked)} entries (the first is entry {self.unchecked[0]}) are "
                "sealed with CLIENTLOOP_SECRET_KEY, which is not set here: they could not be "
                "checked"
            ]
        if self.keyed > 1 and self.unmatched == self.keyed:
            # Every keyed entry "changed" is more likely the wrong key than a rewrite of all.
            return [
                "no keyed entry matches the key given: is CLIENTLOOP_SECRET_KEY (or one of "
                "CLIENTLOOP_OLD_SECRET_KEYS) the key these entries were sealed with?"
            ]
        return []


def schemes(entries: Sequence[AuditEntry]) -> dict[str, int]:
    """How many entries are sealed each way, for the operator's summary."""
    counts = dict.fromkeys(SCHEMES, 0)
    for entry in entries:
        counts[entry.scheme] = counts.get(entry.scheme, 0) + 1
    return counts
