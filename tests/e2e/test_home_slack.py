"""The App Home through signed Slack requests: a Slack Connect customer's Home, presses on it,
and the Home kept current after what changes what waits on the person."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.fake_slack import Call
from tests.e2e.slack_world import ALICE, CUSTOMER_TEAM, SAM, Slack, change_request


def home_of(call: Call) -> str:
    view = call.params["view"]
    return view if isinstance(view, str) else json.dumps(view)


def homes(project: Slack, user: str) -> list[Call]:
    return [c for c in project.fake.calls_of("views.publish") if c.params["user_id"] == user]


async def home_published(project: Slack, user: str, count: int) -> str:
    """The Home as published for the `count`-th time to `user` (waiting up to 30 s)."""
    for _ in range(1500):
        if len(homes(project, user)) >= count:
            return home_of(homes(project, user)[count - 1])
        await project.settle()
    raise AssertionError(f"{user}'s Home was published {len(homes(project, user))} times")


async def press_on_home(project: Slack, user: str, verb: str, **kw: Any) -> None:
    """Press the `verb` button of the Home last published to `user`."""
    view = json.loads(home_of(homes(project, user)[-1]))
    found = [
        e
        for block in view["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
        if e["action_id"] == f"cl.{verb}"
    ]
    assert found, f"no {verb} on {user}'s Home"
    response = await project.requests.click(
        found[0]["action_id"], found[0]["value"], user=user, home=True, **kw
    )
    assert response.status_code == 200, response.text
    await project.settle()


async def test_an_external_customers_home_shows_what_waits_on_her_and_her_buttons_work(
    project: Slack,
) -> None:
    await change_request(project)
    # The event comes through the installing workspace and names Alice but not her team.
    await project.requests.home_opened(ALICE)
    home = await home_published(project, ALICE, 1)
    assert "Hello Alice!" in home and "Dark mode" in home and "cl.approve" in home
    assert "Nothing is waiting on you" not in home
    await press_on_home(project, ALICE, "start_request", user_team=CUSTOMER_TEAM)
    assert project.modal()["callback_id"] == "cl_form:request"
    assert "no longer points at anything" not in " ".join(project.said_privately())


async def test_approving_from_the_home_publishes_the_home_without_that_decision(
    project: Slack,
) -> None:
    await change_request(project)
    await project.requests.home_opened(ALICE)
    await home_published(project, ALICE, 1)
    await press_on_home(project, ALICE, "approve", user_team=CUSTOMER_TEAM)
    after = await home_published(project, ALICE, 2)
    assert "Dark mode" not in after and "cl.approve" not in after
    assert "Nothing is waiting on you" in after


async def test_a_new_change_request_republishes_the_home_of_someone_who_opened_it(
    project: Slack,
) -> None:
    await project.requests.home_opened(SAM)
    assert "Nothing is waiting on you" in await home_published(project, SAM, 1)
    await change_request(project, "Dark mode")
    await change_request(project, "Print styles")
    # Both requests reached Sam within a few seconds: one more publish shows both.
    home = await home_published(project, SAM, 2)
    assert "Dark mode" in home and "Print styles" in home and "cl.approve" in home
    await project.settle()
    assert len(homes(project, SAM)) == 2, "the two deliveries were coalesced into one publish"
    assert not homes(project, ALICE), "a Home never opened is not published"
