"""`clientloop evidence CR-1`, run as a process: the record as text or JSON, its exit code
saying whether it holds, and one line for a change request that is not there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.bootstrap import bootstrap
from tests.integration.cli_process import run
from tests.integration.test_evidence import SECRET, approved_by_both
from workflow.persistence.db import upgrade_async


@pytest.fixture
async def database(sqlite_url: str) -> str:
    """A change request approved by an external customer and the sponsor, keyed audit."""
    await upgrade_async(sqlite_url)
    runtime = bootstrap(sqlite_url, deliver_after_commit=False, secret_keys=[SECRET])
    try:
        assert await approved_by_both(runtime) == 1
    finally:
        await runtime.close()
    return sqlite_url


def evidence(tmp_path: Path, database: str, *args: str, key: str = SECRET) -> tuple[int, str, str]:
    done = run(tmp_path, "evidence", *args, DATABASE_URL=database, CLIENTLOOP_SECRET_KEY=key)
    return done.returncode, done.stdout, done.stderr


def test_json_holds_both_approvals_and_a_verified_chain(tmp_path: Path, database: str) -> None:
    code, out, err = evidence(tmp_path, database, "CR-1", "--format", "json")

    assert code == 0, err
    data = json.loads(out)
    assert data["verified"] is True and data["audit_chain"]["verified"] is True
    assert [d["approver"]["user_id"] for d in data["decisions"]] == ["UALICE", "USAM"]
    assert [d["approver"]["roles"] for d in data["decisions"]] == [
        ["external customer"],
        ["sponsor"],
    ]
    assert {d["shown_hash"] for d in data["decisions"]} == {data["decisions"][0]["version_hash"]}
    assert all(d["checks"]["hashes_match"] for d in data["decisions"])


def test_text_is_the_default_and_the_id_may_be_given_bare(tmp_path: Path, database: str) -> None:
    code, out, err = evidence(tmp_path, database, "1")

    assert code == 0, err
    assert out.startswith("Evidence for CR-1 · Dark mode (WEB · Website)")
    assert "Decision 1 of 2: Alice (external customer) approved version 1" in out
    assert "Decision 2 of 2: Sam (sponsor) approved version 1" in out


def test_without_the_key_the_record_prints_but_says_the_chain_is_unchecked(
    tmp_path: Path, database: str
) -> None:
    code, out, _ = evidence(tmp_path, database, "CR-1", key="")

    assert code == 1
    assert "Audit chain: NOT verified" in out and "could not be checked" in out


@pytest.mark.parametrize(
    ("given", "said"),
    [("CR-99", "there is no change request CR-99"), ("the dark one", "names no change request")],
)
def test_a_missing_or_garbled_change_request_is_one_line_and_exit_code_2(
    tmp_path: Path, database: str, given: str, said: str
) -> None:
    code, out, err = evidence(tmp_path, database, given)

    assert code == 2 and not out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("clientloop: ") and said in lines[0], err
