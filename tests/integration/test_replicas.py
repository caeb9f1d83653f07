"""Many replicas, one PostgreSQL: exactly once, the platform limits for the whole deployment."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from bot.bootstrap import Runtime
from tests.e2e.fake_slack import Call, FakeSlack
from tests.e2e.slack_client import SlackRequests
from tests.integration import replicas_world as w
from workflow.delivery.sender import BATCH
from workflow.persistence.db import upgrade_async
from workflow.persistence.tables import change_request_decisions
from workflow.persistence.tables_delivery import outbox
from workflow.persistence.tables_items import checkins

pytestmark = pytest.mark.postgres


@dataclass
class Scene:
    """The world, the test's runtime, and where the measured part begins."""

    world: w.World
    rt: Runtime
    zone: str
    project_id: int
    calls_before: int
    outbox_before: int
    approvers: list[str]
    change_id: int | None = None

    @property
    def fake(self) -> FakeSlack:
        return self.world.fake

    def measured(self) -> list[Call]:
        calls = self.fake.calls[self.calls_before :]
        return [call for call in calls if call.method in w.OUTBOX_METHODS]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack(team_id=w.TEAM)
    await slack.start()
    yield slack
    await slack.stop()


async def set_up(db_url: str, fake: FakeSlack, cwd: Path, tick: int, customers: int) -> Scene:
    """Projects (check-ins due now) and a change awaiting its approvers; the setup's own
    messages (welcomes, approval asks) are delivered here, unpaced, dated SETUP_AGO back,
    before any replica starts: only what the replicas send is measured."""
    shift, zone = w.working_moment(datetime.now(UTC))
    fake.default_tz = zone
    await upgrade_async(db_url)
    clock = w.ShiftedClock(shift - w.SETUP_AGO)
    rt = w.test_runtime(db_url, fake, clock)
    approvers = w.customers("B", w.APPROVERS)
    for user in [*w.customers("A", customers), *approvers, w.PM.identity.user_id]:
        fake.add_user(user, tz=zone)
    if customers:
        await w.create_project(rt, "WEB", "C0001", w.customers("A", customers), zone)
    project = await w.create_project(rt, "APP", "C0002", approvers, zone)
    change = await w.open_change(rt, project, zone) if customers else None
    while await rt.sender.deliver_pending():
        pass
    assert await pending(rt) == 0
    clock.shift = timedelta(seconds=shift)  # from now on, the replicas' time
    print(f"\nclock shifted by {shift / 3600:.0f} h; customers in {zone}")
    world = w.World(db_url, fake, cwd, shift, tick)
    last_row = await count(rt, select(func.coalesce(func.max(outbox.c.id), 0)))
    return Scene(world, rt, zone, project, len(fake.calls), last_row, approvers, change)


@pytest.fixture
async def scenes(postgres_url: str, fake: FakeSlack) -> AsyncIterator[list[Scene]]:
    made: list[Scene] = []
    yield made
    for scene in made:
        try:
            await scene.world.stop()
        finally:
            await scene.rt.close()


async def count(rt: Runtime, query: object) -> int:
    async with rt.sessions() as session:
        return int((await session.execute(query)).scalar_one())  # type: ignore[call-overload]


async def pending(rt: Runtime) -> int:
    query = select(func.count()).select_from(outbox).where(outbox.c.state == "pending")
    return await count(rt, query)


Progress = tuple[int, int, int, int]


async def progress(scene: Scene) -> Progress:
    """(check-ins opened, decisions taken, outbox rows pending, outbox calls Slack saw)."""
    rt = scene.rt
    return (
        await count(rt, select(func.count()).select_from(checkins)),
        await count(rt, select(func.count()).select_from(change_request_decisions)),
        await pending(rt),
        len(scene.measured()),
    )


async def until(
    scene: Scene, done: Callable[[Progress], bool], but: Sequence[w.Replica] = ()
) -> None:
    """Wait for `done`; fail when a replica (but those) ends or nothing moves for a while."""
    seen, moved = None, time.monotonic()
    while not done(now := await progress(scene)):
        scene.world.assert_alive(*but)
        if now != seen:
            seen, moved = now, time.monotonic()
        assert time.monotonic() - moved < w.STALL_SECONDS, await stalled(scene, now)
        await asyncio.sleep(0.1)


async def settled(
    scene: Scene, *, checkins_due: int, decisions: int, but: Sequence[w.Replica] = ()
) -> None:
    """Every check-in opened, every click decided, nothing left pending."""
    await until(scene, lambda now: now[:3] == (checkins_due, decisions, 0), but)


