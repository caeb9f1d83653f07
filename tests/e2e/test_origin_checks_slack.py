"""Slack: the item a button names must belong to the project of the channel it came from."""

from __future__ import annotations

from tests.e2e.slack_world import CAROL, PM, Slack, change_request


async def test_a_button_of_another_projects_item_pressed_in_a_project_channel_is_refused(
    project: Slack,
) -> None:
    await project.loop(PM, "new", channel="C0002")
    await project.fill(PM, {"name": "App", "key": "APP", "customers_internal": [CAROL]})
    await change_request(project)
    action_id, value, _ = project.button(CAROL, "approve", "Dark mode")
    before = len(project.fake.calls_of("chat.update"))
    await project.requests.click(action_id, value, user=CAROL, channel="C0002")
    await project.settle()
    assert project.last_private() == "That item belongs to another project."
    assert len(project.fake.calls_of("chat.update")) == before
    await project.press(CAROL, CAROL, "approve", "Dark mode")
    assert len(project.fake.calls_of("chat.update")) > before
