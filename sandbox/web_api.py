"""The Slack Web API as the sandbox answers it, at /sandbox/api/{method}, plus upload and
response URLs: every answer reads and changes the Workspace, with Slack's shapes and errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.workspace import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_NAME,
    Json,
    Modal,
    ResponseTarget,
    UploadedFile,
    Workspace,
)

Answer = Callable[[Workspace, Json, str], Json]
_JSON_FIELDS = ("blocks", "view", "files", "attachments")


def _fail(error: str) -> Json:
    return {"ok": False, "error": error}


async def read_params(request: Request) -> Json:
    """Query, then a JSON or form body, with Slack's JSON-in-a-form fields decoded."""
    params: Json = dict(request.query_params)
    raw = await request.body()
    if raw and "json" in request.headers.get("content-type", ""):
        loaded = json.loads(raw)
        params |= loaded if isinstance(loaded, dict) else {}
    elif raw:
        params |= dict(parse_qsl(raw.decode(), keep_blank_values=True))
    for name in _JSON_FIELDS:
        value = params.get(name)
        if isinstance(value, str) and value[:1] in "[{":
            params[name] = json.loads(value)
    return params


def auth_test(ws: Workspace, p: Json, base: str) -> Json:
    return {
        "ok": True, "url": base, "team": TEAM_NAME, "user": "sandbox-bot",
        "team_id": ws.team_id, "user_id": BOT_USER_ID, "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }  # fmt: skip


def post_message(ws: Workspace, p: Json, base: str) -> Json:
    conversation = ws.conversation(str(p.get("channel") or ""))
    if conversation is None:
        return _fail("channel_not_found")
    message = ws.post(conversation.id, str(p.get("text") or ""), p.get("blocks"))
    return {"ok": True, "channel": conversation.id, "ts": message.ts, "message": message.as_json()}


def update(ws: Workspace, p: Json, base: str) -> Json:
    conversation = ws.conversation(str(p.get("channel") or ""))
    if conversation is None:
        return _fail("channel_not_found")
    message = conversation.find(str(p.get("ts") or ""))
    if message is None or message.ephemeral_for:
        return _fail("message_not_found")
    if message.bot_id is None:
        return _fail("cant_update_message")
    message.text = str(p.get("text") or message.text)
    message.blocks = p.get("blocks", message.blocks)
    body = {"channel": conversation.id, "ts": message.ts, "text": message.text}
    return {"ok": True, **body, "message": message.as_json()}


def post_ephemeral(ws: Workspace, p: Json, base: str) -> Json:
    conversation, user = ws.conversation(str(p.get("channel") or "")), str(p.get("user") or "")
    if conversation is None:
        return _fail("channel_not_found")
    if user not in ws.people:
        return _fail("user_not_found")
    if conversation.is_im and conversation.members != [user]:
        return _fail("user_not_in_channel")
    text = str(p.get("text") or "")
    message = ws.post(conversation.id, text, p.get("blocks"), ephemeral_for=user)
    return {"ok": True, "message_ts": message.ts}


def views_open(ws: Workspace, p: Json, base: str) -> Json:
    user = ws.triggers.pop(str(p.get("trigger_id") or ""), None)
    if user is None:
        return _fail("expired_trigger_id")
    if not isinstance(p.get("view"), dict):
        return _fail("invalid_arguments")
    modal = ws.new_modal(user, p["view"])
    ws.modals[user] = [modal]
    return {"ok": True, "view": modal.as_json()}


def views_push(ws: Workspace, p: Json, base: str) -> Json:
    user = ws.triggers.pop(str(p.get("trigger_id") or ""), None)
    if user is None:
        return _fail("expired_trigger_id")
    stack = ws.open_modals(user)
    if not stack or not isinstance(p.get("view"), dict):
        return _fail("invalid_arguments")
    if len(stack) >= 3:
        return _fail("push_limit_reached")
    modal = ws.new_modal(user, p["view"])
    stack.append(modal)
    return {"ok": True, "view": modal.as_json()}


def views_update(ws: Workspace, p: Json, base: str) -> Json:
    view_id, external = str(p.get("view_id") or ""), str(p.get("external_id") or "")
    modal = ws.find_modal(view_id) if view_id else _by_external_id(ws, external)
    if modal is None:
        return _fail("not_found")
    if p.get("hash") and p["hash"] != modal.hash:
        return _fail("hash_conflict")
    if not isinstance(p.get("view"), dict):
        return _fail("invalid_arguments")
    modal.view, modal.hash = p["view"], ws.new_id("h")
    return {"ok": True, "view": modal.as_json()}


def _by_external_id(ws: Workspace, external_id: str) -> Modal | None:
    found = [m for s in ws.modals.values() for m in s if m.view.get("external_id") == external_id]
    return found[0] if external_id and found else None


def views_publish(ws: Workspace, p: Json, base: str) -> Json:
    user, view = str(p.get("user_id") or ""), p.get("view")
    if user not in ws.people:
        return _fail("user_not_found")
    if not isinstance(view, dict) or view.get("type") != "home":
        return _fail("invalid_arguments")
    old = ws.homes.get(user)
    if old is not None and p.get("hash") and p["hash"] != old.hash:
        return _fail("hash_conflict")
    view_id = old.view_id if old else ws.new_id("V")
    ws.homes[user] = Modal(view_id, user, view, ws.new_id("h"))
    return {"ok": True, "view": ws.homes[user].as_json()}


def users_info(ws: Workspace, p: Json, base: str) -> Json:
    person = ws.people.get(str(p.get("user") or ""))
    return {"ok": True, "user": person.as_user()} if person else _fail("user_not_found")


def conversations_open(ws: Workspace, p: Json, base: str) -> Json:
    users = [u for u in str(p.get("users") or "").split(",") if u]
    if len(users) != 1:
        return _fail("not_implemented" if users else "users_list_not_supplied")
    if users[0] not in ws.people:
        return _fail("user_not_found")
    return {"ok": True, "channel": {"id": ws.dm(users[0]).id}}


def conversations_info(ws: Workspace, p: Json, base: str) -> Json:
    conversation = ws.conversation(str(p.get("channel") or ""))
    if conversation is None:
        return _fail("channel_not_found")
    return {"ok": True, "channel": conversation.as_json()}


def upload_url(ws: Workspace, p: Json, base: str) -> Json:
    if not p.get("filename") or not str(p.get("length") or "").isdigit():
        return _fail("invalid_arguments")
    uploaded = UploadedFile(ws.new_id("F"), str(p["filename"]))
    ws.files[uploaded.id] = uploaded
    return {"ok": True, "file_id": uploaded.id, "upload_url": f"{base}upload/{uploaded.id}"}


def complete_upload(ws: Workspace, p: Json, base: str) -> Json:
    listed = p.get("files")
    if not isinstance(listed, list) or not all(
        isinstance(f, dict) and f.get("id") in ws.files for f in listed
    ):
        return _fail("file_not_found")
    channel = str(p.get("channel_id") or "") or None
    if channel is not None and ws.conversation(channel) is None:
        return _fail("channel_not_found")
    shared = [ws.files[f["id"]] for f in listed]
    for f, asked in zip(shared, listed, strict=True):
        f.title, f.channel_id = str(asked.get("title") or f.filename), channel
    if channel is not None:
        message = ws.post(channel, str(p.get("initial_comment") or ""))
        message.files = [f.id for f in shared]
    return {"ok": True, "files": [{"id": f.id, "title": f.title} for f in shared]}


ANSWERS: dict[str, Answer] = {
    "auth.test": auth_test,
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.postEphemeral": post_ephemeral,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "users.info": users_info,
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
    "files.getUploadURLExternal": upload_url,
    "files.completeUploadExternal": complete_upload,
}


def answer_response_url(ws: Workspace, target: ResponseTarget, body: Json) -> None:
    """What a post to a response_url does: replace or delete the pressed message, or add a
    message (in_channel) or a private one (ephemeral, the default)."""
    conversation = ws.conversation(target.channel_id)
    if conversation is None:
        return
    pressed = conversation.find(target.message_ts) if target.message_ts else None
    if pressed is not None and body.get("delete_original"):
        conversation.messages.remove(pressed)
        return
    text, blocks = str(body.get("text") or ""), body.get("blocks")
    if pressed is not None and body.get("replace_original"):
        pressed.text, pressed.blocks = text, list(blocks or [])
    elif body.get("response_type") == "in_channel":
        ws.post(conversation.id, text, blocks)
    else:
        ws.post(conversation.id, text, blocks, ephemeral_for=target.user_id)


def router(ws: Workspace, prefix: str = "/sandbox") -> APIRouter:
    """The routes; `ws` is the state they serve (SLACK_API_URL = <server>{prefix}/api/)."""
    routes = APIRouter(prefix=prefix)

    @routes.api_route("/api/{method}", methods=["GET", "POST"])
    async def api(method: str, request: Request) -> JSONResponse:
        params = await read_params(request)
        ws.calls.append((method, params))
        found = ANSWERS.get(method)
        base = str(request.base_url).rstrip("/") + prefix + "/"
        body = found(ws, params, base) if found else _fail("unknown_method")
        return JSONResponse(body)

    @routes.post("/upload/{file_id}")
    async def upload(file_id: str, request: Request) -> JSONResponse:
        if file_id not in ws.files:
            return JSONResponse(_fail("file_not_found"), status_code=404)
        ws.files[file_id].data = await request.body()
        return JSONResponse({"ok": True})

    @routes.post("/response/{response_id}")
    async def response(response_id: str, request: Request) -> JSONResponse:
        target = ws.responses.get(response_id)
        if target is None:
            return JSONResponse(_fail("expired_url"), status_code=404)
        body: Any = await read_params(request)
        ws.calls.append(("response_url", body))
        answer_response_url(ws, target, body if isinstance(body, dict) else {})
        return JSONResponse({"ok": True})

    return routes
