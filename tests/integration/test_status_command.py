"""`clientloop status` as a process: who sends, the outbox, the next check-ins, its exit code."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap import Runtime, bootstrap
from tests.integration.cli_process import run
from tests.integration.delivery_helpers import PM
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.domain.views import Outgoing, Recipient, View, ViewKind
from workflow.flows.projects.messages import CreateProject
from workflow.persistence import presence
from workflow.persistence.db import upgrade_async
from workflow.persistence.outbox_store import OutboxStore
from workflow.persistence.presence import Seen

HEARTBEAT = 10.0  # processes shown for 100 s, alive while heard from within 31 s
WEDNESDAY, TEN = 2, clock_time(10, 0)
ZONES = {"WEB": ("Asia/Tokyo", "America/New_York"), "APP": ("Europe/Berlin",)}
LATER = 2  # notes waiting for a later slot


@dataclass(frozen=True)
class Database:
    url: str
    sender: Seen
    standby: Seen
    silent: Seen
    due: int


@asynccontextmanager
async def runtime_on(url: str) -> AsyncIterator[Runtime]:
    runtime = bootstrap(url, deliver_after_commit=False)
    try:
        yield runtime
    finally:
        await runtime.close()


def process(host: str, pid: int, role: str, silent_for: float, *, sending: bool) -> Seen:
    now = datetime.now(UTC)
    seen_at = now - timedelta(seconds=silent_for)
    return Seen(f"id-{host}", host, pid, role, now - timedelta(hours=2), seen_at, sending)


async def create_project(rt: Runtime, key: str, customers: list[PersonRef]) -> int:
    reply = await rt.bus.handle(
        CreateProject(
            actor=PM, at=datetime.now(UTC), platform=Platform.SLACK, workspace_id="T1",
            channel_id=f"C{key}", name=f"Project {key}", key=key,
            customers=tuple((c, CustomerKind.INTERNAL) for c in customers),
            checkin_day=WEDNESDAY, checkin_time=TEN,
        )
    )  # fmt: skip
    assert reply.subject_id is not None, reply
    return reply.subject_id


def customers_in(key: str) -> list[PersonRef]:
    """Two customers in each of the project's zones."""
    return [
        PersonRef(Identity(Platform.SLACK, "T1", f"U{key}{z}{n}"), f"Customer {n}", zone)
        for z, zone in enumerate(ZONES[key])
        for n in range(2)
    ]


async def fill_outbox(rt: Runtime, project: int) -> int:
    """One row given up, one being sent, LATER notes for later; returns how many are due."""
    store, now = OutboxStore(rt.sessions, rt.read_sessions), datetime.now(UTC)
    async with rt.uow() as uow:
        for n in range(LATER):
            view = View(ViewKind.INFO, f"Note {n}")
            await uow.outbox.put(
                Outgoing(Recipient(project_id=project), view), now + timedelta(hours=1)
            )
        await uow.commit()
    [given_up] = await store.claim(now, 1, 600)
    assert await store.mark_undeliverable(given_up.id, now, "channel archived")
    assert len(await store.claim(now, 1, 600)) == 1
    due = await store.pending_count() - LATER - 1
    assert due > 0, "CreateProject queued its welcome messages"
    return due


@pytest.fixture
async def database(sqlite_url: str) -> Database:
    await upgrade_async(sqlite_url)
    sender = process("host-a", 101, "serve", 1, sending=True)
    standby = process("host-b", 202, "scheduler", 2, sending=False)
    silent = process("host-c", 303, "serve", 70, sending=True)  # killed: its row still says so
    gone = process("host-d", 404, "serve", 300, sending=False)  # older than the window shown
    async with runtime_on(sqlite_url) as rt:
        for seen in (sender, standby, silent, gone):
            await presence.beat(rt.sessions, seen)
        web = await create_project(rt, "WEB", customers_in("WEB"))
        await create_project(rt, "APP", customers_in("APP"))
        due = await fill_outbox(rt, web)
    return Database(sqlite_url, sender, standby, silent, due)


def status(tmp_path: Path, url: str, *args: str) -> tuple[int, str]:
    done = run(
        tmp_path, "status", *args, DATABASE_URL=url, CLIENTLOOP_HEARTBEAT_SECONDS=str(HEARTBEAT)
    )
    assert done.stderr == "", done.stderr
    return done.returncode, done.stdout


