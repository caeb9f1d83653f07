"""Forms, buttons and command words: the shared translation every adapter relies on."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.fakes import FakeUnitOfWork
from tests.unit.conftest import ALICE, CAROL, MEMBER, PM, SPONSOR, STRANGER, World
from workflow import queries
from workflow.domain import commands as c
from workflow.domain.errors import Refused
from workflow.domain.reports import Rag
from workflow.domain.signoffs import SignoffKind
from workflow.domain.views import Button, View
from workflow.flows import TEXT_LABELS
from workflow.flows.change_requests.messages import CreateChangeRequest
from workflow.flows.checkins.messages import SendCheckIns
from workflow.flows.insight import exports
from workflow.flows.invitations import Invite
from workflow.flows.notices import SendNotice
from workflow.flows.projects.messages import SetAway
from workflow.flows.reports import PostReport
from workflow.flows.requests import SendRequest
from workflow.flows.signoffs.messages import RequestSignoff
from workflow.help import help_lines
from workflow.interpreter import build_form, command_from_form
from workflow.interpreter import interpret_press as interpret
from workflow.interpreter import interpret_words as words
from workflow.presentation.forms import FieldErrors, FormKind
from workflow.presentation.presses import NeedText, OpenForm, Press, Show, ShowWhat

BERLIN = ZoneInfo("Europe/Berlin")


def submit(kind: FormKind, values: dict[str, object], **context: object) -> c.Command:
    ctx = {k: v for k, v in context.items() if isinstance(v, str | int)}
    return command_from_form(kind, values, ctx, PM, datetime(2026, 11, 30, tzinfo=UTC), BERLIN)


def test_a_change_form_becomes_a_change_request_due_at_the_end_of_the_local_day() -> None:
    cmd = submit(
        FormKind.CHANGE,
        {"title": "Blog", "schedule_days": "5", "cost": "1,200.50", "due": "2027-01-31"},
        project_id=3,
        notice_id=9,
    )
    assert isinstance(cmd, CreateChangeRequest)
    assert (cmd.cost, cmd.schedule_days, cmd.from_notice_id) == (Decimal("1200.50"), 5, 9)
    assert cmd.due_at == datetime(2027, 1, 31, 23, 0, tzinfo=UTC)


def test_bad_values_are_refused_field_by_field() -> None:
    with pytest.raises(FieldErrors) as bad:
        submit(
            FormKind.CHANGE,
            {"title": "", "schedule_days": "soon", "cost": "lots", "due": "tomorrow"},
            project_id=3,
        )
    assert set(bad.value.errors) == {"title", "schedule_days", "cost", "due"}


def test_external_customers_without_a_sponsor_are_refused_on_the_sponsor_field() -> None:
    with pytest.raises(FieldErrors) as bad:
        submit(
            FormKind.NEW_PROJECT,
            {
                "name": "Web",
                "key": "WEB",
                "customers_external": (ALICE,),
                "checkin_day": "2",
                "checkin_time": "09:30",
            },
            platform="slack",
            workspace_id="T1",
            channel_id="C1",
        )
    assert list(bad.value.errors) == ["sponsor"]


def test_an_evaluation_needs_remarks_unless_it_accepts() -> None:
    with pytest.raises(FieldErrors) as bad:
        submit(
            FormKind.EVALUATE,
            {"verdict_0": "accept", "verdict_1": "reject", "process_rating": "4"},
            project_id=1,
            deliverables="A\nB",
        )
    assert list(bad.value.errors) == ["remarks_1"]


async def every_button(world: World) -> list[tuple[View, Button]]:
    def walk(view: View) -> list[tuple[View, Button]]:
        found = [(view, b) for b in view.buttons]
        for item in view.items:
            found += walk(item)
        return found

    return [pair for m in world.store.sent() for pair in walk(m.view)]


async def test_every_button_any_card_shows_means_something(world: World, project: int) -> None:
    await world.do(CreateChangeRequest, PM, project_id=project, title="Blog")
    await world.do(SendRequest, ALICE, project_id=project, text="FAQ")
    await world.do(SendNotice, ALICE, project_id=project, what="Move")
    await world.do(PostReport, PM, project_id=project, period="W1", rag=Rag.GREEN, summary="ok")
    await world.do(RequestSignoff, PM, project_id=project, kind=SignoffKind.PLAN, title="Plan")
    await world.do(Invite, PM, project_id=project, invitee=ALICE, what="Review")
    await world.do(SendCheckIns, PM, project_id=project)
    buttons = await every_button(world)
    kinds = {b.item.split(":")[0] for _, b in buttons}
    assert kinds >= {
        "change_request",
        "request",
        "notice",
        "report",
        "signoff",
        "invitation",
        "checkin",
        "project",
    }
    for _, button in buttons:
        press = Press(button.verb, button.item, button.version, ALICE, world.now)
        outcome = interpret(press)
        label = TEXT_LABELS.get((press.kind, press.base_verb))
        assert (label is not None) == bool(button.needs_text), button
        if isinstance(outcome, NeedText):
            outcome = interpret(
                Press(button.verb, button.item, button.version, ALICE, world.now, text="because")
            )
        assert isinstance(outcome, c.Command | OpenForm | Show)


def test_an_unknown_button_is_refused_in_words() -> None:
    with pytest.raises(Refused, match="newer message"):
        interpret(Press("explode", "change_request:1", 1, ALICE, datetime.now(UTC)))


def test_words_become_commands_forms_or_help() -> None:
    at = datetime(2026, 11, 30, tzinfo=UTC)
    assert isinstance(words("change", 1, PM, at), OpenForm)
    assert words("signoff plan", 1, PM, at) == OpenForm(
        FormKind.SIGNOFF, {"project_id": 1}, {"kind": "plan"}
    )
    assert isinstance(words("checkin now", 1, PM, at), SendCheckIns)
    request = words("request A FAQ page please", 1, ALICE, at)
    assert isinstance(request, SendRequest) and request.text == "A FAQ page please"
    away = words("away until 2027-01-04", None, ALICE, at)
    assert isinstance(away, SetAway) and str(away.until) == "2027-01-04"
    assert words("", 1, PM, at) == Show(ShowWhat.HELP, 1)
    assert words("frobnicate", 1, PM, at) == Show(ShowWhat.HELP, 1, "I don't know 'frobnicate'.")
    assert words("change", None, PM, at).note == "This channel has no project yet."  # type: ignore[union-attr]
    with pytest.raises(Refused, match="not a date"):
        words("away until soon", None, ALICE, at)


async def test_help_is_tailored_to_what_the_caller_may_do(world: World, project: int) -> None:
    p = world.item("projects", project)
    lines = {
        who: "\n".join(help_lines(p, await world.person_id(who), "/loop "))
        for who in (PM, ALICE, MEMBER, SPONSOR)
    }
    assert "/loop change" in lines[PM] and "/loop change" not in lines[ALICE]
    assert "/loop request" in lines[ALICE] and "/loop request" not in lines[MEMBER]
    assert "/loop pending" in lines[MEMBER] and "/loop digest" in lines[SPONSOR]
    assert "/loop new" not in lines[PM]
    assert help_lines(None, None, "/loop ") == [
        "`/loop new` set up a project in this channel",
        "`/loop help` what you can do here",
    ]


async def test_forms_are_only_opened_for_people_who_may_use_them(
    world: World, project: int
) -> None:
    async with FakeUnitOfWork(world.store) as uow:
        with pytest.raises(Refused, match="only a PM"):
            await build_form(
                uow, OpenForm(FormKind.CHANGE, {"project_id": project}), MEMBER.identity
            )
        with pytest.raises(Refused, match="not part of project WEB"):
            await build_form(
                uow, OpenForm(FormKind.REQUEST, {"project_id": project}), STRANGER.identity
            )
        form = await build_form(
            uow, OpenForm(FormKind.REQUEST, {"project_id": project}), ALICE.identity
        )
    assert form.kind is FormKind.REQUEST and form.main_field == "text"


async def test_a_notice_opens_the_change_form_already_filled_in(world: World, project: int) -> None:
    reply = await world.do(
        SendNotice, CAROL, project_id=project, what="New CFO", affects="Budget for phase 2"
    )
    async with FakeUnitOfWork(world.store) as uow:
        form = await build_form(
            uow, OpenForm(FormKind.CHANGE, {"notice_id": reply.subject_id}), PM.identity
        )
    initial = {f.name: f.initial for f in form.fields}
    assert initial["description"] == "New CFO" and initial["scope"] == "Budget for phase 2"
    assert form.context == {"notice_id": reply.subject_id, "project_id": project}


async def test_digest_pending_export_and_home_read_the_store(world: World, project: int) -> None:
    await world.do(CreateChangeRequest, PM, project_id=project, title="Blog")
    async with FakeUnitOfWork(world.store) as uow:
        pending = await queries.pending_view(uow, PM.identity, project, world.now)
        digest = await queries.digest_view(uow, PM.identity, project, world.now)
        files = (await exports.answer(uow, PM.identity, project, world.now)).files
        home = await queries.home(uow, ALICE.identity)
        with pytest.raises(Refused):
            await queries.digest_view(uow, ALICE.identity, project, world.now)
    assert "CR-" in pending.text and "waiting on Alice" in pending.text
    assert dict(digest.fields)["Notices this week"] == "0"
    assert set(files) == {
        "web-feedback.csv", "web-decisions.csv", "web-audit.csv", "web-export.json",
        "web-audit-checkpoint.json",
    }  # fmt: skip
    assert files["web-audit.csv"].startswith("seq,at,actor,action")
    assert home.name == "Alice" and [v.kind.value for v in home.pending] == ["change_request"]
    assert home.pm_projects == [] and home.customer_projects == [(project, "WEB")]
