"""Forms as Adaptive Cards with inputs, and a submitted card's data back as plain values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from handlers.teams.cards import (
    MAX_INPUT_LENGTH,
    Element,
    adaptive_card,
    clip,
    escape,
    execute,
    text_block,
)
from workflow.presentation.forms import TICKED, Context, FieldType, Form, FormField, FormKind
from workflow.presentation.presses import BIGGEST_ID

SUBMIT_VERB = "submit_form"
PEOPLE = {"type": "Data.Query", "dataset": "graph.microsoft.com/users"}
CHECKED, UNCHECKED = "true", "false"
# Our own keys in a submit's data; every other key is an input.
RESERVED = frozenset({"form", "ctx", "types", "verb", "item", "version", "input", "msteams"})
_TYPED = (FieldType.CHECKBOX, FieldType.USER, FieldType.USERS)


@dataclass(frozen=True)
class AadIds:
    """People picked in a form, still as AAD object ids (the listener looks them up)."""

    ids: tuple[str, ...]
    single: bool


def form_card(
    form: Form, *, errors: Mapping[str, str] | None = None, submit_verb: str = SUBMIT_VERB
) -> Element:
    """The card for `form`: each input's id is its field name, each error under its field.
    The submit's data carries the form kind, its context and which inputs are not text."""
    errors = errors or {}
    body = [text_block(escape(clip(form.title, 200)), weight="Bolder", size="Medium")]
    if form.intro:
        body.append(text_block(escape(clip(form.intro, 3000))))
    names = {f.name for f in form.fields}
    body += [error_block(text) for name, text in errors.items() if name not in names]
    for field in form.fields:
        body.append(input_element(field, errors.get(field.name, "")))
        if field.name in errors:
            body.append(error_block(errors[field.name]))
    types = {f.name: f.type.value for f in form.fields if f.type in _TYPED}
    data = {"verb": submit_verb, "form": form.kind.value, "ctx": form.context, "types": types}
    return adaptive_card(body, actions=[execute(form.submit, data)])


def error_block(text: str) -> Element:
    return text_block(escape(clip(text, 500)), color="Attention", spacing="None", size="Small")


def input_element(field: FormField, error: str) -> Element:
    element = {"id": field.name, **_control(field)}
    if field.type is not FieldType.CHECKBOX:
        element["label"] = escape(clip(field.label, 500))
    element["isRequired"] = field.required
    message = error or (f"Please fill in: {field.label[:200]}" if field.required else "")
    return element | ({"errorMessage": clip(message, 500)} if message else {})


def _control(field: FormField) -> Element:
    kind, initial = field.type, field.initial
    if kind in (FieldType.TEXT, FieldType.MULTILINE, FieldType.URL):
        limit = min(field.max_length, MAX_INPUT_LENGTH)
        control: Element = {"type": "Input.Text", "maxLength": limit,
                            "isMultiline": kind is FieldType.MULTILINE}  # fmt: skip
        if kind is FieldType.URL:
            control["style"] = "Url"
        if field.hint:
            control["placeholder"] = clip(field.hint, 200)
        return control | ({"value": initial[:limit]} if initial else {})
    if kind in (FieldType.INTEGER, FieldType.DECIMAL):
        number = _number(initial)
        return {"type": "Input.Number"} | ({"value": number} if number is not None else {})
    if kind in (FieldType.DATE, FieldType.TIME):
        control = {"type": "Input.Date" if kind is FieldType.DATE else "Input.Time"}
        return control | ({"value": initial} if initial else {})
    if kind is FieldType.SELECT:
        choices = [{"title": clip(label, 200), "value": value} for value, label in field.options]
        control = {"type": "Input.ChoiceSet", "style": "compact", "choices": choices}
        return control | ({"value": initial} if initial in dict(field.options) else {})
    if kind in (FieldType.USER, FieldType.USERS):
        # People already chosen are choices of their own, so the picker shows their names.
        chosen = [{"title": clip(name, 200), "value": aad} for aad, name in field.options]
        control = {"type": "Input.ChoiceSet", "choices": chosen, "choices.data": dict(PEOPLE),
                   "isMultiSelect": kind is FieldType.USERS}  # fmt: skip
        return control | ({"value": initial} if chosen else {})
    value = CHECKED if initial == TICKED else UNCHECKED
    return {"type": "Input.Toggle", "title": escape(clip(field.label, 500)), "valueOn": CHECKED,
            "valueOff": UNCHECKED, "value": value}  # fmt: skip


def _number(text: str) -> int | float | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def form_of(data: Mapping[str, Any]) -> tuple[FormKind, Context] | None:
    """The form kind and context a submitted card carries; None when it is not a form."""
    raw_kind = data.get("form")
    if not isinstance(raw_kind, str) or not raw_kind:
        return None
    kind = FormKind(raw_kind)
    raw = data.get("ctx")
    context: Context = {
        str(k): v for k, v in (raw if isinstance(raw, dict) else {}).items()
        if v is None or isinstance(v, str) or is_id(v)
    }  # fmt: skip
    return kind, context


def is_id(value: object) -> bool:
    """Whether `value` can be a database id or version (bool is an int, but not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= BIGGEST_ID


def pointer(value: object) -> str:
    """An item or verb from card data ("change_request:7", "answer_question:3"); one whose
    number no database row can have loses the number, and so points at nothing."""
    text = value if isinstance(value, str) else str(value or "")
    name, colon, tail = text.partition(":")
    try:  # as the core reads the number: all after the first colon, as int() takes it
        number = int(tail)
    except ValueError:
        return text  # the core finds no number in it either, and says so
    return text if abs(number) <= BIGGEST_ID else name + colon


def form_values(data: Mapping[str, Any]) -> dict[str, object]:
    """Submitted values by field name: text as str, toggles as bool, people as AadIds."""
    raw_types = data.get("types")
    types = raw_types if isinstance(raw_types, dict) else {}
    return {
        name: _value(value, types.get(name)) for name, value in data.items() if name not in RESERVED
    }


def _value(value: Any, kind: Any) -> object:
    text = value if isinstance(value, str) else "" if value is None else str(value)
    if kind == FieldType.CHECKBOX.value:
        return text.strip().lower() == CHECKED
    if kind in (FieldType.USER.value, FieldType.USERS.value):
        ids = tuple(part.strip() for part in text.split(",") if part.strip())
        return AadIds(ids, single=kind == FieldType.USER.value)
    return text
