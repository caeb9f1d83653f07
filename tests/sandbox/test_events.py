"""A person's acts reach the app as signed Slack requests, and the sandbox shows the acks."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_sdk.signature import SignatureVerifier

from sandbox import events
from sandbox.client import SandboxClient
from sandbox.signing import signed_headers
from sandbox.workspace import PROJECT_CHANNEL, seeded

SECRET = "sandbox-signing-secret"
BASE = "http://127.0.0.1:3000/sandbox/"


def verifies(request: events.SlackRequest) -> bool:
    headers = signed_headers(SECRET, request.body, request.content_type)
    return SignatureVerifier(SECRET).is_valid_request(request.body, headers)


def test_every_kind_of_request_is_signed_as_slack_signs_it() -> None:
    ws = seeded()
    card = ws.post(PROJECT_CHANNEL, "card", [{"type": "actions", "block_id": "b", "elements": []}])
    button = {"type": "button", "action_id": "cl.approve", "value": "change_request:7:2"}
    modal = ws.new_modal("U0PM", {"type": "modal", "blocks": []})
    for request in (
        events.slash_command(ws, BASE, "U0PM", PROJECT_CHANNEL, "project new"),
        events.message_action(ws, BASE, "U0SPONSOR", PROJECT_CHANNEL, card.ts, "b", button),
        events.view_submission(ws, "U0PM", modal, {}),
        events.app_home_opened(ws, "U0PM"),
    ):
        assert verifies(request), request.kind
    assert not SignatureVerifier("another").is_valid_request(
        request.body, signed_headers(SECRET, request.body, request.content_type)
    )


def test_a_slash_command_carries_a_response_url_back_to_the_sandbox() -> None:
    ws = seeded()
    request = events.slash_command(ws, BASE, "U0EXTCUSTOMER", "DU0EXTCUSTOMER", "pending")
    fields = parse_qs(request.body.decode())
    assert fields["command"] == ["/loop"] and fields["text"] == ["pending"]
    response_id = fields["response_url"][0].removeprefix(BASE + "response/")
    assert ws.responses[response_id].user_id == "U0EXTCUSTOMER"
    assert ws.triggers[fields["trigger_id"][0]] == "U0EXTCUSTOMER"


def test_a_submission_reports_what_was_typed_as_slack_state() -> None:
    ws = seeded()
    option = {"text": {"type": "plain_text", "text": "Four"}, "value": "4"}
    kinds = {"note": "plain_text_input", "rating": "static_select"}
    kinds |= {"who": "multi_users_select", "day": "datepicker"}
    inputs = [
        {"type": "input", "block_id": name, "element": {"type": kind, "action_id": name}}
        for name, kind in kinds.items()
    ]
    inputs[1]["element"]["options"] = [option]
    view = {"type": "modal", "callback_id": "cl_form:checkin", "blocks": inputs}
    modal = ws.new_modal("U0CUSTOMER", view)
    typed = {"note": "new VPN", "rating": "4", "who": ["U0PM"], "day": "2026-01-05"}
    payload = events.view_submission(ws, "U0CUSTOMER", modal, typed).payload
    values = payload["view"]["state"]["values"]
    assert values["note"]["note"] == {"type": "plain_text_input", "value": "new VPN"}
    assert values["rating"]["rating"]["selected_option"] == option
    assert values["who"]["who"]["selected_users"] == ["U0PM"]
    assert values["day"]["day"]["selected_date"] == "2026-01-05"
    assert payload["user"]["team_id"] == "T0SANDBOX" and payload["team"]["id"] == "T0SANDBOX"


def fake_app(answers: dict[str, Response]) -> FastAPI:
    """An app that checks the signature and answers each kind of request as scripted."""
    app = FastAPI()

    @app.post("/slack/events")
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        if not SignatureVerifier(SECRET).is_valid_request(body, dict(request.headers)):
            return Response(status_code=401)
        if request.headers["content-type"].startswith("application/json"):
            return answers["event_callback"]
        fields = parse_qs(body.decode())
        kind = json.loads(fields["payload"][0])["type"] if "payload" in fields else "slash"
        return answers[kind]

    return app


async def test_the_client_shows_a_command_ack_and_keeps_a_modal_with_errors() -> None:
    ws = seeded()
    errors = {"response_action": "errors", "errors": {"note": "Say what changed."}}
    app = fake_app({
        "slash": JSONResponse({"text": "Here is what waits on you."}),
        "view_submission": JSONResponse(errors),
        "event_callback": Response(status_code=200),
    })  # fmt: skip
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        client = SandboxClient(http, "http://bot/slack/events", SECRET, ws)
        ack = await client.send(events.slash_command(ws, BASE, "U0PM", "DU0PM", "pending"))
        assert ack.status == 200
        [answer] = ws.dm("U0PM").messages
        assert answer.ephemeral_for == "U0PM" and answer.text == "Here is what waits on you."
        modal = ws.new_modal("U0PM", {"type": "modal", "blocks": []})
        ws.modals["U0PM"] = [modal]
        ack = await client.send(events.view_submission(ws, "U0PM", modal, {}))
        assert ack.errors == {"note": "Say what changed."} and ws.modals["U0PM"] == [modal]
        assert (await client.send(events.app_home_opened(ws, "U0PM"))).status == 200
    wrong = SandboxClient(http, "http://bot/slack/events", "not-the-secret", ws)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        wrong.http = http
        assert (await wrong.send(events.app_home_opened(ws, "U0PM"))).status == 401
