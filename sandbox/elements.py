"""Block Kit text and elements as HTML: mrkdwn, text objects, buttons, selects and inputs."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from html import escape, unescape
from types import MappingProxyType
from typing import Any

Json = dict[str, Any]
UNSUPPORTED = "bk-unsupported"
NO_NAMES: Mapping[str, str] = MappingProxyType({})  # user id: name, for <@U…> mentions
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
_STYLES = [
    (re.compile(r"`([^`\n]+)`"), r"<code>\1</code>"),
    (re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])"), r"<b>\1</b>"),
    (re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])"), r"<i>\1</i>"),
    (re.compile(r"(?<![\w~])~([^~\n]+)~(?![\w~])"), r"<s>\1</s>"),
]


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _data(element: Json, block_id: str = "") -> str:
    """data-* attributes a page or a test finds an element by."""
    pairs = [("type", element.get("type")), ("action-id", element.get("action_id"))]
    pairs += [("block-id", block_id or None), ("value", element.get("value"))]
    return "".join(f' data-{k}="{_attr(v)}"' for k, v in pairs if v is not None)


def mrkdwn(text: str, names: Mapping[str, str] = NO_NAMES) -> str:
    """Slack mrkdwn to HTML: the text is escaped first, then links, mentions and styles."""
    out: list[str] = []
    last = 0
    for found in _LINK.finditer(text):
        out.append(_styled(text[last : found.start()]))
        out.append(_link(found.group(1), found.group(2), names))
        last = found.end()
    out.append(_styled(text[last:]))
    return "".join(out).replace("\n", "<br>")


def _styled(raw: str) -> str:
    html = escape(unescape(raw), quote=False)
    for pattern, replacement in _STYLES:
        html = pattern.sub(replacement, html)
    return html


def _link(target: str, label: str | None, names: Mapping[str, str]) -> str:
    target = unescape(target)
    if target[:1] == "@":
        user = target[1:]
        shown = escape(names.get(user, label or user))
        return f'<span class="bk-mention" data-user="{_attr(user)}">@{shown}</span>'
    if target[:1] == "#":
        return f'<span class="bk-channel">#{escape(label or target[1:])}</span>'
    if target[:1] == "!":
        return f'<span class="bk-mention">@{escape(target[1:].split("^")[0])}</span>'
    href = target if re.match(r"^(https?|mailto):", target, re.I) else "#"
    shown = escape(unescape(label or target))
    return f'<a href="{_attr(href)}" rel="noopener" target="_blank">{shown}</a>'


def text(obj: object, names: Mapping[str, str] = NO_NAMES) -> str:
    """A text object (plain_text or mrkdwn) as HTML."""
    if not isinstance(obj, dict):
        return ""
    raw = str(obj.get("text") or "")
    return mrkdwn(raw, names) if obj.get("type") == "mrkdwn" else escape(raw, quote=False)


def _options(element: Json, chosen: list[str]) -> str:
    items = [o for g in element.get("option_groups", []) for o in g.get("options", [])]
    items += element.get("options", [])
    return "".join(
        f'<option value="{_attr(o.get("value"))}"{" selected" if o.get("value") in chosen else ""}>'
        f"{text(o.get('text'))}</option>"
        for o in items
    )


def _initial(element: Json) -> list[str]:
    first = element.get("initial_option")
    many = element.get("initial_options") or []
    return [str(o.get("value")) for o in ([first] if first else []) + many if isinstance(o, dict)]


def _people(names: Mapping[str, str], chosen: list[str]) -> str:
    return "".join(
        f'<option value="{_attr(u)}"{" selected" if u in chosen else ""}>{escape(n)}</option>'
        for u, n in names.items()
    )


def element(el: Json, block_id: str = "", names: Mapping[str, str] = NO_NAMES) -> str:
    """One interactive or display element as HTML (an unknown one is marked, not dropped)."""
    kind = str(el.get("type"))
    draw = _ELEMENTS.get(kind)
    if draw is None:
        return f'<span class="{UNSUPPORTED}"{_data(el, block_id)}>[{escape(kind)}]</span>'
    return draw(el, _data(el, block_id), names)


def _button(el: Json, data: str, names: Mapping[str, str]) -> str:
    style = f" bk-{_attr(el['style'])}" if el.get("style") else ""
    url = f' data-url="{_attr(el["url"])}"' if el.get("url") else ""
    return f'<button class="bk-button{style}"{data}{url}>{text(el.get("text"))}</button>'


def _select(multiple: bool, people: bool) -> Callable[[Json, str, Mapping[str, str]], str]:
    def draw(el: Json, data: str, names: Mapping[str, str]) -> str:
        chosen = [str(u) for u in el.get("initial_users", [])] + (
            [str(el["initial_user"])] if el.get("initial_user") else []
        )
        body = _people(names, chosen) if people else _options(el, _initial(el))
        hint = (
            ""
            if multiple
            else f'<option value="">{text(el.get("placeholder")) or "Select…"}</option>'
        )
        many = " multiple" if multiple else ""
        return f'<select class="bk-select"{data}{many}>{hint}{body}</select>'

    return draw


def _text_input(el: Json, data: str, names: Mapping[str, str]) -> str:
    value = _attr(el.get("initial_value") or "")
    limit = f' maxlength="{int(el["max_length"])}"' if el.get("max_length") else ""
    if el.get("multiline"):
        return f'<textarea class="bk-input"{data}{limit}>{value}</textarea>'
    kind = {"number_input": "number", "url_text_input": "url", "email_text_input": "email"}.get(
        str(el.get("type")), "text"
    )
    step = ' step="any"' if el.get("is_decimal_allowed") else ""
    return f'<input class="bk-input" type="{kind}"{data}{limit}{step} value="{value}">'


def _picker(kind: str, key: str) -> Callable[[Json, str, Mapping[str, str]], str]:
    def draw(el: Json, data: str, names: Mapping[str, str]) -> str:
        return f'<input class="bk-input" type="{kind}"{data} value="{_attr(el.get(key) or "")}">'

    return draw


def _choices(kind: str) -> Callable[[Json, str, Mapping[str, str]], str]:
    def draw(el: Json, data: str, names: Mapping[str, str]) -> str:
        chosen = _initial(el)
        name = _attr(el.get("action_id"))
        boxes = "".join(
            f'<label><input type="{kind}" name="{name}" value="{_attr(o.get("value"))}"'
            f"{' checked' if o.get('value') in chosen else ''}> {text(o.get('text'), names)}"
            "</label>"
            for o in el.get("options", [])
        )
        return f'<div class="bk-{kind}"{data}>{boxes}</div>'

    return draw


def _overflow(el: Json, data: str, names: Mapping[str, str]) -> str:
    return (
        f'<select class="bk-overflow"{data}><option value="">⋯</option>{_options(el, [])}</select>'
    )


def _image(el: Json, data: str, names: Mapping[str, str]) -> str:
    src, alt = _attr(el.get("image_url") or ""), _attr(el.get("alt_text") or "")
    return f'<img class="bk-image"{data} src="{src}" alt="{alt}">'


def _text_element(el: Json, data: str, names: Mapping[str, str]) -> str:
    return f'<span class="bk-text">{text(el, names)}</span>'


_ELEMENTS: dict[str, Callable[[Json, str, Mapping[str, str]], str]] = {
    "button": _button,
    "static_select": _select(False, False),
    "multi_static_select": _select(True, False),
    "users_select": _select(False, True),
    "multi_users_select": _select(True, True),
    "plain_text_input": _text_input,
    "number_input": _text_input,
    "url_text_input": _text_input,
    "email_text_input": _text_input,
    "datepicker": _picker("date", "initial_date"),
    "timepicker": _picker("time", "initial_time"),
    "checkboxes": _choices("checkbox"),
    "radio_buttons": _choices("radio"),
    "overflow": _overflow,
    "image": _image,
    "plain_text": _text_element,
    "mrkdwn": _text_element,
}
