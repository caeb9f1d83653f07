"""Issue 12, item 1, in the bot's Slack DM: a customer of two projects who types `request …`
chooses the project on the answer's buttons, and the request goes to that project's PMs."""

from __future__ import annotations

from tests.e2e.slack_world import CAROL, PM, Slack
from workflow.domain.inbox import CustomerRequest


async def requests_sent(world: Slack) -> list[tuple[str, str]]:
    async with world.app.state.runtime.uow() as uow:
        found: list[CustomerRequest] = await uow.repo(CustomerRequest).find()
        keys = {p.id: p.key for p in await uow.projects.find()}
    return [(keys[r.project_id], r.text) for r in found]


async def project_id(world: Slack, key: str) -> int:
    async with world.app.state.runtime.uow() as uow:
        found = await uow.projects.find(key=key)
    assert found and found[0].id is not None
    return found[0].id


async def test_a_customer_of_two_projects_chooses_in_the_dm_and_the_request_goes_there(
    project: Slack,
) -> None:
    await project.loop(PM, "new", channel="C0002")
    await project.fill(PM, {"name": "Mobile app", "key": "APP", "customers_internal": [CAROL]})
    posted = len(project.fake.calls_of("chat.postMessage"))
    await project.requests.direct_message("request Add SSO", user=CAROL)
    await project.until("chat.postMessage", posted + 1)
    await project.settle()
    choice = project.text_of(project.posts(CAROL)[-1])
    assert "Which project?" in choice and "Website" in choice and "Mobile app" in choice
    assert await requests_sent(project) == []
    app = await project_id(project, "APP")
    await project.press(CAROL, CAROL, f"choose_project:{app}", "Which project?", channel="DCAROL")
    assert "Your request went to the PMs of APP" in project.last_private()
    assert "Request from Carol · APP" in project.text_of(project.posts(PM)[-1])
    assert await requests_sent(project) == [("APP", "Add SSO")]
