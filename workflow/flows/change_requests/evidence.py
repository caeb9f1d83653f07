"""The evidence record of a change request's decisions: loaded, shown to its PMs, and as text.

`load_evidence` reads the change request, its project, the approvers and the audit trail
in one transaction, verifies the chain and assembles `workflow.domain.evidence.Evidence`;
`clientloop evidence CR-12` prints it, and a decided card's Evidence button answers the
PM who pressed it privately with `as_text`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from workflow.domain import commands as c
from workflow.domain.audit import verify
from workflow.domain.changes import ChangeRequest
from workflow.domain.evidence import (
    VERSION_ACTIONS,
    DecisionEvidence,
    Evidence,
    Proof,
    assemble,
)
from workflow.domain.permissions import Act
from workflow.flows.common import known_id, load, project_allows
from workflow.ports import UnitOfWork
from workflow.presentation.said import CHANGE_FIELDS

DONE = {"approve": "approved", "reject": "rejected"}


@dataclass(frozen=True, kw_only=True)
class ShowEvidence(c.Command):
    """Show a PM the evidence record of a change request (reads only; nothing is written)."""

    change_id: int


async def load_evidence(uow: UnitOfWork, change_id: int) -> Evidence:
    """The evidence record of change request `change_id`; NotFound when there is none."""
    change = await load(uow.repo(ChangeRequest), change_id, "change request", lock=False)
    project = await load(uow.projects, change.project_id, "project", lock=False)
    approvers = {d.approver_id for d in change.decisions}
    people = {p.id: p for p in await uow.people.get_many(approvers) if p.id is not None}
    entries = list(await uow.audit.entries())
    problems = verify(entries, await uow.audit.head(), uow.audit.keys)
    return assemble(change, project, people, entries, problems)


async def show_evidence(cmd: ShowEvidence, uow: UnitOfWork) -> c.Reply:
    """The record, for a PM of the change request's project (closed projects too)."""
    change = await load(uow.repo(ChangeRequest), cmd.change_id, "change request", lock=False)
    await project_allows(uow, change.project_id, await known_id(uow, cmd), Act.EVIDENCE,
                         open_only=False)  # fmt: skip
    return c.Reply(as_text(await load_evidence(uow, cmd.change_id)), change.id, changed=False)


def as_text(evidence: Evidence) -> str:
    """The record in words: a summary, then each decision with its proof."""
    change, project = evidence.change, evidence.project
    count = len(evidence.decisions)
    lines = [
        f"Evidence for CR-{change.id} · {change.current.title} ({project.key} · {project.name})",
        f"State: {change.state.value}, at version {change.current.number}; "
        f"{count} decision(s) recorded.",
        _chain(evidence),
        "Every hash matches the audit trail."
        if all(d.hashes_match for d in evidence.decisions)
        else "Some hashes do NOT match the audit trail: see below.",
    ]
    if not count:
        lines.append("Nobody has decided on this change request yet.")
    shown_version = None
    for number, decision in enumerate(evidence.decisions, 1):
        if decision.version.number != shown_version:  # decisions come in version order
            shown_version = decision.version.number
            lines += ["", *_version(decision)]
        lines += ["", *_decision(number, count, decision)]
    return "\n".join(lines)


def _chain(evidence: Evidence) -> str:
    if not evidence.chain_problems:
        return f"Audit chain: verified ({evidence.chain_entries} entries, chain intact)."
    return f"Audit chain: NOT verified: {'; '.join(evidence.chain_problems)}."


def _decision(number: int, count: int, d: DecisionEvidence) -> Iterator[str]:
    a, ident, version = d.approver, d.approver.identity, d.version.number
    roles = f" ({', '.join(a.roles)})" if a.roles else ""
    stale = "" if d.counts else " (an earlier version: this decision no longer counts)"
    verdict = DONE.get(d.decision.verdict.value, d.decision.verdict.value)
    who = f"{a.display_name or 'someone'}{roles}"
    yield f"Decision {number} of {count}: {who} {verdict} version {version}{stale}"
    where = f"{ident.platform}, workspace {ident.org_id}, user {ident.user_id}" if ident else "—"
    now = f" (now: {a.current_name})" if a.current_name and a.current_name != a.display_name else ""
    yield f"  Identity: {where}; name at the time: {a.display_name or '—'}{now}"
    local = d.local_at
    yield (f"  Time: {_utc(d.decision.at)} · {local:%Y-%m-%d %H:%M:%S %Z} ({a.timezone})")
    yield f"  Comment: {d.decision.reason or '—'}"
    yield f"  Shown: version {version} as above, content hash {d.version_hash}"
    others = "; ".join(f"{o.display_name} {DONE.get(o.verdict, o.verdict)} at {_utc(o.at)}"
                       for o in d.others)  # fmt: skip
    yield f"  Other decisions on version {version}: {others or 'none'}"
    yield f"  Hashes: {_hashes(d)}"
    yield "  Audit entries:"
    yield from (f"    {_proof(p)}" for p in d.proofs if p.action not in VERSION_ACTIONS)


def _version(d: DecisionEvidence) -> Iterator[str]:
    """What the approvers of one version were shown, and the entry that recorded it."""
    yield f"Version {d.version.number} as shown to its approvers (content hash {d.version_hash}):"
    shown = d.shown
    for name in CHANGE_FIELDS:  # in the form's order; the hash is of the sorted JSON
        yield f"  {CHANGE_FIELDS[name].capitalize()}: {_value(shown.get(name))}"
    made = [p for p in d.proofs if p.action in VERSION_ACTIONS]
    yield from (f"  Recorded in audit entry {_proof(p)}" for p in made)


def _utc(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _value(value: object) -> str:
    return "—" if value is None or value == "" else str(value)


def _hashes(d: DecisionEvidence) -> str:
    if d.hashes_match:
        entry = d.entry("ChangeDecided")
        seq = f" #{entry.seq}" if entry else ""
        return f"decision = version content = audit entry{seq}: all match"
    failed = [name.replace("_", " ") for name, ok in d.checks().items() if not ok]
    return f"MISMATCH: {', '.join(failed)}"


def _proof(p: Proof) -> str:
    shown = f", shown {p.shown_hash}" if p.shown_hash else ""
    return (
        f"#{p.seq} {p.action} at {_utc(p.at)} by {p.actor}{shown}, "
        f"prev {p.prev_hash}, hash {p.hash} ({p.scheme})"
    )
