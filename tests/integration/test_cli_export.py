"""`clientloop export`, run as a process: the files `/loop export` sends, written to a
directory; failures are one line and an exit code."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.bootstrap import bootstrap
from tests.integration.cli_process import free_port, run
from tests.integration.statement_helpers import ALICE, AT, website
from workflow.flows.feedback import SendFeedback
from workflow.persistence.db import upgrade_async

ALL = {
    "web-feedback.csv", "web-decisions.csv", "web-audit.csv", "web-export.json",
    "web-audit-checkpoint.json",
}  # fmt: skip


@pytest.fixture
async def database(sqlite_url: str) -> str:
    """WEB with one piece of feedback typed as a formula, and no decision yet."""
    await upgrade_async(sqlite_url)
    runtime = bootstrap(sqlite_url, deliver_after_commit=False)
    try:
        project = await website(runtime)
        await runtime.bus.handle(
            SendFeedback(actor=ALICE, at=AT, project_id=project, text="=1+1 please")
        )
    finally:
        await runtime.close()
    return sqlite_url


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("clientloop: "), stderr
    return lines[0]


def test_export_writes_csv_with_headers_json_and_a_checkpoint_that_verifies(
    tmp_path: Path, database: str
) -> None:
    out = tmp_path / "exports" / "today"

    done = run(tmp_path, "export", "--project", "web", "--out", str(out), DATABASE_URL=database)

    assert done.returncode == 0, done.stderr
    assert {p.name for p in out.iterdir()} == ALL
    assert {Path(line).name for line in done.stdout.splitlines()} == ALL
    decisions = (out / "web-decisions.csv").read_text().splitlines()
    assert decisions == ["item,version,person_id,verdict,reason,at,shown_hash"]
    feedback = list(csv.DictReader(io.StringIO((out / "web-feedback.csv").read_text())))
    data = json.loads((out / "web-export.json").read_text())
    assert [r["text"] for r in feedback] == ["'=1+1 please"]
    assert [r["text"] for r in data["feedback"]] == ["=1+1 please"]
    assert data["feedback"][0]["at"] == feedback[0]["at"] == AT.isoformat()
    checkpoint = str(out / "web-audit-checkpoint.json")
    verified = run(tmp_path, "audit", "verify", "--checkpoint", checkpoint, DATABASE_URL=database)
    assert "holds 1 checkpoint(s)" in verified.stdout, verified.stdout + verified.stderr


def test_format_json_writes_only_the_json_and_the_checkpoint(tmp_path: Path, database: str) -> None:
    done = run(tmp_path, "export", "--format", "json", "--out", "out", DATABASE_URL=database)

    assert done.returncode == 0, done.stderr
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "web-export.json", "web-audit-checkpoint.json"
    }  # fmt: skip


def test_an_unknown_project_key_is_one_line_naming_the_keys_and_exit_code_2(
    tmp_path: Path, database: str
) -> None:
    done = run(tmp_path, "export", "--project", "NOPE", DATABASE_URL=database)

    assert done.returncode == 2, done.stderr
    assert "no project has the key 'NOPE'; the keys are: WEB" in one_line(done.stderr)
    assert not list(tmp_path.glob("*.csv"))


def test_a_directory_that_cannot_be_written_is_one_line_and_exit_code_2(
    tmp_path: Path, database: str
) -> None:
    (tmp_path / "a-file").write_text("")

    done = run(tmp_path, "export", "--out", "a-file/inside", DATABASE_URL=database)

    assert done.returncode == 2, done.stderr
    assert "cannot write the export to a-file/inside" in one_line(done.stderr)


def test_an_unreachable_database_is_one_line_and_exit_code_1(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://clientloop:secret@127.0.0.1:{free_port()}/clientloop"

    done = run(tmp_path, "export", DATABASE_URL=url)

    assert done.returncode == 1, done.stderr
    assert "cannot reach the database" in done.stderr.strip().splitlines()[-1]
    assert "Traceback" not in done.stderr
