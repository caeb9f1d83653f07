"""Signed checkpoints of the audit chain's head, meant to be kept outside the database.

A checkpoint says "at `at`, entry `seq` was the last and its hash was `hash`", signed with
a key derived from CLIENTLOOP_SECRET_KEY. Whoever keeps a copy can show later that the
chain still holds that entry unchanged: a cut tail, an emptied trail, or entries rewritten
and resealed no longer pass. It travels as one JSON object or as one line of text (the
weekly digest shows the line), and a file may hold any number of either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from workflow.domain.audit import GENESIS, AuditEntry, AuditKeys, ChainHead, mac, same

KIND = "clientloop-audit-checkpoint"
UNSIGNED = "none"
LINE = re.compile(
    rf"{KIND} seq=(?P<seq>\d+) at=(?P<at>\S+) hash=(?P<hash>[0-9a-f]{{64}}) sig=(?P<sig>\S+)"
)


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at a moment; `signature` is empty when taken without a key."""

    seq: int
    hash: str
    at: datetime
    signature: str = ""

    def signed_part(self) -> dict[str, object]:
        return {"seq": self.seq, "hash": self.hash, "at": self.at}

    def line(self) -> str:
        """One line a person can copy into a file and give to `audit verify --checkpoint`."""
        at = self.at.astimezone(UTC).isoformat()
        sig = self.signature or UNSIGNED
        return f"{KIND} seq={self.seq} at={at} hash={self.hash} sig={sig}"

    def as_json(self) -> str:
        data = {"kind": KIND, **self.signed_part(), "signature": self.signature or None}
        data["at"] = self.at.astimezone(UTC).isoformat()
        return json.dumps(data, sort_keys=True)


def take(head: ChainHead | None, at: datetime, keys: AuditKeys) -> Checkpoint:
    """A checkpoint of `head` at `at` (whole seconds), signed with the current key if any."""
    seq, hash_ = (head.seq, head.hash) if head else (0, GENESIS)
    point = Checkpoint(seq, hash_, at.astimezone(UTC).replace(microsecond=0))
    if not keys.sign:
        return point
    return Checkpoint(point.seq, point.hash, point.at, mac(keys.sign[0], point.signed_part()))


def check(point: Checkpoint, entries: Sequence[AuditEntry], keys: AuditKeys) -> list[str]:
    """What is wrong between `point` and the chain `entries`; empty when the chain still
    holds the entry the checkpoint saw. The chain itself is checked by `audit.verify`."""
    when = point.at.astimezone(UTC).isoformat()
    problems = _signature(point, keys, when)
    if point.seq == 0:
        return problems  # the chain was empty then: nothing of it to find now
    found = next((e for e in entries if e.seq == point.seq), None)
    if found is None:
        problems.append(
            f"the checkpoint of {when} saw entry {point.seq}, which is no longer in the chain: "
            "entries were deleted"
        )
    elif found.hash != point.hash:
        problems.append(
            f"entry {point.seq} is not the one the checkpoint of {when} saw: "
            "the chain was rewritten"
        )
    return problems


def _signature(point: Checkpoint, keys: AuditKeys, when: str) -> list[str]:
    if not keys.sign:
        if point.signature:
            return [
                f"the checkpoint of {when} is signed, but CLIENTLOOP_SECRET_KEY is not set "
                "here: its signature could not be checked"
            ]
        return []
    if not point.signature:
        return [
            f"the checkpoint of {when} is not signed, so it cannot vouch for the chain: "
            "use one taken with CLIENTLOOP_SECRET_KEY set"
        ]
    if not any(same(mac(key, point.signed_part()), point.signature) for key in keys.sign):
        return [
            f"the checkpoint of {when} has a signature that does not match: the file was "
            "altered, or signed with another CLIENTLOOP_SECRET_KEY"
        ]
    return []


def parse(text: str) -> list[Checkpoint]:
    """Every checkpoint in `text`: JSON objects (one, a list, or one per line) or the
    digest's lines among other text. ValueError says what is wrong."""
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except ValueError:
            data = None  # perhaps one JSON object per line
        if data is not None:
            return [_from_json(item) for item in (data if isinstance(data, list) else [data])]
    found = [_from_line(line) for line in stripped.splitlines() if KIND in line]
    if not found:
        raise ValueError(f"no checkpoint found (expected JSON or a line starting {KIND!r})")
    return found


def _from_line(line: str) -> Checkpoint:
    text = line.strip()
    if text.startswith("{"):
        try:
            return _from_json(json.loads(text))
        except ValueError:
            raise ValueError(f"not a checkpoint: {text[:80]!r}") from None
    match = LINE.search(text)
    if match is None:
        raise ValueError(f"not a checkpoint: {text[:80]!r}")
    sig = match["sig"]
    return _made(int(match["seq"]), match["hash"], match["at"], "" if sig == UNSIGNED else sig)


def _from_json(data: object) -> Checkpoint:
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ValueError(f"not a checkpoint: expected a JSON object with kind {KIND!r}")
    try:
        seq, hash_, at = int(data["seq"]), str(data["hash"]), str(data["at"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("a checkpoint needs seq, hash and at") from None
    return _made(seq, hash_, at, str(data.get("signature") or ""))


def _made(seq: int, hash_: str, at: str, signature: str) -> Checkpoint:
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise ValueError(f"a checkpoint's time is not ISO 8601: {at!r}") from None
    if moment.utcoffset() is None:
        raise ValueError(f"a checkpoint's time has no zone: {at!r}")
    return Checkpoint(seq, hash_, moment, signature)
