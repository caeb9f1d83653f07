"""Two `serve` and two `scheduler` processes on one PostgreSQL, a loopback Slack, and their data.

Run as a script it is one of those processes: `bot.cli.main` with the real clock moved by
CLOCK_SHIFT_SECONDS (whole hours), so a weekly check-in can be due on any day the suite runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from slack_sdk.web.async_client import AsyncWebClient

from bot.bootstrap import DeliveryOptions, Runtime, bootstrap
from handlers.slack.clients import WorkspaceClients
from handlers.slack.notifier import SlackNotifier
from tests.e2e.fake_slack import Call, FakeSlack
from tests.integration.cli_process import environment, free_port
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.flows.change_requests.messages import CreateChangeRequest
from workflow.flows.projects.messages import CreateProject

SHIFT_SETTING = "CLOCK_SHIFT_SECONDS"
SECRET, TOKEN, TEAM = "replicas-signing-secret", "xoxb-replicas", "T0001"
CUSTOMERS, APPROVERS = 500, 6
PER_MINUTE, PER_SECOND = 300, 1  # the workspace's and each channel's configured rates
LEASE_SECONDS, HEARTBEAT_SECONDS = 10, 1
# The setup is dated this long ago, so what it sent is out of any window the limits look at.
SETUP_AGO = 600.0
# A stall, not a deadline: a wait fails only when nothing moved for this long.
STALL_SECONDS = 60.0
PM = PersonRef(Identity(Platform.SLACK, TEAM, "UPM"), "Pam")
OUTBOX_METHODS = ("chat.postMessage", "chat.update")


class ShiftedClock:
    """The real clock moved by `shift` seconds: the test process's, like its replicas'."""

    def __init__(self, shift: float) -> None:
        self.shift = timedelta(seconds=shift)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.shift


def working_moment(now: datetime) -> tuple[float, str]:
    """The fewest whole hours to add to `now`, and a zone, that make it 09:00-17:00 on a
    weekday there (nobody is messaged by the scheduler at weekends, anywhere)."""
    for hours in range(72):
        moment = now + timedelta(hours=hours)
        for offset in range(-12, 15):
            zone = f"Etc/GMT{-offset:+d}" if offset else "UTC"  # Etc/GMT-3 is UTC+3
            local = moment.astimezone(ZoneInfo(zone))
            if local.weekday() < 5 and clock_time(9) <= local.time() < clock_time(17):
                return hours * 3600.0, zone
    raise AssertionError("some zone works within three days")  # pragma: no cover


@dataclass
class Replica:
    """One process, its log read as it comes (so a full pipe never blocks it)."""

    name: str
    process: asyncio.subprocess.Process
    port: int | None = None
    lines: list[str] = field(default_factory=list)
    pump: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, name: str, cwd: Path, args: list[str], env: dict[str, str]) -> Replica:
        process = await asyncio.create_subprocess_exec(
            sys.executable, __file__, *args, cwd=cwd, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        replica = cls(name, process)
        replica.pump = asyncio.create_task(replica._read())
        return replica

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            self.lines.append(line.decode(errors="replace"))

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    @property
    def log(self) -> str:
        return "".join(self.lines)

    async def until(self, text: str) -> str:
        """The first log line with `text`; fails if the process ends or the log stalls."""
        seen, moved = -1, time.monotonic()
        while not (found := [line for line in self.lines if text in line]):
            assert self.alive, f"{self.name} ended before {text!r}:\n{self.log}"
            if len(self.lines) != seen:
                seen, moved = len(self.lines), time.monotonic()
            assert time.monotonic() - moved < STALL_SECONDS, f"{self.name}: no {text!r}"
            await asyncio.sleep(0.05)
        return found[0]

    def kill(self) -> None:
        if self.alive:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.alive:
            self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            self.kill()
            await self.process.wait()
        if self.pump is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.pump, 5)


@dataclass
class World:
    """The fake Slack, the database, the clock shift and the running replicas."""

    db_url: str
    fake: FakeSlack
    cwd: Path
    shift: float
    tick_seconds: int
    replicas: list[Replica] = field(default_factory=list)

    def settings(self, port: int) -> dict[str, str]:
        return environment(
            DATABASE_URL=self.db_url, SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN=TOKEN,
            SLACK_API_URL=self.fake.api_url, HOST="127.0.0.1", PORT=str(port),
            CLIENTLOOP_SCHEDULER_METRICS_PORT="0",
            CLIENTLOOP_OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS),
            CLIENTLOOP_SLACK_PER_CHANNEL_PER_SECOND=str(PER_SECOND),
            CLIENTLOOP_SLACK_CHANNEL_BURST="1",
            CLIENTLOOP_SLACK_PER_WORKSPACE_PER_MINUTE=str(PER_MINUTE),
            CLIENTLOOP_SLACK_WORKSPACE_BURST="20",
            CLIENTLOOP_SCHEDULER_TICK_SECONDS=str(self.tick_seconds),
            CLIENTLOOP_HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
            **{SHIFT_SETTING: str(self.shift)},
        )  # fmt: skip

    async def start(self) -> None:
        """Two `serve --no-scheduler` and two `scheduler`, started together, then ready."""
        for n in (1, 2):
            port = free_port()
            args = ["serve", "--no-scheduler", "--host", "127.0.0.1", "--port", str(port)]
            serve = await Replica.start(f"serve-{n}", self.cwd, args, self.settings(port))
            serve.port = port
            self.replicas.append(serve)
        for n in (1, 2):
            env = self.settings(free_port())
            self.replicas.append(
                await Replica.start(f"scheduler-{n}", self.cwd, ["scheduler"], env)
            )
        for replica in self.replicas:
            if replica.port is None:
                await replica.until("clientloop scheduler running")
            else:
                await healthy(replica)

    @property
    def serves(self) -> list[Replica]:
        return [r for r in self.replicas if r.port is not None]

    def by_pid(self, pid: int) -> Replica | None:
        return next((r for r in self.replicas if r.process.pid == pid), None)

    def assert_alive(self, *but: Replica) -> None:
        for replica in self.replicas:
            assert replica in but or replica.alive, f"{replica.name} ended:\n{replica.log}"

    async def stop(self) -> None:
        await asyncio.gather(*(replica.stop() for replica in self.replicas))

    def logs(self) -> str:
        return "\n".join(f"--- {r.name} ---\n{r.log[-3000:]}" for r in self.replicas)


async def healthy(replica: Replica) -> None:
    """Poll /healthz while the process lives (bounded by a stall of the whole log)."""
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{replica.port}") as client:
        while True:
            assert replica.alive, f"{replica.name} ended:\n{replica.log}"
            with contextlib.suppress(httpx.TransportError):
                if (await client.get("/healthz", timeout=2)).status_code == 200:
                    return
            assert time.monotonic() - started < 3 * STALL_SECONDS, replica.log
            await asyncio.sleep(0.2)


def test_runtime(db_url: str, fake: FakeSlack, clock: ShiftedClock) -> Runtime:
    """The test's own runtime: it commits, and sends only when told (unpaced, to the fake)."""
    client = AsyncWebClient(base_url=fake.api_url, token=TOKEN)
    clients = WorkspaceClients(fake.api_url, client=client)
    notifier = SlackNotifier(clients)
    runtime = bootstrap(
        db_url,
        notifiers={Platform.SLACK: notifier},
        clock=clock,
        deliver_after_commit=False,
        delivery=DeliveryOptions(limits={}),
    )
    runtime.closers.append(clients.close)
    return runtime


