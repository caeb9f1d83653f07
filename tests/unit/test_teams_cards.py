"""Every card and form the core can send, as Adaptive Cards for Teams, within 28 KB and inert."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from handlers.teams import card_forms
from handlers.teams.card_forms import AadIds, form_card, form_of, form_values
from handlers.teams.cards import MAX_CARD_BYTES, card, escape, size, text_reply, typed_text
from tests.card_schema import problems
from tests.unit.test_slack_blocks import (
    ALICE,
    NAMES,
    OTHER,
    PM,
    SPONSOR,
    change,
    every_view,
    evil,
    nested_checkin,
    project,
    report,
    signoff,
)
from tests.unit.test_slack_forms import every_form
from workflow.domain.changes import CRState
from workflow.domain.signoffs import Audience
from workflow.domain.views import View
from workflow.flows.change_requests.cards import change_card, question_card
from workflow.flows.change_requests.forms import change_form
from workflow.flows.checkins.forms import checkin_form
from workflow.flows.closing.forms import evaluate_form
from workflow.flows.projects.cards import welcome_card
from workflow.flows.projects.forms import new_project_form, people_form
from workflow.flows.reports import report_card
from workflow.flows.signoffs.cards import signoff_card
from workflow.flows.signoffs.forms import signoff_form
from workflow.presentation.cards import info
from workflow.presentation.forms import FieldType, Form, FormField, FormKind

AAD = {i: f"aad-{i:04}-0000-0000-0000-000000000000" for i in range(1, 100)}
INJECTIONS = (
    "<at>Everyone</at>",
    "[click](https://evil)",
    "**bold**",
    "{{DATE(2027-01-01T00:00:00Z)}}",
)
STYLES = {"Action.Execute": {"positive", "destructive"}, "Action.ShowCard": {"positive",
          "destructive"}}  # fmt: skip


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a card, nested cards and fallbacks included."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def of_type(card_json: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [n for n in walk(card_json) if n.get("type") == kind]


def clickable(card_json: dict[str, Any]) -> list[dict[str, Any]]:
    """Actions a person can press (not the refresh, which Teams invokes by itself)."""
    body = {k: v for k, v in card_json.items() if k != "refresh"}
    return of_type(body, "Action.Execute") + of_type(body, "Action.ShowCard")


def verbs(card_json: dict[str, Any]) -> list[str]:
    return [a["verb"] for a in clickable(card_json) if a["type"] == "Action.Execute"]


def check_card(card_json: dict[str, Any]) -> None:
    assert size(card_json) < MAX_CARD_BYTES
    assert problems(card_json) == []  # the Adaptive Card 1.5 schema, Teams' typeahead aside
    assert card_json["type"] == "AdaptiveCard" and card_json["version"] == "1.5"
    assert card_json["$schema"].startswith("http://adaptivecards.io/schemas/")
    for execute in of_type(card_json, "Action.Execute"):
        assert execute["verb"] and execute["data"]["verb"] == execute["verb"]
        assert execute["data"].get("item") or execute["data"].get("form")
        if execute["verb"] != "refresh":
            fallback = execute["fallback"]
            assert fallback["type"] == "Action.Submit" and fallback["data"] == execute["data"]
    for node in walk(card_json):
        if node.get("type") in STYLES and "style" in node:
            assert node["style"] in STYLES[node["type"]]
    for action_set in of_type(card_json, "ActionSet"):
        assert 1 <= len(action_set["actions"]) <= 6
    for url in of_type(card_json, "Action.OpenUrl"):
        assert url["url"].startswith(("https://", "http://"))
    ids = [n["id"] for n in walk(card_json) if str(n.get("type", "")).startswith("Input.")]
    assert len(ids) == len(set(ids)), "Teams clients reject duplicate input ids"
    for block in of_type(card_json, "TextBlock"):
        check_inert(block["text"])
    for fact in (f for s in of_type(card_json, "FactSet") for f in s["facts"]):
        check_inert(fact["title"] + fact["value"])


def check_inert(text: str) -> None:
    assert not set("<>[]*") & set(text), text
    assert "{{" not in text, text  # Teams would format {{DATE(…)}} and {{TIME(…)}}
    assert "](" not in text


@pytest.mark.parametrize("view", list(every_view()), ids=lambda v: v.kind.value)
def test_every_card_with_the_longest_inputs_stays_under_28_kb_and_inert(view: View) -> None:
    for viewer in (None, ALICE, PM, SPONSOR, OTHER):
        check_card(card(view, viewer_aad_ids=AAD, for_person=viewer))
    check_card(card(view, viewer_aad_ids=None, for_person=None))


@pytest.mark.parametrize("view", list(every_view()), ids=lambda v: v.kind.value)
def test_refresh_names_the_actors_and_non_actors_get_no_decision(view: View) -> None:
    shared = card(view, viewer_aad_ids=AAD, for_person=None)
    actors = list(dict.fromkeys(a for v in (view, *view.items) for a in v.actors))
    has_buttons = any(v.buttons for v in (view, *view.items))
    if actors and has_buttons:
        refresh = shared["refresh"]
        assert refresh["userIds"] == [AAD[a] for a in actors][:60]
        assert refresh["action"]["verb"] == "refresh" and refresh["action"]["data"]["item"]
    else:
        assert "refresh" not in shared
    if view.actors and OTHER not in view.actors:
        starts = {"start_request", "start_notice", "start_feedback", "show_pending"}
        assert set(verbs(card(view, viewer_aad_ids=AAD, for_person=OTHER))) <= starts


def test_an_actor_sees_the_buttons_and_anyone_else_the_status_only() -> None:
    view = change_card(change(), [ALICE], NAMES)
    mine = card(view, viewer_aad_ids=AAD, for_person=ALICE)
    assert verbs(mine) == ["approve", "reject", "ask"]
    (buttons,) = of_type(mine, "ActionSet")
    assert [a["type"] for a in buttons["actions"]] == [
        "Action.Execute", "Action.ShowCard", "Action.ShowCard",
    ]  # fmt: skip
    theirs = card(view, viewer_aad_ids=AAD, for_person=OTHER)
    assert clickable(theirs) == [] and "Waiting on" in json.dumps(theirs, ensure_ascii=False)
    assert theirs["refresh"]["userIds"] == [AAD[ALICE]]
    assert len(verbs(card(view, viewer_aad_ids=AAD, for_person=None))) == 3


def test_a_button_carries_verb_item_and_version_with_a_submit_fallback() -> None:
    mine = card(change_card(change(), [ALICE], NAMES), viewer_aad_ids=AAD, for_person=ALICE)
    approve = clickable(mine)[0]
    data = {"item": "change_request:12", "version": 3, "verb": "approve"}
    assert approve == {
        "type": "Action.Execute", "title": "Approve", "verb": "approve", "data": data,
        "style": "positive",
        "fallback": {"type": "Action.Submit", "title": "Approve", "data": data},
    }  # fmt: skip


def test_a_reason_is_typed_inside_the_card_before_the_button_acts() -> None:
    mine = card(change_card(change(), [ALICE], NAMES), viewer_aad_ids=AAD, for_person=ALICE)
    reject, ask = [a for a in clickable(mine) if a["type"] == "Action.ShowCard"]
    (field,) = reject["card"]["body"]
    assert field["type"] == "Input.Text" and field["isMultiline"] and field["isRequired"]
    assert field["id"] == "text" and field["label"] == "Reason" and field["errorMessage"]
    (send,) = reject["card"]["actions"]
    assert send["verb"] == "reject" and send["data"]["input"] == "text"
    assert send["style"] == reject["style"] == "destructive"
    assert ask["card"]["body"][0]["id"] == "text_2"
    assert ask["card"]["body"][0]["label"] == "Your question"
    pressed = {**ask["card"]["actions"][0]["data"], "text": "", "text_2": "Why so costly?"}
    assert typed_text(pressed) == "Why so costly?"
    assert typed_text({"verb": "approve"}) is None


def test_the_answer_to_a_question_is_typed_in_the_card_too() -> None:
    question = question_card(change(), 77, "why?", "Alice")
    (buttons,) = of_type(card(question, viewer_aad_ids=AAD, for_person=PM), "ActionSet")
    (answer,) = buttons["actions"]
    execute = answer["card"]["actions"][0]
    assert execute["verb"] == "answer_question:77" and execute["data"]["version"] == 3
    assert answer["card"]["body"][0]["label"] == "Answer"


def test_a_settled_card_shows_its_status_and_no_actions() -> None:
    view = change_card(change(CRState.REJECTED, "too costly"), [], NAMES)
    settled = card(view, viewer_aad_ids=AAD, for_person=ALICE)
    assert clickable(settled) == [] and "refresh" not in settled
    texts = [b["text"] for b in of_type(settled, "TextBlock")]
    assert any(t.startswith("Rejected by") and "too costly" in t for t in texts)


@pytest.mark.parametrize("typed", INJECTIONS)
def test_user_text_arrives_inert(typed: str) -> None:
    view = info(typed, f"{typed} in the text", ((typed, typed),))
    rendered = card(view, viewer_aad_ids=AAD, for_person=None)
    check_card(rendered)
    blob = json.dumps(rendered, ensure_ascii=False)
    assert typed not in blob and escape(typed) in blob


def test_escape_keeps_words_readable_and_breaks_only_markup() -> None:
    assert escape("snake_case and a_b_c stay") == "snake_case and a_b_c stay"
    assert "_" not in escape("_italic_ and __init__")
    assert escape("# Heading\n  ## also\nplain # text\n===") == (
        "\u200b# Heading\n\u200b  ## also\nplain # text\n\u200b==="
    )
    assert escape("- a list\n1. stays") == "- a list\n1. stays"
    assert escape("Title\n-") == "Title\n\u200b-"


def test_an_unsafe_link_is_shown_as_text_and_a_safe_one_opens_from_a_button() -> None:
    for link, linked in [("https://x.test/a?b=1&c=2", True), ("javascript:alert(1)", False),
                         ("https://x.test/<at>x</at>", False)]:  # fmt: skip
        view = signoff_card(signoff(link=link), Audience.WHOLE, NAMES)
        rendered = card(view, viewer_aad_ids=AAD, for_person=None)
        urls = [a["url"] for a in of_type(rendered, "Action.OpenUrl")]
        assert urls == ([link] if linked else [])
        texts = [b["text"] for b in of_type(rendered, "TextBlock")]
        assert any(t.startswith("Link: ") for t in texts) is not linked


def test_a_long_nested_check_in_drops_trailing_items_with_a_note() -> None:
    rendered = card(nested_checkin(30), viewer_aad_ids=AAD, for_person=ALICE)
    check_card(rendered)
    shown = [b for b in rendered["body"] if b["type"] == "Container"]
    note = rendered["body"][-1]["text"]
    assert 0 < len(shown) < 30 and note.startswith(f"…and {30 - len(shown)} more: ")


def test_a_short_nested_check_in_shows_every_item_with_its_own_buttons() -> None:
    rendered = card(nested_checkin(3), viewer_aad_ids=AAD, for_person=ALICE)
    containers = [b for b in rendered["body"] if b["type"] == "Container"]
    assert len(containers) == 3 and all(c["separator"] for c in containers)
    assert verbs(containers[1]) == ["approve", "reject", "ask"]
    assert verbs(rendered).count("approve") == 3


def test_long_texts_are_cut_with_a_visible_note() -> None:
    view = info("T", "x" * 40_000, tuple((f"F{i}", "y" * 5000) for i in range(45)))
    rendered = card(view, viewer_aad_ids=None, for_person=None)
    check_card(rendered)
    blob = json.dumps(rendered, ensure_ascii=False)
    assert "(truncated; " in blob and "…and 15 more fields" in blob


def test_refresh_lists_at_most_sixty_people() -> None:
    item = report()
    item.reviewer_ids = list(range(100, 180))
    view = report_card(item, NAMES)
    rendered = card(view, viewer_aad_ids={i: f"id{i}" for i in range(200)}, for_person=None)
    assert rendered["refresh"]["userIds"] == [f"id{i}" for i in range(100, 160)]


def test_welcome_starts_stay_open_to_anyone_who_sees_the_card() -> None:
    welcome = welcome_card(project(), ALICE, NAMES)
    assert verbs(card(welcome, viewer_aad_ids=AAD, for_person=OTHER)) == [
        "start_request", "start_notice", "start_feedback", "show_pending",
    ]  # fmt: skip


def test_private_replies_stay_within_limits() -> None:
    check_card(text_reply(evil() * 10))


def inputs(card_json: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in card_json["body"] if n["type"].startswith("Input.")]


@pytest.mark.parametrize("form", every_form(), ids=lambda f: f.kind.value)
def test_every_form_renders_its_fields_as_inputs_under_28_kb(form: Form) -> None:
    rendered = form_card(form)
    check_card(rendered)
    assert [i["id"] for i in inputs(rendered)] == [f.name for f in form.fields]
    for field, element in zip(form.fields, inputs(rendered), strict=True):
        assert element["isRequired"] is field.required
        assert element.get("label", element.get("title"))
        assert len(str(element.get("value", ""))) <= element.get("maxLength", 3000)
    (submit,) = rendered["actions"]
    assert submit["verb"] == "submit_form"
    assert submit["data"]["form"] == form.kind.value and submit["data"]["ctx"] == form.context


def test_the_evaluation_form_with_twenty_deliverables_fits() -> None:
    names = [evil(100) for _ in range(20)]
    rendered = form_card(evaluate_form({"project_id": 7}, names))
    check_card(rendered)
    assert len(inputs(rendered)) == 42


def test_each_field_type_becomes_the_right_teams_input() -> None:
    by_id = {i["id"]: i for i in inputs(form_card(new_project_form({})))}
    assert by_id["customers_internal"]["choices.data"] == {
        "type": "Data.Query", "dataset": "graph.microsoft.com/users",
    }  # fmt: skip
    assert by_id["customers_internal"]["isMultiSelect"] is True
    assert by_id["sponsor"]["isMultiSelect"] is False
    assert by_id["checkin_day"]["style"] == "compact" and by_id["checkin_day"]["value"] == "0"
    assert by_id["checkin_time"] == by_id["checkin_time"] | {"type": "Input.Time", "value": "10:00"}
    change_inputs = {i["id"]: i for i in inputs(form_card(change_form({}, {"cost": "12.5"})))}
    assert change_inputs["description"]["isMultiline"] is True
    assert change_inputs["schedule_days"] == change_inputs["schedule_days"] | {
        "type": "Input.Number", "value": 0,
    }  # fmt: skip
    assert change_inputs["cost"]["value"] == 12.5
    assert change_inputs["due"]["type"] == "Input.Date"
    toggle = {i["id"]: i for i in inputs(form_card(people_form({})))}["remove"]
    assert toggle["type"] == "Input.Toggle" and toggle["value"] == "false"
    assert (toggle["valueOn"], toggle["valueOff"]) == ("true", "false")
    link = {i["id"]: i for i in inputs(form_card(signoff_form({})))}["link"]
    assert link["style"] == "Url"


def test_errors_appear_right_under_their_field() -> None:
    errors = {"due": "Please give a date like 2027-01-31.", "nowhere": "<at>Everyone</at> no"}
    rendered = form_card(change_form({}), errors=errors)
    check_card(rendered)
    body = rendered["body"]
    at = next(n for n, b in enumerate(body) if b.get("id") == "due")
    assert body[at]["errorMessage"] == errors["due"]
    assert body[at + 1]["text"] == errors["due"] and body[at + 1]["color"] == "Attention"
    assert any(b.get("color") == "Attention" and "Everyone" in b["text"] for b in body[:at])


def test_submitted_data_reads_back_as_plain_values() -> None:
    form = new_project_form({"platform": "teams"})
    submit = form_card(form)["actions"][0]["data"]
    data = {**submit, "name": "Website", "key": "WEB", "checkin_day": "3",
            "checkin_time": "09:30", "customers_internal": "aad-1,aad-2",
            "customers_external": "", "sponsor": "aad-3", "members": "aad-4"}  # fmt: skip
    values = form_values(data)
    assert values == {
        "name": "Website", "key": "WEB", "checkin_day": "3", "checkin_time": "09:30",
        "customers_internal": AadIds(("aad-1", "aad-2"), single=False),
        "customers_external": AadIds((), single=False),
        "sponsor": AadIds(("aad-3",), single=True),
        "members": AadIds(("aad-4",), single=False),
    }  # fmt: skip
    assert form_of(data) == (form.kind, {"platform": "teams"})
    assert form_of({"verb": "approve"}) is None


def test_toggles_numbers_and_dates_read_back() -> None:
    submit = form_card(checkin_form({"checkin_id": 9}))["actions"][0]["data"]
    values = form_values({**submit, "rating": "4", "changed": "true", "change_since": "2027-01-31"})
    assert values == {"rating": "4", "changed": True, "change_since": "2027-01-31"}
    assert form_values({**submit, "changed": "false"}) == {"changed": False}
    people = form_card(people_form({}))["actions"][0]["data"]
    assert form_values({**people, "remove": "false", "users": "a"})["remove"] is False
    numbers = form_card(change_form({}))["actions"][0]["data"]
    assert form_values({**numbers, "cost": 12.5, "title": None}) == {"cost": "12.5", "title": ""}


@pytest.mark.parametrize("kind", list(FieldType))
def test_each_field_type_round_trips_through_a_card(kind: FieldType) -> None:
    field = FormField("f", "Label", kind, options=(("a", "A"),), initial="a")
    form = Form(FormKind.TEXT, "T", "Send", (field,), {"id": 1})
    rendered = form_card(form)
    (element,) = inputs(rendered)
    typed = {"f": "a"} if kind not in (FieldType.CHECKBOX,) else {"f": "true"}
    value = form_values({**rendered["actions"][0]["data"], **typed})["f"]
    expected: object = {
        FieldType.CHECKBOX: True,
        FieldType.USER: AadIds(("a",), single=True),
        FieldType.USERS: AadIds(("a",), single=False),
    }.get(kind, "a")
    assert value == expected and element["id"] == "f"
    assert card_forms.RESERVED.isdisjoint(form_values(rendered["actions"][0]["data"]))
