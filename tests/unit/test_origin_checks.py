"""Where an action comes from is what the platform signed; ids in its data must belong there.

From a project channel, an id of another project's item is refused with nothing written;
from a direct message, the person's own permission on the item's project decides.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.conftest import ALICE, MEMBER, PM, SPONSOR, STRANGER, World, setup_project
from tests.unit.test_dispatcher import CHANGE, at, dispatcher
from workflow.domain.commands import PersonRef
from workflow.domain.people import Platform
from workflow.domain.projects import Role
from workflow.domain.reports import Rag
from workflow.flows import ITEMS
from workflow.flows.change_requests.messages import CreateChangeRequest
from workflow.flows.closing.messages import CloseProject
from workflow.flows.reports import PostReport
from workflow.origins import ANOTHER_PROJECT, CONTEXT_ITEMS
from workflow.presentation.answers import Answer, Pressed, Submitted
from workflow.presentation.forms import FormKind

REPORT = {"period": "Week 49", "rag": "green", "summary": "On track"}
PEOPLE = {"role": "member", "users": (STRANGER,)}


@pytest.fixture
async def two(world: World) -> tuple[int, int]:
    """WEB in channel C1 and APP in channel C2, with the same PM and customers."""
    web = await setup_project(world)
    app = await setup_project(world, key="APP", channel_id="C2")
    return web, app


async def a_change_in(world: World, project_id: int) -> str:
    reply = await world.do(CreateChangeRequest, PM, project_id=project_id, title="Dark mode")
    return f"change_request:{reply.subject_id}"


async def refused_with_nothing_written(world: World, who: PersonRef, doing: Any) -> Answer:
    commits = world.store.commits
    answer = await dispatcher(world).handle(at(who, "C1"), doing)
    assert answer.refused and not answer.done, answer
    assert world.store.commits == commits
    return answer


@pytest.mark.parametrize(
    ("kind", "values"),
    [(FormKind.CHANGE, CHANGE), (FormKind.PEOPLE, PEOPLE), (FormKind.REPORT, REPORT)],
    ids=["change", "people", "report"],
)
async def test_a_form_naming_another_project_is_refused_in_a_channel_and_done_in_a_dm(
    world: World, two: tuple[int, int], kind: Any, values: dict[str, object]
) -> None:
    sent = Submitted(kind, values, {"project_id": two[1]})
    answer = await refused_with_nothing_written(world, PM, sent)
    assert ANOTHER_PROJECT in answer.errors.values()
    assert (await dispatcher(world).handle(at(PM, "D-PM"), sent)).done


async def test_a_people_form_of_another_project_adds_nobody_to_it(
    world: World, two: tuple[int, int]
) -> None:
    sent = Submitted(FormKind.PEOPLE, PEOPLE, {"project_id": two[1]})
    await refused_with_nothing_written(world, PM, sent)
    app = next(p for p in world.store.items["projects"] if p.id == two[1])
    assert [p.person_id for p in app.participants if p.role is Role.MEMBER] == [
        await world.person_id(MEMBER)
    ]


async def test_in_a_dm_the_persons_own_permission_on_the_items_project_decides(
    world: World, two: tuple[int, int]
) -> None:
    sent, commits = Submitted(FormKind.CHANGE, CHANGE, {"project_id": two[1]}), world.store.commits
    answer = await dispatcher(world).handle(at(ALICE, "D-ALICE"), sent)
    assert answer.refused and world.store.commits == commits
    assert "only a PM can create or edit change requests" in answer.errors["title"]


async def test_a_press_on_another_projects_item_is_refused_in_a_channel_and_done_in_a_dm(
    world: World, two: tuple[int, int]
) -> None:
    item = await a_change_in(world, two[1])
    answer = await refused_with_nothing_written(world, ALICE, Pressed("approve", item, 1))
    assert answer.text == ANOTHER_PROJECT
    assert (await dispatcher(world).handle(at(ALICE, "D-ALICE"), Pressed("approve", item, 1))).done


async def test_a_reason_typed_for_another_projects_item_is_refused_in_a_channel(
    world: World, two: tuple[int, int]
) -> None:
    item = await a_change_in(world, two[1])
    context = {"verb": "reject", "item": item, "version": 1}
    sent = Submitted(FormKind.TEXT, {"text": "Too dear"}, context)
    answer = await refused_with_nothing_written(world, ALICE, sent)
    assert answer.errors == {"text": ANOTHER_PROJECT}


async def test_a_project_button_of_another_project_opens_no_form_in_a_channel(
    world: World, two: tuple[int, int]
) -> None:
    pressed = Pressed("start_request", f"project:{two[1]}")
    answer = await refused_with_nothing_written(world, ALICE, pressed)
    assert answer.text == ANOTHER_PROJECT and answer.form is None


async def test_a_card_is_shown_only_in_its_projects_channel_or_to_someone_taking_part(
    world: World, two: tuple[int, int]
) -> None:
    item, door = await a_change_in(world, two[1]), dispatcher(world)
    elsewhere = await door.card(at(ALICE, "C1"), item)
    assert elsewhere is not None and elsewhere.text == ANOTHER_PROJECT and elsewhere.view is None
    stranger = await door.card(at(STRANGER, "D-STAN"), item)
    assert stranger is not None and stranger.refused and stranger.view is None
    for here in (at(ALICE, "C2"), at(ALICE, "D-ALICE")):
        shown = await door.card(here, item)
        assert shown is not None and shown.view is not None


async def test_items_of_a_closed_project_still_belong_to_its_channel(world: World) -> None:
    old = await setup_project(world)
    reply = await world.do(
        PostReport, PM, project_id=old, period="W48", rag=Rag.GREEN, summary="Ok"
    )
    await world.do(CloseProject, PM, project_id=old)
    await setup_project(world, key="NEW")
    pressed = Pressed("acknowledge", f"report:{reply.subject_id}")
    assert (await dispatcher(world).handle(at(ALICE, "C1"), pressed)).done


async def test_a_new_project_form_with_a_forged_place_is_made_where_it_was_sent(
    world: World,
) -> None:
    forged = {"platform": "teams", "workspace_id": "T-EVIL", "channel_id": "19:evil"}
    values = {"name": "Shop", "key": "SHOP", "customers_internal": (ALICE,),
              "sponsor": SPONSOR, "checkin_day": "1", "checkin_time": "10:00"}  # fmt: skip
    sent = Submitted(FormKind.NEW_PROJECT, values, forged)
    assert (await dispatcher(world).handle(at(PM, "C5"), sent)).done
    (project,) = world.store.items["projects"]
    (workspace,) = world.store.items["workspaces"]
    assert project.channel_id == "C5"
    assert (workspace.platform, workspace.external_id) == (Platform.SLACK, "T1")


def test_every_context_key_that_names_an_item_names_a_known_item_kind() -> None:
    assert set(CONTEXT_ITEMS.values()) <= set(ITEMS)
    assert all(key.endswith("_id") for key in CONTEXT_ITEMS)
