"""The evidence record of a sponsor-plus-customer approval, on a real database: every field
for both approvals, and hashes that are the audit trail's own."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from bot.bootstrap import Runtime, bootstrap
from tests.integration.statement_helpers import AT
from workflow.domain.audit import AuditEntry
from workflow.domain.change_versions import Verdict
from workflow.domain.changes import ChangeRequest
from workflow.domain.commands import PersonRef
from workflow.domain.evidence import Evidence, as_dict
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.flows.change_requests.evidence import as_text, load_evidence
from workflow.flows.change_requests.messages import CreateChangeRequest, DecideChange
from workflow.flows.feedback import SendFeedback
from workflow.flows.projects.messages import CreateProject
from workflow.persistence.db import upgrade_async

SECRET = "0d4c9e1f7a2b8c3d6e5f4a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d"
PM = PersonRef(Identity(Platform.SLACK, "T1", "UPM"), "Pam")
# An external customer from her own organisation (Slack Connect), and the internal sponsor.
ALICE = PersonRef(Identity(Platform.SLACK, "TCUST", "UALICE"), "Alice", "America/New_York")
SAM = PersonRef(Identity(Platform.SLACK, "T1", "USAM"), "Sam", "Europe/Berlin")
SHOWN = {
    "number": 1,
    "title": "Dark mode",
    "description": "Add a dark theme",
    "scope": "Every page",
    "schedule_days": 3,
    "cost": "1200.00",
    "reason": "Customer ask",
    "due_at": None,
}


@dataclass
class Decided:
    runtime: Runtime
    change_id: int


async def approved_by_both(runtime: Runtime) -> int:
    """WEB with Alice (external customer) and Sam (sponsor); a change request approved by
    both, Alice first with a comment; then Alice renames herself (the record keeps the name
    she had). The change request's id."""
    made = await runtime.bus.handle(
        CreateProject(
            actor=PM, at=AT, platform=Platform.SLACK, workspace_id="T1", channel_id="C1",
            name="Website", key="WEB", customers=((ALICE, CustomerKind.EXTERNAL),), sponsor=SAM,
        )
    )  # fmt: skip
    assert made.subject_id is not None
    change = await runtime.bus.handle(
        CreateChangeRequest(
            actor=PM, at=AT, project_id=made.subject_id, title="Dark mode",
            description="Add a dark theme", scope="Every page", schedule_days=3,
            cost=Decimal(1200), reason="Customer ask",
        )
    )  # fmt: skip
    assert change.subject_id is not None
    for who, hours, comment in ((ALICE, 1, "Fine by us"), (SAM, 2, "")):
        await runtime.bus.handle(
            DecideChange(
                actor=who, at=AT + timedelta(hours=hours), change_id=change.subject_id,
                version=1, verdict=Verdict.APPROVE, reason=comment,
            )
        )  # fmt: skip
    renamed = PersonRef(ALICE.identity, "Alice Smith", ALICE.timezone)
    await runtime.bus.handle(
        SendFeedback(actor=renamed, at=AT + timedelta(hours=3), project_id=made.subject_id,
                     text="Thanks")
    )  # fmt: skip
    return change.subject_id


@pytest.fixture
async def decided(db_url: str) -> AsyncIterator[Decided]:
    await upgrade_async(db_url)
    runtime = bootstrap(db_url, deliver_after_commit=False, secret_keys=[SECRET])
    change_id = await approved_by_both(runtime)
    yield Decided(runtime, change_id)
    await runtime.close()


async def record_and_trail(decided: Decided) -> tuple[Evidence, dict[int, AuditEntry]]:
    async with decided.runtime.read_uow() as uow:
        record = await load_evidence(uow, decided.change_id)
        trail = {e.seq: e for e in await uow.audit.entries()}
    return record, trail


