"""Issue 10 on Slack: malformed signed bodies get 400, a modal is acknowledged before it is carried
out and carried out once, and words typed in the bot's DM are answered."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from handlers.slack.app import BOT_SCOPES, SORRY
from tests.e2e.slack_checks import row_counts, tracebacks
from tests.e2e.slack_client import FORM, JSON, SlackRequests
from tests.e2e.slack_world import ALICE, CAROL, CUSTOMER_TEAM, PM, SAM, Slack, change_request
from tests.e2e.test_slack_manifest import manifest
from workflow.domain.changes import ChangeRequest

Json = dict[str, object]
TEAM = {"id": "T0001", "domain": "fake"}
USER = {"id": "U0001", "team_id": "T0001"}
VIEW = {"id": "V1", "type": "modal", "callback_id": "cl_form:request", "hash": "h1",
        "private_metadata": "", "state": {"values": {}}}  # fmt: skip
CLICK = {"action_id": "cl.approve", "block_id": "b1", "value": "change_request:1:1",
         "type": "button", "action_ts": "1.2"}  # fmt: skip


def payload(body: object) -> bytes:
    return b"payload=" + json.dumps(body).encode()


def event(inner: object, **envelope: object) -> bytes:
    body = {"type": "event_callback", "team_id": "T0001", "event_id": "Ev1", "event": inner}
    return json.dumps(body | envelope).encode()


def submission(**view: object) -> Json:
    return {"type": "view_submission", "team": TEAM, "user": USER, "view": VIEW | view}


def click(**action: object) -> Json:
    return {"type": "block_actions", "team": TEAM, "user": USER, "actions": [CLICK | action]}


MALFORMED: dict[str, tuple[bytes, str]] = {
    "a view without its type": (payload(submission(type=None)), FORM),
    "a view without its id": (payload(submission(id=None)), FORM),
    "a 5,000-deep array as payload": (b"payload=" + b"[" * 5000 + b"]" * 5000, FORM),
    "a 5,000-deep JSON body": (b"[" * 5000 + b"]" * 5000, JSON),
    "an event nesting 200 deep": (event({"type": "x", "a": json.loads("[" * 200 + "]" * 200)}),
                                  JSON),
    "a list as payload": (payload([submission()]), FORM),
    "a JSON events body that is a list": (json.dumps([{"type": "event_callback"}]).encode(), JSON),
    "an event that is a list": (event(["type"]), JSON),
    "a user id that is a number": (payload(click() | {"user": {"id": 10**30}}), FORM),
    "a team that is a string": (payload(click() | {"team": "T0001"}), FORM),
    "a click without a team": (payload({**click(), "team": None}), FORM),
    "a click without a user": (payload({**click(), "user": None}), FORM),
    "a submission without a user": (payload({**submission(), "user": None}), FORM),
    "a button value that is a number": (payload(click(value=7)), FORM),
    "actions that are strings": (payload(click() | {"actions": ["cl.approve"]}), FORM),
    "private_metadata that is an object": (payload(submission(private_metadata={})), FORM),
    "state values that are lists": (payload(submission(state={"values": {"a": [1]}})), FORM),
    "a home event whose user is an object": (
        event({"type": "app_home_opened", "user": {"id": "U1"}, "tab": "home"}), JSON),
    "an event without a team": (event({"type": "app_home_opened", "user": "U1"}, team_id=None),
                                JSON),
    "authorizations that are strings": (event({"type": "x"}, authorizations=["T1"]), JSON),
}  # fmt: skip


@pytest.mark.parametrize("name", list(MALFORMED))
async def test_a_malformed_signed_body_gets_400_and_one_log_line_without_a_traceback(
    world: Slack, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    body, content_type = MALFORMED[name]
    before = await row_counts(world.app)
    with caplog.at_level(logging.INFO):
        response = await world.requests.post(body, content_type)
    assert response.status_code == 400, response.text
    assert response.text.startswith("malformed Slack request")
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
    assert tracebacks(caplog) == []
    assert await row_counts(world.app) == before


async def test_a_forged_signature_on_a_malformed_body_still_gets_401(slack: SlackRequests) -> None:
    body, content_type = MALFORMED["a 5,000-deep array as payload"]
    response = await slack.post(body, content_type, secret="not-our-secret")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "value",
    [
        "change_request:99999999999999999999999:1",
        "change_request:1:99999999999999999999",
        "nocolon",
        "change_request:1:x",
    ],
)
async def test_a_button_value_clientloop_never_wrote_is_refused_in_words(
    project: Slack, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    await change_request(project)
    before = await row_counts(project.app)
    response = await project.requests.click("cl.approve", value, user=SAM, channel=SAM)
    await project.settle()
    assert response.status_code == 200
    assert "not one clientloop knows" in project.last_private()
    assert SORRY not in project.said_privately()
    assert tracebacks(caplog) == []
    assert await row_counts(project.app) == before


async def change_requests(project: Slack) -> list[ChangeRequest]:
    async with project.app.state.runtime.uow() as uow:
        found: list[ChangeRequest] = await uow.repo(ChangeRequest).find()
        return found


CHANGE = {"title": "Dark mode", "description": "Add a dark theme", "schedule_days": "3",
          "cost": "1200", "reason": "Customer ask"}  # fmt: skip


async def test_a_modal_is_acknowledged_before_it_is_carried_out(project: Slack) -> None:
    await project.loop(PM, "change")
    turns: asyncio.Semaphore = project.app.state.runtime.dispatcher._turns
    held = 0
    while not turns.locked():  # every turn taken: nothing can be carried out
        await turns.acquire()
        held += 1
    try:
        response = await project.fill(PM, CHANGE)
        assert response.status_code == 200 and response.text in ("", "null"), response.text
        assert await change_requests(project) == []
    finally:
        for _ in range(held):
            turns.release()
    await project.settle()
    assert len(await change_requests(project)) == 1
    assert "CR-1" in project.last_private()


async def test_a_modal_whose_people_are_slow_to_look_up_is_acknowledged_in_time(
    project: Slack,
) -> None:
    project.fake.add_user("UNEWPM", real_name="Nina")
    await project.loop("UNEWPM", "new", channel="C0002")
    project.fake.slow("users.info", 4.0)  # longer than Slack waits for the acknowledgement
    answered = len(project.fake.calls_of("chat.postEphemeral"))
    response = await project.fill("UNEWPM", {"name": "App", "key": "APP", "sponsor": "UNEWSP"})
    assert response.status_code == 200 and response.text in ("", "null"), response.text
    await project.until("chat.postEphemeral", answered + 1)
    assert "APP is set up" in project.last_private()


async def test_a_second_submission_of_the_same_view_creates_no_second_item(project: Slack) -> None:
    await project.loop(PM, "change")
    # The same modal submitted again (Slack showed an error, the PM pressed Submit once more),
    # whatever hash the view carries by then.
    first = await project.fill(PM, CHANGE, view_id="VSAME", view_hash="h1")
    again = await project.fill(PM, CHANGE, view_id="VSAME", view_hash="h2")
    assert first.status_code == again.status_code == 200
    assert len(await change_requests(project)) == 1
    assert "already done" in project.last_private()


async def test_field_errors_go_back_in_the_ack_and_do_not_spend_the_view(project: Slack) -> None:
    await project.loop(PM, "change")
    refused = await project.fill(PM, CHANGE | {"cost": "lots"}, view_id="VFIX")
    assert refused.json()["response_action"] == "errors"
    assert "cost" in refused.json()["errors"]
    fixed = await project.fill(PM, CHANGE, view_id="VFIX", view_hash="h2")
    assert fixed.status_code == 200 and fixed.text in ("", "null")
    assert len(await change_requests(project)) == 1


async def test_a_refusal_slack_cannot_show_on_a_field_is_said_privately(
    project: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    before = await row_counts(project.app)
    response = await project.requests.submit("cl_form:no_such_form", {}, user=PM)
    await project.settle()
    assert response.status_code == 200 and response.text in ("", "null"), response.text
    assert "not saved" in project.text_of(project.posts(PM)[-1])
    assert tracebacks(caplog) == [] and await row_counts(project.app) == before


async def test_a_form_refused_after_the_ack_gives_back_what_was_typed(project: Slack) -> None:
    """The modal has closed by then: the refusal carries the text, so nothing is lost."""
    await project.loop(PM, "change")
    before = await row_counts(project.app)
    await project.fill(SAM, {"title": "Bigger logo", "description": "Twice the size"})
    said = project.last_private()
    assert "not saved" in said and "Bigger logo" in said and "Twice the size" in said
    assert await row_counts(project.app) == before


async def test_a_new_project_modal_whose_metadata_names_another_channel_binds_nothing(
    project: Slack,
) -> None:
    """The issue's tampering through Slack: private_metadata rewritten to name a channel
    the person never opened it in (one with no project yet, so nothing else refuses it).
    It is sealed, so the forged channel is not believed, and nothing is written."""
    project.fake.add_user("UEVE", real_name="Eve")
    await project.loop("UEVE", "new", channel="C0999")
    opened = project.fake.last("views.open").params
    view = project.modal()
    forged = view["private_metadata"].replace("C0999", "C0777")
    assert forged != view["private_metadata"]
    opened["view"] = {**view, "private_metadata": forged}  # what comes back is forged
    before = await row_counts(project.app)
    response = await project.fill("UEVE", {"name": "Evil", "key": "EVL",
                                           "customers_internal": [CAROL]})  # fmt: skip
    assert await row_counts(project.app) == before
    assert project.posts("C0777") == []
    assert response.json()["response_action"] == "errors"
    assert "belongs to a channel" in json.dumps(response.json()["errors"])


async def test_words_typed_in_the_bots_dm_are_answered_there(project: Slack) -> None:
    response = await project.requests.direct_message("help", user=CAROL)
    assert response.status_code == 200
    await project.until("chat.postMessage", len(project.fake.calls_of("chat.postMessage")) + 1)
    await project.settle()
    said = project.text_of(project.posts(CAROL)[-1])
    assert "Here is what you can do here" in said and "/loop" not in said


async def test_an_external_customer_sees_what_waits_on_them_in_the_dm(project: Slack) -> None:
    await change_request(project)
    before = len(project.posts(ALICE))
    await project.requests.direct_message("pending", user=ALICE, user_team=CUSTOMER_TEAM)
    await project.until("chat.postMessage", len(project.fake.calls_of("chat.postMessage")) + 1)
    await project.settle()
    assert len(project.posts(ALICE)) == before + 1
    assert "Dark mode" in project.text_of(project.posts(ALICE)[-1])


async def test_bot_messages_edits_subtypes_and_retries_in_the_dm_get_no_second_answer(
    project: Slack,
) -> None:
    requests, before = project.requests, len(project.posts(CAROL))
    await requests.direct_message("help", user=CAROL, bot_id="BBOT0001")
    await requests.direct_message("help", user=CAROL, subtype="message_changed")
    await requests.direct_message("help", user=CAROL, subtype="channel_join")
    await requests.direct_message("help", user=CAROL, channel_type="channel")
    await requests.direct_message("help", user=CAROL, event_id="EvOnce")
    await requests.direct_message("help", user=CAROL, event_id="EvOnce", retry=1)
    await project.settle()
    await project.requests.home_opened(CAROL)  # the DM listener is done once this is
    await project.until("views.publish")
    await project.settle()
    assert len(project.posts(CAROL)) == before + 1


def test_the_manifest_opens_the_messages_tab_only_with_someone_answering_it() -> None:
    m = manifest()
    tab = m["features"]["app_home"]
    answered = "message.im" in m["settings"]["event_subscriptions"]["bot_events"]
    assert not tab["messages_tab_enabled"] or tab["messages_tab_read_only_enabled"] or answered
    assert "im:history" in m["oauth_config"]["scopes"]["bot"] and "im:history" in BOT_SCOPES
