"""Project setup and people: invariants, welcomes, the project card, permissions."""

from __future__ import annotations

from datetime import time

import pytest

from tests.unit.conftest import ALICE, BOB, CAROL, MEMBER, PM, SPONSOR, World, setup_project
from workflow.domain import commands as c
from workflow.domain.change_versions import Verdict
from workflow.domain.errors import Refused
from workflow.domain.people import Platform
from workflow.domain.projects import CustomerKind, Role, parse_weekday, valid_key
from workflow.domain.views import ViewKind
from workflow.flows.change_requests.messages import CreateChangeRequest, DecideChange
from workflow.flows.projects.messages import ChangePeople, SetAway, UpdateProfile
from workflow.presentation.forms import FieldErrors


async def test_setup_posts_the_project_card_and_welcomes_customers_and_sponsor(
    world: World,
) -> None:
    project = await setup_project(world, checkin_day=3, checkin_time=time(9, 30))
    card = [m for m in world.store.sent() if m.to and m.to.project_id == project]
    assert card[0].view.kind is ViewKind.PROJECT and card[0].view.title == "WEB · Website"
    assert ("Check-ins", "Thursdays at 09:30 local time") in card[0].view.fields
    welcomed = {m.to.person_id for m in world.store.sent() if m.view.kind is ViewKind.WELCOME}
    assert welcomed == {await world.person_id(p) for p in (ALICE, CAROL, SPONSOR)}
    alice = next(iter(world.sent_to(await world.person_id(ALICE))))
    verbs = {b.verb for b in alice.view.buttons}
    assert {"start_request", "start_notice", "start_feedback", "show_pending"} <= verbs


async def test_an_external_customer_without_a_sponsor_is_refused(world: World) -> None:
    with pytest.raises(Refused, match="needs an internal sponsor"):
        await setup_project(world, sponsor=None)
    assert world.store.items["projects"] == []


async def test_the_key_is_checked_and_unique_per_workspace(world: World) -> None:
    with pytest.raises(FieldErrors, match="key: 'w' can't be a project key"):
        await setup_project(world, key="w")
    await setup_project(world, key="web")
    with pytest.raises(FieldErrors, match="key: WEB is already the key of project Website"):
        await setup_project(world, key="WEB", channel_id="C9")
    with pytest.raises(Refused, match=r"already has project WEB \(Website\)"):
        await setup_project(world, key="APP", channel_id="C1")


def test_keys_and_weekdays_parse_the_way_people_type_them() -> None:
    assert valid_key(" web2 ") == "WEB2"
    assert parse_weekday("Thu") == 3 and parse_weekday("sunday") == 6
    with pytest.raises(Refused):
        parse_weekday("someday")


async def test_the_last_pm_and_a_needed_sponsor_cannot_be_removed(
    world: World, project: int
) -> None:
    with pytest.raises(Refused, match="at least one PM"):
        await world.do(ChangePeople, PM, project_id=project, remove=((PM, Role.PM),))
    with pytest.raises(Refused, match="needs an internal sponsor"):
        await world.do(ChangePeople, PM, project_id=project, remove=((SPONSOR, Role.SPONSOR),))


async def test_adding_a_customer_welcomes_them_and_updates_the_card(
    world: World, project: int
) -> None:
    await world.do(
        ChangePeople, PM, project_id=project, add=((BOB, Role.CUSTOMER, CustomerKind.EXTERNAL),)
    )
    bob = await world.person_id(BOB)
    assert [m.view.kind for m in world.sent_to(bob)] == [ViewKind.WELCOME]
    update = world.store.sent()[-2]
    assert update.card_key == f"project:{project}" and ("Customers", "Alice, Carol, Bob") in (
        update.view.fields
    )
    reply = await world.do(
        ChangePeople, PM, project_id=project, add=((BOB, Role.CUSTOMER, CustomerKind.EXTERNAL),)
    )
    assert "Nothing changed" in reply.text


async def test_only_pms_manage_people(world: World, project: int) -> None:
    with pytest.raises(Refused, match="only a PM can manage people"):
        await world.do(ChangePeople, ALICE, project_id=project, add=((BOB, Role.MEMBER, None),))


async def test_an_internal_customer_may_also_be_the_sponsor(world: World) -> None:
    await setup_project(world, customers=((CAROL, CustomerKind.INTERNAL),), sponsor=CAROL)
    project = world.item("projects", world.project_id)
    carol = await world.person_id(CAROL)
    assert project.roles_of(carol) == {Role.CUSTOMER, Role.SPONSOR}


async def test_away_pauses_checkins_until_a_future_date(world: World, project: int) -> None:
    with pytest.raises(Refused, match="future"):
        await world.do(SetAway, ALICE, until=world.now.date())
    await world.do(SetAway, ALICE, until=world.now.date().replace(year=2027))
    entry = world.item("projects", project).customer_entry(await world.person_id(ALICE))
    assert entry.away_until is not None
    with pytest.raises(Refused, match="not a customer"):
        await world.do(SetAway, MEMBER, until=world.now.date().replace(year=2027))


async def test_a_profile_update_keeps_a_known_zone_and_ignores_an_unknown_one(
    world: World, project: int
) -> None:
    await world.do(
        UpdateProfile, None, person=c.PersonRef(ALICE.identity, "Alice A", "Europe/Berlin")
    )
    await world.do(UpdateProfile, None, person=c.PersonRef(ALICE.identity, "", "Mars/Base"))
    alice = world.item("people", await world.person_id(ALICE))
    assert (alice.display_name, alice.timezone) == ("Alice A", "Europe/Berlin")


async def test_the_same_user_id_in_another_organisation_is_another_person(world: World) -> None:
    twin = c.PersonRef(ALICE.identity.__class__(Platform.SLACK, "TOTHER", "UALICE"), "Evil")
    await setup_project(world, customers=((ALICE, CustomerKind.EXTERNAL),))
    cr = await world.do(CreateChangeRequest, PM, project_id=world.project_id, title="x")
    with pytest.raises(Refused, match="not waiting on you"):
        await world.do(
            DecideChange, twin, change_id=cr.subject_id or 0, version=1, verdict=Verdict.APPROVE
        )
