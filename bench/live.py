"""The request stage: bare Bolt and `clientloop serve` as processes, 16 connections per path,
counting what people receive as the fake Slack Web API recorded it."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import seed, signed
from bench.databases import (
    Database,
    drop_postgres_database,
    outbox_counts,
    outbox_drained,
    postgres_database,
    sqlite_database,
)
from bench.fake_api import FakeSlackApi
from bench.floor_seed import seed_spec
from bench.paths import (
    MAX_REQUESTS,
    PY,
    SECRET,
    SETTLE_SECONDS,
    Body,
    PathFigures,
    run_load,
)
from bench.procs import Child, free_port

TOKEN = "xoxb-bench-token"
PM, SPONSOR, CHANNEL = "UPM", "USPONSOR", "C0001"
BIN = Path(PY).parent
ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "build" / "bench-logs"


def commands(fake: FakeSlackApi, tag: str, text: str, count: int) -> list[Body]:
    bodies = []
    for n in range(count):
        rid = f"{tag}.{n}"
        bodies.append(Body(rid, signed.command(text, PM, CHANNEL, fake.response_url(rid),
                                               f"{rid}.trigger")))  # fmt: skip
    return bodies


def clicks(
    fake: FakeSlackApi, tag: str, buttons: list[tuple[dict[str, Any], str, str]]
) -> list[Body]:
    bodies = []
    for n, (button, user, ts) in enumerate(buttons):
        rid = f"{tag}.{n}"
        dm = "D" + user[1:]
        bodies.append(Body(rid, signed.click(button, user, dm, ts, fake.response_url(rid))))
    return bodies


def base_env() -> dict[str, str]:
    """The environment minus every setting clientloop or Bolt would read."""
    prefixes = ("SLACK_", "CLIENTLOOP_", "CLIENT_", "TENANT_", "DATABASE_URL", "PORT", "HOST")
    kept = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return {**kept, "PYTHONPATH": str(ROOT)}


@dataclass(frozen=True)
class ProcessFigures:
    ready_seconds: float
    rss_idle_mib: float
    rss_after_mib: float


@dataclass
class LiveResults:
    paths: list[PathFigures]
    processes: dict[str, ProcessFigures]
    seed_seconds: float
    seed_failures: list[str]
    clicks_available: int
    log_errors: dict[str, int]
    changes: int
    settle_seconds: float
    skipped: list[str] = field(default_factory=list)  # a database not measured, and why


CUSTOMERS = [f"UC{n:03d}" for n in range(10)]
BARE = "bare Bolt"
CHANGES = 60


async def bare_stage(
    fake: FakeSlackApi, work: Path, buttons: list[Any]
) -> tuple[list[PathFigures], ProcessFigures]:
    port = free_port()
    child = Child([PY, "-m", "bench.bare_app", str(port), fake.api_url, SECRET, TOKEN],
                  base_env(), work / "bare.log", port, work)  # fmt: skip
    await asyncio.to_thread(child.start)
    try:
        await asyncio.sleep(1.0)
        idle = child.rss_mib()
        paths = [await run_load(child, fake, "bare command", commands(fake, "bare.cmd", "help",
                                MAX_REQUESTS), work, BARE)]  # fmt: skip
        paths.append(await run_load(child, fake, "bare click", clicks(fake, "bare.click", buttons),
                                    work, BARE))  # fmt: skip
        return paths, ProcessFigures(child.ready_seconds, idle, child.rss_mib())
    finally:
        child.stop()


FLOOR = "bare Bolt + decision writes"


async def floor_stage(fake: FakeSlackApi, work: Path, buttons: list[Any]) -> list[PathFigures]:
    """The floor app (bench/floor_app.py) on the same clicks: SQLite, then PostgreSQL when it
    answers; each a fresh database the app migrates and seeds with these buttons' ids."""
    sqlite = f"sqlite+aiosqlite:///{work / 'floor.db'}"
    paths = [await floor_run(fake, work, buttons, "SQLite", sqlite)]
    postgres = await postgres_database()
    if not isinstance(postgres, str):
        try:
            paths.append(await floor_run(fake, work, buttons, "PostgreSQL", postgres.url))
        finally:
            await drop_postgres_database()
    return paths


