"""`/loop export` through signed Slack requests: CSV and JSON files, headers always."""

from __future__ import annotations

import json

from tests.e2e.slack_world import CAROL, PM, Slack, change_request

FEEDBACK_HEADER = "type,person_id,week,rating,text,at"


def uploaded(project: Slack) -> list[str]:
    return [body.decode() for body in project.fake.uploads.values()]


def names(project: Slack) -> set[str]:
    completed = project.fake.calls_of("files.completeUploadExternal")
    return {str(f["title"]) for call in completed for f in json.loads(call.params["files"])}


async def test_the_pms_export_uploads_csv_files_with_headers_and_one_json_file(
    project: Slack,
) -> None:
    await change_request(project)  # decisions are still empty: no one has decided
    await project.loop(CAROL, "export")  # a customer first: refused, nothing uploaded
    assert not project.fake.calls_of("files.getUploadURLExternal") and not project.fake.uploads
    assert "only a PM" in project.last_private()

    await project.loop(PM, "export")

    assert names(project) == {
        "web-feedback.csv", "web-decisions.csv", "web-audit.csv", "web-export.json",
        "web-audit-checkpoint.json",
    }  # fmt: skip
    bodies = uploaded(project)
    assert [b for b in bodies if b.splitlines() == [FEEDBACK_HEADER]]  # no rows, a header
    assert [b for b in bodies if b.startswith("item,version,person_id,verdict,reason,at")]
    export = next(json.loads(b) for b in bodies if '"exported_at"' in b)
    assert export["project"] == "WEB" and export["feedback"] == []
    assert any(row["action"] == "ChangeRequested" for row in export["audit"])
    said = project.last_private()
    assert "direct message" in said and "CSV file for each and one JSON file" in said


async def test_export_json_uploads_only_the_json_and_the_checkpoint(project: Slack) -> None:
    await project.loop(PM, "export json")

    assert names(project) == {"web-export.json", "web-audit-checkpoint.json"}
