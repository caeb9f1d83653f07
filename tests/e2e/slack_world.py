"""A person's-eye driver for Slack flows: type /loop, fill the modal Slack shows, click buttons."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from tests.e2e.fake_slack import Call, FakeSlack
from tests.e2e.slack_client import SlackRequests

Json = dict[str, Any]
PM, ALICE, CAROL, SAM, MO = "UPM", "UALICE", "UCAROL", "USAM", "UMO"
CUSTOMER_TEAM = "TCUST"


def _state(element: Json, value: Any) -> Json:
    kind = element["type"]
    if kind == "datepicker":
        return {"type": kind, "selected_date": value or None}
    if kind == "timepicker":
        return {"type": kind, "selected_time": value or None}
    if kind == "static_select":
        return {"type": kind, "selected_option": {"value": value} if value else None}
    if kind == "users_select":
        return {"type": kind, "selected_user": value or None}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(value or [])}
    if kind == "checkboxes":
        return {"type": kind, "selected_options": [{"value": "yes"}] if value else []}
    return {"type": kind, "value": value}


def _initial(element: Json) -> Any:
    for key in ("initial_value", "initial_date", "initial_time"):
        if key in element:
            return element[key]
    if "initial_option" in element:
        return element["initial_option"]["value"]
    if "initial_user" in element:
        return element["initial_user"]
    if "initial_users" in element:
        return element["initial_users"]
    if "initial_options" in element:  # a checkbox that starts ticked
        return True
    return None


@dataclass
class Slack:
    """What people do in Slack, and what the app did in return (as the fake recorded it)."""

    requests: SlackRequests
    fake: FakeSlack
    app: FastAPI

    async def settle(self) -> None:
        """Let Bolt's listeners (they run after the ack) and the outbox finish their work.

        Done when the fake has seen no new call for three short looks in a row.
        """
        sender = self.app.state.runtime.sender
        seen, quiet = -1, 0
        for _ in range(250):
            await sender.drain()
            await sender.deliver_pending()
            count = len(self.fake.calls)
            quiet = quiet + 1 if count == seen else 0
            if quiet >= 3:
                return
            seen = count
            await asyncio.sleep(0.02)

    async def until(self, method: str, count: int = 1, seconds: float = 30.0) -> Call:
        """Wait for Bolt's background listeners (events run after the ack) to call `method`."""
        for _ in range(int(seconds / 0.02)):
            if len(self.fake.calls_of(method)) >= count:
                return self.fake.calls_of(method)[count - 1]
            await asyncio.sleep(0.02)
        raise AssertionError(f"{method} was not called {count} time(s) in {seconds} s")

    async def loop(self, user: str, text: str = "", **kw: Any) -> httpx.Response:
        response = await self.requests.command(text, user=user, **kw)
        assert response.status_code == 200, response.text
        if response.content:
            # An answer in the acknowledgement is shown to the person like a response_url post.
            self.fake.calls.append(Call("ack", dict(response.json()), None))
        await self.settle()
        return response

    def modal(self) -> Json:
        """The last modal Slack was asked to open."""
        view = self.fake.last("views.open").params["view"]
        return json.loads(view) if isinstance(view, str) else dict(view)

    async def fill(
        self, user: str, values: Json | None = None, *, user_team: str | None = None, **kw: Any
    ) -> httpx.Response:
        """Submit the last opened modal with `values` (by field name) over its initial ones;
        `kw` go to SlackRequests.submit (`view_id`, `view_hash`)."""
        view = self.modal()
        state: Json = {}
        for block in view["blocks"]:
            if block.get("type") != "input":
                continue
            element, name = block["element"], block["block_id"]
            value = (values or {}).get(name, _initial(element))
            state[name] = {element["action_id"]: _state(element, value)}
        response = await self.requests.submit(
            view["callback_id"],
            state,
            private_metadata=view["private_metadata"],
            user=user,
            user_team=user_team,
            **kw,
        )
        await self.settle()
        return response

    def posts(self, conversation: str) -> list[Call]:
        """Messages posted to a channel id, or as a DM to a user id."""
        return [
            c
            for c in self.fake.calls_of("chat.postMessage")
            if c.params.get("channel") == conversation
        ]

    def text_of(self, call: Call) -> str:
        blocks = call.params.get("blocks")
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks or []
        return json.dumps(blocks) + str(call.params.get("text", ""))

    def button(self, conversation: str, verb: str, contains: str = "") -> tuple[str, str, str]:
        """(action_id, value, message ts) of the newest `verb` button in that conversation."""
        for call in reversed(self.posts(conversation)):
            if contains and contains not in self.text_of(call):
                continue
            blocks = call.params.get("blocks")
            for block in json.loads(blocks) if isinstance(blocks, str) else blocks or []:
                for element in block.get("elements", []) if block.get("type") == "actions" else []:
                    if element["action_id"] == f"cl.{verb}":
                        return (
                            element["action_id"],
                            element["value"],
                            str(call.params.get("ts", "")),
                        )
        raise AssertionError(f"no {verb} button in {conversation}: {self.posts(conversation)}")

    async def press(
        self,
        user: str,
        conversation: str,
        verb: str,
        contains: str = "",
        *,
        user_team: str | None = None,
        channel: str | None = None,
    ) -> httpx.Response:
        action_id, value, _ = self.button(conversation, verb, contains)
        response = await self.requests.click(
            action_id, value, user=user, user_team=user_team, channel=channel or conversation
        )
        assert response.status_code == 200, response.text
        await self.settle()
        return response

    def said_privately(self) -> list[str]:
        """Everything said only to the person: answers in a command's acknowledgement,
        response_url posts and ephemeral messages."""
        private = ("ack", "response_url", "chat.postEphemeral")
        return [str(c.params.get("text", "")) for c in self.fake.calls if c.method in private]

    def last_private(self) -> str:
        said = self.said_privately()
        assert said, "nothing was said privately"
        return said[-1]


async def change_request(project: Slack, title: str = "Dark mode") -> None:
    await project.loop(PM, "change")
    await project.fill(
        PM,
        {
            "title": title,
            "description": "Add a dark theme",
            "schedule_days": "3",
            "cost": "1200",
            "reason": "Customer ask",
        },
    )


async def set_up_project(world: Slack) -> Slack:
    """WEB in C0001: Alice is an external customer from her own org (Slack Connect)."""
    world.fake.add_user(ALICE, team_id=CUSTOMER_TEAM, tz="America/New_York", real_name="Alice")
    for user, name in ((PM, "Pam"), (CAROL, "Carol"), (SAM, "Sam"), (MO, "Mo")):
        world.fake.add_user(user, real_name=name)
    await world.loop(PM, "new")
    assert world.modal()["callback_id"] == "cl_form:new_project"
    response = await world.fill(PM, {
        "name": "Website", "key": "WEB", "customers_internal": [CAROL],
        "customers_external": [ALICE], "sponsor": SAM, "members": [MO],
        "checkin_day": "2", "checkin_time": "09:30"})  # fmt: skip
    assert response.status_code == 200 and response.text in ("", "null"), response.text
    return world
