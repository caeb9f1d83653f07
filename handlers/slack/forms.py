"""Forms as Slack modals, and a submitted modal's state back as plain values."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from handlers.slack.blocks import (
    MAX_INPUT_LABEL,
    MAX_INPUT_LENGTH,
    MAX_MODAL_BUTTON,
    MAX_MODAL_TITLE,
    MAX_PRIVATE_METADATA,
    MAX_VIEW_BLOCKS,
    Block,
    plain,
    section,
    split_text,
)
from handlers.slack.sealed import SEALED_EXTRA, Seal
from workflow.presentation.forms import TICKED, Context, FieldType, Form, FormField, FormKind
from workflow.presentation.presses import BIGGEST_ID

CALLBACK_PREFIX = "cl_form:"
MAX_OPTION_TEXT = 75
CHECKED = "yes"


@dataclass(frozen=True)
class UserIds:
    """Users picked in a form, still as Slack user ids (the listener looks them up)."""

    ids: tuple[str, ...]
    single: bool


def callback_id(kind: FormKind) -> str:
    return f"{CALLBACK_PREFIX}{kind.value}"


def kind_of(callback: str) -> FormKind:
    return FormKind(callback.removeprefix(CALLBACK_PREFIX))


def metadata(context: Context, channel_id: str | None, seal: Seal) -> str:
    """The form's context plus where to answer, sealed, within Slack's 3,000 characters."""
    text = json.dumps({"ctx": context, "channel": channel_id}, separators=(",", ":"))
    if len(text) + SEALED_EXTRA > MAX_PRIVATE_METADATA:
        raise ValueError("form context is over Slack's private_metadata limit")
    return seal.wrap(text)


def read_metadata(raw: str, seal: Seal) -> tuple[Context, str | None]:
    """The context and channel we wrote; nothing when the seal does not hold."""
    try:
        data = json.loads(seal.unwrap(raw) or "{}")
    except json.JSONDecodeError:
        return {}, None
    if not isinstance(data, dict):
        return {}, None
    raw_ctx = data.get("ctx")
    ctx: Context = {
        str(k): v for k, v in (raw_ctx if isinstance(raw_ctx, dict) else {}).items()
        if v is None or isinstance(v, str) or (isinstance(v, int) and abs(v) <= BIGGEST_ID)
    }  # fmt: skip
    channel = data.get("channel")
    return ctx, channel if isinstance(channel, str) else None


def modal(form: Form, channel_id: str | None, seal: Seal) -> Block:
    """The modal for `form`; field names are both block_id and action_id."""
    blocks: list[Block] = [section(part) for part in split_text(form.intro, max_parts=2)]
    blocks += [_input(field) for field in form.fields]
    return {
        "type": "modal",
        "callback_id": callback_id(form.kind),
        "private_metadata": metadata(form.context, channel_id, seal),
        "title": plain(form.title, MAX_MODAL_TITLE),
        "submit": plain(form.submit, MAX_MODAL_BUTTON),
        "close": plain("Cancel", MAX_MODAL_BUTTON),
        "blocks": blocks[:MAX_VIEW_BLOCKS],
    }


def _input(field: FormField) -> Block:
    block: Block = {
        "type": "input",
        "block_id": field.name,
        "label": plain(field.label, MAX_INPUT_LABEL),
        "element": _element(field),
        "optional": not field.required,
    }
    if field.hint:
        block["hint"] = plain(field.hint, MAX_INPUT_LABEL)
    return block


def _element(field: FormField) -> Block:
    kind, name = field.type, field.name
    if kind in (FieldType.TEXT, FieldType.MULTILINE, FieldType.URL):
        element: Block = {
            "type": "plain_text_input",
            "action_id": name,
            "multiline": kind is FieldType.MULTILINE,
            "max_length": min(field.max_length, MAX_INPUT_LENGTH),
        }
        if field.initial:
            element["initial_value"] = field.initial[: element["max_length"]]
        return element
    if kind in (FieldType.INTEGER, FieldType.DECIMAL):
        element = {
            "type": "number_input",
            "action_id": name,
            "is_decimal_allowed": kind is FieldType.DECIMAL,
        }
        return element | ({"initial_value": field.initial} if field.initial else {})
    if kind is FieldType.DATE:
        element = {"type": "datepicker", "action_id": name}
        return element | ({"initial_date": field.initial} if field.initial else {})
    if kind is FieldType.TIME:
        element = {"type": "timepicker", "action_id": name}
        return element | ({"initial_time": field.initial} if field.initial else {})
    if kind is FieldType.SELECT:
        return _select(field)
    chosen = [user for user in field.initial.split(",") if user]
    if kind is FieldType.USER:
        element = {"type": "users_select", "action_id": name}
        return element | ({"initial_user": chosen[0]} if chosen else {})
    if kind is FieldType.USERS:
        element = {"type": "multi_users_select", "action_id": name}
        return element | ({"initial_users": chosen} if chosen else {})
    options = [{"text": plain(field.label, MAX_OPTION_TEXT), "value": CHECKED}]
    element = {"type": "checkboxes", "action_id": name, "options": options}
    return element | ({"initial_options": options} if field.initial == TICKED else {})


def _select(field: FormField) -> Block:
    options = [
        {"text": plain(label, MAX_OPTION_TEXT), "value": value} for value, label in field.options
    ][:100]
    element: Block = {"type": "static_select", "action_id": field.name, "options": options}
    chosen = [o for o in options if o["value"] == field.initial]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def values(state: dict[str, Any]) -> dict[str, object]:
    """Submitted values by field name: text as str, users as user ids, checkboxes as bool.

    Anything not shaped as Slack sends it (a tampered state) reads as left empty.
    """
    result: dict[str, object] = {}
    blocks = state.get("values")
    for block_id, actions in (blocks if isinstance(blocks, dict) else {}).items():
        if not isinstance(actions, dict):
            continue
        for element in actions.values():
            if isinstance(element, dict):
                result[block_id] = _value(element)
    return result


def _value(element: dict[str, Any]) -> object:
    kind = element.get("type")
    if kind == "datepicker":
        return _text(element.get("selected_date"))
    if kind == "timepicker":
        return _text(element.get("selected_time"))
    if kind == "static_select":
        return _text(_field(element.get("selected_option"), "value"))
    if kind == "users_select":
        chosen = _text(element.get("selected_user"))
        return UserIds((chosen,) if chosen else (), single=True)
    if kind == "multi_users_select":
        return UserIds(
            tuple(t for u in _list(element.get("selected_users")) if (t := _text(u))), False
        )
    if kind == "checkboxes":
        return any(_field(o, "value") == CHECKED for o in _list(element.get("selected_options")))
    return _text(element.get("value"))


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _field(value: object, name: str) -> object:
    return value.get(name) if isinstance(value, dict) else None


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []
