"""Clicks by the wrong people change nothing and get a private word; replays have one effect."""

from __future__ import annotations

from tests.e2e.slack_world import ALICE, CAROL, CUSTOMER_TEAM, MO, PM, SAM, Slack, change_request

BOB = "UBOB"


async def decisions(world: Slack) -> list[str]:
    return [c.params["text"] for c in world.fake.calls_of("chat.update")]


async def test_a_member_click_changes_nothing_and_is_told_why(project: Slack) -> None:
    await change_request(project)
    before = len(project.fake.calls_of("chat.update"))
    await project.press(MO, "C0001", "approve", "Dark mode")
    assert "not waiting on you" in project.last_private()
    assert len(project.fake.calls_of("chat.update")) == before


async def test_a_customer_of_another_project_cannot_decide(project: Slack) -> None:
    project.fake.add_user(BOB, real_name="Bob")
    await project.loop(PM, "new", channel="C0002")
    await project.fill(PM, {"name": "App", "key": "APP", "customers_internal": [BOB]})
    await change_request(project)
    before = len(project.fake.calls_of("chat.update"))
    await project.press(BOB, "C0001", "approve", "Dark mode")
    assert "not waiting on you" in project.last_private()
    assert len(project.fake.calls_of("chat.update")) == before


async def test_the_same_user_id_from_another_organisation_cannot_act_as_the_customer(
    project: Slack,
) -> None:
    await change_request(project)
    before = len(project.fake.calls_of("chat.update"))
    await project.press(ALICE, ALICE, "approve", "Dark mode", user_team="TEVIL")
    assert "not waiting on you" in project.last_private()
    assert len(project.fake.calls_of("chat.update")) == before
    await project.press(ALICE, ALICE, "approve", "Dark mode", user_team=CUSTOMER_TEAM)
    assert len(project.fake.calls_of("chat.update")) == before + 4  # every copy


async def test_a_double_click_and_a_replayed_click_have_one_effect(project: Slack) -> None:
    await change_request(project)
    action_id, value, _ = project.button(SAM, "approve", "Dark mode")
    for _ in range(2):  # two clicks: two payloads
        await project.requests.click(action_id, value, user=SAM, channel=SAM)
    await project.settle()
    assert "already decided" in project.last_private()
    assert len(project.fake.calls_of("chat.update")) == 4  # one decision, four copies
    replayed = {
        "type": "block_actions", "user": {"id": CAROL, "team_id": "T0001"},
        "team": {"id": "T0001"}, "api_app_id": "A0001", "trigger_id": "1.2.3",
        "channel": {"id": CAROL}, "container": {"type": "message", "channel_id": CAROL},
        "actions": [{"action_id": action_id, "value": value, "type": "button",
                     "block_id": "b1", "action_ts": "1700000001.000001"}],
    }  # fmt: skip
    for _ in range(2):  # the very same payload twice
        assert (await project.requests.payload(replayed)).status_code == 200
    await project.settle()
    assert len(project.fake.calls_of("chat.update")) == 8  # Carol's decision counted once
    answers = project.said_privately()[-2:]
    assert any("already done" in a for a in answers)
    assert any("decision on CR-1 is recorded" in a for a in answers)


async def test_a_retried_event_has_one_effect(project: Slack) -> None:
    await project.requests.event(
        {"type": "app_home_opened", "user": CAROL, "tab": "home"}, event_id="Ev0001"
    )
    await project.until("views.publish")
    await project.requests.event(
        {"type": "app_home_opened", "user": CAROL, "tab": "home"}, event_id="Ev0001", retry=1
    )
    await project.requests.home_opened(SAM)
    await project.until("views.publish", 2)
    published = [c.params["user_id"] for c in project.fake.calls_of("views.publish")]
    assert published == [CAROL, SAM]


async def test_a_channel_ping_typed_into_a_form_reaches_slack_escaped(project: Slack) -> None:
    await project.loop(CAROL, "request")
    await project.fill(CAROL, {"text": "Hey <!channel> and <@U999>, see <https://evil|here> & go"})
    card = project.posts(PM)[-1]
    text = project.text_of(card)
    assert "&lt;!channel&gt;" in text and "&lt;@U999&gt;" in text and "&amp; go" in text
    assert "<!channel>" not in text and "<@U999>" not in text