async def floor_run(fake: FakeSlackApi, work: Path, buttons: list[Any], name: str,
                    url: str) -> PathFigures:  # fmt: skip
    spec = work / f"floor-{name}.json"
    spec.write_text(json.dumps(seed_spec(signed.TEAM, CHANNEL, PM, buttons)))
    port = free_port()
    argv = [PY, "-m", "bench.floor_app", str(port), fake.api_url, SECRET, TOKEN, url, str(spec)]
    child = Child(argv, base_env(), work / f"floor-{name}.log", port, work)
    try:
        await asyncio.to_thread(child.start)
        bodies = clicks(fake, f"floor.{name}", buttons)
        return await run_load(child, fake, "Approve click", bodies, work, f"{FLOOR} ({name})")
    finally:
        child.stop()


# Seeding sends hundreds of DMs at once: its server runs with Slack's pacing raised. The
# measured server keeps the product's defaults (CLIENTLOOP_SLACK_*), as a deployment does:
# card updates then go out as fast as Slack would take them, newest version first.
RAISED_PACING = {
    "CLIENTLOOP_SLACK_PER_CHANNEL_PER_SECOND": "100000",
    "CLIENTLOOP_SLACK_CHANNEL_BURST": "100000",
    "CLIENTLOOP_SLACK_PER_WORKSPACE_PER_MINUTE": "10000000",
    "CLIENTLOOP_SLACK_WORKSPACE_BURST": "100000",
}


def clientloop_env(
    fake: FakeSlackApi, port: int, database: Database, *, seeding: bool = False
) -> dict[str, str]:
    return {**base_env(), "DATABASE_URL": database.url,
            "SLACK_SIGNING_SECRET": SECRET, "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": fake.api_url, "PORT": str(port), "HOST": "127.0.0.1",
            **(RAISED_PACING if seeding else {})}  # fmt: skip


def serve(fake: FakeSlackApi, work: Path, database: Database, *, seeding: bool) -> Child:
    port = free_port()
    log = work / f"clientloop-{database.slug}{'-seeding' if seeding else ''}.log"
    env = clientloop_env(fake, port, database, seeding=seeding)
    return Child([str(BIN / "clientloop"), "serve", "--no-scheduler"], env, log, port, work)


async def seeded_database(
    fake: FakeSlackApi, work: Path, database: Database
) -> tuple[float, list[seed.Button], list[str]]:
    """Migrate, then seed as a PM would on a server with raised pacing, until its outbox is
    empty; returns the seconds it took, the Approve buttons and the failed submissions."""
    # A run starts from what this database's server sends: no modal or DM of an earlier run.
    fake.views.clear()
    fake.messages.clear()
    fake.keep_messages = True
    quiet = asyncio.subprocess.DEVNULL
    env = clientloop_env(fake, 0, database, seeding=True)
    upgrade = await asyncio.create_subprocess_exec(
        str(BIN / "clientloop"), "db", "upgrade", env=env, cwd=work, stdout=quiet, stderr=quiet
    )
    if await asyncio.wait_for(upgrade.wait(), 120) != 0:
        raise RuntimeError(f"clientloop db upgrade failed on {database.label}")
    seeder = serve(fake, work, database, seeding=True)
    await asyncio.to_thread(seeder.start)
    try:
        started = time.monotonic()
        async with httpx.AsyncClient(base_url=seeder.base_url, timeout=30) as http:
            await seed.project(http, fake, SECRET, CUSTOMERS)
            failures = await seed.changes(http, fake, SECRET, CHANGES)
        made = CHANGES - len(failures)
        buttons = await seed.harvest(fake, CUSTOMERS, made * len(CUSTOMERS))
        await outbox_drained(database.url, 60)
        return time.monotonic() - started, buttons, failures
    finally:
        fake.keep_messages = False
        seeder.stop()


