"""Setting up a project and asking for help, as people do it in Teams: help in a personal
chat writes words as they are typed there, and a channel with a project says so at once."""

from __future__ import annotations

import json

import pytest

from tests.e2e.teams_client import installation_update, message, personal
from tests.e2e.teams_world import ROOM, Teams, inputs_of, set_up_project


def said_in(world: Teams, conversation: str) -> str:
    """Everything the bot said in a conversation, as one text."""
    bodies = [c.body for c in world.connector.calls if c.conversation_id == conversation]
    return "\n".join(str(b.get("text", "")) for b in bodies)


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    return await set_up_project(teams_world)


async def test_help_in_a_newcomers_personal_chat_has_no_stray_prefix_and_explains_roles(
    project: Teams,
) -> None:
    nora = personal(project.connector.service_url, "aad-nora", user_name="Nora")
    await project.requests.send(installation_update(nora))
    await project.requests.send(message(nora, "help"))
    await project.settle()
    said = said_in(project, nora.conversation_id)
    assert "Here is what you can do here:\n\n`help` what you can do here" in said
    assert "` help`" not in said and "` new`" not in said
    assert "type `@clientloop new` in the channel it is for" in said
    assert "clientloop keeps a project's customer in the loop" in said
    for role in ("• PM ", "• Customer ", "• Sponsor ", "• Team member "):
        assert role in said, role


async def test_help_in_a_customers_personal_chat_writes_their_words_bare(project: Teams) -> None:
    await project.say("carol", "help")
    said = said_in(project, "a:1personal-aad-carol")
    assert "as customer of WEB (Website)" in said
    assert "\n\n`request [text]` send the team a request" in said
    assert "` request" not in said and "` help`" not in said


async def test_a_second_new_in_a_project_channel_is_refused_at_once_naming_the_project(
    project: Teams,
) -> None:
    forms_before = sum(
        1 for c in project.connector.calls if c.conversation_id == ROOM and inputs_of(c.body)
    )
    await project.mention("pm", "new")
    forms_after = sum(
        1 for c in project.connector.calls if c.conversation_id == ROOM and inputs_of(c.body)
    )
    assert forms_after == forms_before, "no form card opens"
    said = json.dumps([c.body for c in project.connector.calls if c.conversation_id == ROOM][-1])
    assert "This channel already has project WEB (Website)" in said


async def test_a_key_another_project_has_comes_back_on_the_key_input(project: Teams) -> None:
    await project.install(room="shop")
    await project.mention("pm", "new", room="shop")
    form = project.last_card("19:shop@thread.tacv2")
    answer = await project.submit("pm", form, {"name": "Web shop", "key": "web"}, room="shop")
    inputs = {i["id"]: i for i in inputs_of(answer)}
    assert "WEB is already the key of project Website" in inputs["key"]["errorMessage"]
    assert "already" not in inputs["name"].get("errorMessage", "")
