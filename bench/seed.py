"""Seeds the running `clientloop serve` as a PM would: `/loop new` and its modal, then change
requests through `/loop change`, and harvests the Approve buttons the customers were sent."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from bench import signed
from bench.fake_api import FakeSlackApi

Json = dict[str, Any]
Button = tuple[Json, str, str]  # the button element, the customer, the message ts


class SeedFailed(Exception):
    """Slack would have shown the PM an error for this step."""


async def post(http: httpx.AsyncClient, secret: str, body: bytes) -> httpx.Response:
    response = await http.post("/slack/events", content=body, headers=signed.headers(secret, body))
    if response.status_code != 200:
        raise SeedFailed(f"HTTP {response.status_code}: {response.text[:200]}")
    return response


async def modal(fake: FakeSlackApi, trigger: str, seconds: float = 10.0) -> Json:
    """The modal views.open got for this trigger (it is opened after the ack)."""
    deadline = time.monotonic() + seconds
    while trigger not in fake.views:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no views.open for {trigger}")
        await asyncio.sleep(0.01)
    return fake.views[trigger]


async def form(http: httpx.AsyncClient, fake: FakeSlackApi, secret: str, text: str,
               trigger: str, values: Json) -> None:  # fmt: skip
    """Type `/loop <text>` as the PM in the channel, then submit the modal with `values`."""
    rid = trigger + ".r"
    await post(http, secret, signed.command(text, "UPM", "C0001", fake.response_url(rid), trigger))
    view = await modal(fake, trigger)
    response = await post(http, secret, signed.submission(view, values, "UPM", f"V{trigger}"))
    if response.text not in ("", "null"):
        raise SeedFailed(f"/loop {text} refused: {response.text[:200]}")


async def project(http: httpx.AsyncClient, fake: FakeSlackApi, secret: str,
                  customers: list[str]) -> None:  # fmt: skip
    values = {"name": "Bench", "key": "BEN", "customers_internal": [],
              "customers_external": customers, "sponsor": "USPONSOR", "members": [],
              "checkin_day": "2", "checkin_time": "09:30"}  # fmt: skip
    await form(http, fake, secret, "new", "seed.new", values)
    # A modal is acknowledged before it is carried out: the project exists once its card
    # is posted in the channel, and only then may change requests be asked for there.
    deadline = time.monotonic() + 10.0
    while not any(m.get("channel") == "C0001" for m in fake.messages):
        if time.monotonic() > deadline:
            raise SeedFailed("the project card never reached the channel")
        await asyncio.sleep(0.02)


async def changes(http: httpx.AsyncClient, fake: FakeSlackApi, secret: str, count: int,
                  parallel: int = 4) -> list[str]:  # fmt: skip
    """Create `count` change requests, `parallel` PMs at a time; returns the failures."""
    gate = asyncio.Semaphore(parallel)
    failures: list[str] = []

    async def one(n: int) -> None:
        async with gate:
            try:
                await form(http, fake, secret, "change", f"seed.change.{n}", {
                "title": f"Change {n}", "description": "Bench change", "schedule_days": "1",
                "cost": "100", "reason": "Bench"})  # fmt: skip
            except (SeedFailed, RuntimeError) as exc:
                failures.append(f"change {n}: {exc}")

    await asyncio.gather(*(one(n) for n in range(count)))
    return failures


def approve_buttons(fake: FakeSlackApi, customers: set[str]) -> list[Button]:
    """The newest Approve button of each change request in each customer's DM."""
    found: dict[tuple[str, str], Button] = {}
    for message in fake.messages:
        user = str(message.get("channel", ""))
        if user not in customers:
            continue
        blocks = message.get("blocks")
        for block in json.loads(blocks) if isinstance(blocks, str) else blocks or []:
            for element in block.get("elements", []) if block.get("type") == "actions" else []:
                if element.get("action_id") == "cl.approve":
                    found[(user, element["value"])] = (element, user, str(message["ts"]))
    return list(found.values())


async def harvest(fake: FakeSlackApi, customers: list[str], expected: int,
                  seconds: float = 60.0) -> list[Button]:  # fmt: skip
    """Wait for the outbox to deliver the DMs, then interleave the buttons by change request,
    so 16 concurrent clicks are on different change requests."""
    deadline = time.monotonic() + seconds
    buttons = approve_buttons(fake, set(customers))
    while len(buttons) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        buttons = approve_buttons(fake, set(customers))
    by_user: dict[str, list[Button]] = {}
    for b in buttons:
        by_user.setdefault(b[1], []).append(b)
    ordered: list[Button] = []
    for user in customers:
        ordered.extend(by_user.get(user, []))
    return ordered
