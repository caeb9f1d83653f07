"""Every card the core can send, rendered as Block Kit with the longest inputs, within limits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from handlers.slack.blocks import (
    ACTION_ID_PATTERN,
    decode_value,
    encode_value,
    ephemeral_blocks,
    escape,
    fit,
    split_text,
    verb_of,
)
from handlers.slack.render_home import home_view
from handlers.slack.render_message import message_blocks
from workflow.domain.change_versions import CRDecision, CRVersion, Verdict
from workflow.domain.changes import ChangeRequest, CRState
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.closing import MAX_DELIVERABLE_NAME, MAX_DELIVERABLES, Closing
from workflow.domain.inbox import (
    MAX_TEXT,
    CustomerRequest,
    Invitation,
    InvitationState,
    Notice,
    NoticeState,
    RequestState,
)
from workflow.domain.projects import CustomerKind, Participant, Project, Role
from workflow.domain.reports import Rag, ReportState, StatusReport
from workflow.domain.signoffs import (
    Audience,
    SignoffApprover,
    SignoffKind,
    SignoffRequest,
    SignoffState,
)
from workflow.domain.views import View
from workflow.flows.change_requests.cards import change_card, question_card
from workflow.flows.checkins.cards import checkin_card
from workflow.flows.closing.cards import evaluation_card
from workflow.flows.invitations import invitation_card
from workflow.flows.notices import notice_card
from workflow.flows.projects.cards import project_card, welcome_card
from workflow.flows.reports import report_card
from workflow.flows.requests import request_card
from workflow.flows.signoffs.cards import signoff_card
from workflow.presentation.cards import info

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
EVIL = "<!channel> <@U1> <!here> & <https://evil.example|click> "
PM, ALICE, SPONSOR, OTHER = 1, 2, 3, 99


def long(n: int = MAX_TEXT, seed: str = "word ") -> str:
    return (seed * (n // len(seed) + 1))[:n]


def evil(n: int = MAX_TEXT) -> str:
    """The longest allowed text, full of what a person could type to ping or forge a link."""
    return (EVIL * (n // len(EVIL) + 1))[:n]


NAMES = {i: f"Name{i} " + long(70, "x") + " <!channel>" for i in range(1, 60)}


def project(customers: int = 40) -> Project:
    people = [Participant(PM, Role.PM), Participant(SPONSOR, Role.SPONSOR)]
    people += [Participant(ALICE, Role.CUSTOMER, CustomerKind.EXTERNAL)]
    people += [Participant(i, Role.CUSTOMER, CustomerKind.INTERNAL) for i in range(10, customers)]
    people += [Participant(i, Role.MEMBER) for i in range(50, 59)]
    return Project(1, "WEB1234567", evil(80), "C1", T0, participants=people, id=7)


def change(state: CRState = CRState.PENDING, text: str = "") -> ChangeRequest:
    text = text or evil()
    version = CRVersion(3, text, text, text, -999, Decimal(10) ** 12 - 1, text, PM, T0, T0)
    request = ChangeRequest(7, PM, T0, state, [version], id=12, source=text)
    if state is CRState.REJECTED:
        request.decisions.append(CRDecision(3, ALICE, Verdict.REJECT, text, T0, "h"))
    return request


def signoff(state: SignoffState = SignoffState.PENDING, link: str = "") -> SignoffRequest:
    approvers = [
        SignoffApprover(ALICE, Audience.SCOPE_SECTION),
        SignoffApprover(PM, Audience.WHOLE),
    ]
    return SignoffRequest(
        7, SignoffKind.PLAN, evil(), link or "https://x.test/" + long(2900, "a"), evil(), evil(),
        PM, T0, state=state, approvers=approvers, id=4,
    )  # fmt: skip


def report(state: ReportState = ReportState.OPEN) -> StatusReport:
    return StatusReport(
        7, evil(), Rag.AMBER, evil(), evil(), evil(), PM, T0, [ALICE, 10], state, id=5
    )


def checkin(state: CheckInState = CheckInState.SENT) -> CheckIn:
    return CheckIn(7, ALICE, date(2026, 11, 30), T0, state, rating=4, id=8)


def invitation(state: InvitationState = InvitationState.PROPOSED) -> Invitation:
    return Invitation(7, ALICE, PM, evil(), T0, T0 + timedelta(days=3), state, evil(), id=9)


def notice(state: NoticeState = NoticeState.RECEIVED) -> Notice:
    return Notice(7, ALICE, evil(), evil(), T0, date(2026, 11, 1), state, id=11)


def every_view() -> Iterator[View]:
    p = project()
    turn = [ALICE, SPONSOR]
    yield project_card(p, NAMES)
    yield welcome_card(p, ALICE, NAMES)
    yield welcome_card(p, SPONSOR, NAMES)
    for state in CRState:
        yield change_card(change(state), turn, NAMES, changed=[evil(200)] * 30)
    for audience in Audience:
        yield signoff_card(signoff(), audience, NAMES)
    yield signoff_card(signoff(SignoffState.APPROVED, evil()), Audience.WHOLE, NAMES)
    for rstate in ReportState:
        yield report_card(report(rstate), NAMES)
    pending = [change_card(change(), turn, NAMES) for _ in range(30)]
    yield checkin_card(checkin(), p, pending)
    yield checkin_card(checkin(CheckInState.ANSWERED), p, pending)
    yield nested_checkin(30)
    for qstate in RequestState:
        request = CustomerRequest(7, ALICE, evil(), T0, qstate, reason=evil(), id=3)
        yield request_card(request, p, NAMES)
    for nstate in NoticeState:
        yield notice_card(notice(nstate), p, NAMES)
    for istate in InvitationState:
        yield invitation_card(invitation(istate), p, NAMES)
    yield question_card(change(), 77, evil(), NAMES[ALICE])
    names = [evil(MAX_DELIVERABLE_NAME - 2) + f"{n:02}" for n in range(MAX_DELIVERABLES)]
    closing = Closing(7, names, True, PM, T0, [ALICE])
    yield evaluation_card(closing, p, ALICE)
    yield info(evil(), evil(), tuple((evil(100), evil()) for _ in range(45)))


def nested_checkin(count: int) -> View:
    base = checkin_card(checkin(), project(), [])
    pending = tuple(change_card(change(), [ALICE], NAMES) for _ in range(count))
    return View(base.kind, base.title, base.text, base.fields, base.status, base.buttons,
                base.actors, items=pending)  # fmt: skip


def text_objects(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for block in blocks:
        for key in ("text", "label", "title"):
            if isinstance(block.get(key), dict):
                yield block[key]
        yield from block.get("fields", [])
        for element in block.get("elements", []):
            yield element["text"] if element.get("type") == "button" else element


def check_blocks(blocks: list[dict[str, Any]], max_blocks: int) -> None:
    assert 0 < len(blocks) <= max_blocks
    for block in blocks:
        kind = block["type"]
        if kind == "section":
            assert "text" in block or block["fields"]
            assert len(block.get("text", {}).get("text", "")) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
        elif kind == "header":
            assert len(block["text"]["text"]) <= 150
        elif kind == "context":
            assert 1 <= len(block["elements"]) <= 10
            assert all(len(e["text"]) <= 3000 for e in block["elements"])
        elif kind == "actions":
            check_actions(block["elements"])
        else:
            assert kind == "divider"
    for obj in text_objects(blocks):
        assert obj["text"].strip(), "Slack rejects empty text objects"
        check_escaped(obj["text"])


def check_actions(elements: list[dict[str, Any]]) -> None:
    assert 1 <= len(elements) <= 25
    ids = [e["action_id"] for e in elements]
    assert len(ids) == len(set(ids))
    for e in elements:
        assert ACTION_ID_PATTERN.match(e["action_id"]) and len(e["action_id"]) <= 255
        assert len(e["text"]["text"]) <= 75 and len(e["value"]) <= 2000
        assert e.get("style", "primary") in ("primary", "danger")


def check_escaped(text: str) -> None:
    """No raw `<…>` except our own links to a safe http(s) URL; `&` only as an entity."""
    for match in re.finditer(r"<([^>]*)>?", text):
        assert re.fullmatch(r"https?://[^\s<>|]+", match.group(1)), match.group(0)
    assert not re.search(r"&(?!amp;|lt;|gt;)", text)


def all_messages(view: View) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for viewer in (None, ALICE, PM, OTHER):
        yield message_blocks(view, viewer, in_channel=viewer is None)


@pytest.mark.parametrize("view", list(every_view()), ids=lambda v: v.kind.value)
def test_every_card_with_the_longest_inputs_stays_within_block_kit_limits(view: View) -> None:
    for text, blocks in all_messages(view):
        assert 0 < len(text) <= 3000
        check_escaped(text)
        check_blocks(blocks, 50)


def test_user_text_reaches_slack_escaped_in_title_text_and_fields() -> None:
    view = info("<!channel> & title", "<@U1> <!here> text", (("F", "<!channel> & field"),))
    text, blocks = message_blocks(view, None, in_channel=True)
    rendered = " ".join(o["text"] for o in text_objects(blocks))
    for typed in ("<!channel>", "<@U1>", "<!here>"):
        assert typed not in rendered and typed not in text
        assert escape(typed) in rendered
    assert "&amp; title" in rendered and "&amp; field" in rendered


def test_a_long_text_is_split_then_truncated_with_a_note() -> None:
    parts = split_text("&" * MAX_TEXT, 3000, max_parts=5)
    assert len(parts) == 5 and "".join(parts) == "&amp;" * MAX_TEXT
    parts = split_text("&" * MAX_TEXT, 3000, max_parts=2)
    assert len(parts) == 2 and "more characters)" in parts[-1]
    assert all(len(p) <= 3000 for p in parts)


@pytest.mark.parametrize("limit", range(60, 80))
def test_truncation_never_cuts_an_entity_in_half(limit: int) -> None:
    cut = fit("a&" * 100, limit)
    assert len(cut) <= limit and "(truncated; " in cut
    check_escaped(cut)


def test_a_nested_check_in_keeps_within_fifty_blocks_and_says_how_many_are_left() -> None:
    _, blocks = message_blocks(nested_checkin(30), ALICE, in_channel=False)
    assert len(blocks) <= 50
    note = blocks[-1]["elements"][0]["text"]
    assert note.startswith("…and ") and "App Home" in note
    shown = sum(1 for b in blocks if b["type"] == "divider")
    assert note.startswith(f"…and {30 - shown} more")


def test_a_short_nested_check_in_shows_every_item_with_its_own_buttons() -> None:
    _, blocks = message_blocks(nested_checkin(3), ALICE, in_channel=False)
    action_blocks = [b for b in blocks if b["type"] == "actions"]
    assert len(action_blocks) == 4
    assert [e["action_id"] for e in action_blocks[1]["elements"]] == [
        "cl.approve",
        "cl.reject",
        "cl.ask",
    ]


def actions_of(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_dm_buttons_are_live_only_for_the_actors() -> None:
    view = change_card(change(), [ALICE], NAMES)
    assert actions_of(message_blocks(view, ALICE, in_channel=False)[1]) == [
        "cl.approve", "cl.reject", "cl.ask",
    ]  # fmt: skip
    assert actions_of(message_blocks(view, OTHER, in_channel=False)[1]) == []
    assert actions_of(message_blocks(view, None, in_channel=False)[1]) == []
    assert len(actions_of(message_blocks(view, None, in_channel=True)[1])) == 3


def test_customer_starts_show_in_any_dm_copy_and_cards_without_actors_show_to_all() -> None:
    welcome = welcome_card(project(), ALICE, NAMES)
    starts = actions_of(message_blocks(welcome, OTHER, in_channel=False)[1])
    assert starts == ["cl.start_request", "cl.start_notice", "cl.start_feedback", "cl.show_pending"]
    question = question_card(change(), 77, "why?", "Alice")
    assert actions_of(message_blocks(question, PM, in_channel=False)[1]) == [
        "cl.answer_question:77"
    ]


def test_a_settled_change_request_shows_its_status_and_no_actions() -> None:
    view = change_card(change(CRState.REJECTED, "too costly"), [], NAMES)
    text, blocks = message_blocks(view, ALICE, in_channel=False)
    assert not [b for b in blocks if b["type"] == "actions"]
    statuses = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert any(s.startswith("Rejected by") and "too costly" in s for s in statuses)
    assert "Rejected by" in text


def test_buttons_carry_verb_item_and_version() -> None:
    _, blocks = message_blocks(change_card(change(), [ALICE], NAMES), ALICE, in_channel=False)
    approve = next(b for b in blocks if b["type"] == "actions")["elements"][0]
    assert approve == {
        "type": "button",
        "text": {"type": "plain_text", "text": "Approve", "emoji": True},
        "action_id": "cl.approve",
        "value": "change_request:12:3",
        "style": "primary",
    }
    assert verb_of("cl.answer_question:77") == "answer_question:77"
    with pytest.raises(ValueError):
        verb_of("other.approve")


@pytest.mark.parametrize(
    ("item", "version"),
    [("change_request:12", 1), ("signoff:4", None), ("project:3", None), ("project", None)],
)
def test_button_values_round_trip(item: str, version: int | None) -> None:
    assert decode_value(encode_value(item, version)) == (item, version)


@pytest.mark.parametrize("value", ["", "nocolon", ":1", "change_request:12:x"])
def test_a_malformed_button_value_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        decode_value(value)


def test_an_unsafe_link_is_shown_as_text_and_a_safe_one_as_a_link() -> None:
    for link, linked in [("https://x.test/a?b=1&c=2", True), ("https://x.test|<!channel>", False),
                         ("javascript:alert(1)", False)]:  # fmt: skip
        view = signoff_card(signoff(link=link), Audience.WHOLE, NAMES)
        _, blocks = message_blocks(view, None, in_channel=True)
        line = next(
            b["text"]["text"] for b in blocks if "*Link:*" in b.get("text", {}).get("text", "")
        )
        assert (f"<{escape(link)}>" in line) is linked


def test_the_home_tab_with_eighty_pending_items_and_twenty_projects_stays_within_100_blocks() -> (
    None
):
    pending = [change_card(change(), [ALICE], NAMES) for _ in range(80)]
    projects = [(f"K{i}", evil(80), i) for i in range(20)]
    starts = [(i, f"P{i} · " + evil(80)) for i in range(20)]
    home = home_view(NAMES[ALICE], pending, projects, start_projects=starts)
    assert home["type"] == "home"
    check_blocks(home["blocks"], 100)
    notes = [
        b for b in home["blocks"] if b["type"] == "context" and "more:" in b["elements"][0]["text"]
    ]
    assert notes and "cl.approve" in actions_of(home["blocks"])


def test_the_home_tab_offers_each_projects_customer_starts_and_no_dead_buttons() -> None:
    home = home_view("Alice", [], [])
    check_blocks(home["blocks"], 100)
    assert actions_of(home["blocks"]) == []
    assert "Once a PM adds you to a project" in str(home["blocks"])
    per_project = home_view("Pam", [], [("WEB", "Website", 2)], start_projects=[(3, "WEB")])
    assert actions_of(per_project["blocks"]) == [
        "cl.start_request",
        "cl.start_notice",
        "cl.start_feedback",
    ]
    values = [
        e["value"] for b in per_project["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert values == ["project:3:"] * 3
    pm_only = home_view("Pam", [], [("WEB", "Website", 2)])
    assert actions_of(pm_only["blocks"]) == [] and "Once a PM" not in str(pm_only["blocks"])


def test_home_buttons_follow_the_dm_rule_when_the_viewer_is_given() -> None:
    pending = [change_card(change(), [SPONSOR], NAMES)]
    home = home_view("Alice", pending, [], viewer_person_id=ALICE)
    assert "cl.approve" not in actions_of(home["blocks"])


def test_ephemeral_replies_are_escaped_and_within_limits() -> None:
    blocks = ephemeral_blocks(evil() * 3)
    check_blocks(blocks, 50)
    assert ephemeral_blocks("") == []
