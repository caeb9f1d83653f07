"""Every flow is registered wherever it is needed, so a missing entry fails here, not in chat.

The central tables are derived from `workflow.flows.FLOWS`; these tests hold each table to
what the rest of the code expects of it: every form kind has a parser, a main field that
is one of its fields and a permission; every item kind has its aggregate, a card and a
mapped table; every command word, button and text label leads somewhere.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import inspect

import workflow.domain
from tests.fakes import FakeUnitOfWork
from tests.unit.conftest import CAROL, PM, World
from workflow.domain.commands import Command
from workflow.domain.permissions import Act
from workflow.domain.projects import Project, Role
from workflow.domain.signoffs import SignoffKind
from workflow.domain.states import Machine
from workflow.flows import FLOWS, FORMS, ITEMS, TEXT_LABELS, WORDS
from workflow.flows.checkins.messages import SendCheckIns
from workflow.flows.closing.messages import StartClosing
from workflow.flows.flow import Opening
from workflow.flows.waiting import waiting_in
from workflow.interpreter import build_form
from workflow.persistence.orm import start_mappers
from workflow.presentation.forms import Form, FormKind
from workflow.presentation.presses import NeedText, OpenForm, Press, Show
from workflow.presentation.words import Here

AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def a_project() -> Project:
    project = Project(1, "WEB", "Website", "C1", AT, id=1)
    project.add(1, Role.PM)
    return project


def built(kind: FormKind) -> Form | None:
    """The form as its flow builds it without a database; None for forms with an opener."""
    entry = FORMS[kind]
    if entry.build is None:
        return None
    return entry.build(Opening({"project_id": 1}, {}, a_project()))


def test_every_declared_form_kind_but_the_text_form_belongs_to_exactly_one_flow() -> None:
    assert set(FORMS) == FormKind.declared() - {FormKind.TEXT}


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_a_form_can_be_opened_and_parsed(kind: FormKind) -> None:
    entry = FORMS[kind]
    assert (entry.build is None) != (entry.opener is None), "a form is built or opened, not both"
    assert callable(entry.parse)
    if entry.act is not None:
        assert isinstance(entry.act, Act) and entry.act.roles
    form = built(kind)
    if form is not None:
        assert form.kind is kind
        assert entry.main_field in {f.name for f in form.fields}


@pytest.mark.parametrize("kind", sorted(ITEMS))
def test_an_item_kind_has_its_aggregate_card_and_table(kind: str) -> None:
    item = ITEMS[kind]
    if item.aggregate is None:  # buttons about the project itself: nothing to load
        assert item.card is None
        return
    assert item.card is not None
    start_mappers()
    assert inspect(item.aggregate).persist_selectable is not None


@pytest.mark.parametrize(("kind", "verb"), sorted(TEXT_LABELS))
def test_a_button_that_needs_text_means_something_once_the_text_is_there(
    kind: str, verb: str
) -> None:
    typed = verb + ":1" if verb == "answer_question" else verb
    press = Press(typed, f"{kind}:1", 1, PM, AT, text="Because")
    outcome = ITEMS[kind].press(press)
    assert isinstance(outcome, Command)


@pytest.mark.parametrize("word", sorted(WORDS))
def test_a_command_word_leads_to_something_the_core_knows(word: str) -> None:
    entry = WORDS[word]
    assert entry.act is None or (isinstance(entry.act, Act) and entry.act.roles)
    rest = "until 2027-01-04" if word == "away" else ""
    outcome = entry.start(rest, Here(1, PM, AT))
    assert isinstance(outcome, Command | OpenForm | Show | NeedText)
    if isinstance(outcome, OpenForm):
        assert outcome.kind in FORMS


def test_every_command_word_and_alias_is_unique_and_lower_case() -> None:
    names = [w.word for f in FLOWS for w in f.words]
    aliases = [a for f in FLOWS for w in f.words for a in w.aliases]
    assert len(set(names + aliases)) == len(names + aliases)
    assert all(n == n.lower() for n in names + aliases)


def test_the_project_buttons_open_forms_that_exist() -> None:
    for verb in ("start_request", "start_notice", "start_feedback", "evaluate"):
        outcome = ITEMS["project"].press(Press(verb, "project:1", None, PM, AT))
        assert isinstance(outcome, OpenForm) and outcome.kind in FORMS


def test_every_state_table_in_the_domain_is_declared_by_a_flow() -> None:
    declared = {id(m) for f in FLOWS for m in f.machines}
    found: dict[str, Any] = {}
    for info in pkgutil.iter_modules(workflow.domain.__path__, "workflow.domain."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, Machine) and not name.startswith("_"):
                found[f"{info.name}.{name}"] = value
    assert found, "the domain has state machines"
    assert [name for name, m in found.items() if id(m) not in declared] == []


async def test_forms_opened_from_an_item_have_their_main_field_too(
    world: World, project: int
) -> None:
    """The forms a flow opens itself (change, check-in, evaluation), opened as people would."""
    await world.do(SendCheckIns, PM, project_id=project)
    await world.do(StartClosing, PM, project_id=project, deliverables=("Site",))
    carol = await world.person_id(CAROL)
    checkin = next(ci for ci in world.store.items["CheckIn"] if ci.person_id == carol)
    opened = {
        FormKind.NEW_PROJECT: (PM, {"platform": "slack", "workspace_id": "T9", "channel_id": "C9"}),
        FormKind.CHANGE: (PM, {"project_id": project}),
        FormKind.CHECKIN: (CAROL, {"checkin_id": checkin.id}),
        FormKind.EVALUATE: (CAROL, {"project_id": project}),
    }
    assert set(opened) == {kind for kind, entry in FORMS.items() if entry.opener is not None}
    for kind, (who, context) in opened.items():
        async with FakeUnitOfWork(world.store) as uow:
            form = await build_form(uow, OpenForm(kind, context), who.identity)
        assert form.kind is kind
        assert FORMS[kind].main_field in {f.name for f in form.fields}


async def test_what_waits_on_people_is_gathered_from_every_flow(world: World, project: int) -> None:
    """Pending, the Home, check-ins and chases all read the flows' own `waiting`."""
    from tests.unit.test_change_requests import create
    from tests.unit.test_reports import post
    from tests.unit.test_signoffs import ask

    await create(world)
    await ask(world, SignoffKind.CHARTER)
    await post(world)
    await world.do(SendCheckIns, PM, project_id=project)
    async with FakeUnitOfWork(world.store) as uow:
        found = await waiting_in(uow, await uow.projects.get(project))
    kinds = {w.pending.kind for w in found}
    decisions = {w.pending.kind for w in found if w.decision}
    assert kinds == {"change_request", "signoff", "report", "checkin"}
    assert decisions == {"change_request", "signoff", "report"}
    assert all(ITEMS[kind].card is not None for kind in decisions)
    assert all(w.item is not None and w.pending.project_id == project for w in found)