def person(user: str, zone: str) -> PersonRef:
    return PersonRef(Identity(Platform.SLACK, TEAM, user), f"Person {user}", zone)


async def create_project(rt: Runtime, key: str, channel: str, users: list[str], zone: str) -> int:
    """A project whose weekly check-in is a minute after its creation in `zone` today: due
    when the replicas start (SETUP_AGO later), and not before the project existed."""
    at = rt.clock.now()
    slot = (at.astimezone(ZoneInfo(zone)) + timedelta(minutes=1)).replace(second=0, microsecond=0)
    reply = await rt.bus.handle(
        CreateProject(
            actor=person(PM.identity.user_id, zone), at=at, platform=Platform.SLACK,
            workspace_id=TEAM, channel_id=channel, name=f"Project {key}", key=key,
            customers=tuple((person(u, zone), CustomerKind.INTERNAL) for u in users),
            checkin_day=slot.weekday(), checkin_time=slot.time(),
        )
    )  # fmt: skip
    assert reply.subject_id is not None, reply
    return reply.subject_id


async def open_change(rt: Runtime, project_id: int, zone: str) -> int:
    reply = await rt.bus.handle(
        CreateChangeRequest(
            actor=person(PM.identity.user_id, zone), at=rt.clock.now(),
            project_id=project_id, title="Dark mode",
        )
    )  # fmt: skip
    assert reply.subject_id is not None, reply
    return reply.subject_id


def customers(prefix: str, count: int) -> list[str]:
    return [f"U{prefix}{n:04d}" for n in range(count)]


def most_in_window(times: Sequence[float], seconds: float) -> int:
    """The most calls in any half-open window of `seconds`."""
    ordered, best, first = sorted(times), 0, 0
    for last, at in enumerate(ordered):
        while ordered[first] <= at - seconds:
            first += 1
        best = max(best, last - first + 1)
    return best


def conversation(call: Call) -> str:
    channel = str(call.params.get("channel", ""))
    return "D" + channel[1:] if channel[:1] in ("U", "W") else channel


def windows(calls: Sequence[Call]) -> dict[str, int]:
    by_channel: defaultdict[str, list[float]] = defaultdict(list)
    for call in calls:
        by_channel[conversation(call)].append(call.at)
    # As the fake saw them arrive: the limits hold for arrivals, not only for departures.
    per_channel = (most_in_window(t, 1.0) for t in by_channel.values())
    return {
        "60s": most_in_window([call.at for call in calls], 60.0),
        "1s_channel": max(per_channel, default=0),
    }


def deliveries(calls: Sequence[Call]) -> Counter[tuple[str, str]]:
    """How often each message (conversation, text) was posted."""
    posts = (c for c in calls if c.method == "chat.postMessage")
    return Counter((conversation(c), str(c.params.get("text", ""))) for c in posts)


if __name__ == "__main__":
    from bot import clock
    from bot.cli import main

    SHIFT = timedelta(seconds=float(os.environ.get(SHIFT_SETTING, "0")))
    REAL_NOW = clock.SystemClock.now
    clock.SystemClock.now = lambda self: REAL_NOW(self) + SHIFT  # type: ignore[method-assign]
    raise SystemExit(main(sys.argv[1:]))
