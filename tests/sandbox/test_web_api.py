"""The sandbox answers the Slack Web API calls a Bolt app makes, and keeps what they change."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from sandbox.web_api import router
from sandbox.workspace import PROJECT_CHANNEL, ResponseTarget, Workspace, seeded

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*v1*"}}]


@pytest.fixture
def ws() -> Workspace:
    return seeded()


@pytest.fixture
async def http(ws: Workspace) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(router(ws))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        yield client


async def call(http: httpx.AsyncClient, method: str, **params: Any) -> dict[str, Any]:
    response = await http.post(f"/sandbox/api/{method}", json=params)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_post_message_then_update_changes_the_stored_message(
    http: httpx.AsyncClient, ws: Workspace
) -> None:
    posted = await call(http, "chat.postMessage", channel=PROJECT_CHANNEL, text="v1", blocks=BLOCKS)
    assert posted["ok"] and posted["channel"] == PROJECT_CHANNEL
    new = [{"type": "divider"}]
    updated = await call(
        http, "chat.update", channel=PROJECT_CHANNEL, ts=posted["ts"], text="v2", blocks=new
    )
    assert updated["ok"] and updated["ts"] == posted["ts"]
    message = ws.conversations[PROJECT_CHANNEL].find(posted["ts"])
    assert message is not None and (message.text, message.blocks) == ("v2", new)


async def test_a_form_body_with_json_blocks_is_read_like_slack(
    http: httpx.AsyncClient, ws: Workspace
) -> None:
    data = {"channel": "U0PM", "text": "hi", "blocks": '[{"type": "divider"}]'}
    body = (await http.post("/sandbox/api/chat.postMessage", data=data)).json()
    assert body["channel"] == "DU0PM"
    assert ws.dm("U0PM").messages[-1].blocks == [{"type": "divider"}]


async def test_errors_come_as_slack_sends_them(http: httpx.AsyncClient) -> None:
    assert await call(http, "chat.postMessage", channel="C0NOPE", text="x") == {
        "ok": False, "error": "channel_not_found"}  # fmt: skip
    assert (await call(http, "chat.update", channel=PROJECT_CHANNEL, ts="1.2"))["error"] == (
        "message_not_found"
    )
    assert (await call(http, "admin.nothing"))["error"] == "unknown_method"


async def test_views_open_stores_a_modal_and_update_replaces_it(
    http: httpx.AsyncClient, ws: Workspace
) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "New"}, "blocks": []}
    opened = await call(http, "views.open", trigger_id=ws.issue_trigger("U0PM"), view=view)
    assert opened["ok"]
    [modal] = ws.modals["U0PM"]
    assert modal.view == view and opened["view"]["id"] == modal.view_id
    stale = await call(http, "views.update", view_id=modal.view_id, hash="old", view=view)
    assert stale["error"] == "hash_conflict"
    again = {**view, "blocks": [{"type": "divider"}]}
    await call(http, "views.update", view_id=modal.view_id, hash=modal.hash, view=again)
    assert ws.modals["U0PM"][0].view == again


async def test_a_trigger_opens_one_modal_only(http: httpx.AsyncClient, ws: Workspace) -> None:
    trigger = ws.issue_trigger("U0PM")
    view = {"type": "modal", "blocks": []}
    assert (await call(http, "views.open", trigger_id=trigger, view=view))["ok"]
    assert (await call(http, "views.open", trigger_id=trigger, view=view))["error"] == (
        "expired_trigger_id"
    )


async def test_publish_stores_the_home_tab(http: httpx.AsyncClient, ws: Workspace) -> None:
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    assert (await call(http, "views.publish", user_id="U0SPONSOR", view=home))["ok"]
    assert ws.homes["U0SPONSOR"].view == home


async def test_people_and_conversations_look_like_slack(http: httpx.AsyncClient) -> None:
    erin = (await call(http, "users.info", user="U0EXTCUSTOMER"))["user"]
    assert erin["team_id"] != "T0SANDBOX" and erin["tz"] == "America/New_York"
    assert (await call(http, "conversations.open", users="U0MEMBER"))["channel"]["id"] == (
        "DU0MEMBER"
    )
    channel = (await call(http, "conversations.info", channel=PROJECT_CHANNEL))["channel"]
    assert channel["is_ext_shared"] and not channel["is_im"]
    assert (await call(http, "auth.test"))["team_id"] == "T0SANDBOX"


async def test_an_ephemeral_message_is_seen_by_its_person_only(
    http: httpx.AsyncClient, ws: Workspace
) -> None:
    await call(http, "chat.postEphemeral", channel=PROJECT_CHANNEL, user="U0PM", text="psst")
    channel = ws.conversations[PROJECT_CHANNEL]
    assert [m.text for m in channel.visible_to("U0PM")] == ["psst"]
    assert channel.visible_to("U0SPONSOR") == []


async def test_the_sdk_uploads_a_file_in_two_steps(http: httpx.AsyncClient, ws: Workspace) -> None:
    got = await call(http, "files.getUploadURLExternal", filename="chart.png", length="3")
    assert got["upload_url"] == f"http://sandbox/sandbox/upload/{got['file_id']}"
    assert (await http.post(got["upload_url"], content=b"PNG")).json()["ok"]
    files = f'[{{"id": "{got["file_id"]}", "title": "Trend"}}]'
    data = {"files": files, "channel_id": PROJECT_CHANNEL, "initial_comment": "the chart"}
    done = (await http.post("/sandbox/api/files.completeUploadExternal", data=data)).json()
    assert done["files"] == [{"id": got["file_id"], "title": "Trend"}]
    assert ws.files[got["file_id"]].data == b"PNG"
    assert ws.conversations[PROJECT_CHANNEL].messages[-1].files == [got["file_id"]]


@pytest.mark.parametrize(
    ("body", "visible_to_sponsor", "replaced"),
    [
        ({"text": "private"}, False, False),
        ({"text": "public", "response_type": "in_channel"}, True, False),
        ({"text": "new", "replace_original": True}, True, True),
    ],
)
async def test_a_response_url_answers_privately_in_channel_or_in_place(
    http: httpx.AsyncClient, ws: Workspace, body: dict[str, Any],
    visible_to_sponsor: bool, replaced: bool,
) -> None:  # fmt: skip
    card = ws.post(PROJECT_CHANNEL, "card")
    response_id = ws.issue_response(ResponseTarget("U0PM", PROJECT_CHANNEL, card.ts))
    assert (await http.post(f"/sandbox/response/{response_id}", json=body)).json()["ok"]
    seen = [m.text for m in ws.conversations[PROJECT_CHANNEL].visible_to("U0SPONSOR")]
    assert (body["text"] in seen) is visible_to_sponsor
    assert (card.text == "new") is replaced