async def stalled(scene: Scene, at: tuple[int, ...]) -> str:
    """What a stall leaves: the replicas' logs, and the rows still pending."""
    columns = (outbox.c.id, outbox.c.op, outbox.c.attempts, outbox.c.available_at,
               outbox.c.lease_until, outbox.c.last_error)  # fmt: skip
    async with scene.rt.sessions() as session:
        rows = (await session.execute(select(*columns).where(outbox.c.state == "pending"))).all()
    now = scene.rt.clock.now()
    return f"stalled at {at} (now {now}); pending: {rows[:5]}\n{scene.world.logs()}"


async def click_approve(scene: Scene) -> list[int]:
    """Each approver clicks Approve, the clicks spread over both serve replicas."""
    statuses = []
    for n, user in enumerate(scene.approvers):
        serve = scene.world.serves[n % 2]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{serve.port}") as http:
            slack = SlackRequests(http, w.SECRET, team=w.TEAM, channel="D" + user[1:],
                                  response_url=scene.fake.response_url(f"click-{n}"))  # fmt: skip
            value = f"change_request:{scene.change_id}:1"
            statuses.append((await slack.click("cl.approve", value, user=user)).status_code)
    return statuses


async def new_post_rows(scene: Scene) -> int:
    """Posts the replicas had to deliver: outbox rows written after the setup."""
    query = select(func.count()).select_from(outbox)
    query = query.where(outbox.c.op == "post", outbox.c.id > scene.outbox_before)
    return await count(scene.rt, query)


def report(scene: Scene, label: str) -> tuple[Counter[tuple[str, str]], dict[str, int]]:
    calls = scene.measured()
    posted, seen = w.deliveries(calls), w.windows(calls)
    doubled = sum(n - 1 for n in posted.values())
    updates = sum(1 for c in calls if c.method == "chat.update")
    checkin_dms = sum(1 for (where, _) in posted if where.startswith("D"))
    print(
        f"{label}: {sum(posted.values())} posts ({len(posted)} distinct, {doubled} doubled, "
        f"{checkin_dms} to DMs), {updates} updates; most in any 60 s {seen['60s']} (cap "
        f"{w.PER_MINUTE}); most per channel in any 1 s {seen['1s_channel']} (cap {w.PER_SECOND})"
    )
    return posted, seen


async def senders(scene: Scene) -> list[int]:
    """The pids the heartbeat table says send; [] when it is missing or nobody says so."""
    try:
        async with scene.rt.sessions() as session:
            found = await session.scalars(text("SELECT pid FROM processes WHERE sending"))
            return list(found)
    except DBAPIError:
        return []


async def the_sender(scene: Scene) -> tuple[w.Replica, str]:
    """The active sender: by the heartbeat table, else by its log line, else scheduler-1."""
    for pid in await senders(scene):
        if (replica := scene.world.by_pid(pid)) is not None:
            return replica, "processes table"
    logged = [r for r in scene.world.replicas if "took the sender's turn" in r.log]
    if len(logged) == 1:
        return logged[0], "log line"
    assert not await heartbeats(scene), "processes heartbeat, but none says it sends"
    return scene.world.replicas[2], f"no single sender known ({len(logged)} logged the turn)"


async def turn_taken(scene: Scene, victim: w.Replica) -> float:
    """When another live process says it sends (now, when no process heartbeats)."""
    started = time.monotonic()
    while await heartbeats(scene):
        others = [scene.world.by_pid(pid) for pid in await senders(scene)]
        if any(r is not None and r is not victim and r.alive for r in others):
            break
        scene.world.assert_alive(victim)
        assert time.monotonic() - started < w.STALL_SECONDS, "no process took the turn"
        await asyncio.sleep(0.05)
    return time.monotonic()


async def heartbeats(scene: Scene) -> int:
    try:
        return await count(scene.rt, text("SELECT count(*) FROM processes"))
    except DBAPIError:
        return 0


async def running(scenes: list[Scene], setting_up: Awaitable[Scene]) -> Scene:
    """The scene set up, kept for the clean-up, its replicas started."""
    scenes.append(scene := await setting_up)
    await scene.world.start()
    return scene


def assert_exactly_once(scene: Scene, posted: Counter[tuple[str, str]], rows: int) -> None:
    customers = {"D" + user[1:] for user in scene.fake.users if user.startswith("UA")}
    assert customers <= {where for where, _ in posted}, "a customer got no check-in"
    assert len(posted) == rows, f"{rows} messages in the outbox, {len(posted)} arrived"


