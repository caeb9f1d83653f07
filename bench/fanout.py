"""The fan-out stage: `/loop checkin now` to 500 customers on the real `clientloop serve`,
against the fake Slack Web API enforcing chat.postMessage's limits (per channel and per
workspace, 429 with Retry-After), counted per customer from what the fake accepted.

Seeding: `/loop new` with the first customers, as a PM would, on a server with raised
limits; the other customers are then added by bulk INSERT, copies of a real customer's rows
(a `/loop new` modal with 500 people is not acknowledged within Slack's 3 s: see the
README). The measured server is a fresh process on the same database, paced at the very
limits the fake enforces.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import seed, signed
from bench.fake_api import FakeSlackApi, Limits
from bench.live import BIN, CHANNEL, PM, TOKEN, base_env, keep_logs
from bench.paths import SECRET
from bench.procs import Child, free_port

CUSTOMERS = 500
LIMITS = Limits()  # Slack's documented defaults, and clientloop's (CLIENTLOOP_SLACK_*)
CHECKIN_MARK = "Weekly check-in"
SEED_SECONDS = 60.0
BY_FORM = 20  # customers added through `/loop new`; the rest by INSERT
AFTER_LAST = 3.0  # keep listening this long after the last customer got theirs (doubles)


@dataclass(frozen=True)
class FanoutFigures:
    customers: int
    answer_seconds: float | None  # from the command to the PM's reply
    first_seconds: float | None  # from the command to the first check-in Slack accepted
    all_seconds: float | None  # from the command to the last customer's first check-in
    floor_seconds: float  # the least time the limits allow for these messages
    lost: int  # customers without a check-in at the end
    doubled: int  # customers who got more than one
    refused: int  # posts Slack answered 429
    answer: str
    seed_seconds: float

    @property
    def ratio(self) -> float | None:
        return (
            self.all_seconds / self.floor_seconds
            if self.all_seconds and self.floor_seconds
            else None
        )


def customers(count: int) -> list[str]:
    return [f"UF{n:04d}" for n in range(count)]


def server_env(fake: FakeSlackApi, work: Path, port: int, limits: Limits | None) -> dict[str, str]:
    """clientloop's settings; without `limits`, raised so seeding is not paced."""
    high = Limits(100_000, 100_000, 10_000_000, 100_000)
    pace = limits or high
    return {**base_env(), "DATABASE_URL": f"sqlite+aiosqlite:///{work / 'fanout.db'}",
            "SLACK_SIGNING_SECRET": SECRET, "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": fake.api_url, "PORT": str(port), "HOST": "127.0.0.1",
            "CLIENTLOOP_SLACK_PER_CHANNEL_PER_SECOND": str(pace.per_channel),
            "CLIENTLOOP_SLACK_CHANNEL_BURST": str(pace.channel_burst),
            "CLIENTLOOP_SLACK_PER_WORKSPACE_PER_MINUTE": str(pace.per_workspace_per_minute),
            "CLIENTLOOP_SLACK_WORKSPACE_BURST": str(pace.workspace_burst)}  # fmt: skip


def serve(env: dict[str, str], work: Path, port: int, name: str) -> Child:
    argv = [str(BIN / "clientloop"), "serve", "--no-scheduler"]
    return Child(argv, env, work / f"{name}.log", port, work)


async def upgrade(env: dict[str, str], work: Path) -> None:
    quiet = asyncio.subprocess.DEVNULL
    proc = await asyncio.create_subprocess_exec(
        str(BIN / "clientloop"), "db", "upgrade", env=env, cwd=work, stdout=quiet, stderr=quiet
    )
    if await asyncio.wait_for(proc.wait(), 120) != 0:
        raise RuntimeError("clientloop db upgrade failed")


async def seed_project(fake: FakeSlackApi, work: Path, people: list[str]) -> float:
    """`/loop new` with the first customers on a server with raised limits, until their
    welcome DMs are out, then the others by INSERT; returns the seconds it took."""
    started, port = time.monotonic(), free_port()
    env = server_env(fake, work, port, None)
    await upgrade(env, work)
    child = serve(env, work, port, "fanout-seed")
    await asyncio.to_thread(child.start)
    try:
        async with httpx.AsyncClient(base_url=child.base_url, timeout=120) as http:
            await seed.project(http, fake, SECRET, people[:BY_FORM])
        wanted, deadline = set(people[:BY_FORM]), time.monotonic() + SEED_SECONDS
        while not wanted <= {str(m.get("channel", "")) for m in fake.messages}:
            if time.monotonic() > deadline:
                raise RuntimeError("the welcome DMs of the seeding did not all arrive")
            await asyncio.sleep(0.25)
    finally:
        child.stop()
    await asyncio.to_thread(add_customers, work / "fanout.db", people[BY_FORM:])
    return time.monotonic() - started


