"""Issue 12, items 2, 3 and 5: people in Teams as a real tenant shows them. Refresh lists
their MRIs, the automatic refresh is answered with their card, and names (from their
activities, else from the conversation's members) stand wherever a person is shown."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.e2e.teams_client import Chat, card_action, channel, installation_update, mention
from tests.e2e.teams_client import personal as personal_chat
from tests.e2e.teams_world import Teams, actions_of, inputs_of

Json = dict[str, Any]
ROOM = "19:web@thread.tacv2"
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
AAD = {
    "pm": "0c4b1e2a-6f1d-4c1e-9a51-3f2d7e8a9b01",
    "alice": "7aacd45e-5c1e-4b3a-9d2f-1e2d3c4b5a61",
    "carol": "71adb1a8-2b3c-4d5e-8f90-a1b2c3d4e5f6",
    "sam": "5e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b",
    "mo": "3d2c1b0a-9f8e-4d7c-b6a5-948372615a0b",
    "zed": "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
}
# What the connector knows of people whose own activities carried no name.
DIRECTORY = {"carol": "Carol Chen", "sam": "Sam Sponsor", "mo": "Mo Member"}


def mri(who: str) -> str:
    """A person's MRI, opaque as Teams makes them (no GUID in it)."""
    return "29:1" + AAD[who].replace("-", "")[::-1]


