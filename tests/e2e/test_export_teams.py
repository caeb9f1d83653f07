"""`@clientloop export` through Teams activities: CSV and JSON inline, headers always."""

from __future__ import annotations

import json

import pytest

from tests.e2e.teams_world import ROOM, Teams, set_up_project

FEEDBACK_HEADER = "type,person_id,week,rating,text,at"


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    return await set_up_project(teams_world)


def said(project: Teams, conversation: str = ROOM) -> str:
    """The text of the last message the bot sent in `conversation`."""
    calls = [c for c in project.connector.calls if c.conversation_id == conversation]
    return str(calls[-1].body.get("text", ""))


async def test_the_pms_export_shows_csv_with_headers_and_the_json_in_the_conversation(
    project: Teams,
) -> None:
    await project.mention("carol", "export")  # a customer first: refused, no file shown
    refused = said(project)
    assert "only a PM" in refused and "```" not in refused

    await project.mention("pm", "export")

    text = said(project)
    assert text.startswith("The export of WEB")
    for name in ("web-feedback.csv", "web-decisions.csv", "web-audit.csv", "web-export.json"):
        assert f"**{name}**" in text, name
    assert f"**web-feedback.csv**\n```\n{FEEDBACK_HEADER}\r\n```" in text  # no rows, a header
    body = text.split("**web-export.json**\n```\n", 1)[1].split("```", 1)[0]
    export = json.loads(body)
    assert export["project"] == "WEB" and export["feedback"] == [] and export["audit"]


async def test_export_csv_in_teams_shows_only_the_csv_files(project: Teams) -> None:
    await project.mention("pm", "export csv")

    text = said(project)
    assert text.startswith("The export of WEB") and "a CSV file for each" in text
    assert "**web-audit.csv**" in text and "web-export.json" not in text
