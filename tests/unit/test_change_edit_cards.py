"""The change request's Edit: on which cards and copies it shows, within the platforms' limits."""

from __future__ import annotations

from typing import Any

from handlers.slack.render_home import home_view
from handlers.slack.render_message import message_blocks
from handlers.teams.cards import card
from tests.unit.test_slack_blocks import ALICE, NAMES, PM, SPONSOR, change, check_blocks
from tests.unit.test_teams_cards import check_card, verbs
from workflow.domain.changes import CRState
from workflow.domain.views import view_from_dict, view_to_dict
from workflow.flows.change_requests.cards import change_card, question_card


def slack_verbs(blocks: list[dict[str, Any]]) -> list[str]:
    return [str(e["action_id"]) for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_edit_is_offered_while_a_new_version_can_be_made_and_never_after() -> None:
    editable = {CRState.PENDING, CRState.PAUSED, CRState.REJECTED}
    for state in CRState:
        view = change_card(change(state), [ALICE], NAMES, editors=[PM])
        edits = [b for b in view.buttons if b.verb == "edit"]
        assert [b.only_for for b in edits] == ([(PM,)] if state in editable else []), state
    assert not [b for b in change_card(change(), [ALICE], NAMES).buttons if b.verb == "edit"]


def test_slack_shows_edit_in_the_channel_and_to_the_pm_but_not_to_approvers() -> None:
    view = view_from_dict(view_to_dict(change_card(change(), [ALICE], NAMES, editors=[PM])))
    for viewer, in_channel, wanted in [
        (None, True, ["cl.approve", "cl.reject", "cl.ask", "cl.edit"]),
        (ALICE, False, ["cl.approve", "cl.reject", "cl.ask"]),
        (PM, False, ["cl.edit"]),
        (SPONSOR, False, []),
    ]:
        _, blocks = message_blocks(view, viewer, in_channel=in_channel)
        check_blocks(blocks, 50)
        assert slack_verbs(blocks) == wanted, viewer


def test_teams_shows_edit_on_the_shared_copy_and_to_the_pm_but_not_to_approvers() -> None:
    view = change_card(change(), [ALICE], NAMES, editors=[PM])
    for viewer, wanted in [
        (None, ["approve", "reject", "ask", "edit"]),
        (ALICE, ["approve", "reject", "ask"]),
        (PM, ["edit"]),
    ]:
        built = card(view, viewer_aad_ids={ALICE: "aad-alice"}, for_person=viewer)
        check_card(built)
        assert set(verbs(built)) - {"refresh"} == set(wanted), viewer


def test_the_pms_question_card_offers_answer_and_edit() -> None:
    view = question_card(change(CRState.PAUSED), 5, "Which pages?", "Alice", [PM])
    _, blocks = message_blocks(view, PM, in_channel=False)
    assert slack_verbs(blocks) == ["cl.answer_question:5", "cl.edit"]


def test_a_home_with_many_editable_change_requests_stays_within_100_blocks() -> None:
    pending = [change_card(change(), [PM], NAMES) for _ in range(80)]
    editable = [change_card(change(), [ALICE], NAMES, editors=[PM]) for _ in range(30)]
    projects = [(f"K{i}", "Website", i) for i in range(20)]
    home = home_view("Pam", pending, projects, viewer_person_id=PM, editable=editable)
    check_blocks(home["blocks"], 100)
    assert "Your change requests" in str(home["blocks"]) and "cl.edit" in slack_verbs(
        home["blocks"]
    )