async def clientloop_stage(
    fake: FakeSlackApi, work: Path, database: Database
) -> tuple[list[PathFigures], ProcessFigures, float, list[seed.Button], list[str]]:
    seeded, buttons, failures = await seeded_database(fake, work, database)
    child = serve(fake, work, database, seeding=False)
    await asyncio.to_thread(child.start)
    try:
        await asyncio.sleep(1.0)
        idle = child.rss_mib()
        paths = []
        for path, text in (("/loop help", "help"), ("/loop pending", "pending")):
            # The tag becomes part of each response_url: it must be a plain path segment.
            bodies = commands(fake, f"{database.slug}.{text}", text, MAX_REQUESTS)
            paths.append(await run_load(child, fake, path, bodies, work, database.label))
        approvals = clicks(fake, f"{database.slug}.approve", buttons)
        before = fake.method_counts.get("chat.update", 0)
        paths.append(await run_load(child, fake, "Approve click", approvals, work, database.label))
        CARD_UPDATES[database.label] = await card_updates(
            database.url, fake.method_counts.get("chat.update", 0) - before
        )
        process = ProcessFigures(child.ready_seconds, idle, child.rss_mib())
        return paths, process, seeded, buttons, failures
    finally:
        child.stop()


# Per clientloop target: what the Approve clicks' card updates came to by the end of the run.
CARD_UPDATES: dict[str, str] = {}


async def card_updates(url: str, calls: int) -> str:
    counts = await outbox_counts(url)
    sent, newer, queued = (counts.get(("update", s), 0) for s in ("sent", "superseded", "pending"))
    return (
        f"{calls} chat.update calls during the run; card update rows: {sent} sent, {newer} "
        f"replaced by a newer version of the same card before sending, {queued} still queued"
    )


def log_errors(log: Path) -> dict[str, int]:
    """ERROR lines of the server log, by their message (first 120 characters)."""
    counts: dict[str, int] = {}
    for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
        if "ERROR" in line or "Traceback" in line:
            key = line[:120]
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1])[:10])


def server_errors(work: Path, database: Database) -> dict[str, int]:
    """ERROR lines of the measured server's log, and of the seeding server's (marked)."""
    seeding = log_errors(work / f"clientloop-{database.slug}-seeding.log")
    measured = log_errors(work / f"clientloop-{database.slug}.log")
    return measured | {f"[seeding] {line}": n for line, n in seeding.items()}


async def run_requests(work: Path) -> LiveResults:
    """clientloop on SQLite, then on PostgreSQL when it answers, then the bare app, then the
    floor (bare Bolt + the decision's writes) on the same clicks."""
    fake = FakeSlackApi()
    await fake.start()
    try:
        sqlite = sqlite_database(work)
        paths, clientloop, seeded, buttons, failures = await clientloop_stage(fake, work, sqlite)
        processes, skipped = {sqlite.label: clientloop}, []
        errors = server_errors(work, sqlite)
        postgres = await postgres_database()
        if isinstance(postgres, str):
            skipped.append(postgres)
            print(f"  {postgres}", file=sys.stderr, flush=True)
        else:
            try:
                pg_paths, pg_process, _, _, pg_failures = await clientloop_stage(
                    fake, work, postgres
                )
            finally:
                await drop_postgres_database()
            paths += pg_paths
            processes[postgres.label] = pg_process
            failures += [f"{postgres.label}: {f}" for f in pg_failures]
            pg_errors = server_errors(work, postgres)
            errors |= {f"[PostgreSQL] {line}": n for line, n in pg_errors.items()}
        # The bare app acks the same click payloads (it keeps no state, so reuse is fair).
        bare_paths, bare = await bare_stage(fake, work, buttons)
        processes[BARE] = bare
        floor_paths = await floor_stage(fake, work, buttons)
        return LiveResults(
            [*paths, *bare_paths, *floor_paths], processes, seeded, failures, len(buttons),
            errors, CHANGES, SETTLE_SECONDS, skipped,
        )  # fmt: skip
    finally:
        await fake.stop()
        keep_logs(work)


def keep_logs(work: Path) -> None:
    """The servers' logs outlive the temporary folder, for reading after the run."""
    LOGS.mkdir(parents=True, exist_ok=True)
    for log in work.glob("*.log"):
        shutil.copyfile(log, LOGS / log.name)