async def test_the_record_holds_every_field_of_both_approvals(decided: Decided) -> None:
    record, _ = await record_and_trail(decided)
    data = json.loads(json.dumps(as_dict(record)))

    assert data["change_request"] == f"CR-{decided.change_id}"
    assert (data["state"], data["current_version"], data["title"]) == ("approved", 1, "Dark mode")
    assert data["project"]["key"] == "WEB"
    alice, sam = data["decisions"]
    assert alice["approver"] == {
        "person_id": alice["approver"]["person_id"],
        "platform": "slack",
        "workspace": "TCUST",
        "user_id": "UALICE",
        "display_name": "Alice",  # as she was called when she decided
        "current_display_name": "Alice Smith",
        "recorded_as": "slack:TCUST:UALICE Alice",
        "roles": ["external customer"],
        "timezone": "America/New_York",
    }
    assert (sam["approver"]["workspace"], sam["approver"]["user_id"]) == ("T1", "USAM")
    assert sam["approver"]["roles"] == ["sponsor"]
    assert sam["approver"]["display_name"] == sam["approver"]["current_display_name"] == "Sam"
    assert (alice["at_utc"], alice["at_local"]) == (
        "2026-12-02T10:00:00+00:00",
        "2026-12-02T05:00:00-05:00",
    )
    assert (sam["at_utc"], sam["at_local"]) == (
        "2026-12-02T11:00:00+00:00",
        "2026-12-02T12:00:00+01:00",
    )
    assert (alice["verdict"], alice["comment"]) == ("approve", "Fine by us")
    assert (sam["verdict"], sam["comment"]) == ("approve", "")
    for mine, other, name in ((alice, sam, "Sam"), (sam, alice, "Alice")):
        assert mine["shown"] == SHOWN and mine["version"] == 1 and mine["counts"] is True
        assert mine["other_decisions"] == [
            {
                "person_id": other["approver"]["person_id"],
                "display_name": name,
                "verdict": "approve",
                "at_utc": other["at_utc"],
            }
        ]
        assert mine["checks"] == dict.fromkeys(
            ("decision_matches_version", "audit_entry_found", "audit_entry_matches",
             "version_entry_matches", "hashes_match"), True,
        )  # fmt: skip
    assert [e["action"] for e in alice["audit_entries"]] == ["ChangeRequested", "ChangeDecided"]
    assert [e["action"] for e in sam["audit_entries"]] == [
        "ChangeRequested", "ChangeDecided", "ChangeSettled"
    ]  # fmt: skip
    assert data["audit_chain"]["verified"] is True and data["audit_chain"]["problems"] == []
    assert data["verified"] is True


async def test_its_hashes_are_the_audit_trails_and_the_versions(decided: Decided) -> None:
    record, trail = await record_and_trail(decided)
    async with decided.runtime.read_uow() as uow:
        change = await uow.repo(ChangeRequest).get(decided.change_id)
    assert change is not None
    version_hash = change.current.shown_hash()

    decisions: Any = as_dict(record)["decisions"]
    for decision in decisions:
        assert decision["version_hash"] == decision["shown_hash"] == version_hash
        for proof in decision["audit_entries"]:
            stored = trail[proof["seq"]]
            assert proof == {
                "seq": stored.seq,
                "action": stored.action,
                "at": stored.at.isoformat(),
                "actor": stored.actor,
                "version": 1,
                "shown_hash": stored.shown_hash,
                "prev_hash": stored.prev_hash,
                "hash": stored.hash,
                "scheme": "hmac-v1",
            }
            assert stored.prev_hash == trail[stored.seq - 1].hash
        decided_entry = decision["audit_entries"][1]
        assert decided_entry["shown_hash"] == version_hash
        assert trail[decided_entry["seq"]].comment == decision["comment"]
    assert record.chain_entries == len(trail)


async def test_the_text_says_the_same_in_words(decided: Decided) -> None:
    record, trail = await record_and_trail(decided)
    said = as_text(record)

    assert said.startswith(f"Evidence for CR-{decided.change_id} · Dark mode (WEB · Website)")
    assert "Audit chain: verified" in said and "Every hash matches the audit trail." in said
    assert "Decision 1 of 2: Alice (external customer) approved version 1" in said
    assert "user UALICE; name at the time: Alice (now: Alice Smith)" in said
    assert "2026-12-02 10:00:00 UTC · 2026-12-02 05:00:00 EST (America/New_York)" in said
    assert "Decision 2 of 2: Sam (sponsor) approved version 1" in said
    assert "Comment: Fine by us" in said and "Impact on scope: Every page" in said
    assert "Other decisions on version 1: Sam approved at 2026-12-02 11:00:00 UTC" in said
    for entry in trail.values():
        if entry.subject_kind == "change_request" and entry.action != "ApprovalAsked":
            assert f"#{entry.seq} {entry.action}" in said and entry.hash in said


async def test_an_edited_audit_entry_shows_in_the_record(decided: Decided) -> None:
    record, _ = await record_and_trail(decided)
    seq = record.decisions[0].proofs[1].seq
    async with decided.runtime.engine.begin() as connection:
        await connection.execute(
            text("UPDATE audit_entries SET shown_hash = :forged WHERE seq = :seq"),
            {"forged": "f" * 64, "seq": seq},
        )

    forged, _ = await record_and_trail(decided)

    assert not forged.verified and forged.chain_problems
    assert forged.decisions[0].checks()["audit_entry_matches"] is False
    assert forged.decisions[1].hashes_match
    assert "MISMATCH: audit entry matches" in as_text(forged)
