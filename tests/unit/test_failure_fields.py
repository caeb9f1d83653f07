"""A failed Slack or Teams request is logged with the team, the user and the command or action."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from microsoft_teams.api.activities import ActivityTypeAdapter
from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from handlers.slack.app import report_error
from handlers.teams.listeners import failure_fields as teams_fields

FIELDS = ("platform", "team", "user", "command", "action")


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in FIELDS if hasattr(record, name)}


async def test_a_failed_slash_command_is_logged_with_team_user_and_command(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = "command=%2Floop&text=digest+WEB&team_id=T1&user_id=U1&channel_id=C1&trigger_id=t"
    request = AsyncBoltRequest(
        body=body, headers={"content-type": ["application/x-www-form-urlencoded"]}
    )
    answer = await report_error(RuntimeError("boom"), request, BoltResponse(status=200))
    assert answer is not None and answer.status == 200
    [record] = [r for r in caplog.records if r.getMessage().startswith("Slack")]
    assert _fields(record) == {
        "platform": "slack", "team": "T1", "user": "U1", "command": "/loop digest",
    }  # fmt: skip
    assert "team T1, user U1, /loop digest" in record.getMessage()


async def test_a_failed_button_is_logged_with_its_action_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    payload = {
        "type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U2", "team_id": "T1"},
        "actions": [{"action_id": "cl.approve", "value": "1"}],
    }  # fmt: skip
    request = AsyncBoltRequest(body=payload, mode="socket_mode")
    await report_error(RuntimeError("boom"), request, BoltResponse(status=200))
    [record] = [r for r in caplog.records if r.getMessage().startswith("Slack block_actions")]
    assert _fields(record) == {
        "platform": "slack",
        "team": "T1",
        "user": "U2",
        "action": "cl.approve",
    }


def _activity(**fields: Any) -> Any:
    return ActivityTypeAdapter.validate_python({
        "id": "a1", "channelId": "msteams", "serviceUrl": "https://smba.example/",
        "from": {"id": "29:x", "aadObjectId": "aad-1"}, "recipient": {"id": "28:bot"},
        "conversation": {"id": "19:c", "tenantId": "tenant-1"}, **fields,
    })  # fmt: skip


def test_a_failed_teams_message_names_its_first_word_and_an_invoke_its_verb() -> None:
    message = _activity(type="message", text="<at>clientloop</at> digest WEB please")
    assert teams_fields(message) == {
        "platform": "teams", "team": "tenant-1", "user": "aad-1", "command": "digest",
    }  # fmt: skip
    invoke = _activity(
        type="invoke", name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "approve", "data": {}}},
    )  # fmt: skip
    assert teams_fields(invoke)["action"] == "approve"