def add_customers(database: Path, user_ids: list[str]) -> None:
    """More customers of the one project, each a copy of the first customer's person and
    participant rows with its own Slack user id."""
    with sqlite3.connect(database) as db:
        db.row_factory = sqlite3.Row
        model = db.execute(
            "SELECT p.*, pa.project_id, pa.role, pa.customer_kind FROM participants pa "
            "JOIN people p ON p.id = pa.person_id WHERE pa.role = 'customer' LIMIT 1"
        ).fetchone()
        for user_id in user_ids:
            person = db.execute(
                "INSERT INTO people (platform, org_id, user_id, display_name, timezone) "
                "VALUES (?, ?, ?, ?, ?)",
                (model["platform"], model["org_id"], user_id, user_id, model["timezone"]),
            ).lastrowid
            db.execute(
                "INSERT INTO participants (project_id, person_id, role, customer_kind) "
                "VALUES (?, ?, ?, ?)",
                (model["project_id"], person, model["role"], model["customer_kind"]),
            )


@dataclass(frozen=True)
class Answered:
    """The PM's answer when it came in the command's acknowledgement (monotonic time)."""

    at: float
    text: str


def in_ack(response: httpx.Response, at: float) -> Answered | None:
    text = str(response.json().get("text") or "") if response.content else ""
    return Answered(at, text) if text else None


async def wait_for(fake: FakeSlackApi, people: list[str], reply_id: str, until: float,
                   answered: Answered | None) -> None:  # fmt: skip
    """Until the PM has a reply and every customer a check-in (or `until`)."""
    wanted = {"D" + p[1:] for p in people}
    while time.monotonic() < until:
        got = {p.channel for p in fake.posted if CHECKIN_MARK in p.text}
        if wanted <= got and (answered or any(r.key == reply_id for r in fake.replies)):
            return
        await asyncio.sleep(0.1)


def figures(fake: FakeSlackApi, people: list[str], reply_id: str, sent: float,
            seeded: float, answered: Answered | None) -> FanoutFigures:  # fmt: skip
    checkins: dict[str, list[float]] = {"D" + p[1:]: [] for p in people}
    for post in fake.posted:
        if CHECKIN_MARK in post.text and post.channel in checkins:
            checkins[post.channel].append(post.at)
    firsts = [min(ats) for ats in checkins.values() if ats]
    replies = [(r.at, r.text) for r in fake.replies if r.key == reply_id]
    if answered is not None:  # in the acknowledgement, before any response_url post
        replies.insert(0, (answered.at, answered.text))
    floor = LIMITS.floor([1] * len(people))
    return FanoutFigures(
        len(people),
        replies[0][0] - sent if replies else None,
        min(firsts) - sent if firsts else None,
        max(firsts) - sent if len(firsts) == len(people) else None,
        floor,
        sum(1 for ats in checkins.values() if not ats),
        sum(1 for ats in checkins.values() if len(ats) > 1),
        fake.refused,
        replies[0][1][:200] if replies else "",
        seeded,
    )


async def run_fanout(work: Path, count: int = CUSTOMERS) -> FanoutFigures:
    fake, people = FakeSlackApi(), customers(count)
    await fake.start()
    try:
        seeded = await seed_project(fake, work, people)
        fake.keep_messages = False
        port = free_port()
        child = serve(server_env(fake, work, port, LIMITS), work, port, "fanout")
        await asyncio.to_thread(child.start)
        try:
            fake.limit(LIMITS)
            reply_id = "fanout.now"
            body = signed.command("checkin now", PM, CHANNEL, fake.response_url(reply_id),
                                  "fanout.trigger")  # fmt: skip
            async with httpx.AsyncClient(base_url=child.base_url, timeout=30) as http:
                sent = time.monotonic()
                answered = in_ack(await seed.post(http, SECRET, body), time.monotonic())
            budget = LIMITS.floor([1] * count) * 1.5 + 20
            await wait_for(fake, people, reply_id, sent + budget, answered)
            await asyncio.sleep(AFTER_LAST)
            found = figures(fake, people, reply_id, sent, seeded, answered)
        finally:
            child.stop()
            fake.limit(None)
    finally:
        await fake.stop()
        keep_logs(work)
    print(f"  fan-out: {found}", file=sys.stderr, flush=True)
    return found


async def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="clientloop-fanout-") as folder:
        count = int(sys.argv[1]) if len(sys.argv) > 1 else CUSTOMERS
        found = await run_fanout(Path(folder), count)
    print(found, f"ratio {found.ratio}")


if __name__ == "__main__":
    asyncio.run(main())