def zoned() -> list[tuple[str, str]]:
    """Each (project, zone) with customers in it."""
    return [(key, zone) for key, zones in ZONES.items() for zone in zones]


def next_ten_on_wednesday(zone: str, after: datetime) -> datetime:
    local = after.astimezone(ZoneInfo(zone))
    for days in range(8):
        moment = datetime.combine(local.date() + timedelta(days=days), TEN, ZoneInfo(zone))
        if moment.weekday() == WEDNESDAY and moment > after:
            return moment.astimezone(UTC)
    raise AssertionError("a Wednesday comes within a week")


def process_line(text: str, seen: Seen) -> str:
    [line] = [line for line in text.splitlines() if line.startswith(f"  {seen.host} ")]
    assert f"pid {seen.pid} " in line and seen.role in line
    return line


def test_status_names_the_sender_marks_the_silent_process_and_exits_0(
    tmp_path: Path, database: Database
) -> None:
    code, text = status(tmp_path, database.url)

    assert code == 0, text
    assert "Sender: host-a pid 101 (serve)" in text.splitlines()
    assert process_line(text, database.sender).endswith("<- sends")
    assert process_line(text, database.silent).endswith("(silent: stopped?)")
    standby = process_line(text, database.standby)
    assert "sends" not in standby and "silent" not in standby
    assert "host-d" not in text


def test_status_counts_the_outbox_by_what_happens_to_each_row(
    tmp_path: Path, database: Database
) -> None:
    _, text = status(tmp_path, database.url)

    [outbox] = [line for line in text.splitlines() if line.startswith("Outbox: ")]
    assert outbox.startswith(f"Outbox: {database.due} due (oldest due ")
    assert outbox.endswith(
        f", 1 being sent, {LATER} waiting for a later slot; 1 undeliverable in the last day"
    )


def test_status_lists_each_zones_next_checkin_in_time_order(
    tmp_path: Path, database: Database
) -> None:
    _, text = status(tmp_path, database.url, "--format", "json")
    now = datetime.fromisoformat(json.loads(text)["now"])
    _, text = status(tmp_path, database.url)

    lines = text.splitlines()
    shown = lines[lines.index("Next check-ins (UTC; each customer's own day and time):") + 1 :]
    expected = sorted((next_ten_on_wednesday(zone, now), key, zone) for key, zone in zoned())
    assert shown == [
        f"  {at:%a %Y-%m-%d %H:%M}  {key:<10} Wed 10:00 {zone}, 2 customers"
        for at, key, zone in expected
    ]


def test_status_as_json_says_what_the_text_says(tmp_path: Path, database: Database) -> None:
    _, text = status(tmp_path, database.url)
    code, out = status(tmp_path, database.url, "--format", "json")
    found: dict[str, Any] = json.loads(out)

    assert code == 0
    assert found["sender"] == {"host": "host-a", "pid": 101, "role": "serve"}
    alive = {p["host"]: (p["alive"], p["sending"]) for p in found["processes"]}
    assert alive == {"host-a": (True, True), "host-b": (True, False), "host-c": (False, True)}
    outbox = {k: found["outbox"][k] for k in ("due", "in_flight", "later")}
    assert outbox == {"due": database.due, "in_flight": 1, "later": LATER}
    assert found["outbox"]["undeliverable_last_day"] == 1
    checkins = [(c["project"], c["zone"], c["day"], c["time"]) for c in found["next_checkins"]]
    assert sorted(checkins) == sorted((key, zone, "Wed", "10:00") for key, zone in zoned())
    at_times = [datetime.fromisoformat(c["at"]) for c in found["next_checkins"]]
    assert at_times == sorted(at_times)
    assert all(f"{at:%a %Y-%m-%d %H:%M}" in text for at in at_times)


async def test_status_exits_1_when_no_live_process_sends(
    tmp_path: Path, database: Database
) -> None:
    async with runtime_on(database.url) as rt:
        await presence.leave(rt.sessions, database.sender.id)  # the sender stopped cleanly

    code, text = status(tmp_path, database.url)
    json_code, out = status(tmp_path, database.url, "--format", "json")

    assert code == json_code == 1, text
    assert "Sender: none (no process holds the sender's turn; nothing is delivered)" in text
    assert process_line(text, database.silent).endswith("(silent: stopped?)")
    assert json.loads(out)["sender"] is None
