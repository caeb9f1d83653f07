"""Every refusal of the settings and change forms sits on the field it is about: before the
submission is acknowledged (Slack) and when it is carried out (Teams); saving says words."""

from __future__ import annotations

import pytest

from tests.unit.conftest import PM, World
from tests.unit.test_dispatcher import CHANGE, at, dispatcher
from workflow.presentation.answers import Submitted
from workflow.presentation.forms import FormKind

SETTINGS = {"checkin_day": "4", "checkin_time": "10:00", "rule": "all", "order": "parallel"}


async def both_ways(world: World, kind: FormKind, values: dict[str, object]) -> list[dict]:
    """The errors found before the acknowledgement, and those of carrying it out."""
    door, sent = dispatcher(world), Submitted(kind, values, {"project_id": world.project_id})
    before = await door.field_errors(at(PM), sent)
    answer = await door.handle(at(PM), sent)
    assert not answer.done and not answer.refused
    return [before, answer.errors]


@pytest.mark.parametrize(
    ("typed", "field", "words"),
    [
        ({"rule": "quorum", "quorum": "4"}, "quorum", "more than the 2 customers of WEB"),
        ({"rule": "quorum", "quorum": ""}, "quorum", "type how many customers must approve"),
        ({"rule": "quorum", "quorum": "0"}, "quorum", "type how many customers must approve"),
        ({"rule": "quorum", "quorum": "two"}, "quorum", "whole number"),
        ({"alert_days": "0"}, "alert_days", "1 to 90 days"),
        ({"alert_days": "365"}, "alert_days", "1 to 90 days"),
    ],
)
async def test_a_settings_value_that_cant_be_used_is_refused_on_its_own_field(
    world: World, project: int, typed: dict[str, str], field: str, words: str
) -> None:
    for errors in await both_ways(world, FormKind.SETTINGS, {**SETTINGS, **typed}):
        assert list(errors) == [field] and words in errors[field]


@pytest.mark.parametrize(
    ("typed", "field", "words"),
    [
        ({"due": "2026-11-29"}, "due", "That day has passed"),
        ({"cost": "NaN"}, "cost", "type an amount"),
        ({"cost": "1e13"}, "cost", "too large"),
    ],
)
async def test_a_change_value_that_cant_be_used_is_refused_on_its_own_field(
    world: World, project: int, typed: dict[str, str], field: str, words: str
) -> None:
    for errors in await both_ways(world, FormKind.CHANGE, {**CHANGE, **typed}):
        assert list(errors) == [field] and words in errors[field]


async def test_a_change_decided_by_today_is_taken(world: World, project: int) -> None:
    sent = Submitted(FormKind.CHANGE, {**CHANGE, "due": "2026-11-30"}, {"project_id": project})
    assert (await dispatcher(world).handle(at(PM), sent)).done


async def test_saved_settings_are_said_in_words(world: World, project: int) -> None:
    typed = {**SETTINGS, "rule": "any", "alert_days": "7"}
    sent = Submitted(FormKind.SETTINGS, typed, {"project_id": project})
    answer = await dispatcher(world).handle(at(PM), sent)
    assert answer.done and answer.text == (
        "Settings of WEB saved: check-ins on Fridays at 10:00 (each customer's local time); "
        "change requests need any one customer, all asked at once; "
        "PMs alerted when a decision waits 7 days."
    )


async def test_a_quorum_the_customers_can_make_is_saved(world: World, project: int) -> None:
    sent = Submitted(FormKind.SETTINGS, {**SETTINGS, "rule": "quorum", "quorum": "2"},
                     {"project_id": project})  # fmt: skip
    answer = await dispatcher(world).handle(at(PM), sent)
    assert answer.done and "a quorum of 2 customers" in answer.text


async def test_a_sign_off_by_day_that_has_passed_is_refused_on_the_due_field(
    world: World, project: int
) -> None:
    typed = {"kind": "charter", "title": "Charter", "version": "1", "due": "2026-11-29"}
    for errors in await both_ways(world, FormKind.SIGNOFF, typed):
        assert list(errors) == ["due"] and "That day has passed" in errors["due"]
