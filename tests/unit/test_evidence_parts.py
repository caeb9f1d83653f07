"""The evidence record's pure parts: reading an audit actor, and the PMs' Evidence button."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from workflow.domain.change_versions import new_version
from workflow.domain.changes import ChangeRequest, CRState
from workflow.domain.evidence import parse_actor
from workflow.domain.people import Identity, Person, Platform
from workflow.flows.change_requests.cards import change_card

AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
TEAMS = Identity(Platform.TEAMS, "tenant-1", "29:1abc")


def test_an_actor_is_read_as_the_identity_and_the_name_it_had() -> None:
    assert parse_actor("slack:TCUST:UALICE Alice Smith", None) == (
        Identity(Platform.SLACK, "TCUST", "UALICE"),
        "Alice Smith",
    )
    assert parse_actor("teams:tenant-1:29:1abc Bo", Person(TEAMS, "Bob")) == (TEAMS, "Bo")
    assert parse_actor("teams:tenant-1:29:1abc Bo", None) == (TEAMS, "Bo")


def test_an_actor_that_names_no_identity_is_read_as_none() -> None:
    for actor in ("system", "person:5", "", "fax:1:2 Someone"):
        assert parse_actor(actor, None) == (None, "")


def a_change(state: CRState) -> ChangeRequest:
    change = ChangeRequest(1, 1, AT, state=state, id=7)
    change.versions.append(new_version(1, 1, AT, {"title": "Dark mode", "cost": Decimal(1)}))
    return change


def test_only_a_decided_card_carries_evidence_and_only_for_the_pms() -> None:
    for state in CRState:
        view = change_card(a_change(state), [], {}, editors=[1])
        evidence = [b for b in view.buttons if b.verb == "evidence"]
        if state in (CRState.APPROVED, CRState.REJECTED):
            assert [(b.item, b.only_for) for b in evidence] == [("change_request:7", (1,))]
        else:
            assert not evidence, state
