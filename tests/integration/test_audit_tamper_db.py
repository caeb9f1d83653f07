"""The finding's tampering done in SQL on a real database: a cut tail with the head rolled
back, an emptied trail, and an edit resealed with the project's own hash function. Each is
caught by CLIENTLOOP_SECRET_KEY, by a checkpoint kept outside the database, or both."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.bootstrap import Runtime, bootstrap
from tests.integration.statement_helpers import ALICE, AT, website
from workflow import audit
from workflow.audit import verify_trail
from workflow.domain.audit import GENESIS, HMAC_V1, SHA256, AuditEntry
from workflow.domain.checkpoints import Checkpoint
from workflow.flows.feedback import SendFeedback
from workflow.flows.requests import SendRequest
from workflow.persistence.db import upgrade_async

SECRET = "6f1c0b9e4a7d2f3851e6c09ab4d7f2e1938c5b0a7e6d4f21c3b8a9e0d5f7c2a1"


async def sql(runtime: Runtime, *statements: str, **params: object) -> list[tuple[object, ...]]:
    async with runtime.engine.begin() as connection:
        rows: list[tuple[object, ...]] = []
        for statement in statements:
            result = await connection.execute(text(statement), params)
            rows = [tuple(row) for row in result] if result.returns_rows else []
        return rows


@pytest.fixture
async def runtime(db_url: str) -> AsyncIterator[Runtime]:
    """A keyed deployment with a project and three more entries: four in all."""
    await upgrade_async(db_url)
    made = bootstrap(db_url, deliver_after_commit=False, secret_keys=[SECRET])
    project = await website(made)
    await made.bus.handle(SendRequest(actor=ALICE, at=AT, project_id=project, text="Reports"))
    for words in ("Thanks", "Great week"):
        await made.bus.handle(SendFeedback(actor=ALICE, at=AT, project_id=project, text=words))
    yield made
    await made.close()


async def problems(runtime: Runtime, *against: Checkpoint) -> list[str]:
    async with runtime.uow() as uow:
        return await verify_trail(uow, against)


async def checkpoint_now(runtime: Runtime) -> Checkpoint:
    async with runtime.read_uow() as uow:
        return await audit.checkpoint(uow, datetime.now(UTC))


async def test_entries_are_stored_sealed_with_hmac_and_verify(runtime: Runtime) -> None:
    rows = await sql(runtime, "SELECT seq, scheme FROM audit_entries ORDER BY seq")
    assert rows == [(seq, HMAC_V1) for seq in range(1, 5)]
    assert await problems(runtime) == []


async def test_a_tail_deleted_with_the_head_rolled_back_is_caught_by_a_checkpoint(
    runtime: Runtime,
) -> None:
    point = await checkpoint_now(runtime)
    await sql(
        runtime,
        "DELETE FROM audit_entries WHERE seq > 2",
        "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_entries WHERE seq = 2)",
    )
    assert await problems(runtime) == []  # what `audit verify` said before checkpoints
    assert any(
        "saw entry 4, which is no longer in the chain" in p for p in await problems(runtime, point)
    )


async def test_every_entry_and_the_head_deleted_is_caught_by_a_checkpoint(
    runtime: Runtime,
) -> None:
    point = await checkpoint_now(runtime)
    await sql(runtime, "DELETE FROM audit_entries", "DELETE FROM audit_head")
    assert await problems(runtime) == []
    assert any("no longer in the chain" in p for p in await problems(runtime, point))


async def test_an_edit_resealed_with_the_public_hash_function_is_caught(
    runtime: Runtime,
) -> None:
    point = await checkpoint_now(runtime)
    async with runtime.uow() as uow:
        entries = list(await uow.audit.entries())
    entries[1].comment = "nobody asked for reports"
    prev = entries[0].hash
    for entry in entries[1:]:
        entry.prev_hash = prev
        entry.hash = prev = entry.compute_hash()
        await sql(
            runtime,
            "UPDATE audit_entries SET comment = :comment, prev_hash = :prev, hash = :hash "
            "WHERE seq = :seq",
            comment=entry.comment, prev=entry.prev_hash, hash=entry.hash, seq=entry.seq,
        )  # fmt: skip
    await sql(runtime, "UPDATE audit_head SET hash = :hash", hash=prev)

    assert "entry 2 was changed after it was written" in await problems(runtime)
    assert any("the chain was rewritten" in p for p in await problems(runtime, point))


async def test_an_existing_trail_keeps_verifying_after_the_migration(sqlite_url: str) -> None:
    """Entries written before the scheme column are plain sha256 and stay verifiable; the
    entries after them are keyed."""
    await upgrade_async(sqlite_url, "0007")
    old = bootstrap(sqlite_url, deliver_after_commit=False)
    prev = GENESIS
    for seq in (1, 2):
        entry = AuditEntry(seq, AT, "system", "Old", "project", 1, 1, None, "", "", "{}", prev)
        row = {**entry.seal().content(), "hash": entry.hash, "at": AT.isoformat(" ")}
        prev = entry.hash
        columns = ", ".join(row)
        await sql(old, f"INSERT INTO audit_entries ({columns}) VALUES (:{', :'.join(row)})", **row)
    await sql(old, "INSERT INTO audit_head (id, seq, hash) VALUES (1, 2, :hash)", hash=prev)
    await old.close()

    await upgrade_async(sqlite_url)
    runtime = bootstrap(sqlite_url, deliver_after_commit=False, secret_keys=[SECRET])
    try:
        await website(runtime)
        rows = await sql(runtime, "SELECT seq, scheme FROM audit_entries ORDER BY seq")
        assert rows == [(1, SHA256), (2, SHA256), (3, HMAC_V1)]
        assert await problems(runtime) == []
    finally:
        await runtime.close()


async def clientloop(*args: str, url: str) -> tuple[int, str, str]:
    env = {**os.environ, "DATABASE_URL": url, "CLIENTLOOP_SECRET_KEY": SECRET}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_the_cli_takes_a_checkpoint_and_verify_catches_a_cut_tail_with_it(
    sqlite_url: str, tmp_path: Path
) -> None:
    await upgrade_async(sqlite_url)
    runtime = bootstrap(sqlite_url, deliver_after_commit=False, secret_keys=[SECRET])
    await website(runtime)
    await runtime.bus.handle(SendFeedback(actor=ALICE, at=AT, project_id=1, text="Thanks"))
    code, out, _ = await clientloop("audit", "checkpoint", url=sqlite_url)
    assert code == 0 and '"seq": 2' in out
    saved = tmp_path / "checkpoints.jsonl"
    saved.write_text(out)

    code, out, _ = await clientloop("audit", "verify", "--checkpoint", str(saved), url=sqlite_url)
    assert (code, out.strip()) == (
        0,
        "audit trail verified: 2 entries, chain intact, holds 1 checkpoint(s)",
    )

    await sql(
        runtime,
        "DELETE FROM audit_entries WHERE seq = 2",
        "UPDATE audit_head SET seq = 1, hash = (SELECT hash FROM audit_entries WHERE seq = 1)",
    )
    await runtime.close()
    code, out, _ = await clientloop("audit", "verify", "--checkpoint", str(saved), url=sqlite_url)
    assert code == 1
    assert "saw entry 2, which is no longer in the chain" in out

    code, _, err = await clientloop(
        "audit", "verify", "--checkpoint", str(tmp_path / "none"), url=sqlite_url
    )
    assert code == 2 and "cannot read the checkpoint file" in err
