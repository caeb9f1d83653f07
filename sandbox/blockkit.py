"""Block Kit as HTML: a pure, escaping renderer of blocks, modals and App Home views."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape

from sandbox.elements import NO_NAMES, UNSUPPORTED, Json, element, mrkdwn, text

__all__ = ["UNSUPPORTED", "block", "blocks", "home", "message", "modal", "mrkdwn"]
Names = Mapping[str, str]


def _id(b: Json) -> str:
    return str(b.get("block_id") or "")


def _attrs(b: Json) -> str:
    kind, block_id = escape(str(b.get("type")), quote=True), escape(_id(b), quote=True)
    return f' class="bk-block bk-{kind}" data-block-type="{kind}" data-block-id="{block_id}"'


def _section(b: Json, names: Names) -> str:
    parts = (
        [f'<div class="bk-section-text">{text(b["text"], names)}</div>'] if b.get("text") else []
    )
    if b.get("fields"):
        cells = "".join(f'<div class="bk-field">{text(f, names)}</div>' for f in b["fields"])
        parts.append(f'<div class="bk-fields">{cells}</div>')
    if isinstance(b.get("accessory"), dict):
        parts.append(f'<div class="bk-accessory">{element(b["accessory"], _id(b), names)}</div>')
    return f"<section{_attrs(b)}>{''.join(parts)}</section>"


def _context(b: Json, names: Names) -> str:
    items = "".join(element(e, _id(b), names) for e in b.get("elements", []))
    return f"<div{_attrs(b)}>{items}</div>"


def _divider(b: Json, names: Names) -> str:
    return f"<hr{_attrs(b)}>"


def _header(b: Json, names: Names) -> str:
    return f"<h3{_attrs(b)}>{text(b.get('text'))}</h3>"


def _image(b: Json, names: Names) -> str:
    title = f"<figcaption>{text(b['title'])}</figcaption>" if b.get("title") else ""
    src, alt = (
        escape(str(b.get("image_url") or ""), True),
        escape(str(b.get("alt_text") or ""), True),
    )
    return f'<figure{_attrs(b)}>{title}<img src="{src}" alt="{alt}"></figure>'


def _actions(b: Json, names: Names) -> str:
    items = "".join(element(e, _id(b), names) for e in b.get("elements", []))
    return f"<div{_attrs(b)}>{items}</div>"


def _input(b: Json, names: Names) -> str:
    label = f'<label class="bk-label">{text(b.get("label"))}'
    label += ' <span class="bk-optional">(optional)</span>' if b.get("optional") else ""
    hint = f'<div class="bk-hint">{text(b["hint"])}</div>' if b.get("hint") else ""
    el: Json = b["element"] if isinstance(b.get("element"), dict) else {}
    return f"<div{_attrs(b)}>{label}</label>{element(el, _id(b), names)}{hint}</div>"


_BLOCKS: dict[str, Callable[[Json, Names], str]] = {
    "section": _section,
    "context": _context,
    "divider": _divider,
    "header": _header,
    "image": _image,
    "actions": _actions,
    "input": _input,
}


def block(b: Json, names: Names = NO_NAMES) -> str:
    """One block as HTML; an unknown block type is drawn as a visible marker."""
    draw = _BLOCKS.get(str(b.get("type")))
    if draw is None:
        kind = escape(str(b.get("type")))
        return f'<div class="bk-block {UNSUPPORTED}" data-block-type="{kind}">[{kind}]</div>'
    return draw(b, names)


def blocks(items: list[Json], names: Names = NO_NAMES) -> str:
    return "".join(block(b, names) for b in items)


def message(text_fallback: str, items: list[Json], names: Names = NO_NAMES) -> str:
    """A message: its blocks, or its mrkdwn text when it has none (as Slack shows it)."""
    body = (
        blocks(items, names)
        if items
        else f'<div class="bk-text">{mrkdwn(text_fallback, names)}</div>'
    )
    return f'<div class="bk-message">{body}</div>'


def modal(view: Json, names: Names = NO_NAMES) -> str:
    """A modal: title, blocks, then its close and submit buttons."""
    close = text(view.get("close")) or "Cancel"
    submit = (
        f'<button class="bk-submit bk-primary">{text(view["submit"])}</button>'
        if view.get("submit")
        else ""
    )
    callback = escape(str(view.get("callback_id") or ""), quote=True)
    return (
        f'<div class="bk-modal" data-callback-id="{callback}">'
        f'<h2 class="bk-modal-title">{text(view.get("title"))}</h2>'
        f'<div class="bk-modal-body">{blocks(view.get("blocks", []), names)}</div>'
        f'<div class="bk-modal-footer"><button class="bk-close">{close}</button>{submit}</div>'
        "</div>"
    )


def home(view: Json, names: Names = NO_NAMES) -> str:
    """The App Home tab's view."""
    return f'<div class="bk-home">{blocks(view.get("blocks", []), names)}</div>'
