"""The sandbox draws every block and element the bot sends, escaped and findable."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import blockkit
from tests.sandbox.recording import RECORDED, records

FILES = sorted(RECORDED.glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def draw(payload: dict[str, Any]) -> str:
    if payload.get("type") == "modal":
        return blockkit.modal(payload)
    if payload.get("type") == "home":
        return blockkit.home(payload)
    return blockkit.message(payload["text"], payload["blocks"])


def types(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("type"), str):
            yield node["type"]
        for value in node.values():
            yield from types(value)
    elif isinstance(node, list):
        for value in node:
            yield from types(value)


def test_the_recordings_are_what_the_bot_renders_today() -> None:
    assert {p.stem: load(p) for p in FILES} == json.loads(json.dumps(records())), (
        "the bot's Block Kit changed: rerun python -m tests.sandbox.recording"
    )


def test_the_recordings_cover_every_block_and_element_the_bot_sends() -> None:
    seen = {t for path in FILES for t in types(load(path))}
    expected = {"section", "context", "divider", "header", "actions", "input", "button"}
    expected |= {"static_select", "users_select", "multi_users_select", "plain_text_input"}
    expected |= {"datepicker", "timepicker", "number_input", "checkboxes"}
    assert expected <= seen


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_recorded_block_and_element_is_drawn(path: Path) -> None:
    payload = load(path)
    html = draw(payload)
    assert blockkit.UNSUPPORTED not in html
    for kind in set(types(payload)) - {"plain_text", "mrkdwn", "modal", "home"}:
        assert f'data-block-type="{kind}"' in html or f'data-type="{kind}"' in html, kind


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_user_text_never_becomes_markup(path: Path) -> None:
    html = draw(load(path))
    assert "<script" not in html
    assert re.search(r"<(?!/?(div|section|span|hr|h2|h3|b|i|s|code|br|a|button|select|option|"
                     r"input|textarea|label|figure|img|figcaption)\b)", html) is None  # fmt: skip


def test_a_hostile_title_is_shown_as_text() -> None:
    html = draw(load(RECORDED / "message_change_card.json"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_buttons_carry_their_action_id_block_and_value() -> None:
    payload = load(RECORDED / "message_change_card.json")
    html = draw(payload)
    buttons = [e for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons
    for b in buttons:
        assert f'data-action-id="{b["action_id"]}"' in html
        assert f'data-value="{b["value"]}"' in html
    assert 'class="bk-button bk-primary"' in html and 'class="bk-button bk-danger"' in html


def test_modal_inputs_carry_their_block_id_and_show_title_and_submit() -> None:
    payload = load(RECORDED / "modal_change.json")
    html = blockkit.modal(payload)
    assert blockkit.mrkdwn(payload["title"]["text"]) in html
    assert payload["submit"]["text"] in html
    for b in payload["blocks"]:
        if b["type"] == "input":
            assert f'data-block-id="{b["block_id"]}"' in html


def test_mrkdwn_basics() -> None:
    html = blockkit.mrkdwn(
        "*bold* _it_ `x<y` <https://e.com?a=1&amp;b=2|site> <@U0PM> a &amp; b &lt;i&gt;",
        {"U0PM": "Pat"},
    )
    assert "<b>bold</b>" in html and "<i>it</i>" in html and "<code>x&lt;y</code>" in html
    assert '<a href="https://e.com?a=1&amp;b=2"' in html and ">site</a>" in html
    assert "@Pat" in html and "a &amp; b &lt;i&gt;" in html


def test_a_link_to_javascript_goes_nowhere() -> None:
    assert 'href="#"' in blockkit.mrkdwn("<javascript:alert(1)|click>")


def test_an_unknown_block_is_marked_not_dropped() -> None:
    html = blockkit.blocks([{"type": "rich_text", "elements": []}])
    assert blockkit.UNSUPPORTED in html and "rich_text" in html


def test_a_select_shows_its_options_with_the_initial_one_chosen() -> None:
    element = {
        "type": "static_select", "action_id": "pick",
        "options": [{"text": {"type": "plain_text", "text": "A"}, "value": "a"},
                    {"text": {"type": "plain_text", "text": "B"}, "value": "b"}],
        "initial_option": {"text": {"type": "plain_text", "text": "B"}, "value": "b"},
    }  # fmt: skip
    html = blockkit.block({"type": "input", "block_id": "p", "element": element, "label": {}})
    assert '<option value="b" selected>B</option>' in html
