"""The dispatcher: what a person did, where, becomes one Answer for either platform."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes import FakeUnitOfWork, FixedClock
from tests.unit.conftest import ALICE, MEMBER, PM, SPONSOR, STRANGER, T0, World, ref
from workflow.dispatcher import BUSY, Dispatcher
from workflow.domain import commands as c
from workflow.domain.commands import PersonRef
from workflow.domain.errors import Conflict, Unavailable
from workflow.domain.people import Platform
from workflow.domain.views import ViewKind
from workflow.interpreter import main_field
from workflow.presentation.answers import Answer, Origin, Pressed, Submitted, Words
from workflow.presentation.forms import FormKind
from workflow.presentation.presses import OpenForm

CHANGE = {"title": "Dark mode", "schedule_days": "3", "cost": "1200", "reason": "Asked"}


def dispatcher(world: World, bus: Any = None) -> Dispatcher:
    return Dispatcher(bus or world.bus, lambda: FakeUnitOfWork(world.store), FixedClock(T0))


def at(who: PersonRef, channel: str = "C1", event_id: str | None = None, **kw: Any) -> Origin:
    return Origin(Platform.SLACK, "T1", channel, who, event_id=event_id, **kw)


class FailingBus:
    """A bus whose every command meets the same failure."""

    def __init__(self, failure: Exception) -> None:
        self.failure = failure

    async def handle(self, command: c.Command) -> c.Reply:
        raise self.failure


async def change_request(world: World) -> int:
    door = dispatcher(world)
    context = {"project_id": world.project_id}
    answer = await door.handle(at(PM), Submitted(FormKind.CHANGE, CHANGE, context))
    assert answer.done, answer
    return int(world.store.items["ChangeRequest"][-1].id)


async def test_words_from_a_stranger_in_a_channel_without_a_project_get_help(
    world: World,
) -> None:
    answer = await dispatcher(world).handle(at(STRANGER, "C9"), Words("change"))
    assert answer.text.startswith("This channel has no project yet. Here is what you can do here:")
    assert "`/loop new`" in answer.text and not answer.refused and not answer.done


async def test_help_in_a_teams_personal_chat_has_no_prefix_and_a_line_between(
    world: World, project: int
) -> None:
    here = Origin(Platform.TEAMS, "tenant", "a:1personal", ref("aad-x"), personal=True)
    answer = await dispatcher(world).handle(here, Words("frobnicate"))
    assert answer.text.startswith(
        "I don't know 'frobnicate'. Here is what you can do here:\n\n`help` what you can do here"
        "\n\nTo set up a project, type `@clientloop new` in the channel it is for."
    )
    assert "` help`" not in answer.text and "` new`" not in answer.text


async def test_a_refusal_becomes_the_persons_sentence(world: World, project: int) -> None:
    answer = await dispatcher(world).handle(at(MEMBER), Words("change"))
    assert answer.refused and answer.form is None
    assert "WEB" in answer.text and answer.text.endswith(".")


async def test_a_button_on_something_gone_is_refused_in_words(world: World, project: int) -> None:
    answer = await dispatcher(world).handle(at(PM), Pressed("approve", "change_request:999", 1))
    assert answer.refused and answer.text and not answer.done


@pytest.mark.parametrize(
    ("failure", "sentence"), [(Conflict(), BUSY), (Unavailable(), Unavailable.reason)]
)
async def test_a_busy_or_unreachable_core_says_nothing_changed(
    world: World, project: int, failure: Exception, sentence: str
) -> None:
    door = dispatcher(world, FailingBus(failure))
    assert await door.handle(at(PM), Words("checkin now")) == Answer(sentence, refused=True)
    submitted = Submitted(FormKind.CHANGE, CHANGE, {"project_id": project})
    answer = await door.handle(at(PM), submitted)
    assert answer.errors == {"title": sentence} and answer.refused


async def test_a_bad_submission_comes_back_with_errors_on_its_fields_and_the_values_kept(
    world: World, project: int
) -> None:
    values = {**CHANGE, "schedule_days": "three", "title": "Dark mode"}
    submitted = Submitted(FormKind.CHANGE, values, {"project_id": project})
    answer = await dispatcher(world).handle(at(PM), submitted)
    assert answer.errors == {"schedule_days": "Please type a whole number, e.g. 3 or -2."}
    assert not answer.refused and not answer.done and not world.store.items["ChangeRequest"]
    assert answer.form is not None
    assert {f.name: f.initial for f in answer.form.fields}["title"] == "Dark mode"


async def test_a_refused_submission_sits_on_the_forms_main_field(
    world: World, project: int
) -> None:
    submitted = Submitted(FormKind.CHANGE, CHANGE, {"project_id": project})
    answer = await dispatcher(world).handle(at(MEMBER), submitted)
    assert list(answer.errors) == [main_field(FormKind.CHANGE)] and answer.refused


async def test_a_form_that_lost_its_context_is_refused_on_the_main_field(
    world: World, project: int
) -> None:
    answer = await dispatcher(world).handle(at(PM), Submitted(FormKind.CHANGE, CHANGE, {}))
    assert answer.errors == {"title": "the form lost its project_id; please start again"}
    assert answer.refused and answer.form is None


async def test_a_submission_runs_once_with_the_origins_event_id(world: World, project: int) -> None:
    door, here = dispatcher(world), at(PM, event_id="slack:view:V1:h1")
    submitted = Submitted(FormKind.CHANGE, CHANGE, {"project_id": project})
    first, second = await door.handle(here, submitted), await door.handle(here, submitted)
    assert first.done and second.done and len(world.store.items["ChangeRequest"]) == 1


async def test_the_new_project_form_is_about_the_origins_channel(world: World) -> None:
    here = at(PM, "C7", workspace_name="Acme")
    answer = await dispatcher(world).handle(here, Words("new"))
    assert answer.form is not None and answer.form.kind is FormKind.NEW_PROJECT
    assert answer.form.context == {
        "platform": "slack",
        "workspace_id": "T1",
        "channel_id": "C7",
        "workspace_name": "Acme",
    }


async def test_a_new_project_naming_another_workspace_and_channel_is_made_for_the_origin(
    world: World,
) -> None:
    forged = {"platform": "teams", "workspace_id": "T-EVIL", "channel_id": "C-EVIL"}
    values = {"name": "Website", "key": "WEB", "customers_internal": (ALICE,),
              "sponsor": SPONSOR, "checkin_day": "1", "checkin_time": "10:00"}  # fmt: skip
    answer = await dispatcher(world).handle(
        at(PM, "C7"), Submitted(FormKind.NEW_PROJECT, values, forged)
    )
    assert answer.done, answer
    (project,) = world.store.items["projects"]
    (workspace,) = world.store.items["workspaces"]
    assert project.channel_id == "C7"
    assert (workspace.platform, workspace.external_id) == (Platform.SLACK, "T1")


async def test_a_press_that_needs_a_reason_asks_for_it_and_the_text_form_finishes_it(
    world: World, project: int
) -> None:
    door, item = dispatcher(world), f"change_request:{await change_request(world)}"
    answer = await door.handle(at(ALICE), Pressed("reject", item, 1))
    assert answer.need_text == "Reason" and answer.form is not None
    assert answer.form.kind is FormKind.TEXT
    empty = Submitted(FormKind.TEXT, {"text": " "}, answer.form.context)
    assert (await door.handle(at(ALICE), empty)).errors == {"text": "Please type the reason first."}
    reason = Submitted(FormKind.TEXT, {"text": "Too dear"}, answer.form.context)
    assert (await door.handle(at(ALICE), reason)).done


async def test_the_card_of_an_item_names_its_actors_platform_ids(
    world: World, project: int
) -> None:
    item = f"change_request:{await change_request(world)}"
    shown = await dispatcher(world).card(at(ALICE), item)
    assert shown is not None and shown.view is not None
    assert shown.viewer == await world.person_id(ALICE)
    assert "UALICE" in dict(shown.view.actor_users).values()
    assert await dispatcher(world).card(at(ALICE), "change_request:999") is None


async def test_the_request_shortcut_needs_a_project_in_the_channel(
    world: World, project: int
) -> None:
    door, wanted = dispatcher(world), OpenForm(FormKind.REQUEST, prefill={"text": "FAQ?"})
    elsewhere = await door.handle(at(ALICE, "C9"), wanted)
    assert elsewhere.refused and "nobody to send the request to" in elsewhere.text
    here = await door.handle(at(ALICE), wanted)
    assert here.form is not None and here.form.context == {"project_id": project}


async def test_pending_shows_a_view_and_export_gives_files(world: World, project: int) -> None:
    door = dispatcher(world)
    pending = await door.handle(at(PM), Words("pending"))
    assert pending.view is not None and pending.view.kind is ViewKind.INFO
    assert pending.viewer == await world.person_id(PM)
    export = await door.handle(at(PM), Words("export"))
    assert sorted(export.files) == [
        "web-audit-checkpoint.json",  # the audit chain's head, signed, leaves with the export
        "web-audit.csv",
        "web-decisions.csv",
        "web-export.json",  # the same rows as the CSV files, in one JSON file
        "web-feedback.csv",
    ]
    assert "as a CSV file for each and one JSON file" in export.text


async def test_an_inbound_event_is_new_only_once(world: World) -> None:
    door = dispatcher(world)
    assert await door.first_time("slack:event:E1")
    assert not await door.first_time("slack:event:E1")


async def test_a_form_kind_no_flow_declares_is_refused_in_words(world: World, project: int) -> None:
    sent = Submitted(FormKind("no_such_form"), CHANGE, {"project_id": project})
    answer = await dispatcher(world).handle(at(PM), sent)
    assert answer.refused and "not one clientloop knows" in " ".join(answer.errors.values())
    assert world.store.items["ChangeRequest"] == []


def test_a_kind_read_back_from_a_payload_is_the_declared_one() -> None:
    assert FormKind("change") is FormKind.CHANGE
    assert FormKind("no_such_form") not in FormKind.declared()
