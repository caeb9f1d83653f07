"""The request stage: bare Bolt and `clientloop serve` as processes, 16 connections per path,
counting what people receive as the fake Slack Web API recorded it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from bench import seed, signed
from bench.fake_api import FakeSlackApi
from bench.procs import Child, free_port

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
PM, SPONSOR, CHANNEL = "UPM", "USPONSOR", "C0001"
CONNECTIONS = 16
SECONDS = 10.0
MAX_REQUESTS = 12_000
SETTLE_SECONDS = 15.0
PY = sys.executable
BIN = Path(PY).parent
ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "build" / "bench-logs"
# PostgreSQL for the second clientloop run: a fresh database on the local server (trust auth).
POSTGRES_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
POSTGRES_DB = "clientloop_bench"
POSTGRES_URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{POSTGRES_DB}"


@dataclass(frozen=True)
class Database:
    """Where one `clientloop serve` run keeps its data; `slug` names its logs and reply ids."""

    label: str  # as the table shows the target, e.g. "clientloop (SQLite)"
    slug: str
    url: str


def sqlite_database(work: Path) -> Database:
    return Database(
        "clientloop (SQLite)", "sqlite", f"sqlite+aiosqlite:///{work / 'clientloop.db'}"
    )


async def postgres_database() -> Database | str:
    """A fresh `clientloop_bench` database, or why there is none (the run is then skipped)."""
    try:
        await _admin(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)",
                     f"CREATE DATABASE {POSTGRES_DB}")  # fmt: skip
    except (OSError, SQLAlchemyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"clientloop (PostgreSQL) skipped: 127.0.0.1:5432 did not serve ({first[:120]})"
    return Database("clientloop (PostgreSQL)", "postgres", POSTGRES_URL)


async def drop_postgres_database() -> None:
    with contextlib.suppress(OSError, SQLAlchemyError):
        await _admin(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")


async def _admin(*statements: str) -> None:
    engine = create_async_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT",
                                 connect_args={"timeout": 5})  # fmt: skip
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class PathFigures:
    """What one path got at 16 connections; rates per second of the run."""

    target: str
    path: str
    sent: int
    acks_per_s: float
    good_per_s: float
    good: int
    sorry: int
    unanswered: int
    errors: int
    ack_p50_ms: float
    ack_p99_ms: float
    seconds: float
    generator_cpu: float
    reply_p50_ms: float  # from sending the request to its first good reply
    reply_p99_ms: float


@dataclass(frozen=True)
class Body:
    """A request body and the response_url id its replies come back under."""

    reply_id: str
    body: bytes


async def run_load(child: Child, fake: FakeSlackApi, path: str, bodies: list[Body],
                   work: Path, target: str) -> PathFigures:  # fmt: skip
    spec = {"host": "127.0.0.1", "port": child.port, "secret": SECRET,
            "connections": CONNECTIONS, "seconds": SECONDS,
            "bodies": [b.body.decode() for b in bodies[:MAX_REQUESTS]]}  # fmt: skip
    slug = "".join(ch if ch.isalnum() else "-" for ch in f"{target} {path}")
    spec_file, out_file = work / f"{slug}.spec.json", work / f"{slug}.out.json"
    spec_file.write_text(json.dumps(spec))
    proc = await asyncio.create_subprocess_exec(PY, "-m", "bench.load", str(spec_file),
                                                str(out_file))  # fmt: skip
    await asyncio.wait_for(proc.wait(), SECONDS + 60)
    out = json.loads(out_file.read_text())
    # An answer in the acknowledgement has arrived already; the rest come through the fake.
    acked = {bodies[r[0]].reply_id for r in out["results"] if r[1] == 200 and not r[5]}
    await settle(fake, acked)
    found = figures(target, path, bodies, out, fake)
    print(f"  {target} {path}: {found}", file=sys.stderr, flush=True)
    return found


async def settle(fake: FakeSlackApi, acked: set[str]) -> None:
    """Done when every acked request got a reply, or SETTLE_SECONDS after the load stopped."""
    deadline, answered, seen = time.monotonic() + SETTLE_SECONDS, set[str](), 0
    while time.monotonic() < deadline and not acked <= answered:
        answered.update(r.key for r in fake.replies[seen:])
        seen = len(fake.replies)
        await asyncio.sleep(0.25)


def figures(target: str, path: str, bodies: list[Body], out: dict[str, Any],
            fake: FakeSlackApi) -> PathFigures:  # fmt: skip
    results: list[list[Any]] = out["results"]
    ids = {bodies[r[0]].reply_id: r for r in results}
    by_id: dict[str, list[Any]] = {}
    for reply in fake.replies:
        if reply.key in ids:
            by_id.setdefault(reply.key, []).append(reply)
    acked = [r for r in results if r[1] == 200 and not r[3]]
    # When each request's first good reply reached the person: in its ack, or at the fake.
    replied = {bodies[r[0]].reply_id: r[4] + r[2] for r in acked if r[5]}
    for key, rs in by_id.items():
        if key not in replied and any(not x.sorry for x in rs):
            replied[key] = min(x.at for x in rs if not x.sorry)
    sorry = {k for k, rs in by_id.items() if any(x.sorry for x in rs)}
    sorry |= {bodies[r[0]].reply_id for r in results if r[3]}
    span = max(out["elapsed"], max(replied.values(), default=0.0) - out["started"])
    lat = sorted(r[2] for r in acked) or [0.0]
    waits = sorted(at - ids[key][4] for key, at in replied.items()) or [0.0]  # from sending
    return PathFigures(
        target, path, len(results), len(acked) / out["elapsed"], len(replied) / span,
        len(replied), len(sorry), sum(1 for r in acked if bodies[r[0]].reply_id not in replied),
        sum(1 for r in results if r[1] != 200), _pct(lat, 0.5) * 1e3, _pct(lat, 0.99) * 1e3,
        span, out["cpu"] / out["elapsed"], _pct(waits, 0.5) * 1e3, _pct(waits, 0.99) * 1e3,
    )  # fmt: skip


def _pct(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


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


def clientloop_env(fake: FakeSlackApi, port: int, database: Database) -> dict[str, str]:
    return {**base_env(), "DATABASE_URL": database.url,
            "SLACK_SIGNING_SECRET": SECRET, "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": fake.api_url, "PORT": str(port), "HOST": "127.0.0.1",
            # Seeding sends hundreds of DMs: pacing is the fan-out's subject, not this one's.
            "CLIENTLOOP_SLACK_PER_CHANNEL_PER_SECOND": "100000",
            "CLIENTLOOP_SLACK_CHANNEL_BURST": "100000",
            "CLIENTLOOP_SLACK_PER_WORKSPACE_PER_MINUTE": "10000000",
            "CLIENTLOOP_SLACK_WORKSPACE_BURST": "100000"}  # fmt: skip


async def clientloop_stage(
    fake: FakeSlackApi, work: Path, database: Database
) -> tuple[list[PathFigures], ProcessFigures, float, list[seed.Button], list[str]]:
    port = free_port()
    env = clientloop_env(fake, port, database)
    # A run starts from what this database's server sends: no modal or DM of an earlier run.
    fake.views.clear()
    fake.messages.clear()
    fake.keep_messages = True
    quiet = asyncio.subprocess.DEVNULL
    upgrade = await asyncio.create_subprocess_exec(
        str(BIN / "clientloop"), "db", "upgrade", env=env, cwd=work, stdout=quiet, stderr=quiet
    )
    if await asyncio.wait_for(upgrade.wait(), 120) != 0:
        raise RuntimeError(f"clientloop db upgrade failed on {database.label}")
    child = Child(
        [str(BIN / "clientloop"), "serve", "--no-scheduler"],
        env,
        work / f"clientloop-{database.slug}.log",
        port,
        work,
    )
    await asyncio.to_thread(child.start)
    try:
        await asyncio.sleep(1.0)
        idle = child.rss_mib()
        started = time.monotonic()
        async with httpx.AsyncClient(base_url=child.base_url, timeout=30) as http:
            await seed.project(http, fake, SECRET, CUSTOMERS)
            failures = await seed.changes(http, fake, SECRET, CHANGES)
        made = CHANGES - len(failures)
        buttons = await seed.harvest(fake, CUSTOMERS, made * len(CUSTOMERS))
        seeded = time.monotonic() - started
        fake.keep_messages = False
        paths = []
        for path, text in (("/loop help", "help"), ("/loop pending", "pending")):
            # The tag becomes part of each response_url: it must be a plain path segment.
            bodies = commands(fake, f"{database.slug}.{text}", text, MAX_REQUESTS)
            paths.append(await run_load(child, fake, path, bodies, work, database.label))
        approvals = clicks(fake, f"{database.slug}.approve", buttons)
        paths.append(await run_load(child, fake, "Approve click", approvals, work, database.label))
        process = ProcessFigures(child.ready_seconds, idle, child.rss_mib())
        return paths, process, seeded, buttons, failures
    finally:
        child.stop()


def log_errors(log: Path) -> dict[str, int]:
    """ERROR lines of the server log, by their message (first 120 characters)."""
    counts: dict[str, int] = {}
    for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
        if "ERROR" in line or "Traceback" in line:
            key = line[:120]
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1])[:10])


async def run_requests(work: Path) -> LiveResults:
    """clientloop on SQLite, then on PostgreSQL when it answers, then the bare app."""
    fake = FakeSlackApi()
    await fake.start()
    try:
        sqlite = sqlite_database(work)
        paths, clientloop, seeded, buttons, failures = await clientloop_stage(fake, work, sqlite)
        processes, skipped = {sqlite.label: clientloop}, []
        errors = log_errors(work / f"clientloop-{sqlite.slug}.log")
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
            pg_errors = log_errors(work / f"clientloop-{postgres.slug}.log")
            errors |= {f"[PostgreSQL] {line}": n for line, n in pg_errors.items()}
        # The bare app acks the same click payloads (it keeps no state, so reuse is fair).
        bare_paths, bare = await bare_stage(fake, work, buttons)
        processes[BARE] = bare
        return LiveResults(
            [*paths, *bare_paths], processes, seeded, failures, len(buttons), errors, CHANGES,
            SETTLE_SECONDS, skipped,
        )  # fmt: skip
    finally:
        await fake.stop()
        keep_logs(work)


def keep_logs(work: Path) -> None:
    """The servers' logs outlive the temporary folder, for reading after the run."""
    LOGS.mkdir(parents=True, exist_ok=True)
    for log in work.glob("*.log"):
        shutil.copyfile(log, LOGS / log.name)
