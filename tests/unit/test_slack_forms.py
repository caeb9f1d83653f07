"""Every form as a Slack modal stays within Block Kit's limits, and its state reads back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from handlers.slack import forms as slack_forms
from handlers.slack.sealed import Seal
from workflow.domain.closing import MAX_DELIVERABLE_NAME, MAX_DELIVERABLES
from workflow.flows.change_requests.forms import change_form
from workflow.flows.checkins.forms import checkin_form
from workflow.flows.closing.forms import close_form, evaluate_form
from workflow.flows.feedback import feedback_form
from workflow.flows.invitations import invite_form
from workflow.flows.notices import notice_form
from workflow.flows.projects.forms import new_project_form, people_form, settings_form
from workflow.flows.reports import report_form
from workflow.flows.requests import request_form
from workflow.flows.signoffs.forms import signoff_form
from workflow.presentation.forms import Form
from workflow.presentation.presses import NeedText
from workflow.queries import need_text_form as text_form

LONG = "<!channel> & " + "x" * 3000
SEAL = Seal("unit-signing-secret")
CTX: dict[str, str | int | None] = {"project_id": 123456789, "request_id": 987654321}
PREFILL = {k: LONG for k in ("title", "description", "scope", "reason", "text", "what")}


def every_form() -> list[Form]:
    names = [f"{n:02} " + "d" * (MAX_DELIVERABLE_NAME - 3) for n in range(MAX_DELIVERABLES)]
    return [
        new_project_form({"platform": "slack", "workspace_id": "T" * 20, "channel_id": "C" * 20}),
        people_form(CTX), settings_form(CTX, 6, "23:59", "quorum", 12, "customer_first"),
        change_form({**CTX, "change_id": 5}, PREFILL), signoff_form(CTX, "plan"),
        report_form(CTX), checkin_form({"checkin_id": 99}), request_form(CTX, LONG),
        notice_form(CTX, LONG), feedback_form(CTX, LONG), invite_form(CTX, LONG),
        close_form(CTX), evaluate_form(CTX, names),
        text_form(NeedText("What you dispute", True, {"verb": "dispute", "item": "report:1",
                                                      "version": None})),
    ]  # fmt: skip


@pytest.mark.parametrize("form", every_form(), ids=lambda f: f.kind.value)
def test_each_form_fits_slacks_modal_limits(form: Form) -> None:
    view = slack_forms.modal(form, "C" * 20, SEAL)
    assert len(view["blocks"]) <= 100
    assert len(view["title"]["text"]) <= 24 and len(view["submit"]["text"]) <= 24
    assert len(view["private_metadata"]) <= 3000
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert len({b["block_id"] for b in inputs}) == len(inputs) == len(form.fields)
    for block in inputs:
        element = block["element"]
        assert len(block["label"]["text"]) <= 2000
        assert element["action_id"] == block["block_id"]
        if "max_length" in element:
            assert element["max_length"] <= 3000
            assert len(element.get("initial_value", "")) <= element["max_length"]
        options = element.get("options", [])
        assert len(options) <= 100 and all(len(o["text"]["text"]) <= 75 for o in options)
    for block in view["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
            assert "<!channel>" not in block["text"]["text"]


def test_the_context_travels_in_private_metadata_and_comes_back() -> None:
    view = slack_forms.modal(change_form({"project_id": 7, "notice_id": 3}), "C1", SEAL)
    assert slack_forms.read_metadata(view["private_metadata"], SEAL) == (
        {"project_id": 7, "notice_id": 3},
        "C1",
    )
    assert slack_forms.read_metadata("not json", SEAL) == ({}, None)
    assert slack_forms.kind_of(view["callback_id"]).value == "change"


def test_private_metadata_changed_on_the_way_back_carries_nothing() -> None:
    """Sealed with a key from the signing secret: another channel, another project id, a
    metadata sealed by another app or not sealed at all all read as empty."""
    sealed = slack_forms.modal(change_form({"project_id": 7}), "C1", SEAL)["private_metadata"]
    tag, _, text = sealed.partition(".")
    forged = text.replace('"C1"', '"C0999"').replace(":7", ":8")
    other_app = Seal("another-signing-secret").wrap(text)
    for raw in (f"{tag}.{forged}", text, other_app, f"{tag}.", "." + text):
        assert slack_forms.read_metadata(raw, SEAL) == ({}, None), raw


def test_submitted_state_reads_back_as_plain_values() -> None:
    state: dict[str, Any] = {"values": {
        "title": {"title": {"type": "plain_text_input", "value": "Blog"}},
        "cost": {"cost": {"type": "number_input", "value": "12.5"}},
        "due": {"due": {"type": "datepicker", "selected_date": "2027-01-31"}},
        "at": {"at": {"type": "timepicker", "selected_time": "09:30"}},
        "rag": {"rag": {"type": "static_select", "selected_option": {"value": "red"}}},
        "who": {"who": {"type": "users_select", "selected_user": "U1"}},
        "many": {"many": {"type": "multi_users_select", "selected_users": ["U1", "U2"]}},
        "flag": {"flag": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
        "off": {"off": {"type": "checkboxes", "selected_options": []}},
        "empty": {"empty": {"type": "static_select", "selected_option": None}},
    }}  # fmt: skip
    values = slack_forms.values(state)
    assert values["title"] == "Blog" and values["cost"] == "12.5"
    assert (values["due"], values["at"], values["rag"]) == ("2027-01-31", "09:30", "red")
    assert values["who"] == slack_forms.UserIds(("U1",), single=True)
    assert values["many"] == slack_forms.UserIds(("U1", "U2"), single=False)
    assert (values["flag"], values["off"], values["empty"]) == (True, False, "")
    assert json.dumps(str(values))
