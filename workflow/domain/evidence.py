"""The evidence record of a change request's decisions: what each approver saw, and the proof.

Pure data, assembled from the change request, its project, the approvers and the audit
trail (`assemble`); `as_dict` is the JSON form, with the same keys every time. Each
decision is checked three ways: the hash stored with the decision, the hash of the
version's content recomputed now, and the hash in its audit entry must be one value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflow.domain.audit import AuditEntry
from workflow.domain.change_versions import CRDecision, CRVersion
from workflow.domain.changes import ChangeRequest
from workflow.domain.content import canonical_json, content_hash
from workflow.domain.people import Identity, Person, Platform
from workflow.domain.projects import Project, Role

SUBJECT = "change_request"
VERSION_ACTIONS = ("ChangeRequested", "ChangeEdited")  # the entries that made a version
DECIDED, SETTLED = "ChangeDecided", "ChangeSettled"


@dataclass(frozen=True)
class Proof:
    """One audit entry, as far as it proves a decision."""

    seq: int
    action: str
    at: datetime
    actor: str
    version: int | None
    shown_hash: str
    prev_hash: str
    hash: str
    scheme: str

    @classmethod
    def of(cls, e: AuditEntry) -> Proof:
        return cls(e.seq, e.action, e.at, e.actor, e.version, e.shown_hash, e.prev_hash,
                   e.hash, e.scheme)  # fmt: skip


@dataclass(frozen=True)
class Approver:
    """Who decided: their platform identity and name as the audit recorded them then."""

    person_id: int
    identity: Identity | None
    display_name: str  # at the time of the decision (the audit entry), else today's
    current_name: str
    timezone: str
    roles: tuple[str, ...]  # "external customer", "sponsor", ...
    recorded_as: str  # the audit entry's actor, verbatim ("" when there is no entry)


@dataclass(frozen=True)
class Other:
    """Another decision on the same version."""

    person_id: int
    display_name: str
    verdict: str
    at: datetime


@dataclass(frozen=True)
class DecisionEvidence:
    version: CRVersion
    decision: CRDecision
    approver: Approver
    counts: bool  # on the current version: only such decisions count
    others: tuple[Other, ...]
    proofs: tuple[Proof, ...]  # the version's entry, the decision's, and a settling one

    @property
    def shown(self) -> dict[str, object]:
        """The content the approver was shown, as it was hashed."""
        plain: dict[str, object] = json.loads(canonical_json(self.version.content()))
        return plain

    @property
    def version_hash(self) -> str:
        return content_hash(self.version.content())

    @property
    def local_at(self) -> datetime:
        try:
            return self.decision.at.astimezone(ZoneInfo(self.approver.timezone))
        except (ZoneInfoNotFoundError, ValueError):
            return self.decision.at.astimezone(UTC)

    def entry(self, action: str) -> Proof | None:
        return next((p for p in self.proofs if p.action == action), None)

    def checks(self) -> dict[str, bool]:
        decided = self.entry(DECIDED)
        made = next((p for p in self.proofs if p.action in VERSION_ACTIONS), None)
        return {
            "decision_matches_version": self.decision.shown_hash == self.version_hash,
            "audit_entry_found": decided is not None,
            "audit_entry_matches": decided is not None and decided.shown_hash == self.version_hash,
            "version_entry_matches": made is not None and made.shown_hash == self.version_hash,
        }

    @property
    def hashes_match(self) -> bool:
        return all(self.checks().values())


@dataclass(frozen=True)
class Evidence:
    change: ChangeRequest
    project: Project
    decisions: tuple[DecisionEvidence, ...]
    chain_entries: int
    chain_problems: tuple[str, ...]

    @property
    def verified(self) -> bool:
        return not self.chain_problems and all(d.hashes_match for d in self.decisions)


def parse_actor(actor: str, known: Person | None) -> tuple[Identity | None, str]:
    """The identity and display name an audit actor string ("identity label") holds."""
    if known is not None and _by_actor(actor, known.identity):
        return known.identity, actor[len(str(known.identity)) + 1 :]
    ident, _, label = actor.partition(" ")
    platform, _, rest = ident.partition(":")
    org, _, user = rest.partition(":")  # org ids hold no colon; a user id may
    if platform not in {p.value for p in Platform} or not org or not user:
        return None, ""
    return Identity(Platform(platform), org, user), label


def role_words(project: Project, person_id: int) -> tuple[str, ...]:
    words = []
    for p in project.participants:
        if p.person_id == person_id and p.role is not Role.MEMBER:
            kind = f"{p.customer_kind.value} " if p.customer_kind else ""
            words.append(f"{kind}{p.role.value}")
    return tuple(sorted(words))


def assemble(
    change: ChangeRequest,
    project: Project,
    people: Mapping[int, Person],
    entries: Sequence[AuditEntry],
    chain_problems: Sequence[str],
) -> Evidence:
    """The record of every decision on `change`; `entries` is the whole trail (or at least
    this change request's entries), `chain_problems` what `audit.verify` found in it."""
    mine = [e for e in entries if e.subject_kind == SUBJECT and e.subject_id == change.id]
    versions = {v.number: v for v in change.versions}
    found = [
        _one(d, versions[d.version], change, project, people, mine)
        for d in sorted(change.decisions, key=lambda d: (d.version, d.at, d.approver_id))
        if d.version in versions
    ]
    return Evidence(change, project, tuple(found), len(entries), tuple(chain_problems))


def _one(
    d: CRDecision,
    version: CRVersion,
    change: ChangeRequest,
    project: Project,
    people: Mapping[int, Person],
    mine: Sequence[AuditEntry],
) -> DecisionEvidence:
    person = people.get(d.approver_id)
    decided = _decision_entry(d, person, mine)
    identity, name = parse_actor(decided.actor, person) if decided else (None, "")
    if identity is None and person is not None:
        identity = person.identity
    approver = Approver(
        d.approver_id,
        identity,
        name or (person.label if person else ""),
        person.label if person else "",
        person.timezone if person else "UTC",
        role_words(project, d.approver_id),
        decided.actor if decided else "",
    )
    others = tuple(
        Other(o.approver_id, _name(o.approver_id, people, mine, o), o.verdict.value, o.at)
        for o in change.decisions
        if o.version == d.version and o is not d
    )
    made = next((e for e in mine if e.action in VERSION_ACTIONS and e.version == d.version), None)
    settled = next(
        (e for e in mine if e.action == SETTLED and decided and e.seq == decided.seq + 1), None
    )
    proofs = tuple(Proof.of(e) for e in (made, decided, settled) if e is not None)
    counts = d.version == change.current.number
    return DecisionEvidence(version, d, approver, counts, others, proofs)


def _decision_entry(
    d: CRDecision, person: Person | None, mine: Sequence[AuditEntry]
) -> AuditEntry | None:
    """The ChangeDecided entry of `d`: by the approver's identity on the same version (one
    decision per approver and version), or, for a person no longer known, the one entry on
    that version at that moment."""
    candidates = [e for e in mine if e.action == DECIDED and e.version == d.version]
    if person is not None:
        return next((e for e in candidates if _by_actor(e.actor, person.identity)), None)
    at_once = [e for e in candidates if e.at == d.at]
    return at_once[0] if len(at_once) == 1 else None


def _by_actor(actor: str, identity: Identity) -> bool:
    return actor == str(identity) or actor.startswith(f"{identity} ")


def _name(
    person_id: int, people: Mapping[int, Person], mine: Sequence[AuditEntry], d: CRDecision
) -> str:
    person = people.get(person_id)
    entry = _decision_entry(d, person, mine)
    _, name = parse_actor(entry.actor, person) if entry else (None, "")
    return name or (person.label if person else "")


def _when(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _plain(item: Other | Proof) -> dict[str, object]:
    """A dataclass's fields, times in UTC ISO 8601 (`at_utc` for a decision's time)."""
    found = {k: _when(v) if isinstance(v, datetime) else v for k, v in asdict(item).items()}
    if isinstance(item, Other):
        found["at_utc"] = found.pop("at")
    return found


def as_dict(evidence: Evidence) -> dict[str, object]:
    """The JSON form: the same keys every time, times as ISO 8601."""
    change, project = evidence.change, evidence.project
    return {
        "change_request": f"CR-{change.id}",
        "change_id": change.id,
        "title": change.current.title,
        "state": change.state.value,
        "current_version": change.current.number,
        "project": {"id": project.id, "key": project.key, "name": project.name},
        "decisions": [_decision_dict(d) for d in evidence.decisions],
        "audit_chain": {
            "verified": not evidence.chain_problems,
            "entries": evidence.chain_entries,
            "problems": list(evidence.chain_problems),
        },
        "verified": evidence.verified,
    }


def _decision_dict(d: DecisionEvidence) -> dict[str, object]:
    a, ident = d.approver, d.approver.identity
    return {
        "version": d.version.number,
        "version_hash": d.version_hash,
        "shown": d.shown,
        "counts": d.counts,
        "approver": {
            "person_id": a.person_id,
            "platform": ident.platform.value if ident else "",
            "workspace": ident.org_id if ident else "",
            "user_id": ident.user_id if ident else "",
            "display_name": a.display_name,
            "current_display_name": a.current_name,
            "recorded_as": a.recorded_as,
            "roles": list(a.roles),
            "timezone": a.timezone,
        },
        "verdict": d.decision.verdict.value,
        "comment": d.decision.reason,
        "at_utc": _when(d.decision.at),
        "at_local": d.local_at.isoformat(),
        "shown_hash": d.decision.shown_hash,
        "other_decisions": [_plain(o) for o in d.others],
        "audit_entries": [_plain(p) for p in d.proofs],
        "checks": {**d.checks(), "hashes_match": d.hashes_match},
    }
