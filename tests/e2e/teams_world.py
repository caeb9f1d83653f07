"""A person's-eye driver for Teams: @mention the bot, fill the form card, press card buttons."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from tests.e2e.fake_connector import Call, FakeConnector
from tests.e2e.slack_checks import row_counts as rows_but
from tests.e2e.teams_client import (
    Chat,
    TeamsRequests,
    card_action,
    channel,
    installation_update,
    personal,
)
from tests.e2e.teams_client import mention as mention_activity
from tests.e2e.teams_client import message as message_activity

Json = dict[str, Any]
# Bookkeeping a refused request may still do: the conversations and inbound events seen.
BOOKKEEPING = frozenset({"teams_conversations", "teams_members", "inbound_events"})
PEOPLE = {"pm": "aad-pam", "alice": "aad-alice", "carol": "aad-carol", "sam": "aad-sam",
          "mo": "aad-mo"}  # fmt: skip


def cards_in(call: Call) -> list[Json]:
    return [
        a["content"]
        for a in call.body.get("attachments", [])
        if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
    ]


def actions_of(node: Any) -> list[Json]:
    """Every Action.Execute anywhere in a card (ShowCards and containers included)."""
    found: list[Json] = []
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute":
            found.append(node)
        for value in node.values():
            found += actions_of(value)
    elif isinstance(node, list):
        for value in node:
            found += actions_of(value)
    return found


def inputs_of(node: Any) -> list[Json]:
    """Every Input.* element anywhere in a card."""
    found: list[Json] = []
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Input."):
            found.append(node)
        for value in node.values():
            found += inputs_of(value)
    elif isinstance(node, list):
        for value in node:
            found += inputs_of(value)
    return found


@dataclass
class Teams:
    requests: TeamsRequests
    connector: FakeConnector
    app: FastAPI

    def chat(self, who: str) -> Chat:
        return personal(
            self.connector.service_url, PEOPLE[who], user_name=who.title(), time_zone="Europe/Paris"
        )

    def room(self, who: str = "pm", name: str = "web") -> Chat:
        chat = channel(self.connector.service_url, name)
        return chat.as_user(PEOPLE[who], who.title(), "Europe/Paris")

    async def settle(self) -> None:
        sender = self.app.state.runtime.sender
        await sender.drain()
        await sender.deliver_pending()

    async def install(self, *people: str, room: str = "web") -> None:
        await self.requests.send(installation_update(self.room(name=room)))
        for who in people:
            assert (await self.requests.send(installation_update(self.chat(who)))).status_code < 300

    async def mention(self, who: str, text: str, room: str = "web") -> None:
        response = await self.requests.send(mention_activity(self.room(who, room), text))
        assert response.status_code < 300, response.text
        await self.settle()

    async def say(self, who: str, text: str) -> None:
        response = await self.requests.send(message_activity(self.chat(who), text))
        assert response.status_code < 300, response.text
        await self.settle()

    def last_card(self, conversation: str) -> Json:
        posts = [c for c in self.connector.calls if c.conversation_id == conversation]
        for call in reversed(posts):
            if cards_in(call):
                return cards_in(call)[-1]
        raise AssertionError(f"no card in {conversation}")

    def last_text(self, conversation: str) -> str:
        return json.dumps(
            [c.body for c in self.connector.calls if c.conversation_id == conversation][-1:]
        )

    async def invoke(
        self,
        who: str,
        verb: str,
        data: Json,
        *,
        in_room: bool = False,
        activity_id: str | None = None,
        room: str = "web",
    ) -> Json:
        chat = self.room(who, room) if in_room else self.chat(who)
        activity = card_action(chat, verb, data)
        if activity_id:
            activity["id"] = activity_id
        response = await self.requests.send(activity)
        assert response.status_code == 200, response.text
        await self.settle()
        body: Json = response.json()
        return body

    async def submit(
        self, who: str, form: Json, values: Json, *, in_room: bool = True, room: str = "web"
    ) -> Json:
        """Submit a form card with `values` by input id, over the inputs' initial values
        (Teams sends every input's value along with the action's data)."""
        submit = actions_of(form)[-1]
        initial = {i["id"]: i["value"] for i in inputs_of(form) if "value" in i}
        data = {**submit["data"], **initial, **values}
        return await self.invoke(who, "submit_form", data, in_room=in_room, room=room)

    async def press(
        self, who: str, conversation: str, verb: str, text: str = "", contains: str = ""
    ) -> Json:
        card = self.last_card_with(conversation, contains)
        action = next(a for a in actions_of(card) if a["verb"] == verb)
        data = dict(action["data"])
        if text:
            data[data.get("input", "text")] = text
        return await self.invoke(who, verb, data)

    def last_card_with(self, conversation: str, contains: str) -> Json:
        for call in reversed(
            [c for c in self.connector.calls if c.conversation_id == conversation]
        ):
            for card in cards_in(call):
                if contains in json.dumps(card, ensure_ascii=False):
                    return card
        raise AssertionError(f"no card with {contains!r} in {conversation}")


ROOM = "19:web@thread.tacv2"


async def set_up_project(world: Teams) -> Teams:
    """WEB in the channel: Alice external, Carol internal, Sam sponsor, Mo member."""
    await world.install("pm", "alice", "carol", "sam", "mo")
    await world.mention("pm", "new")
    form = world.last_card(ROOM)
    answer = await world.submit("pm", form, {
        "name": "Website", "key": "WEB", "customers_internal": PEOPLE["carol"],
        "customers_external": PEOPLE["alice"], "sponsor": PEOPLE["sam"],
        "members": PEOPLE["mo"], "checkin_day": "2", "checkin_time": "09:30"})  # fmt: skip
    assert "Project WEB is set up" in json.dumps(answer), answer
    return world


async def row_counts(app: FastAPI) -> dict[str, int]:
    """Rows per table but the Teams bookkeeping: to show a refusal wrote nothing."""
    return await rows_but(app, BOOKKEEPING)