def txt(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def dm(who: str) -> str:
    return f"a:1personal-{AAD[who]}"


def as_teams_sends(activity: Json, who: str, name: str | None) -> Json:
    """The activity from `who` as a tenant sends it: their MRI, their name when Teams gave one."""
    activity["from"] = {"id": mri(who), "aadObjectId": AAD[who]} | ({"name": name} if name else {})
    return activity


class Tenant:
    """WEB in a tenant: the PM and Alice were seen with names, Carol, Sam and Zed installed
    the app without one, Mo never did; the connector knows Carol, Sam and Mo."""

    def __init__(self, world: Teams) -> None:
        self.world = world
        self.names = {"pm": "Pam Manager", "alice": "Alice Ambrose"}

    def room(self, who: str) -> Chat:
        chat = channel(self.world.connector.service_url, "web")
        return chat.as_user(AAD[who], self.names.get(who, ""), "Europe/Paris")

    def chat(self, who: str) -> Chat:
        return personal_chat(self.world.connector.service_url, AAD[who], time_zone="Europe/Paris")

    async def send(self, activity: Json, who: str) -> Json:
        response = await self.world.requests.send(
            as_teams_sends(activity, who, self.names.get(who))
        )
        assert response.status_code == 200, response.text
        await self.world.settle()
        return response.json() if response.content else {}

    async def set_up(self) -> None:
        for who, name in DIRECTORY.items():
            self.world.connector.add_member(AAD[who], name, mri(who))
        await self.send(installation_update(self.room("pm")), "pm")
        for who in ("pm", "alice", "carol", "sam", "zed"):
            await self.send(installation_update(self.chat(who)), who)
        await self.send(mention(self.room("pm"), "new"), "pm")
        form = self.world.last_card(ROOM)
        values = {
            "name": "Website", "key": "WEB", "customers_external": AAD["alice"],
            "customers_internal": f"{AAD['carol']},{AAD['zed']}", "sponsor": AAD["sam"],
            "members": AAD["mo"], "checkin_day": "2", "checkin_time": "09:30",
        }  # fmt: skip
        answer = await self.submit("pm", form, values)
        assert "Project WEB is set up" in txt(answer), answer

    async def submit(self, who: str, form: Json, values: Json) -> Json:
        submit = actions_of(form)[-1]
        initial = {i["id"]: i["value"] for i in inputs_of(form) if "value" in i}
        data = {**submit["data"], **initial, **values}
        return await self.send(card_action(self.room(who), "submit_form", data), who)

    async def change(self) -> Json:
        """A change request, as the card posted in the channel."""
        await self.send(mention(self.room("pm"), "change"), "pm")
        values = {"title": "Dark mode", "schedule_days": "3", "cost": "1200", "reason": "Asked"}
        await self.submit("pm", self.world.last_card(ROOM), values)
        return self.world.last_card_with(ROOM, "Dark mode")

    def shown(self) -> str:
        """Everything the connector received that a person reads: cards and texts, without
        the addressing (refresh.userIds, action data, picker values)."""
        return txt([_readable(call.body) for call in self.world.connector.calls])


def _readable(node: Any) -> Any:
    """`node` without what Teams only uses to address people and actions."""
    hidden = {"refresh", "data", "recipient", "from", "conversation", "id", "replyToId"}
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Input."):
            hidden |= {"value"}  # a picker's value is ids; it shows its choices' titles
        kept = {k: _readable(v) for k, v in node.items() if k not in hidden}
        if isinstance(node.get("choices"), list):
            kept["choices"] = [c.get("title") for c in node["choices"] if isinstance(c, dict)]
        return kept
    if isinstance(node, list):
        return [_readable(v) for v in node]
    return node


@pytest.fixture
async def tenant(teams_world: Teams) -> Tenant:
    tenant = Tenant(teams_world)
    await tenant.set_up()
    return tenant


async def test_refresh_lists_the_mris_of_the_people_who_may_act(tenant: Tenant) -> None:
    card = await tenant.change()
    # Zed was never seen with an MRI and the connector does not know them: left out.
    assert set(card["refresh"]["userIds"]) == {mri("alice"), mri("carol"), mri("sam")}
    approve = next(a for a in actions_of(tenant.world.last_card_with(dm("alice"), "Dark mode"))
                   if a["verb"] == "approve")  # fmt: skip
    answer = await tenant.send(
        card_action(tenant.chat("alice"), "approve", approve["data"]), "alice"
    )
    assert set(answer["value"]["refresh"]["userIds"]) == {mri("carol"), mri("sam")}


async def test_the_automatic_refresh_is_answered_with_that_persons_card(tenant: Tenant) -> None:
    card = await tenant.change()
    invoke = card_action(tenant.room("carol"), "refresh", card["refresh"]["action"]["data"])
    invoke["value"]["trigger"] = "automatic"
    answer = await tenant.send(invoke, "carol")
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    verbs = {a["verb"] for a in actions_of(answer["value"])}
    assert {"approve", "reject"} <= verbs, verbs
    member = card_action(tenant.room("mo"), "refresh", card["refresh"]["action"]["data"])
    member["value"]["trigger"] = "automatic"
    seen_by_mo = await tenant.send(member, "mo")
    assert "approve" not in {a["verb"] for a in actions_of(seen_by_mo.get("value"))}


async def test_people_picked_by_aad_id_are_shown_by_name_everywhere(tenant: Tenant) -> None:
    await tenant.change()
    project = txt(tenant.world.last_card_with(ROOM, "WEB · Website"))
    for name in ("Pam Manager", "Alice Ambrose", "Carol Chen", "Sam Sponsor", "Mo Member"):
        assert name in project, name
    assert "Hello Carol Chen!" in txt(tenant.world.last_card_with(dm("carol"), "Welcome to WEB"))
    assert "Hello Alice Ambrose!" in txt(tenant.world.last_card_with(dm("alice"), "Welcome"))
    waiting = txt(tenant.world.last_card_with(ROOM, "Dark mode"))
    assert "Waiting on" in waiting and "Sam Sponsor" in waiting and "Carol Chen" in waiting
    assert not GUID.findall(tenant.shown()), GUID.findall(tenant.shown())
    looked_up = {user for _, user in tenant.world.connector.member_lookups}
    assert AAD["alice"] not in looked_up  # her name came with her own activities


async def test_someone_never_seen_and_unknown_to_the_connector_is_a_customer(
    tenant: Tenant,
) -> None:
    await tenant.change()
    project = tenant.world.last_card_with(ROOM, "WEB · Website")
    customers = next(f["value"] for f in _facts(project) if f["title"] == "Customers")
    assert "a customer" in customers and "Carol Chen" in customers, customers
    welcome = txt(tenant.world.last_card_with(dm("zed"), "Welcome to WEB"))
    assert "Hello! I keep you in the loop" in welcome, welcome
    assert AAD["zed"] not in tenant.shown()


def _facts(card: Json) -> list[Json]:
    found: list[Json] = []
    for block in card.get("body", []):
        found += block.get("facts", []) if block.get("type") == "FactSet" else []
    return found
