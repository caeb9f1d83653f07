"""What the page shows and does: a person's view of the workspace, and their acts as requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sandbox import blockkit, events
from sandbox.workspace import PROJECT_CHANNEL, Json, Modal, Workspace

HOME = "home"


class ActError(ValueError):
    """An act the page asked for that the workspace cannot make (unknown person, element…)."""


def names(ws: Workspace) -> dict[str, str]:
    return {p.user_id: p.real_name for p in ws.people.values()}


def person(ws: Workspace, user_id: object) -> str:
    if not isinstance(user_id, str) or user_id not in ws.people:
        raise ActError(f"no such person: {user_id!r}")
    return user_id


def conversations(ws: Workspace, user_id: str) -> list[Json]:
    """The project channel, the person's DM with the app, then the Home tab."""
    channel = ws.conversations[PROJECT_CHANNEL]
    return [
        {"id": channel.id, "label": "#" + channel.name, "shared": channel.ext_shared},
        {"id": ws.dm(user_id).id, "label": "clientloop (DM)", "shared": False},
        {"id": HOME, "label": "Home", "shared": False},
    ]


def _view(modal: Modal | None, draw: Any, shown: dict[str, str]) -> Json | None:
    if modal is None:
        return None
    inputs = [
        {"block_id": b.get("block_id"), "type": (b.get("element") or {}).get("type")}
        for b in modal.view.get("blocks", [])
        if b.get("type") == "input"
    ]
    body = {"view_id": modal.view_id, "hash": modal.hash, "html": draw(modal.view, shown)}
    return body | {"callback_id": modal.view.get("callback_id"), "inputs": inputs}


def state(ws: Workspace, user_id: str, conversation_id: str, now: str) -> Json:
    """Everything the page draws for `user_id` looking at `conversation_id` (or "home")."""
    shown = names(ws)
    listed = conversations(ws, user_id)
    if conversation_id not in {c["id"] for c in listed}:
        conversation_id = PROJECT_CHANNEL
    messages: list[Json] = []
    conversation = ws.conversation(conversation_id) if conversation_id != HOME else None
    for m in conversation.visible_to(user_id) if conversation else []:
        author = shown.get(m.user or "", "clientloop") if not m.bot_id else "clientloop"
        html = blockkit.message(m.text, m.blocks, shown)
        messages.append({
            "ts": m.ts, "from": author, "ephemeral": bool(m.ephemeral_for), "text": m.text,
            "html": html,
        })  # fmt: skip
    stack = ws.modals.get(user_id) or []
    people = [
        {"id": p.user_id, "name": p.real_name, "role": p.role, "external": p.team_id != ws.team_id}
        for p in ws.people.values()
    ]
    return {
        "as": user_id, "conversation": conversation_id, "conversations": listed,
        "people": people, "messages": messages, "clock": now,
        "modal": _view(stack[-1] if stack else None, blockkit.modal, shown),
        "home": _view(ws.homes.get(user_id), blockkit.home, shown),
    }  # fmt: skip


def _elements(b: Json) -> Iterator[Json]:
    for key in ("accessory", "element"):
        if isinstance(b.get(key), dict):
            yield b[key]
    yield from (e for e in b.get("elements", []) if isinstance(e, dict))


def find_element(blocks: list[Json], block_id: str, action_id: str) -> tuple[str, Json]:
    """The element with `action_id` in the block `block_id` (any block when it has no id)."""
    for b in blocks:
        if block_id and str(b.get("block_id") or "") != block_id:
            continue
        for el in _elements(b):
            if el.get("action_id") == action_id:
                return str(b.get("block_id") or ""), el
    raise ActError(f"no element {action_id!r} in block {block_id!r}")


def press(ws: Workspace, base_url: str, user_id: str, act: Json) -> events.SlackRequest:
    """A button press or a choice, in a message (`ts` in `conversation`), a modal or Home."""
    block_id, action_id = str(act.get("block_id") or ""), str(act.get("action_id") or "")
    chosen = act.get("value")
    where = act.get("where") or "message"
    if where in ("modal", "home"):
        stack = ws.modals.get(user_id) or []
        view = ws.homes.get(user_id) if where == "home" else (stack[-1] if stack else None)
        if view is None:
            raise ActError(f"no {where} open for {user_id}")
        found_block, el = find_element(view.view.get("blocks", []), block_id, action_id)
        return events.view_action(ws, user_id, view, found_block, el, chosen)
    conversation = ws.conversation(str(act.get("conversation") or ""))
    message = conversation.find(str(act.get("ts") or "")) if conversation else None
    if conversation is None or message is None:
        raise ActError("no such message")
    found_block, el = find_element(message.blocks, block_id, action_id)
    return events.message_action(
        ws, base_url, user_id, conversation.id, message.ts, found_block, el, chosen
    )


def command(ws: Workspace, base_url: str, user_id: str, act: Json) -> events.SlackRequest:
    """`/loop …` typed in a conversation the person sees."""
    typed = str(act.get("text") or "").strip()
    conversation = str(act.get("conversation") or "")
    if conversation == HOME or ws.conversation(conversation) is None:
        conversation = ws.dm(user_id).id
    name, _, rest = typed.partition(" ")
    if not name.startswith("/"):
        raise ActError("only slash commands can be sent here (try /loop help)")
    return events.slash_command(ws, base_url, user_id, conversation, rest.strip(), name)


def submit(ws: Workspace, user_id: str, act: Json) -> events.SlackRequest:
    """The person's open modal (the top one) submitted with `values` (block id: value)."""
    stack = ws.modals.get(user_id) or []
    if not stack:
        raise ActError(f"no modal open for {user_id}")
    modal = stack[-1]
    if act.get("view_id") and act["view_id"] != modal.view_id:
        raise ActError("that modal is no longer open")
    values = act.get("values") if isinstance(act.get("values"), dict) else {}
    return events.view_submission(ws, user_id, modal, dict(values or {}))


def close(ws: Workspace, user_id: str) -> None:
    """Cancel: the sandbox closes the modals (no view_closed is sent)."""
    ws.modals.pop(user_id, None)
