"""Sentences built from states, actions and answers read as English: every one, rendered for
every member of its enum, has no raw value ("accept_with_remarks", "rule=all") and no verb
glued to "d" or "ed" ("commentd", "acknowledgeed", "yesed")."""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import Any

import pytest

import workflow.domain
from tests.unit.conftest import ALICE, PM, World
from workflow.domain.errors import Refused
from workflow.domain.inbox import InvitationState, RequestState
from workflow.domain.projects import ApprovalOrder, ApprovalRule, Project
from workflow.domain.reports import Rag, ReviewKind
from workflow.domain.states import PAST, Machine
from workflow.flows import FLOWS
from workflow.flows.reports import PostReport, ReviewReport
from workflow.presentation.said import (
    INVITATION_DONE,
    REQUEST_HANDLED,
    answered_invitation,
    checkins,
    policy,
)


def _domain_enums() -> list[type[StrEnum]]:
    found: list[type[StrEnum]] = []
    for info in pkgutil.iter_modules(workflow.domain.__path__, "workflow.domain."):
        for value in vars(importlib.import_module(info.name)).values():
            if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum:
                found.append(value)
    return found


def _glued(word: str) -> set[str]:
    """The ways a sentence gets a verb's past wrong by gluing on "d" or "ed"."""
    word = word.replace("_", " ")
    return {word + "ed"} if word.endswith("e") else {word + "d"}


# Every verb-like value of the domain's enums, glued wrongly, and the irregular slips.
FORBIDDEN = {g for enum in _domain_enums() for m in enum for g in _glued(m.value)} | {
    "yesed", "noed", "withdrawed", "closinged", "proposeed", "acknowledgeed",
}  # fmt: skip
RAW = re.compile(r"\w_\w|\w=\w|\bNone\b")


def assert_reads_well(sentence: str) -> None:
    assert not RAW.search(sentence), f"a raw value in {sentence!r}"
    words = set(re.findall(r"[a-z]+(?: [a-z]+)?", sentence.lower()))
    words |= set(re.findall(r"[a-z]+", sentence.lower()))
    assert not words & FORBIDDEN, f"{sorted(words & FORBIDDEN)} in {sentence!r}"


def test_the_check_itself_catches_the_old_mistakes() -> None:
    for bad in ("Ina Internal commentd the status report", "It can't be acknowledgeed now",
                "2 accept_with_remarks", "rule=all quorum=None", "can't be yesed now"):  # fmt: skip
        with pytest.raises(AssertionError):
            assert_reads_well(bad)


MACHINES = [m for flow in FLOWS for m in flow.machines]


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.noun)
def test_every_refused_transition_says_its_action_in_the_past(machine: Machine[Any, Any]) -> None:
    states = type(next(iter(machine.table))[0])
    actions = type(next(iter(machine.table))[1])
    assert {a.value for a in actions} <= PAST.keys(), "every action has its past participle"
    for state in states:
        for action in actions:
            if machine.allows(state, action):
                continue
            with pytest.raises(Refused) as refused:
                machine.next(state, action)
            assert_reads_well(refused.value.reason)


async def test_what_the_pms_are_told_of_every_review_reads_well(world: World, project: int) -> None:
    for kind in ReviewKind:
        posted = await world.do(PostReport, PM, project_id=project, period=f"Week {kind}",
                                rag=Rag.GREEN, summary="On track")  # fmt: skip
        await world.do(ReviewReport, ALICE, report_id=posted.subject_id, kind=kind, text="Hm")
    notes = [m.view.title for m in world.store.sent() if "the status report for" in m.view.title]
    assert len(notes) == 2, notes  # an acknowledgement tells nobody
    assert any("commented on the status report" in n for n in notes)
    for note in notes:
        assert_reads_well(note)


def test_every_request_outcome_and_invitation_answer_reads_well() -> None:
    for state in RequestState:
        assert_reads_well(f"Request {REQUEST_HANDLED[state]}; the customer has been told.")
    for answer in InvitationState:
        assert_reads_well(INVITATION_DONE[answer])
        assert_reads_well(answered_invitation("Eli", answer.value))
    assert answered_invitation("Eli", "proposed").endswith("proposed another time")


def test_project_settings_are_said_in_words() -> None:
    project = Project(1, "WEB", "Website", "C1", created_at=datetime(2026, 12, 1, tzinfo=UTC))
    project.set_checkin(2, time(9, 30))
    assert checkins(project) == "check-ins on Wednesdays at 09:30 (each customer's local time)"
    for rule in ApprovalRule:
        for order in ApprovalOrder:
            project.approval_rule, project.approval_order, project.quorum = rule, order, 2
            assert_reads_well(policy(project))


def test_a_change_requests_changed_fields_and_a_projects_state_are_said_in_words() -> None:
    from workflow.domain.change_versions import EDITABLE_FIELDS
    from workflow.domain.projects import ProjectState
    from workflow.presentation.said import CHANGE_FIELDS, PROJECT_STATE

    for name in EDITABLE_FIELDS:
        assert "_" not in CHANGE_FIELDS[name]
    for state in ProjectState:
        assert PROJECT_STATE[state][0].isupper() and "_" not in PROJECT_STATE[state]
