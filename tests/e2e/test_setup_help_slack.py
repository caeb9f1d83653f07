"""Setting up a project and asking for help, as people do it in Slack: errors sit on the
field they are about, a channel with a project says so at once, and help teaches."""

from __future__ import annotations

import json

from tests.e2e.slack_world import CAROL, PM, Slack

NEW_PROJECT = {"name": "Website", "key": "WEB", "customers_internal": [CAROL]}


async def test_a_key_that_cant_be_one_is_refused_on_the_key_field(world: Slack) -> None:
    world.fake.add_user(PM, real_name="Pam")
    world.fake.add_user(CAROL, real_name="Carol")
    await world.loop(PM, "new")
    response = await world.fill(PM, NEW_PROJECT | {"key": "W E B!"})
    body = response.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == ["key"]
    assert "can't be a project key" in body["errors"]["key"]
    assert world.posts("C0001") == []


async def test_a_key_another_project_has_is_refused_on_the_key_field(project: Slack) -> None:
    await project.loop(PM, "new", channel="C0002")
    response = await project.fill(PM, {"name": "Web shop", "key": "web"})
    body = response.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == ["key"]
    assert "WEB is already the key of project Website" in body["errors"]["key"]
    assert project.posts("C0002") == []


async def test_a_second_new_in_a_project_channel_is_refused_at_once_naming_the_project(
    project: Slack,
) -> None:
    opened = len(project.fake.calls_of("views.open"))
    await project.loop(PM, "new")
    assert len(project.fake.calls_of("views.open")) == opened, "no form opens"
    said = project.last_private()
    assert "This channel already has project WEB (Website)" in said
    assert "a channel of its own" in said


async def test_help_from_a_stranger_where_there_is_no_project_explains_clientloop_and_roles(
    project: Slack,
) -> None:
    response = await project.loop("USTRANGER", "help", channel="C0009")
    said = project.last_private()
    assert said.startswith("This channel has no project yet. Here is what you can do here:")
    assert said.index("`/loop new`") < said.index("clientloop keeps a project's customer")
    assert "` help`" not in said and "`/loop  " not in said
    roles = said[said.index("Once a project exists here:") :]
    for role, word in (("PM", "`change`"), ("Customer", "`request`"), ("Sponsor", "`digest`"),
                       ("Team member", "`pending`")):  # fmt: skip
        line = next(line for line in roles.splitlines() if line.startswith(f"• {role} "))
        assert word in line, line
    blocks = response.json()["blocks"]
    assert len(blocks) == 1 and len(blocks[0]["text"]["text"]) <= 3000


async def test_help_from_the_pm_in_the_project_channel_lists_the_pms_words_first(
    project: Slack,
) -> None:
    await project.loop(PM, "help")
    lines = project.last_private().splitlines()
    assert lines[0] == "Here is what you can do here, as PM of WEB (Website):"
    assert lines[1].startswith("`/loop people")
    assert lines[-1].startswith("`/loop help`")
    assert any(line.startswith("`/loop change") for line in lines)
    assert "clientloop keeps" not in json.dumps(lines), "no introduction for the PM"