def assert_within_limits(seen: dict[str, int]) -> None:
    assert seen["60s"] <= w.PER_MINUTE, seen
    assert seen["1s_channel"] <= w.PER_SECOND, seen


async def test_replicas_deliver_each_message_once_within_the_workspace_limits(
    postgres_url: str, fake: FakeSlack, tmp_path: Path, scenes: list[Scene]
) -> None:
    scene = await running(
        scenes, set_up(postgres_url, fake, tmp_path, tick=1, customers=w.CUSTOMERS)
    )
    await until(scene, lambda now: now[3] >= 40)
    statuses = await click_approve(scene)
    await settled(scene, checkins_due=w.CUSTOMERS + w.APPROVERS, decisions=w.APPROVERS)
    posted, seen = report(scene, "two serve + two scheduler replicas")
    rows = await new_post_rows(scene)
    replies = [c for c in scene.fake.calls if c.method in ("response_url", "chat.postEphemeral")]
    print(f"{len(replies)} private replies to {len(statuses)} clicks (not outbox, not counted)")

    assert statuses == [200] * w.APPROVERS
    assert_exactly_once(scene, posted, rows)
    assert set(posted.values()) == {1}, "some messages arrived twice"
    assert_within_limits(seen)


async def test_a_killed_sender_is_replaced_within_the_lease_and_nothing_is_lost(
    postgres_url: str, fake: FakeSlack, tmp_path: Path, scenes: list[Scene]
) -> None:
    scene = await running(
        scenes, set_up(postgres_url, fake, tmp_path, tick=1, customers=w.CUSTOMERS)
    )
    assert await click_approve(scene) == [200] * w.APPROVERS
    await until(scene, lambda now: now[1] == w.APPROVERS)  # acked before decided
    await until(scene, lambda now: now[3] >= w.CUSTOMERS // 3)
    victim, found_by = await the_sender(scene)
    victim.kill()
    await victim.process.wait()
    killed_at = time.monotonic()
    turn = await turn_taken(scene, victim) - killed_at
    await settled(
        scene, checkins_due=w.CUSTOMERS + w.APPROVERS, decisions=w.APPROVERS, but=(victim,)
    )
    posted, seen = report(scene, f"after killing {victim.name} (found by {found_by})")
    after = [call.at for call in scene.measured() if call.at > killed_at]
    takeover = min(after, default=float("inf")) - killed_at
    doubled = sum(n - 1 for n in posted.values())
    now_sending = [getattr(scene.world.by_pid(pid), "name", pid) for pid in await senders(scene)]
    print(f"turn taken {turn:.2f} s after the kill, next post {takeover:.2f} s after it; "
          f"doubled {doubled} (batch {BATCH}); sending now: {now_sending}")  # fmt: skip
    rows = await new_post_rows(scene)

    assert_exactly_once(scene, posted, rows)
    assert doubled <= BATCH
    assert turn < w.LEASE_SECONDS
    assert takeover < w.LEASE_SECONDS
    assert_within_limits(seen)


async def first_post_after(scene: Scene, since: float) -> Call:
    started = time.monotonic()
    while not (new := [c for c in scene.measured() if c.at >= since]):
        scene.world.assert_alive()
        waited = time.monotonic() - started
        assert waited < w.STALL_SECONDS, f"nothing delivered {waited:.0f} s after the commit"
        await asyncio.sleep(0.02)
    return min(new, key=lambda call: call.at)


async def test_a_commit_in_any_process_is_delivered_long_before_the_next_tick(
    postgres_url: str, fake: FakeSlack, tmp_path: Path, scenes: list[Scene]
) -> None:
    scene = await running(scenes, set_up(postgres_url, fake, tmp_path, tick=300, customers=0))
    await settled(scene, checkins_due=w.APPROVERS, decisions=0)  # the first tick's work
    latencies = []
    for _ in range(2):  # the first may race a scheduler's first tick; the second cannot
        asked = time.monotonic()
        await w.open_change(scene.rt, scene.project_id, scene.zone)  # no sender in the test
        latencies.append((await first_post_after(scene, asked)).at - asked)
        await settled(scene, checkins_due=w.APPROVERS, decisions=0)
    print(f"commit to first post: {', '.join(f'{s:.3f} s' for s in latencies)} (tick 300 s)")
    report(scene, "after two change requests")
